"""N simultaneous follow-up calls through the sandbox, against a bare ARI baseline.

Each simulated applicant answers, consents, answers all seven questions by pressing
keys during the prompts (barge-in) and hangs up in the closing. For each N and run,
the same calls are placed twice against the same Asterisk, one after the other: by a
minimal ARI client (``baseline_ari.py``: originate, play, keys, record; no ledger, no
TTS) and by the controller (ledger, routing, recordings sealed, hooks). Reported per
N, as medians of the runs: completion rate, key press → next prompt latency (p50/p99,
from the DTMF event to Asterisk's PlaybackStarted), CPU seconds per call of the client
and of Asterisk, ledger errors, and the controller's figures as ratios to the
baseline's. The prompts are rendered before the calls (as a campaign does when it
starts); that time is reported apart.

    python benchmarks/concurrency.py --calls 100 300 --runs 3 [--database-url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.baseline_ari import BaselineClient
from callcenter import bootstrap
from callcenter.calls.prompts import media_for, render_cases
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel import loop
from callcenter.kernel.errors import AriError
from callcenter.settings import Settings, load_settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import up
from callcenter.telephony.sandbox.process import Sandbox

KEYS = ("b1", "b1", "b2", "b1", "b1", "b1", "b2", "b2")
BEHAVIOUR = simulator.answer(*KEYS, "h")
RESULTS = Path(__file__).resolve().parent / "results"
# the event loop both clients run on: the controller's own (uvloop), or --loop asyncio
RUN: Any = loop.run
# what the baseline plays before each key, and after the last: the controller's steps
STEPS = [
    ["greeting", "consent.1", "consent.2", "consent.keys"],
    ["consent_thanks", "q1_environment", "q1_environment.keys"],
    ["q2_attitude", "q2_attitude.keys"],
    ["q2_reason", "q2_reason.keys"],
    ["q3_competence", "q3_competence.keys"],
    ["q4_one_time_notice", "q4_one_time_notice.keys"],
    ["q5_efficiency", "q5_efficiency.keys"],
    ["q6_integrity", "q6_integrity.keys"],
    ["closing_without_suggestion.1", "closing_without_suggestion.2"],
]


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def own_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


class LedgerTrouble(logging.Handler):
    """Counts ledger writes that failed, and those repeated after losing a lock race."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.errors = 0
        self.retries = 0

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.name == "callcenter.kernel.transaction":
            self.retries += 1
        elif "ledger" in text.lower() or (
            record.exc_info and "Ledger" in type(record.exc_info[1]).__name__
        ):
            self.errors += 1


async def hang_up_leftovers(settings: Settings) -> int:
    """Hang up the channels an earlier client or run left up, and say how many: a call
    that outlived its client stays in Stasis (its simulated applicant on the line) and
    would weigh on the next client's figures."""
    async with AriClient(settings.ari) as ari:
        channels = await ari.channels()
        for channel in channels:
            with contextlib.suppress(AriError):
                await ari.hangup(channel["id"])
        for _ in range(100):
            if not await ari.channels():
                break
            await asyncio.sleep(0.1)
    return len(channels)


async def paced(n: int, rate: float, place: Any) -> tuple[list[Any], float]:
    t0 = time.monotonic()

    async def one(i: int) -> Any:
        await asyncio.sleep(i / rate)
        return await place(i)

    results = await asyncio.gather(*(one(i) for i in range(n)))
    return results, time.monotonic() - t0


def figures(
    n: int, completed: int, latencies: list[float], cpu: float, ast: float, wall: float
) -> dict[str, Any]:
    return {
        "completed": completed,
        "completion_rate": completed / n,
        "keys": len(latencies),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(1000 * pct(latencies, 0.99), 1) if latencies else None,
        "cpu_s_per_call": round(cpu / n, 4),
        "asterisk_cpu_s_per_call": round(ast / n, 4),
        "wall_s": round(wall, 1),
    }


async def baseline(
    settings: Settings, infos: list[CaseInfo], media: list[list[str]], rate: float, pid: int
) -> dict[str, Any]:
    a = settings.ari
    app = f"cc-bench-base-{uuid.uuid4().hex[:6]}"
    async with BaselineClient(a.url, a.username, a.password.get_secret_value(), app) as client:
        cpu0, ast0 = own_cpu(), cpu_of(pid)
        results, wall = await paced(
            len(infos), rate,
            lambda i: client.call(settings.dial.endpoint.format(number=infos[i].phone), media),
        )  # fmt: skip
        cpu1, ast1 = own_cpu(), cpu_of(pid)
    lat = [x for r in results for x in r.latencies]
    done = sum(1 for r in results if r.completed)
    return figures(len(infos), done, lat, cpu1 - cpu0, ast1 - ast0, wall)


