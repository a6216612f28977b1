"""A campaign of 500 simulated calls at concurrency limits 10, 50 and 100.

Two real Celery worker processes (threads pool) and beat on Redis dial through the
sandbox's PJSIP trunk; the simulated applicants refuse at the consent question (about
8 s on the line) or are busy, one attempt each. Reported per limit: calls per hour,
and the concurrency achieved, sampled from ARI (GET /channels, the campaign's outbound
legs to the trunk, every 0.2 s) while calls were still being started: peak, median
and mean, and the mean as a share of the limit.

    PYTHONPATH=. /var/cache/callcenter/venv/bin/python benchmarks/campaign.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from callcenter.calls.tables import CallAttempt
from callcenter.campaign.store import CampaignStore
from callcenter.kernel.database import make_engine, session_factory
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import up
from tests.campaign.cluster import Cluster, write_config
from tests.campaign.fixtures import delete_prefixed

RESULTS = Path(__file__).resolve().parent / "results"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/14"
STORAGE = Path("/var/cache/callcenter/bench-storage")
HEADER = ["办件编号", "办理窗口", "办理事项", "申请人", "称谓", "联系电话", "办结日期", "是否投诉"]


def cases_csv(path: Path, n: int, base: int) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for i in range(n):
            # one name, matter and date: the prompts are rendered once, the pacing is measured
            w.writerow(
                [
                    f"B{base}-{i:04d}",
                    "城区市场监管所",
                    "企业变更登记",
                    "王伟",
                    "先生",
                    str(base + i),
                    "2025-04-10",
                    "否",
                ]
            )
    return path


async def sample(settings, key: str, stop: asyncio.Event, out: list[tuple[float, int]]) -> None:  # type: ignore[no-untyped-def]
    async with AriClient(settings.ari) as ari:
        while not stop.is_set():
            channels = await ari.channels()
            up_now = sum(
                1
                for c in channels
                if c["name"].startswith("PJSIP/trunk-") and c["id"].startswith(key + "-")
            )
            out.append((time.time(), up_now))
            await asyncio.sleep(0.2)


async def program(settings, phones: list[str]) -> None:  # type: ignore[no-untyped-def]
    async with AriClient(settings.ari) as ari:
        for i, phone in enumerate(phones):
            await simulator.program(ari, phone, "busy" if i % 2 else "answer/b2")


def campaign_section(schema: str, limit: int, threads: int, calls: int) -> dict[str, object]:
    """The campaign settings of a benchmark run: every day open, one try per case, all of
    the ``calls`` cases sampled, keys of the run's own."""
    return {
        "broker_url": REDIS,
        "broker_prefix": f"bench-{schema}-broker:",
        "key_prefix": f"bench-{schema}",
        "windows": ["00:00-24:00"],
        "calendar": "every-day",
        "max_concurrent_per_trunk": limit,
        "worker_threads": threads,
        "dispatch_interval_seconds": 2,
        "max_attempts": 1,
        "partial_redials": 0,
        "quota_bureau": 0,
        "quota_station": calls,
        "recent_days": 0,
    }


