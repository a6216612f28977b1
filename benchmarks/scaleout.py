"""Calls per hour with one and with two Asterisk servers, and the CPU each part used.

One campaign per set on the sandbox: server ``sandbox2`` alone, then ``sandbox2`` and
``sandbox3`` (Asterisk instances beside the shared first one, ``callcenter sandbox up
--servers 3``; only the scale-out test calls through them, and kills one: do not run
both at once), each server at the same limit and driven
by its own Celery worker on its own queue, beat and PostgreSQL shared. The simulated
applicants refuse at the consent question (about 8 s on the line) or are busy, one
attempt each (as ``campaign.py``).

Reported per set: calls per hour, the peak calls up on each server, and CPU seconds
per call of each part, read from /proc before and after: each Asterisk and each worker
per call its server carried, beat, PostgreSQL (this run's backends) and Redis per call
of the set. Everything runs on this one machine, so two servers here share its cores:
the CPU per call is what says what one more machine buys.

    PYTHONPATH=. /var/cache/callcenter/venv/bin/python benchmarks/scaleout.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.campaign import (
    POSTGRES,
    REDIS,
    STORAGE,
    campaign_section,
    cases_csv,
    import_and_plan,
)
from callcenter.calls.tables import CallAttempt
from callcenter.campaign.store import CampaignStore
from callcenter.kernel.database import make_engine, session_factory
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.config import ServerSettings
from callcenter.telephony.sandbox import simulator
from callcenter.telephony.sandbox.cli import sim_sounds
from callcenter.telephony.sandbox.process import Sandbox
from callcenter.telephony.sandbox.servers import extra_up, sandbox_servers
from tests.campaign.cluster import Cluster, write_config
from tests.campaign.fixtures import delete_prefixed

RESULTS = Path(__file__).resolve().parent / "results"
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its reaped children, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:
        return 0.0
    return sum(int(f) for f in fields[11:15]) / TICKS


def pids_named(name: str) -> list[int]:
    out = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                if (p / "comm").read_text().strip() == name:
                    out.append(int(p.name))
            except (FileNotFoundError, ProcessLookupError):
                continue
    return out


def backends(admin: Engine, app: str) -> list[int]:
    """The PostgreSQL backends serving this run's connections (others share the server)."""
    with admin.connect() as c:
        rows = c.execute(
            text("SELECT pid FROM pg_stat_activity WHERE application_name = :app"), {"app": app}
        )
        return [pid for (pid,) in rows]


def cpu_of_parts(
    parts: dict[str, list[int]], admin: Engine, app: str
) -> dict[str, dict[int, float]]:
    """CPU seconds of each process of each part; PostgreSQL's backends (one per
    connection, opened as the run goes) and Redis listed anew each time."""
    pids = {**parts, "postgres": backends(admin, app), "redis": pids_named("redis-server")}
    return {name: {p: cpu_seconds(p) for p in ps} for name, ps in pids.items()}


def used(before: dict[int, float], after: dict[int, float]) -> float:
    # a process started during the run counts from zero
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in after.items())


def instance(server: ServerSettings) -> int:
    return int(server.name.removeprefix("sandbox"))


def server_table(s: ServerSettings, limit: int) -> dict[str, object]:
    ari = {"url": s.ari.url, "username": s.ari.username, "password": s.ari.password.get_secret_value(), "app": "cc-bench"}  # fmt: skip
    return {"name": s.name, "ari": ari, "max_concurrent": limit, "recordings": str(s.recordings)}


async def program(servers: list[ServerSettings], phones: list[str]) -> None:
    for s in servers:  # every Asterisk has simulated applicants of its own
        async with AriClient(s.ari) as ari:
            for i, phone in enumerate(phones):
                await simulator.program(ari, phone, "busy" if i % 2 else "answer/b2")


async def sample(servers: list[ServerSettings], key: str, stop: asyncio.Event, out: dict) -> None:  # type: ignore[type-arg]
    clients = [AriClient(s.ari) for s in servers]
    for c in clients:
        await c.__aenter__()
    try:
        while not stop.is_set():
            for s, ari in zip(servers, clients, strict=True):
                channels = await ari.channels()
                out[s.name].append(
                    sum(
                        1
                        for c in channels
                        if c["name"].startswith("PJSIP/trunk-") and c["id"].startswith(key + "-")
                    )
                )
            await asyncio.sleep(0.2)
    finally:
        for c in clients:
            await c.__aexit__(None, None, None)


