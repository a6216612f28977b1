"""A campaign end to end: import with the CLI, plan, two real Celery workers and beat on
Redis, real calls through the PJSIP trunk to simulated applicants, a worker killed.

Measured from ARI, never more than K of the campaign's calls are up at once; busy and
no-answer cases are retried by the policy; a killed worker loses no case and no case is
dialled twice at once.
"""

from __future__ import annotations

import asyncio
import csv
import itertools
import subprocess
import sys
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from callcenter.calls.store import Ledger
from callcenter.calls.tables import CallAttempt
from callcenter.campaign.store import CampaignStore
from callcenter.kernel.database import make_engine, session_factory
from callcenter.settings import PROJECT_ROOT, Settings
from callcenter.telephony.ari.client import AriClient
from callcenter.telephony.sandbox import simulator
from tests.campaign.cluster import Cluster, write_config
from tests.campaign.fixtures import DEFAULT_REDIS_URL, REDIS_URL_ENV, delete_prefixed
from tests.sandbox_fixtures import TEST_STORAGE

pytestmark = [pytest.mark.asterisk, pytest.mark.redis, pytest.mark.postgres]

K = 3
BASE = 13660000000
HEADER = ["办件编号", "办理窗口", "办理事项", "申请人", "称谓", "联系电话", "办结日期", "是否投诉"]
COMPLETE = "answer/b1/b1/b1/b1/b1/b1/b2/b2/h"


@dataclass
class World:
    cluster: Cluster
    settings: Settings
    ledger: Ledger
    store: CampaignStore
    engine: Engine
    tmp: Path

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "callcenter", *args],
            capture_output=True,
            text=True,
            cwd=PROJECT_ROOT,
            env=self.cluster.env,
            timeout=120,
        )


def month_csv(path: Path, first: str, units: list[tuple[str, int, int]], base: int) -> Path:
    """``units``: (name, cases, complaints); plus two bad rows at the end."""
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        n = 0
        for unit, count, complaints in units:
            for i in range(count):
                n += 1
                w.writerow(
                    [f"C{first}-{n:03d}", unit, "企业变更登记", "李娜", "女士", str(base + n),
                     f"{first}-{1 + i:02d}", "是" if i < complaints else "否"]
                )  # fmt: skip
        w.writerow(
            [
                f"C{first}-bad",
                "城区市场监管所",
                "企业变更登记",
                "李娜",
                "女士",
                "5831315",
                f"{first}-03",
                "否",
            ]
        )
        w.writerow(
            [
                f"C{first}-001",
                "城区市场监管所",
                "企业变更登记",
                "李娜",
                "女士",
                str(base + 1),
                f"{first}-03",
                "否",
            ]
        )
    return path