def import_and_plan(env: dict[str, str], csv_file: Path) -> None:
    """Import the cases and plan May 2025 with the command line, as a clerk would."""
    for args in (
        ["import", str(csv_file)],
        ["campaign", "plan", "--month", "2025-05", "--seed", "1", "--show", "0"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "callcenter", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr


def run_limit(
    limit: int, calls: int, base: int, tmp: Path, ahead: int | None, trace: Path | None
) -> dict[str, object]:
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}"
    # each worker: half the calls and of those queued ahead (a quarter of the limit), and
    # a few threads for the dispatches
    ahead = limit // 4 if ahead is None else ahead
    threads = (limit + ahead) // 2 + 5
    config = write_config(
        tmp / f"bench-{limit}.toml",
        {"database_url": url, "storage_root": str(STORAGE)},
        {
            "ari": {"app": "cc-bench"},
            "ivr": {"key_timeout": 4.0},
            "dial": {"ring_timeout": 10, "max_concurrent": limit},
            "campaign": {**campaign_section(schema, limit, threads, calls), "queue_ahead": ahead},
        },
    )
    logs = tmp / f"logs-{limit}"
    logs.mkdir()
    cluster = Cluster(config, logs)
    engine = None
    try:
        env = cluster.env
        csv_file = cases_csv(tmp / f"cases-{limit}.csv", calls, base)
        import_and_plan(env, csv_file)
        engine = make_engine(url)
        store = CampaignStore(session_factory(engine))
        campaign = store.campaign("2025-05")
        phones = [row.case.phone for row in store.sample("2025-05")]
        assert len(phones) == calls, len(phones)
        asyncio.run(program(cluster.settings, phones))
        cluster.worker("w1", threads)
        cluster.worker("w2", threads)
        cluster.beat()
        cluster.wait_workers({"w1", "w2"})

        samples: list[tuple[float, int]] = []

        async def go() -> float:
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample(cluster.settings, campaign.key, stop, samples))
            t0 = time.time()
            started = subprocess.run(
                [sys.executable, "-m", "callcenter", "campaign", "run", "--month", "2025-05", "--no-watch"],
                env=env, capture_output=True, text=True,
            )  # fmt: skip
            assert started.returncode == 0, started.stderr
            while store.campaign("2025-05").state != "finished":
                await asyncio.sleep(0.5)
            wall = time.time() - t0
            stop.set()
            await sampler
            return wall

        wall = asyncio.run(go())
        with engine.connect() as c:
            first, last, attempts = c.execute(
                select(
                    func.min(CallAttempt.started_at), func.max(CallAttempt.started_at), func.count()
                ).where(CallAttempt.id.like(f"{campaign.key}-%"))
            ).one()
            outcomes = Counter(
                o
                for (o,) in c.execute(
                    select(CallAttempt.outcome).where(CallAttempt.id.like(f"{campaign.key}-%"))
                )
            )
        busy_phase = [n for t, n in samples if first.timestamp() <= t <= last.timestamp()] or [0]
        if trace is not None:
            # seconds since the first call started, calls up: where the mean is lost
            trace.write_text("".join(f"{t - first.timestamp():.2f} {n}\n" for t, n in samples))
        placing = last.timestamp() - first.timestamp()
        return {
            "limit": limit,
            "calls": attempts,
            "outcomes": dict(outcomes),
            "wall_s": round(wall, 1),
            "calls_per_hour": round(attempts / wall * 3600),
            "peak_up": max(n for _, n in samples),
            "median_up_while_placing": statistics.median(busy_phase),
            "mean_up_while_placing": round(statistics.fmean(busy_phase), 1),
            "mean_up_share_of_limit": round(statistics.fmean(busy_phase) / limit, 2),
            "placing_s": round(placing, 1),
            "worker_threads_each": threads,
        }
    finally:
        cluster.stop()
        if engine is not None:
            engine.dispose()
        with admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
        delete_prefixed(REDIS, f"bench-{schema}")


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--limits", type=int, nargs="+", default=[10, 50, 100])
    parser.add_argument("--quick", action="store_true", help="60 calls at limits 5 and 20")
    parser.add_argument("--ahead", type=int, help="queue_ahead (default: a quarter of the limit)")
    parser.add_argument("--trace", type=Path, help="write the calls-up samples of the last limit")
    parser.add_argument("--out", help="file in benchmarks/results/ (default campaign.json)")
    parser.add_argument("--keep", type=Path, help="keep the workers' logs in this directory")
    args = parser.parse_args()
    calls, limits = (60, [5, 20]) if args.quick else (args.calls, args.limits)
    os.environ.pop("CALLCENTER_CONFIG", None)
    # a TERM stops the workers and drops the schema like ^C does
    signal.signal(signal.SIGTERM, _interrupt)
    from callcenter.settings import load_settings

    up(load_settings(storage_root=STORAGE))
    rows = []
    with contextlib.ExitStack() as stack:
        if args.keep is not None:
            args.keep.mkdir(parents=True, exist_ok=True)
            d = str(args.keep)
        else:
            d = stack.enter_context(tempfile.TemporaryDirectory())
        for k, limit in enumerate(limits):
            base = 13670000000 + k * 10000
            # a limit may be given more than once (runs to take the median of)
            tmp = Path(d) / f"run-{k + 1}"
            tmp.mkdir()
            row = run_limit(limit, calls, base, tmp, args.ahead, args.trace)
            print(json.dumps(row, ensure_ascii=False), flush=True)
            rows.append(row)
    RESULTS.mkdir(exist_ok=True)
    name = args.out or ("campaign-quick.json" if args.quick else "campaign.json")
    (RESULTS / name).write_text(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
