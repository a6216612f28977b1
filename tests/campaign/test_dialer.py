"""Dispatch and dial against a fake caller: windows, holidays, caps, retries, duplicates.

The call itself is faked (the end-to-end tests place real ones); the ledger, the
calendar and the retry policy are the real ones, on both databases.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from datetime import date, datetime, timedelta

import pytest

from callcenter.calls.call import CallResult
from callcenter.calls.prompts import PromptsNotReady
from callcenter.calls.slots import LocalSlots
from callcenter.calls.store import Ledger
from callcenter.campaign.config import CampaignSettings
from callcenter.campaign.dialer import Dialer, DialRules
from callcenter.campaign.jobs import Job
from callcenter.campaign.policy import JobResult
from callcenter.campaign.revisits import Revisit, RevisitJobs
from callcenter.campaign.store import CampaignStore
from callcenter.cases.store import CaseImport
from callcenter.interview.case import CaseInfo
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import FixedClock
from tests.campaign.fixtures import SH, make_service, month_rows

SMALL = [("城区市场监管所", "station", 6, 1), ("千秋市场监管所", "station", 4, 0)]


class FakeCaller:
    """Writes the ledger as a call would and ends with the outcome set per phone."""

    owner = "fake-worker"

    def __init__(
        self, ledger: Ledger, clock: FixedClock, outcomes: dict[str, list[Outcome]]
    ) -> None:
        self.ledger = ledger
        self.clock = clock
        self.outcomes = outcomes
        self.placed: list[str] = []
        self.unrendered: set[int] = set()  # cases whose prompts are not rendered yet
        self.up = 0
        self.peak = 0
        # calls stay up until this many are up at once (or a few seconds have passed), so
        # that a test of the limit does not depend on how fast each call is dialled
        self.stay_until_up = 0

    async def recover(self) -> int:
        return 0

    async def check_prompts(self, case: CaseInfo, script_id: str | None = None) -> None:
        if case.case_id in self.unrendered:
            raise PromptsNotReady(case.case_id, ["您好"])

    async def place(
        self,
        case: CaseInfo,
        attempt_id: str | None = None,
        script_id: str | None = None,
        media: object = None,
    ) -> CallResult:
        assert attempt_id is not None
        self.placed.append(attempt_id)
        self.up += 1
        self.peak = max(self.peak, self.up)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(5):
                    while self.peak < self.stay_until_up:
                        await asyncio.sleep(0.005)
            now = self.clock.now()
            await asyncio.to_thread(
                self.ledger.start_attempt, attempt_id, case.case_id, "yima", now, self.owner
            )
            await asyncio.sleep(0.01)
            queue = self.outcomes.get(case.phone, [Outcome.COMPLETE])
            outcome = queue.pop(0) if len(queue) > 1 else queue[0]
            if outcome.answered:
                await asyncio.to_thread(self.ledger.mark_answered, attempt_id, now)
            await asyncio.to_thread(
                self.ledger.finish_attempt, attempt_id, outcome, None, self.clock.now()
            )
            return CallResult(attempt_id, case.case_id, outcome)
        finally:
            self.up -= 1


class Harness:
    def __init__(self, ledger: Ledger, clock: FixedClock, **overrides: object) -> None:
        self.settings = CampaignSettings(**{"retry_gap_seconds": 7200, **overrides})  # type: ignore[arg-type]
        self.ledger = ledger
        self.clock = clock
        self.store = CampaignStore(ledger.sessions)
        self.sent: list[tuple[int, str]] = []
        self.caller = FakeCaller(ledger, clock, {})
        self.service = make_service(ledger, clock, **overrides)
        self.dialer = Dialer(
            self.store,
            ledger,
            self.caller,
            LocalSlots(self.settings.max_concurrent_per_trunk),
            DialRules.from_settings(self.settings),
            clock=clock,
            enqueue=lambda job_id, key: self.sent.append((job_id, key)),
        )

    async def round(self) -> int:
        """One dispatch, then every task it sent, as a worker would run them."""
        await self.dialer.dispatch()
        sent, self.sent = self.sent, []
        await asyncio.gather(*(self.dialer.dial(j, k) for j, k in sent))
        return len(sent)


@pytest.fixture
def harness_factory(ledger: Ledger, clock: FixedClock):  # type: ignore[no-untyped-def]
    CaseImport(ledger.sessions).write(month_rows(spec=SMALL))
    CaseImport(ledger.sessions).write(month_rows(date(2026, 9, 1), SMALL, 13700000000))

    def make(month: str = "2026-11", **overrides: object) -> Harness:
        h = Harness(ledger, clock, quota_bureau=0, quota_station=10, **overrides)
        h.service.start(h.service.plan(month, seed=1).campaign.month)
        return h

    return make


async def test_nothing_is_placed_on_a_holiday_and_all_on_the_next_working_morning(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    clock.set(datetime(2026, 9, 30, 18, 0, tzinfo=SH))
    h = harness_factory("2026-10")  # September's cases, called from October 1st
    clock.set(datetime(2026, 10, 1, 10, 0, tzinfo=SH))  # National Day
    report = await h.dialer.dispatch()
    assert report.queued == 0 and report.blocked == "法定节假日（国庆节）"
    assert report.next_allowed == datetime(2026, 10, 8, 9, 0, tzinfo=SH)
    clock.set(datetime(2026, 10, 10, 9, 0, tzinfo=SH))  # a Saturday, but a 调休 working day
    assert await h.round() == 10
    assert len(h.caller.placed) == 10


async def test_a_late_task_outside_the_window_is_put_back_to_the_next_slot(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory()
    clock.set(datetime(2026, 11, 24, 11, 0, tzinfo=SH))
    await h.dialer.dispatch()
    job_id, key = h.sent[0]
    clock.set(datetime(2026, 11, 24, 12, 0, tzinfo=SH))  # the task arrives at lunch time
    report = await h.dialer.dial(job_id, key)
    assert report.status == "released" and "不在回访时段" in report.note
    assert h.caller.placed == []
    due = [
        j for j in h.store.due_jobs(datetime(2026, 11, 24, 14, 30, tzinfo=SH), 50) if j.id == job_id
    ]
    assert due and due[0].attempt_key == key  # due again at 14:30, same attempt
    assert not [
        j for j in h.store.due_jobs(datetime(2026, 11, 24, 14, 29, tzinfo=SH), 50) if j.id == job_id
    ]


async def test_a_job_whose_prompts_are_not_rendered_is_held_back_and_rendered(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory()
    asked: list[tuple[list[int], str | None]] = []
    h.dialer.render = lambda ids, script: asked.append((ids, script))
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    await h.dialer.dispatch()
    job_id, key = h.sent[0]
    case_id = int(key.split("-")[-2])  # the key is <campaign>-<case id>-<attempt>
    h.caller.unrendered.add(case_id)

    report = await h.dialer.dial(job_id, key)
    assert report.status == "released" and "not rendered" in report.note
    assert h.caller.placed == []  # never dialled, and no slot was taken
    assert await h.dialer.slots.in_use() == 0
    assert asked == [([case_id], None)]
    wait = timedelta(seconds=h.settings.prompt_wait_seconds)
    assert not [j for j in h.store.due_jobs(clock.now(), 50) if j.id == job_id]
    [again] = [j for j in h.store.due_jobs(clock.now() + wait, 50) if j.id == job_id]
    assert again.attempt_key == key  # the same attempt, once its prompts are there

    h.caller.unrendered.clear()
    clock.advance(wait.total_seconds())
    h.sent = []
    await h.round()
    assert h.caller.placed == [key]


async def test_jobs_queued_ahead_wait_for_a_slot_and_never_exceed_the_limit(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory(max_concurrent_per_trunk=4, queue_ahead=2)
    h.caller.stay_until_up = 4
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    report = await h.dialer.dispatch()
    assert report.queued == 6  # the limit, and two waiting to take the next free slot
    sent, h.sent = h.sent, []
    await asyncio.gather(*(h.dialer.dial(j, k) for j, k in sent))
    assert len(h.caller.placed) == 6 and h.caller.peak == 4


def test_a_quarter_of_the_limit_is_queued_ahead_by_default() -> None:
    assert CampaignSettings(max_concurrent_per_trunk=100).ahead() == 25
    assert CampaignSettings(max_concurrent_per_trunk=3).ahead() == 0
    assert CampaignSettings(max_concurrent_per_trunk=100, queue_ahead=3).ahead() == 3


async def test_the_dispatch_after_a_call_only_fills_slots(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory()
    recovered: list[bool] = []

    async def recover() -> int:
        recovered.append(True)
        return 0

    h.caller.recover = recover  # type: ignore[method-assign]
    clock.set(datetime(2026, 11, 24, 10, 0, tzinfo=SH))
    report = await h.dialer.dispatch(quick=True)
    assert report.queued == 10 and recovered == []  # taking back waits for beat's tick
    await h.dialer.dispatch()
    assert recovered == [True]


async def test_busy_and_no_answer_are_retried_hours_apart_then_given_up(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory()
    rows = h.store.sample("2026-11")
    busy, silent, later = rows[0].case.phone, rows[1].case.phone, rows[2].case.phone
    h.caller.outcomes = {
        busy: [Outcome.BUSY],
        silent: [Outcome.NO_ANSWER],
        later: [Outcome.BUSY, Outcome.COMPLETE],
    }
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    assert await h.round() == 10
    assert await h.round() == 0  # nothing due before the gap
    clock.advance(2 * 3600)
    assert await h.round() == 3
    clock.advance(2 * 3600)  # 13:00: lunch, so the third try waits for 14:30
    assert await h.round() == 0
    clock.set(datetime(2026, 11, 24, 15, 0, tzinfo=SH))
    assert await h.round() == 2
    clock.advance(2 * 3600)
    assert await h.round() == 0
    results = {r.case.phone: r for r in h.store.sample("2026-11")}
    assert (results[busy].job_result, results[busy].attempts, results[busy].last_outcome) == (
        "unreached",
        3,
        "busy",
    )
    assert (results[silent].job_result, results[silent].attempts) == ("unreached", 3)
    assert (results[later].job_result, results[later].attempts) == ("completed", 2)
    assert Counter(r.job_result for r in results.values())["completed"] == 8
    assert h.store.campaign("2026-11").state == "finished"  # the last dispatch saw it done


async def test_partial_redialled_once_refusal_never(harness_factory, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory()
    rows = h.store.sample("2026-11")
    cut, refuses = rows[0].case.phone, rows[1].case.phone
    h.caller.outcomes = {cut: [Outcome.PARTIAL], refuses: [Outcome.REFUSED]}
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await h.round()
    clock.advance(2 * 3600)
    assert await h.round() == 1  # only the partial
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=SH))
    assert await h.round() == 0
    results = {r.case.phone: r for r in h.store.sample("2026-11")}
    assert (results[cut].job_result, results[cut].attempts) == ("partial", 2)
    assert (results[refuses].job_result, results[refuses].attempts) == ("refused", 1)


async def test_a_duplicate_task_dials_nothing(harness_factory, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory()
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await h.dialer.dispatch()
    job_id, key = h.sent[0]
    first, second = await asyncio.gather(h.dialer.dial(job_id, key), h.dialer.dial(job_id, key))
    assert sorted((first.status, second.status)) == ["dialled", "not-claimed"]
    assert h.caller.placed.count(key) == 1
    assert (await h.dialer.dial(job_id, key)).status == "not-claimed"


async def test_concurrency_limit_and_unit_daily_cap(harness_factory, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory(max_concurrent_per_trunk=3, unit_daily_caps={"千秋市场监管所": 2})
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    placed = 0
    for _ in range(10):
        placed += await h.round()
    assert h.caller.peak <= 3
    by_unit = Counter(r.case.unit for r in h.store.sample("2026-11") if r.attempts)
    assert by_unit == {"城区市场监管所": 6, "千秋市场监管所": 2}
    clock.set(datetime(2026, 11, 25, 9, 0, tzinfo=SH))  # the next day the cap starts afresh
    for _ in range(3):
        await h.round()
    later = Counter(r.case.unit for r in h.store.sample("2026-11") if r.attempts)
    assert later["千秋市场监管所"] == 4


async def test_do_not_call_added_after_planning_is_honoured(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory()
    phone = h.store.sample("2026-11")[0].case.phone
    h.store.add_do_not_call(phone, "不要再打", clock.now())
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await h.round()
    row = next(r for r in h.store.sample("2026-11") if r.case.phone == phone)
    assert (row.job_result, row.attempts) == (JobResult.SKIPPED.value, 0)
    assert all(phone not in k for k in h.caller.placed)


async def test_paused_campaign_places_nothing(harness_factory, clock: FixedClock) -> None:  # type: ignore[no-untyped-def]
    h = harness_factory()
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await h.dialer.dispatch()
    queued = list(h.sent)
    h.service.pause("2026-11")
    reports = [await h.dialer.dial(j, k) for j, k in queued]
    assert {r.status for r in reports} == {"released"} and h.caller.placed == []
    h.sent.clear()
    assert await h.round() == 0
    h.service.resume("2026-11")
    assert await h.round() == 10


async def test_jobs_of_a_dead_worker_are_settled_and_lost_messages_resent(
    harness_factory,
    clock: FixedClock,
    ledger: Ledger,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory(requeue_after_seconds=60)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    await h.dialer.dispatch()
    (a_id, a_key), (b_id, b_key), (c_id, c_key) = h.sent[:3]
    h.sent.clear()
    # a dead worker claimed A and was on the call (recover closed it as cut short);
    # it claimed B but died before dialling; C's message died with it unclaimed
    store = h.store
    store.claim(a_id, a_key, "dead-worker", clock.now())
    case_a = next(j for j in store.orphaned_jobs(clock.now()) if j.id == a_id).case_id
    ledger.start_attempt(a_key, case_a, "yima", clock.now(), "dead-worker")
    ledger.mark_answered(a_key, clock.now())
    ledger.finish_attempt(a_key, Outcome.PARTIAL, None, clock.now(), "控制器重启，通话中断")
    store.claim(b_id, b_key, "dead-worker", clock.now())
    clock.advance(120)
    report = await h.dialer.dispatch()
    assert report.settled_orphans == 2 and report.resent >= 1
    assert (c_id, c_key) in h.sent
    rows = {r.case.case_no: r for r in store.sample("2026-11")}
    by_key = {j.attempt_key: j for j in store.due_jobs(clock.now() + timedelta(hours=3), 50)}
    assert any(k.endswith("-2") for k in by_key)  # A waits for its one re-dial
    assert (b_id, b_key) in h.sent  # B is sent again with the same attempt, never dialled
    assert sum(r.attempts for r in rows.values()) == 1


async def test_a_revisit_round_is_placed_once_with_its_script_and_reported_back(
    harness_factory,
    clock: FixedClock,  # type: ignore[no-untyped-def]
) -> None:
    h = harness_factory(max_attempts=2)
    clock.set(datetime(2026, 11, 24, 9, 0, tzinfo=SH))
    revisits = RevisitJobs(h.ledger.sessions, clock)
    case_id = h.store.sample("2026-11")[0].case.id
    due = [Revisit(ticket_id=7, round=1, case_id=case_id, script="yima-revisit")]

    async def feed() -> int:
        return sum(revisits.enqueue(r) for r in due)

    done: list[tuple[int | None, int, JobResult, str]] = []

    async def on_done(job: Job, result: JobResult, last: str) -> None:
        done.append((job.ticket_id, job.round, result, last))

    h.dialer.feed, h.dialer.on_done = feed, on_done
    scripts: list[str | None] = []
    placed = h.caller.place

    async def call(  # type: ignore[no-untyped-def]
        case: CaseInfo,
        attempt_id: str | None = None,
        script_id: str | None = None,
        media: object = None,
    ):
        scripts.append(script_id)
        return await placed(case, attempt_id, script_id, media)

    h.caller.place = call  # type: ignore[method-assign]
    phone = next(r.case.phone for r in h.store.sample("2026-11") if r.case.id == case_id)
    h.caller.outcomes[phone] = [Outcome.NO_ANSWER]
    for _ in range(4):
        await h.round()
        clock.advance(3 * 3600)
    # the follow-up job and the re-visit round of the same case, each with its script
    assert scripts.count("yima-revisit") == 2 and None in scripts
    revisit_done = [d for d in done if d[0] == 7]
    assert len(revisit_done) == 1
    _, round_, result, last = revisit_done[0]
    assert (round_, result) == (1, JobResult.UNREACHED) and last.endswith(f"-{case_id}r1-2")
    # asked again in another month, the round is not placed a second time
    clock.set(datetime(2026, 12, 1, 9, 0, tzinfo=SH))
    assert not revisits.enqueue(due[0])
    assert await feed() == 0