@pytest.fixture(scope="module")
def world(
    sandbox: Settings, postgres_admin: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    import os

    tmp = tmp_path_factory.mktemp("campaign")
    redis_url = os.environ.get(REDIS_URL_ENV, DEFAULT_REDIS_URL)
    schema = f"campaign_{uuid.uuid4().hex[:12]}"
    # broker and slots under keys of this run: other runs may share the Redis
    with postgres_admin.connect() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = postgres_admin.url.update_query_dict({"options": f"-csearch_path={schema}"})
    config = write_config(
        tmp / "settings.toml",
        {
            "database_url": url.render_as_string(hide_password=False),
            "storage_root": str(TEST_STORAGE),
        },
        {
            "ari": {"app": "cc-campaign"},
            "ivr": {"key_timeout": 4.0, "recording_max_seconds": 30, "recording_max_silence": 3},
            "dial": {"ring_timeout": 8, "max_concurrent": 50},
            "controller": {"lease_seconds": 4},
            "campaign": {
                "broker_url": redis_url,
                "broker_prefix": f"t-{schema}-broker:",
                "key_prefix": f"t-{schema}",
                "windows": ["00:00-24:00"],
                "calendar": "every-day",
                "max_concurrent_per_trunk": K,
                "worker_threads": 5,
                "lease_seconds": 4,
                "requeue_after_seconds": 20,
                "dispatch_interval_seconds": 2,
                "retry_gap_seconds": 2,
                "quota_bureau": 15,
                "quota_window": 4,
                "quota_station": 6,
                "recent_days": 0,
            },
        },
    )
    cluster = Cluster(config, tmp)
    engine = make_engine(cluster.settings.database_url)
    ledger = Ledger(session_factory(engine))
    try:
        yield World(cluster, cluster.settings, ledger, CampaignStore(ledger.sessions), engine, tmp)
    finally:
        cluster.stop()
        engine.dispose()
        with postgres_admin.connect() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        delete_prefixed(redis_url, f"t-{schema}")


async def program(settings: Settings, behaviours: dict[str, str]) -> None:
    async with AriClient(settings.ari) as ari:
        for number, behaviour in behaviours.items():
            await simulator.program(ari, number, behaviour)


class LegCounter:
    """Samples GET /channels every 0.1 s and counts the campaign's outbound legs to the
    trunk that were up in two samples running.

    ARI lists channels from Asterisk's snapshot cache, which drops a hung-up channel a
    moment after the channel is destroyed (asterisk/asterisk#783): a leg that has ended
    and the one placed in its slot can show in one sample together. A call over the
    limit would be up for seconds, in every sample of its life."""

    def __init__(self, settings: Settings, key: str) -> None:
        self.settings, self.key = settings, key
        self.samples: list[int] = []
        self.listed: list[int] = []  # as listed in each sample, for the failure message
        self._last: frozenset[str] = frozenset()

    async def run(self) -> None:
        async with AriClient(self.settings.ari) as ari:
            while True:
                channels = await ari.channels()
                legs = frozenset(
                    c["id"]
                    for c in channels
                    if c["name"].startswith("PJSIP/trunk-") and c["id"].startswith(self.key + "-")
                )
                self.listed.append(len(legs))
                self.samples.append(len(legs & self._last))
                self._last = legs
                await asyncio.sleep(0.1)


async def until_done(
    world: World, month: str, timeout: float, counter: LegCounter | None = None
) -> None:
    task = asyncio.create_task(counter.run()) if counter else None
    deadline = time.monotonic() + timeout
    try:
        while world.store.campaign(month).state != "finished":
            for name, proc in world.cluster.procs.items():
                if proc.poll() is not None and name != "killed":
                    raise AssertionError(f"{name} died:\n{world.cluster.log(name)}")
            if time.monotonic() > deadline:
                rows = world.store.sample(month)
                raise AssertionError(
                    f"campaign {month} not finished after {timeout} s: "
                    f"{Counter((r.job_state, r.job_result) for r in rows)}\n{world.cluster.log('w1')}"
                )
            await asyncio.sleep(0.5)
    finally:
        if task:
            task.cancel()


def attempts_by_case(world: World, key: str) -> dict[int, list[CallAttempt]]:
    with world.ledger.sessions() as s:
        rows = s.execute(
            select(CallAttempt)
            .where(CallAttempt.id.like(f"{key}-%"))
            .order_by(CallAttempt.started_at)
        ).scalars()
        out: dict[int, list[CallAttempt]] = defaultdict(list)
        for a in rows:
            out[a.case_id].append(a)
        return out


def test_import_plan_and_run_with_retries_under_the_limit(world: World) -> None:
    csv_file = month_csv(
        world.tmp / "2025-05.csv",
        "2025-05",
        [("政务服务中心市场监管窗口", 10, 1), ("城区市场监管所", 12, 2), ("千秋市场监管所", 3, 0)],
        BASE,
    )
    imported = world.cli("import", str(csv_file))
    # the good rows go in; exit code 3 tells a script that some were rejected
    assert imported.returncode == 3, imported.stderr
    assert "27 rows, 25 imported, 0 already in the ledger, 2 rejected" in imported.stdout
    assert "row 27: 电话 '5831315' 缺少区号" in imported.stdout
    assert "row 28: 办件编号 C2025-05-001 与第2行重复" in imported.stdout
    again = world.cli("import", str(csv_file))
    assert "0 imported, 25 already in the ledger" in again.stdout

    planned = world.cli("campaign", "plan", "--month", "2025-06", "--seed", "42", "--show", "0")
    assert planned.returncode == 0, planned.stderr
    assert "seed 42" in planned.stdout and "全局合计" in planned.stdout
    rows = world.store.sample("2025-06")
    per_unit = Counter(r.case.unit for r in rows)
    # minimums per unit met (千秋 has only 3), then the bureau's 15 filled from the rest
    assert per_unit["政务服务中心市场监管窗口"] >= 4 and per_unit["城区市场监管所"] >= 6
    assert len(rows) == 15 and per_unit["千秋市场监管所"] == 3
    assert {r.case.case_no for r in rows if r.case.is_complaint} == {
        "C2025-05-001",
        "C2025-05-011",
        "C2025-05-012",
    }
    assert all(r.reason == "complaint" for r in rows if r.case.is_complaint)
    units = {u["unit"]: u for u in world.store.campaign("2025-06").summary["units"]}
    assert units["千秋市场监管所"]["shortfall"] == 3

    # who answers how: the complaints talk, some are busy or away, the rest refuse
    phones = [r.case.phone for r in rows]
    complaints = [r.case.phone for r in rows if r.case.is_complaint]
    others = [p for p in phones if p not in complaints]
    plan = {complaints[0]: COMPLETE, complaints[1]: "answer/b1/h", complaints[2]: COMPLETE}
    plan |= {others[0]: "busy", others[1]: "busy", others[2]: "noanswer", others[3]: "busy"}
    plan |= {p: "answer/b2" for p in others[4:]}
    asyncio.run(program(world.settings, plan))
    comes_back = others[3]  # busy at first, answers (and refuses) on the retry

    world.cluster.worker("w1", 5)
    world.cluster.worker("w2", 5)
    world.cluster.beat()
    world.cluster.wait_workers({"w1", "w2"})
    started = world.cli("campaign", "run", "--month", "2025-06", "--no-watch")
    assert started.returncode == 0, started.stderr

    key = world.store.campaign("2025-06").key
    counter = LegCounter(world.settings, key)

    async def run() -> None:
        async def reprogram_after_first_try() -> None:
            while True:
                row = next(r for r in world.store.sample("2025-06") if r.case.phone == comes_back)
                if row.attempts >= 1:
                    await program(world.settings, {comes_back: "answer/b2"})
                    return
                await asyncio.sleep(0.2)

        helper = asyncio.create_task(reprogram_after_first_try())
        await until_done(world, "2025-06", 300, counter)
        await helper

    asyncio.run(run())

    assert counter.samples and max(counter.samples) <= K, (
        Counter(counter.samples),
        Counter(counter.listed),
    )
    assert max(counter.samples) == K  # the limit was reached, not just respected
    results = {
        r.case.phone: (r.job_result, r.attempts, r.last_outcome)
        for r in world.store.sample("2025-06")
    }
    assert results[complaints[0]] == ("completed", 1, "answered_complete")
    assert results[complaints[1]] == ("partial", 2, "answered_partial")  # re-dialled once
    assert results[others[0]] == ("unreached", 3, "busy")
    assert results[others[1]] == ("unreached", 3, "busy")
    assert results[others[2]] == ("unreached", 3, "no_answer")
    assert results[comes_back] == ("refused", 2, "refused")
    assert all(results[p] == ("refused", 1, "refused") for p in others[4:])  # never re-dialled

    by_case = attempts_by_case(world, key)
    assert sum(len(v) for v in by_case.values()) == 1 + 1 + 2 + 3 * 3 + 2 + len(others[4:])
    for attempts in by_case.values():
        for a, b in itertools.pairwise(attempts):
            assert a.ended_at is not None and a.ended_at <= b.started_at
            # retried no sooner than the gap
            assert (b.started_at - a.ended_at).total_seconds() >= 1.5
    status = world.cli("campaign", "status", "--month", "2025-06", "--json")
    assert '"state": "finished"' in status.stdout and '"remaining": 0' in status.stdout
    assert '"completed": 2' in status.stdout and '"unreached": 3' in status.stdout


def test_a_killed_worker_loses_no_case_and_dials_none_twice(world: World) -> None:
    csv_file = month_csv(
        world.tmp / "2025-06.csv", "2025-06", [("城区市场监管所", 6, 0)], BASE + 100
    )
    # month_csv always adds two broken rows: exit code 3 says so, the good six go in
    assert world.cli("import", str(csv_file)).returncode == 3
    assert world.cli("campaign", "plan", "--month", "2025-07", "--seed", "7").returncode == 0
    rows = world.store.sample("2025-07")
    assert len(rows) == 6
    asyncio.run(program(world.settings, {r.case.phone: COMPLETE for r in rows}))
    if "w1" not in world.cluster.procs:  # this test run alone
        world.cluster.worker("w1", 5)
        world.cluster.worker("w2", 5)
        world.cluster.beat()
        world.cluster.wait_workers({"w1", "w2"})
    assert world.cli("campaign", "run", "--month", "2025-07", "--no-watch").returncode == 0
    key = world.store.campaign("2025-07").key
    pids = {proc.pid: name for name, proc in world.cluster.procs.items() if name != "beat"}

    def on_the_line() -> list[tuple[str, str]]:
        """(attempt id, owner) of the campaign's answered calls still open."""
        with world.ledger.sessions() as s:
            rows = s.execute(
                select(CallAttempt.id, CallAttempt.owner).where(
                    CallAttempt.id.like(f"{key}-%"),
                    CallAttempt.answered_at.is_not(None),
                    CallAttempt.ended_at.is_(None),
                )
            )
            return [(a, o or "") for a, o in rows]

    deadline = time.monotonic() + 90
    while not (talking := on_the_line()):
        assert time.monotonic() < deadline, f"no call answered:\n{world.cluster.log('w1')}"
        time.sleep(0.2)
    time.sleep(2)  # mid-interview
    # the owner is the worker's ARI app name, which ends with its pid
    victim = pids[int(talking[0][1].rsplit("-", 1)[1])]
    cut = [a for a, owner in on_the_line() if owner == talking[0][1]]
    world.cluster.kill(victim)
    world.cluster.procs["killed"] = world.cluster.procs.pop(victim)
    asyncio.run(until_done(world, "2025-07", 300))

    by_case = attempts_by_case(world, key)
    rows = world.store.sample("2025-07")
    assert all(r.job_result == "completed" for r in rows), [
        (r.case.phone, r.job_result, r.attempts) for r in rows
    ]
    assert len(by_case) == 6  # no case lost
    interrupted = {a.id for v in by_case.values() for a in v if a.note.startswith("控制器重启")}
    assert set(cut) <= interrupted
    for attempts in by_case.values():
        assert all(a.ended_at is not None for a in attempts)
        # never two attempts of a case at once, and only an interrupted one is re-dialled
        for a, b in itertools.pairwise(attempts):
            assert a.ended_at is not None and a.ended_at <= b.started_at, (a.id, b.id)
        assert len(attempts) == 1 + sum(1 for a in attempts if a.id in interrupted)
    assert world.ledger.unfinished_attempts() == []

    async def legs_left() -> list[str]:
        async with AriClient(world.settings.ari) as ari:
            return [c["id"] for c in await ari.channels() if c["id"].startswith(key + "-")]

    assert asyncio.run(legs_left()) == []
