"""Several servers behind one dialler: jobs spread within each server's limit, a lost
server's calls come back through the retry policy and go to the server still up; the
database decides when two workers reach for the same row."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from sqlalchemy import update

from callcenter.calls.call import CallResult
from callcenter.calls.servers import INTERRUPTED_NOTE
from callcenter.calls.store import Ledger
from callcenter.campaign.routing import ServerLoad, overflow, route
from callcenter.campaign.store import CampaignStore
from callcenter.campaign.tables import DialJob
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import FixedClock
from callcenter.kernel.database import make_engine
from tests.campaign import test_dialer
from tests.campaign.fixtures import SH
from tests.campaign.test_dialer import Harness
from tests.campaign.test_store import first_due, running

harness_factory = test_dialer.harness_factory  # the dialler's harness, shared


class FakeRoute:
    """Two servers in memory: what was sent where, which are up, what each holds."""

    retry_seconds = 5.0

    def __init__(self, limits: dict[str, int]) -> None:
        self.limits = limits
        self.up = dict.fromkeys(limits, True)
        self.sent: list[tuple[int, str, str]] = []
        self.on_way: Counter[str] = Counter()
        self.home = "a"
        self.rng = random.Random(5)

    def loads(self) -> list[ServerLoad]:
        return [
            ServerLoad(n, "trunk", lim, self.on_way[n], self.up[n])
            for n, lim in self.limits.items()
        ]

    async def plan(self) -> list[str]:
        loads = self.loads()
        return route(loads, {}, sum(s.free for s in loads), self.rng)

    async def send(self, job_id: int, key: str, server: str | None = None) -> None:
        if server is None:
            planned = await self.plan()
            server = planned[0] if planned else overflow(self.loads(), self.rng)
        assert server is not None
        self.sent.append((job_id, key, server))
        self.on_way[server] += 1

    async def done(self, key: str) -> None:
        pass

    def unavailable(self) -> str | None:
        return None if self.up[self.home] else f"server {self.home} down"


class LosingCaller:
    """Places calls like FakeCaller; on server ``b`` each call is cut by the server's
    loss: the ledger closes it as interrupted, as ``Controller.interrupt`` does."""

    owner = "fake-worker"

    def __init__(self, ledger: Ledger, clock: FixedClock, route: FakeRoute) -> None:
        self.ledger, self.clock, self.route = ledger, clock, route
        self.placed: list[tuple[str, str]] = []  # (attempt, server)

    async def recover(self) -> int:
        return 0

    async def check_prompts(self, case: CaseInfo, script_id: str | None = None) -> None:
        pass

    async def place(
        self,
        case: CaseInfo,
        attempt_id: str | None = None,
        script_id: str | None = None,
        media: object = None,
    ) -> CallResult:
        assert attempt_id is not None
        server = self.route.home
        self.placed.append((attempt_id, server))
        now = self.clock.now()
        await asyncio.to_thread(
            self.ledger.start_attempt, attempt_id, case.case_id, "yima", now, server
        )
        await asyncio.to_thread(self.ledger.mark_answered, attempt_id, now)
        if server == "b":
            outcome, note = Outcome.PARTIAL, INTERRUPTED_NOTE
        else:
            outcome, note = Outcome.COMPLETE, ""
        await asyncio.to_thread(self.ledger.finish_attempt, attempt_id, outcome, None, now, note)
        return CallResult(attempt_id, case.case_id, outcome, note)


async def test_a_lost_servers_calls_are_retried_on_the_other_and_each_ends_once(
    harness_factory,
    ledger: Ledger,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h: Harness = harness_factory(max_concurrent_per_trunk=20, retry_gap_seconds=60)
    fake = FakeRoute({"a": 6, "b": 4})
    h.dialer.route = fake
    h.dialer.controller = caller = LosingCaller(ledger, clock, fake)

    report = await h.dialer.dispatch()
    assert report.queued == 10
    assert Counter(server for _, _, server in fake.sent) == {"a": 6, "b": 4}
    first = list(fake.sent)
    for job_id, key, server in first:
        fake.home = server
        await h.dialer.dial(job_id, key)
    # b was lost: out of routing; its 4 calls wait for the policy's retry gap
    fake.up["b"] = False
    fake.sent.clear()
    fake.on_way.clear()
    clock.advance(61)
    report = await h.dialer.dispatch()
    assert report.queued == 4 and {server for _, _, server in fake.sent} == {"a"}
    for job_id, key, _ in list(fake.sent):
        fake.home = "a"
        await h.dialer.dial(job_id, key)

    rows = h.store.sample("2026-11")
    assert Counter(r.job_result for r in rows) == {"completed": 10}
    lost = {key for key, server in caller.placed if server == "b"}
    assert len(lost) == 4
    for key in lost:
        assert ledger.attempt(key).note == INTERRUPTED_NOTE
    # one outcome per attempt, and a retried case has exactly its two attempts
    assert len(caller.placed) == len({k for k, _ in caller.placed}) == 14
    assert ledger.unfinished_attempts() == []


async def test_jobs_queued_ahead_of_full_servers_stay_few_and_spread(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h: Harness = harness_factory(max_concurrent_per_trunk=6, queue_ahead=2)
    fake = FakeRoute({"a": 3, "b": 3})
    h.dialer.route = fake
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    first = await h.dialer.dispatch()
    assert first.queued == 6 + 2  # both servers full, and two waiting for a slot
    # more dispatches while no call has ended (after each call elsewhere, and beat's):
    # the two ahead are still waiting, so nothing more is sent
    for _ in range(3):
        assert (await h.dialer.dispatch()).queued == 0
    # the two ahead went one to each server, not both to the first named
    assert Counter(server for _, _, server in fake.sent) == {"a": 4, "b": 4}


async def test_a_worker_whose_server_is_down_puts_the_job_back_without_a_call(
    harness_factory,
    ledger: Ledger,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h: Harness = harness_factory()
    fake = FakeRoute({"a": 6, "b": 4})
    h.dialer.route = fake
    await h.dialer.dispatch()
    job_id, key, _ = fake.sent[0]
    fake.up["a"] = False  # this worker's ARI does not answer
    report = await h.dialer.dial(job_id, key)
    assert report.status == "released" and h.caller.placed == []
    assert ledger.unfinished_attempts() == []


async def test_a_job_that_waited_for_a_slot_while_its_server_was_lost_goes_back(
    harness_factory,
    ledger: Ledger,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    """A dial task queued ahead passes the server check, then waits for a slot; the
    server is lost meanwhile (its calls are interrupted, freeing the slots): it must
    not spend one of the case's attempts on a server that cannot place it."""
    h: Harness = harness_factory()

    class LostWhileWaiting(FakeRoute):
        checks = 0

        def unavailable(self) -> str | None:
            self.checks += 1
            return None if self.checks == 1 else "server a down"

    fake = LostWhileWaiting({"a": 6, "b": 4})
    h.dialer.route = fake
    await h.dialer.dispatch()
    job_id, key, _ = fake.sent[0]
    report = await h.dialer.dial(job_id, key)
    assert fake.checks == 2  # once before the slot, once holding it
    assert report.status == "released" and h.caller.placed == []
    assert ledger.unfinished_attempts() == []
    assert all(r.attempts == 0 for r in h.store.sample("2026-11"))  # none spent