def run_set(
    all_servers: list[ServerSettings], count: int, limit: int, calls: int, base: int, tmp: Path
) -> dict[str, object]:
    servers = all_servers[:count]
    admin = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    app = f"bench-{schema}"  # names this run's PostgreSQL connections
    url = f"{POSTGRES}?options=-csearch_path%3D{schema}&application_name={app}"
    threads = limit + 5  # a dial task holds its thread for the whole call
    config = write_config(
        tmp / f"bench-{count}.toml",
        {"database_url": url, "storage_root": str(STORAGE)},
        {
            "ivr": {"key_timeout": 4.0},
            "dial": {"ring_timeout": 10},
            "cluster": {"servers": [server_table(s, limit) for s in servers]},
            "campaign": campaign_section(schema, limit * count, threads, calls),
        },
    )
    logs = tmp / f"logs-{count}"
    logs.mkdir()
    cluster = Cluster(config, logs)
    engine = None
    try:
        env = cluster.env
        csv_file = cases_csv(tmp / f"cases-{count}.csv", calls, base)
        import_and_plan(env, csv_file)
        engine = make_engine(url)
        store = CampaignStore(session_factory(engine))
        campaign = store.campaign("2025-05")
        phones = [row.case.phone for row in store.sample("2025-05")]
        assert len(phones) == calls, len(phones)
        asyncio.run(program(servers, phones))
        workers = {s.name: f"w{n}" for n, s in enumerate(servers, 1)}
        for server, worker in workers.items():
            cluster.worker(worker, threads, {"CALLCENTER_CLUSTER__SERVER": server})
        cluster.beat()
        cluster.wait_workers(set(workers.values()))
        parts = {
            **{
                f"asterisk {s.name}": [Sandbox(cluster.settings, instance(s)).status().pid or 0]
                for s in servers
            },
            **{f"worker {s}": [cluster.procs[w].pid] for s, w in workers.items()},
            "beat": [cluster.procs["beat"].pid],
        }
        samples: dict[str, list[int]] = defaultdict(list)

        async def go() -> float:
            stop = asyncio.Event()
            sampler = asyncio.create_task(sample(servers, campaign.key, stop, samples))
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

        before = cpu_of_parts(parts, admin, app)
        wall = asyncio.run(go())
        after = cpu_of_parts(parts, admin, app)
        with engine.connect() as c:
            attempts = c.execute(
                select(func.count()).where(CallAttempt.id.like(f"{campaign.key}-%"))
            ).scalar_one()
            # the owner is the worker's ARI app, ending with its pid
            by_pid = Counter(
                int(o.rsplit("-", 1)[1])
                for (o,) in c.execute(
                    select(CallAttempt.owner).where(CallAttempt.id.like(f"{campaign.key}-%"))
                )
            )
        server_of = {cluster.procs[w].pid: s for s, w in workers.items()}
        carried = {server_of[pid]: n for pid, n in by_pid.items()}

        def per_call(part: str) -> float:
            # a server's parts per call it carried; the shared ones per call of the set
            server = part.split(" ", 1)[1] if " " in part else None
            calls = carried.get(server, 0) if server else attempts
            return round(used(before[part], after[part]) / max(1, calls), 4)

        return {
            "servers": count,
            "limit_each": limit,
            "calls": attempts,
            "wall_s": round(wall, 1),
            "calls_per_hour": round(attempts / wall * 3600),
            "peak_up": {name: max(v) for name, v in samples.items()},
            "median_up": {name: statistics.median(v) for name, v in samples.items()},
            "calls_by_server": carried,
            "cpu_s_per_call": {name: per_call(name) for name in after},
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
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--limit", type=int, default=20, help="calls at once per server")
    parser.add_argument("--runs", type=int, default=3, help="runs per set; medians reported")
    parser.add_argument("--quick", action="store_true", help="60 calls, limit 5, one run")
    args = parser.parse_args()
    calls, limit, runs = (60, 5, 1) if args.quick else (args.calls, args.limit, args.runs)
    os.environ.pop("CALLCENTER_CONFIG", None)
    signal.signal(signal.SIGTERM, _interrupt)
    from callcenter.settings import load_settings

    settings = load_settings(storage_root=STORAGE)
    # instances 2 and 3 only: the first is shared by everyone's tests, which would be
    # counted, and must not be restarted under them
    extra_up(settings, 3, sim_sounds(settings))
    servers = sandbox_servers(settings, 3)[1:]
    rows = []
    with tempfile.TemporaryDirectory() as d:
        for count in (1, 2):
            results = []
            for run in range(runs):
                base = 13680000000 + (count * 10 + run) * 10000
                tmp = Path(d) / f"{count}-{run}"
                tmp.mkdir()
                results.append(run_set(servers, count, limit, calls, base, tmp))
                print(json.dumps(results[-1], ensure_ascii=False), flush=True)
            mid = sorted(results, key=lambda r: r["calls_per_hour"])[len(results) // 2]  # type: ignore[arg-type, return-value]
            rows.append({**mid, "calls_per_hour_runs": [r["calls_per_hour"] for r in results]})
    rows[1]["ratio_to_one_server"] = round(rows[1]["calls_per_hour"] / rows[0]["calls_per_hour"], 2)  # type: ignore[operator]
    RESULTS.mkdir(exist_ok=True)
    name = "scaleout-quick.json" if args.quick else "scaleout.json"
    (RESULTS / name).write_text(json.dumps(rows, ensure_ascii=False, indent=1))
    print(json.dumps(rows, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
