"""Takeovers through the sandbox: from the rule firing to the agent's phone ringing, and
to the applicant and the agent being bridged.

Agents are baresip softphones registered over SIP; each accepts a call as soon as it
rings (ctrl_tcp), talks for a moment and hangs up. Each simulated applicant consents and
answers 4 (不太满意) to the first question, which fires the low-score rule. Reported,
p50 / p99 in milliseconds:

- rule → ringing (Asterisk): the rule fired in the flow → the agent's leg is Ringing
  (the phone's 180 reached Asterisk);
- rule → ringing (phone): → the phone reported the incoming call over ctrl_tcp;
- rule → bridged: → the agent's leg joined the applicant's bridge. The applicant is
  put in the bridge when the rule fires and hears the transfer prompt there; an agent
  who answers joins at once (hearing the prompt's end), so this follows the answer;
- answer → bridged: the agent picked up → in the bridge.

All times are ``time.monotonic()`` in this one process (asyncio's loop clock).

    python benchmarks/takeover.py --takeovers 36 --agents 4 --concurrency 3
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from contextlib import AsyncExitStack
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter import bootstrap
from callcenter.agents.admin import AgentAdmin
from callcenter.agents.desk import TakeoverDesk
from callcenter.agents.metrics import TakeoverMetrics
from callcenter.agents.presence import Presence
from callcenter.agents.roster import AgentRoster
from callcenter.calls.store import Ledger
from callcenter.interview.outcome import Outcome
from callcenter.settings import Settings, load_settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import up
from callcenter.telephony.sandbox.softphone import Softphone

BEHAVIOUR = simulator.answer("b1", "b4")
RESULTS = Path(__file__).resolve().parent / "results"
TALK_SECONDS = 1.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50_ms": None, "p99_ms": None}
    return {
        "p50_ms": round(1000 * statistics.median(values), 1),
        "p99_ms": round(1000 * pct(values, 0.99), 1),
    }


async def agent(phone: Softphone, rung: dict[str, float]) -> None:
    """Pick up every call as it rings, talk a moment, hang up."""
    index = 0
    while True:
        event = await phone.nth("CALL_INCOMING", index, timeout=3600)
        index += 1
        rung[str(event.data.get("id"))] = event.at
        await phone.accept()
        await phone.wait_for("CALL_ESTABLISHED", timeout=10, after=event.at)
        await asyncio.sleep(TALK_SECONDS)
        await phone.hangup()


async def run(settings: Settings, ledger: Ledger, n: int, agents: int, concurrency: int) -> dict:  # type: ignore[type-arg]
    roster = AgentRoster(ledger.sessions)
    rung: dict[str, float] = {}
    async with AsyncExitStack() as stack:
        ari = await stack.enter_async_context(AriClient(settings.ari))
        admin = AgentAdmin(roster, ari, settings.agents)
        phones = []
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        for _ in range(agents):
            login = f"bench{uuid.uuid4().hex[:8]}"
            added = await admin.add(login, login)
            phone = Softphone(login, added.password, tmp / login, auto_answer=False)
            await phone.start()
            stack.push_async_callback(admin.disable, login)
            stack.push_async_callback(phone.stop)
            phones.append(phone)
        presence = Presence(ari)
        for phone in phones:
            async with asyncio.timeout(10):
                while not (await presence.phone(phone.login)).registered:
                    await asyncio.sleep(0.1)
            roster.set_ready(phone.login, True)
        workers = [asyncio.create_task(agent(p, rung)) for p in phones]

        ledger.upsert_unit("城区市场监管所", "station")
        infos = []
        for i in range(n):
            number = "1396" + str(uuid.uuid4().int)[:7]
            cid = ledger.add_case(
                f"TKBENCH-{number}-{i}",
                "城区市场监管所",
                f"赵{i}",
                number,
                "企业变更登记",
                date(2026, 10, 12),
                title="女士",
            )
            infos.append(ledger.case_info(cid))
            await simulator.program(ari, number, BEHAVIOUR)

        ctl = await stack.enter_async_context(bootstrap.controller(settings, ledger))
        slots = asyncio.Semaphore(concurrency)

        async def one(i: int):  # type: ignore[no-untyped-def]
            async with slots:
                return await ctl.call(infos[i])

        t0 = time.monotonic()
        results = await asyncio.gather(*(one(i) for i in range(n)))
        wall = time.monotonic() - t0
        for w in workers:
            w.cancel()
        desk = ctl.deps.handover
        metrics: list[TakeoverMetrics] = (
            list(desk.metrics) if isinstance(desk, TakeoverDesk) else []
        )

    connected = [m for m in metrics if m.bridged is not None]
    # a phone names the call by its SIP Call-ID, which is the agent leg's protocol id
    phone_latency = [
        rung[call_id] - m.fired for m in metrics for call_id in m.sip_call_ids if call_id in rung
    ]
    return {
        "takeovers": n,
        "agents": agents,
        "concurrency": concurrency,
        "connected": len(connected),
        "outcomes": {
            o.value: sum(1 for r in results if r.outcome is o)
            for o in Outcome
            if any(r.outcome is o for r in results)
        },
        "rule_to_ringing_asterisk": summary(
            [m.ringing - m.fired for m in metrics if m.ringing is not None]
        ),
        "rule_to_ringing_phone": summary(phone_latency),
        "rule_to_bridged": summary([m.bridged - m.fired for m in connected]),  # type: ignore[operator]
        "answer_to_bridged": summary(
            [m.bridged - m.answered for m in connected if m.answered is not None]  # type: ignore[operator]
        ),
        "agents_rung_per_takeover": round(statistics.mean(m.offers for m in metrics), 2)
        if metrics
        else None,
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--takeovers", type=int, default=36)
    parser.add_argument("--agents", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=3, help="calls up at once")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            storage_root=Path("/var/cache/callcenter/bench-storage"),
            dial={"max_concurrent": args.concurrency, "ring_timeout": 20},
            ivr={"key_timeout": 6.0},
            agents={"ring_timeout": 10, "pause_on_no_answer": False},
        )
        up(settings)
        with bootstrap.open_ledger(settings) as ledger:
            row = asyncio.run(run(settings, ledger, args.takeovers, args.agents, args.concurrency))
    print(json.dumps(row, ensure_ascii=False, indent=1), flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "takeover.json").write_text(json.dumps(row, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