async def controller(
    settings: Settings, ledger: Any, infos: list[CaseInfo], rate: float, pid: int
) -> dict[str, Any]:
    trouble = LedgerTrouble()
    logging.getLogger().addHandler(trouble)
    try:
        async with bootstrap.controller(settings, ledger) as ctl:
            cpu0, ast0 = own_cpu(), cpu_of(pid)
            took: dict[str, float] = {}

            async def timed(i: int) -> Any:
                t = time.monotonic()
                result = await ctl.place(infos[i])
                took[result.attempt_id] = time.monotonic() - t
                return result

            results, wall = await paced(len(infos), rate, timed)
            cpu1, ast1 = own_cpu(), cpu_of(pid)
    finally:
        logging.getLogger().removeHandler(trouble)
    lat = [x for r in results for x in r.key_latencies]
    done = sum(1 for r in results if r.outcome is Outcome.COMPLETE)
    row = figures(len(infos), done, lat, cpu1 - cpu0, ast1 - ast0, wall)
    row["outcomes"] = {
        o.value: sum(1 for r in results if r.outcome is o)
        for o in Outcome
        if any(r.outcome is o for r in results)
    }
    # why calls ended short, as the 台账 says it: the first thing to read when one did
    row["short_notes"] = dict(
        Counter(r.note or "(none)" for r in results if r.outcome is not Outcome.COMPLETE)
    )
    # and the answers such calls had, with the keys: which question lost its key
    row["short_answers"] = dict(
        Counter(
            " ".join(f"{a.question_id}={a.keys}" for a in r.answers)
            + " | last played: "
            + " / ".join(t[:12] for t in r.played[-3:])
            for r in results
            if r.outcome is not Outcome.COMPLETE
        ).most_common(5)
    )
    # the calls that took longest from placing to their result: what holds the wall up
    row["slowest"] = [
        f"{took[r.attempt_id]:.1f} s {r.outcome.value} {r.note} ({len(r.played)} prompts)"
        for r in sorted(results, key=lambda r: -took[r.attempt_id])[:3]
    ]
    row["ledger_errors"] = trouble.errors
    row["ledger_retries"] = trouble.retries
    return row


def ratios(ctl: dict[str, Any], base: dict[str, Any]) -> dict[str, Any]:
    def r(key: str) -> float | None:
        a, b = ctl.get(key), base.get(key)
        return round(a / b, 2) if a is not None and b else None

    return {
        "completion": r("completion_rate"),
        "cpu_per_call": r("cpu_s_per_call"),
        "latency_p50": r("latency_p50_ms"),
        "latency_p99": r("latency_p99_ms"),
        "asterisk_cpu_per_call": r("asterisk_cpu_s_per_call"),
        "controller_cpu_share_of_asterisk": (
            round(ctl["cpu_s_per_call"] / ctl["asterisk_cpu_s_per_call"], 3)
            if ctl["asterisk_cpu_s_per_call"]
            else None
        ),
    }


def run(settings: Settings, n: int, rate: float, base: int, with_baseline: bool) -> dict[str, Any]:
    with bootstrap.open_ledger(settings) as ledger:
        ledger.upsert_unit("城区市场监管所", "station")
        infos = []
        for i in range(n):
            cid = ledger.add_case(
                f"BENCH-{base}-{i}", "城区市场监管所", f"张{i}", str(base + i),
                "企业变更登记", date(2026, 10, 12), title="先生",
            )  # fmt: skip
            infos.append(ledger.case_info(cid))
        script = bootstrap.script(settings)
        cache = bootstrap.prompt_cache(settings)
        kids0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.monotonic()
        distinct = render_cases(cache, [(script, c) for c in infos])
        kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        render = {
            "distinct_texts": distinct,
            "render_s": round(time.monotonic() - t0, 1),
            "tts_cpu_s": round(
                (kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime), 1
            ),
        }
        fields = {**script.defaults, **infos[0].prompt_fields()}
        texts = {p: template.format(**fields) for p, template in script.prompts()}
        uris = media_for(cache, script, infos[0])
        media = [[uris[texts[p]] for p in step] for step in STEPS]

        async def program() -> None:
            async with AriClient(settings.ari) as ari:
                for info in infos:
                    await simulator.program(ari, info.phone, BEHAVIOUR)

        RUN(program())
        pid = Sandbox(settings).status().pid
        assert pid is not None
        row: dict[str, Any] = {"calls": n, "rate": rate, "prompts": render}
        if with_baseline:
            row["leftovers_before_baseline"] = RUN(hang_up_leftovers(settings))
            row["baseline"] = RUN(baseline(settings, infos, media, rate, pid))
            time.sleep(5)  # let Asterisk settle between the two
        row["leftovers_before_controller"] = RUN(hang_up_leftovers(settings))
        row["controller"] = RUN(controller(settings, ledger, infos, rate, pid))
        if with_baseline:
            row["ratios"] = ratios(row["controller"], row["baseline"])
    return row