def test_two_workers_claiming_one_job_meet_at_the_row(
    db_url: str,
    service,
    october,
    ledger: Ledger,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    store = CampaignStore(ledger.sessions)
    running(service)
    job = first_due(store, clock)
    assert store.mark_queued(job.id, job.attempt_key, clock.now())
    other_machine = make_engine(db_url)
    try:
        with ThreadPoolExecutor(1) as pool:
            with other_machine.begin() as tx:  # worker 1 claims, and has not committed yet
                claimed = tx.execute(
                    update(DialJob)
                    .where(DialJob.id == job.id, DialJob.state == "queued")
                    .where(DialJob.attempt_key == job.attempt_key)
                    .values(state="dialling", owner="w1")
                )
                assert claimed.rowcount == 1
                second = pool.submit(store.claim, job.id, job.attempt_key, "w2", clock.now())
                time.sleep(0.5)
                assert not second.done()  # worker 2 waits on the row worker 1 holds
            # worker 1 commits: worker 2's update finds the job no longer queued
            assert second.result(timeout=30) is None
    finally:
        other_machine.dispose()
    [row] = [j for j in store.sample("2026-11") if j.case.phone == job.phone]
    assert row.job_state == "dialling"


def test_an_interrupted_call_and_its_own_ending_close_the_attempt_once(
    db_url: str, ledger: Ledger, clock: FixedClock
) -> None:
    from datetime import date

    ledger.upsert_unit("城区市场监管所", "station")
    case_id = ledger.add_case(
        "R-1", "城区市场监管所", "王伟", "13900000001", "企业变更登记", date(2026, 10, 9)
    )
    ledger.start_attempt("race-1", case_id, "yima", clock.now(), "w1")
    other_machine = make_engine(db_url)
    try:
        with ThreadPoolExecutor(1) as pool:
            with other_machine.begin() as tx:  # the watch closes it as interrupted
                from callcenter.calls.tables import CallAttempt

                closed = tx.execute(
                    update(CallAttempt)
                    .where(CallAttempt.id == "race-1", CallAttempt.ended_at.is_(None))
                    .values(outcome="failed", ended_at=clock.now(), note=INTERRUPTED_NOTE)
                )
                assert closed.rowcount == 1
                own = pool.submit(
                    ledger.finish_attempt, "race-1", Outcome.NO_ANSWER, 19, clock.now(), ""
                )
                time.sleep(0.5)
                assert not own.done()
            assert own.result(timeout=30) is False
    finally:
        other_machine.dispose()
    view = ledger.attempt("race-1")
    assert (view.outcome, view.note) == (Outcome.FAILED, INTERRUPTED_NOTE)
