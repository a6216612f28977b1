"""N simultaneous follow-up calls through the sandbox: completion, latency, CPU.

Each simulated applicant answers, consents, answers all seven questions by pressing
keys during the prompts (barge-in) and hangs up in the closing. Reported per N:
completion rate, key-press-to-next-prompt latency (p50/p99, measured in the
controller from the DTMF event to Asterisk's PlaybackStarted), controller CPU
seconds per call (this process, which also renders each call's personalised
prompts) and Asterisk CPU seconds per call.

    python benchmarks/concurrency.py --calls 50 100 200
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter import bootstrap
from callcenter.interview.outcome import Outcome
from callcenter.settings import Settings, load_settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import up
from callcenter.telephony.sandbox.process import Sandbox

BEHAVIOUR = simulator.answer("b1", "b1", "b2", "b1", "b1", "b1", "b2", "b2", "h")
RESULTS = Path(__file__).resolve().parent / "results"


def cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(settings: Settings, n: int, rate: float, base: int) -> dict[str, object]:
    with bootstrap.open_ledger(settings) as ledger:
        ledger.upsert_unit("城区市场监管所", "station")
        infos = []
        for i in range(n):
            cid = ledger.add_case(
                f"BENCH-{base}-{i}",
                "城区市场监管所",
                f"张{i}",
                str(base + i),
                "企业变更登记",
                date(2026, 10, 12),
                title="先生",
            )
            infos.append(ledger.case_info(cid))
        async with AriClient(settings.ari) as ari:
            for info in infos:
                await simulator.program(ari, info.phone, BEHAVIOUR)
        asterisk_pid = Sandbox(settings).status().pid
        assert asterisk_pid is not None
        async with bootstrap.controller(settings, ledger) as ctl:
            cpu0 = resource.getrusage(resource.RUSAGE_SELF)
            kids0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            ast0 = cpu_of(asterisk_pid)
            t0 = time.monotonic()

            async def paced(i: int):  # type: ignore[no-untyped-def]
                await asyncio.sleep(i / rate)
                return await ctl.call(infos[i])

            results = await asyncio.gather(*(paced(i) for i in range(n)))
            wall = time.monotonic() - t0
            cpu1 = resource.getrusage(resource.RUSAGE_SELF)
            kids1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            ast1 = cpu_of(asterisk_pid)
    latencies = [x for r in results for x in r.key_latencies]
    complete = sum(1 for r in results if r.outcome is Outcome.COMPLETE)
    return {
        "calls": n,
        "completed": complete,
        "completion_rate": complete / n,
        "outcomes": {
            o.value: sum(1 for r in results if r.outcome is o)
            for o in Outcome
            if any(r.outcome is o for r in results)
        },
        "keys": len(latencies),
        "latency_p50_ms": round(1000 * statistics.median(latencies), 1) if latencies else None,
        "latency_p99_ms": round(1000 * pct(latencies, 0.99), 1) if latencies else None,
        "controller_cpu_s_per_call": round(
            ((cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime)) / n, 4
        ),
        "tts_cpu_s_per_call": round(
            ((kids1.ru_utime + kids1.ru_stime) - (kids0.ru_utime + kids0.ru_stime)) / n, 4
        ),
        "asterisk_cpu_s_per_call": round((ast1 - ast0) / n, 4),
        "wall_s": round(wall, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, nargs="+", default=[50, 100, 200])
    parser.add_argument("--rate", type=float, default=25.0, help="calls originated per second")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = load_settings(
            database_url=f"sqlite:///{tmp}/bench.db",
            storage_root=Path("/var/cache/callcenter/bench-storage"),
            dial={"max_concurrent": max(args.calls), "ring_timeout": 20},
            ivr={"key_timeout": 6.0},
        )
        up(settings)
        for k, n in enumerate(args.calls):
            row = asyncio.run(run(settings, n, args.rate, 13700000000 + k * 10000))
            print(json.dumps(row, ensure_ascii=False), flush=True)
            rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "concurrency.json").write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
