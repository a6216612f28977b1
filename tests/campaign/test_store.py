"""Dial jobs change state only once per attempt key, whoever races for them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from callcenter.calls.leases import Leases
from callcenter.calls.store import Ledger
from callcenter.campaign.jobs import Job, attempt_key
from callcenter.campaign.service import CampaignService
from callcenter.campaign.store import CampaignStore
from callcenter.cases.store import CaseRow
from callcenter.kernel.clock import FixedClock


def running(service: CampaignService) -> str:
    month = service.plan("2026-11", seed=11).campaign.month
    service.start(month)
    return month


def first_due(store: CampaignStore, clock: FixedClock) -> Job:
    jobs = store.due_jobs(clock.now(), 5)
    assert jobs, "no due job"
    return jobs[0]


def test_due_jobs_put_complaints_first(
    service: CampaignService, october: list[CaseRow], ledger: Ledger, clock: FixedClock
) -> None:
    store = CampaignStore(ledger.sessions)
    assert store.due_jobs(clock.now(), 5) == []  # planned, not running
    running(service)
    jobs = store.due_jobs(clock.now(), 400)
    complaints = sum(1 for c in october if c.is_complaint)
    assert all(j.attempts == 0 and j.state == "pending" for j in jobs)
    phones = {c.phone: c for c in october}
    assert all(phones[j.phone].is_complaint for j in jobs[:complaints])
    key = jobs[0].attempt_key
    assert key == attempt_key(jobs[0].campaign_key, jobs[0].case_id, 1)


def test_a_task_delivered_twice_claims_once(
    service: CampaignService, october: list[CaseRow], ledger: Ledger, clock: FixedClock
) -> None:
    store = CampaignStore(ledger.sessions)
    running(service)
    job = first_due(store, clock)
    assert store.mark_queued(job.id, job.attempt_key, clock.now())
    assert not store.mark_queued(job.id, job.attempt_key, clock.now())
    with ThreadPoolExecutor(4) as pool:
        claims = list(
            pool.map(
                lambda w: store.claim(job.id, job.attempt_key, w, clock.now()),
                ["w1", "w2", "w3", "w4"],
            )
        )
    winners = [c for c in claims if c is not None]
    assert len(winners) == 1 and winners[0].state == "dialling"
    assert store.claim(job.id, "someone-else's-key", "w5", clock.now()) is None


def test_recorded_attempt_moves_to_the_next_key_once(
    service: CampaignService, october: list[CaseRow], ledger: Ledger, clock: FixedClock
) -> None:
    store = CampaignStore(ledger.sessions)
    running(service)
    job = first_due(store, clock)
    store.mark_queued(job.id, job.attempt_key, clock.now())
    claimed = store.claim(job.id, job.attempt_key, "w1", clock.now())
    assert claimed is not None
    retry_at = clock.now() + timedelta(hours=2)
    assert store.record_attempt(claimed, "busy", False, None, retry_at, clock.now())
    assert not store.record_attempt(claimed, "busy", False, None, retry_at, clock.now())
    assert store.claim(job.id, job.attempt_key, "w1", clock.now()) is None  # a late duplicate
    assert job.id not in {j.id for j in store.due_jobs(clock.now(), 500)}
    later = [j for j in store.due_jobs(retry_at, 500) if j.id == job.id]
    assert later and later[0].attempt_key.endswith("-2") and later[0].attempts == 1
    assert later[0].attempt_key == attempt_key(job.campaign_key, job.case_id, 2)


def test_release_keeps_the_key_and_stale_queue_is_resent(
    service: CampaignService, october: list[CaseRow], ledger: Ledger, clock: FixedClock
) -> None:
    store = CampaignStore(ledger.sessions)
    running(service)
    job = first_due(store, clock)
    store.mark_queued(job.id, job.attempt_key, clock.now())
    assert store.stale_queued(clock.now() - timedelta(minutes=5), clock.now()) == []
    clock.advance(600)
    assert store.stale_queued(clock.now() - timedelta(minutes=5), clock.now()) == [
        (job.id, job.attempt_key)
    ]
    claimed = store.claim(job.id, job.attempt_key, "w1", clock.now())
    assert claimed is not None
    assert store.release(job.id, job.attempt_key, clock.now(), clock.now())
    again = next(j for j in store.due_jobs(clock.now(), 500) if j.id == job.id)
    assert again.attempt_key == job.attempt_key and again.attempts == 0


def test_jobs_of_a_dead_process_are_orphans(
    service: CampaignService, october: list[CaseRow], ledger: Ledger, clock: FixedClock
) -> None:
    store, leases = CampaignStore(ledger.sessions), Leases(ledger.sessions)
    running(service)
    a, b = store.due_jobs(clock.now(), 2)
    for job, owner in ((a, "alive"), (b, "dead")):
        store.mark_queued(job.id, job.attempt_key, clock.now())
        store.claim(job.id, job.attempt_key, owner, clock.now())
    leases.renew("alive", 30, clock.now())
    leases.renew("dead", 30, clock.now() - timedelta(minutes=1))
    assert [j.id for j in store.orphaned_jobs(clock.now())] == [b.id]


def test_open_attempts_are_taken_over_only_from_dead_owners(
    ledger: Ledger, october: list[CaseRow], clock: FixedClock
) -> None:
    leases = Leases(ledger.sessions)
    case_id = ledger.find_case(october[0].case_no)
    now = clock.now()
    for attempt, owner in (
        ("a-live", "other"),
        ("a-mine", "me"),
        ("a-dead", "gone"),
        ("a-old", None),
    ):
        ledger.start_attempt(attempt, case_id, "yima", now, owner)
    ledger.start_attempt("a-done", case_id, "yima", now, "gone")
    from callcenter.interview.outcome import Outcome

    ledger.finish_attempt("a-done", Outcome.BUSY, 17, now)
    leases.renew("other", 30, now)
    leases.renew("me", 30, now)
    leases.renew("gone", 30, now - timedelta(seconds=31))
    assert leases.live(now) == {"other", "me"}
    assert sorted(leases.orphaned_attempts("me", now)) == ["a-dead", "a-mine", "a-old"]
    leases.drop("other")
    assert "a-live" in leases.orphaned_attempts("me", now)