def median_row(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per figure, the median over the runs."""

    def med(path: tuple[str, ...]) -> float | None:
        values = []
        for row in rows:
            v: Any = row
            for p in path:
                v = v.get(p) if isinstance(v, dict) else None
            if isinstance(v, int | float):
                values.append(v)
        return round(statistics.median(values), 4) if values else None

    out: dict[str, Any] = {"calls": rows[0]["calls"], "runs": len(rows)}
    for part in ("baseline", "controller", "ratios"):
        keys = {
            k
            for row in rows
            for k in row.get(part, {})
            if k not in ("outcomes", "short_notes", "short_answers", "slowest")
        }
        if keys:
            out[part] = {k: med((part, k)) for k in sorted(keys)}
    return out


def highest_n(summary: list[dict[str, Any]]) -> dict[str, Any]:
    """The highest N run whose median completion is at least 99.9 %, per client, and the
    controller's as a share of the baseline's (both from this one run)."""

    def top(who: str) -> int:
        return max(
            (
                row["calls"]
                for row in summary
                if (row.get(who) or {}).get("completion_rate", 0) >= 0.999
            ),
            default=0,
        )

    base, ctl = top("baseline"), top("controller")
    return {"baseline": base, "controller": ctl, "ratio": round(ctl / base, 2) if base else None}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, nargs="+", default=[100, 300])
    parser.add_argument("--rate", type=float, default=25.0, help="calls originated per second")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--database-url", help="an empty database (default: a new SQLite file)")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument(
        "--loop", choices=("uvloop", "asyncio"), default="uvloop", help="event loop of both"
    )
    parser.add_argument("--out", default="concurrency.json", help="file in benchmarks/results/")
    args = parser.parse_args()
    global RUN
    RUN = loop.run if args.loop == "uvloop" else asyncio.run
    logging.basicConfig(level=logging.ERROR)
    every: list[dict[str, Any]] = []
    summary: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=args.database_url or f"sqlite:///{tmp}/bench.db",
            storage_root=Path("/var/cache/callcenter/bench-storage"),
            ari={"app": f"cc-bench-{uuid.uuid4().hex[:6]}"},
            dial={"max_concurrent": max(args.calls), "ring_timeout": 20},
            ivr={"key_timeout": 6.0},
            transcription={"enabled": False},
        )
        up(settings)
        stamp = int(time.time()) % 100_000 * 10_000
        for k, n in enumerate(args.calls):
            rows = []
            for r in range(args.runs):
                base = 13_000_000_000 + stamp + (k * args.runs + r) * 1000
                try:
                    row = run(settings, n, args.rate, base, not args.no_baseline)
                except FileNotFoundError as exc:
                    # the shared sandbox was restarted under the run: its CPU is unknown
                    print(f"run {r + 1} at {n} calls discarded: {exc}", flush=True)
                    continue
                print(json.dumps(row, ensure_ascii=False), flush=True)
                rows.append(row)
            if not rows:
                continue
            every += rows
            summary.append(median_row(rows))
            print(json.dumps(summary[-1], ensure_ascii=False), flush=True)
    print(json.dumps({"highest_n_at_99_9_percent": highest_n(summary)}), flush=True)
    RESULTS.mkdir(exist_ok=True)
    backend = "postgresql" if args.database_url and "postgres" in args.database_url else "sqlite"
    out = {
        "database": backend,
        "loop": args.loop,
        "rate": args.rate,
        "medians": summary,
        "highest_n_at_99_9_percent": highest_n(summary),
        "runs": every,
    }
    (RESULTS / args.out).write_text(json.dumps(out, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
