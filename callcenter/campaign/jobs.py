"""The dial jobs of running campaigns: which are due, who claimed them, what they did.

Every state change of a dial job is one conditional UPDATE (on its state and its
attempt key), so the database decides between racing workers: a task delivered twice,
or a sweep meeting a late worker, changes nothing the second time.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import CallAttempt, ControllerLease
from callcenter.campaign.tables import Campaign, DialJob
from callcenter.cases.tables import Case
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed


def attempt_key(campaign_key: str, case_id: int, attempt_no: int, round: int = 0) -> str:
    """The id of the n-th attempt of a campaign's job for a case (and re-visit round): its
    ledger row and its Asterisk channel, the same whoever computes it."""
    case = f"{case_id}r{round}" if round else str(case_id)
    return f"{campaign_key}-{case}-{attempt_no}"


@dataclass(frozen=True)
class Job:
    id: int
    campaign_id: int
    campaign_key: str
    campaign_state: str
    case_id: int
    unit_id: int
    phone: str
    state: str
    attempt_key: str
    attempts: int
    partials: int
    owner: str | None
    round: int = 0  # the re-visit round of ``ticket_id``; 0 for a follow-up call
    ticket_id: int | None = None
    script: str | None = None  # None: the controller's default script


class JobQueue:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    # -- dispatching -----------------------------------------------------------------

    def busy_jobs(self) -> int:
        """Jobs queued or dialling, in every campaign."""
        with transaction(self._sessions, "dial_jobs.busy") as s:
            stmt = select(func.count()).where(DialJob.state.in_(("queued", "dialling")))
            return s.execute(stmt).scalar_one()

    def unit_load(self, day_start: datetime, day_end: datetime) -> Counter[int]:
        """Per unit id: calls placed in the day, plus jobs queued or dialling now."""
        with transaction(self._sessions, "dial_jobs.unit_load") as s:
            placed = (
                select(Case.unit_id, func.count())
                .join(CallAttempt, CallAttempt.case_id == Case.id)
                .where(CallAttempt.started_at >= day_start, CallAttempt.started_at < day_end)
                .group_by(Case.unit_id)
            )
            busy = (
                select(DialJob.unit_id, func.count())
                .where(DialJob.state.in_(("queued", "dialling")))
                .group_by(DialJob.unit_id)
            )
            load: Counter[int] = Counter()
            for stmt in (placed, busy):
                for unit_id, n in s.execute(stmt):
                    load[unit_id] += n
            return load

    def due_jobs(self, now: datetime, limit: int) -> list[Job]:
        """Pending jobs of running campaigns whose time has come, most urgent first."""
        with transaction(self._sessions, "dial_jobs.due") as s:
            stmt = (
                _job_select()
                .where(
                    DialJob.state == "pending",
                    DialJob.due_at <= now,
                    Campaign.state == "running",
                )
                .order_by(DialJob.priority, DialJob.due_at, DialJob.id)
                .limit(limit)
            )
            return [Job(*row) for row in s.execute(stmt)]

    def mark_queued(self, job_id: int, key: str, now: datetime) -> bool:
        """pending → queued, to be sent to a worker; False if someone else got there."""
        with transaction(self._sessions, "dial_jobs.queue") as s:
            stmt = (
                update(DialJob)
                .where(DialJob.id == job_id, DialJob.state == "pending", DialJob.attempt_key == key)
                .values(state="queued", queued_at=now, updated_at=now)
            )
            return changed(s, stmt)

    def mark_queued_many(self, jobs: list[Job], now: datetime) -> list[Job]:
        """``mark_queued`` for several jobs in one transaction; those queued, in order."""
        if not jobs:
            return []
        with transaction(self._sessions, "dial_jobs.queue") as s:
            stmt = (
                update(DialJob)
                .where(
                    DialJob.attempt_key.in_([j.attempt_key for j in jobs]),
                    DialJob.state == "pending",
                )
                .values(state="queued", queued_at=now, updated_at=now)
                .returning(DialJob.attempt_key)
            )
            done = set(s.execute(stmt).scalars())
        return [j for j in jobs if j.attempt_key in done]

    def stale_queued(self, older_than: datetime, now: datetime) -> list[tuple[int, str]]:
        """Queued jobs no worker has taken since ``older_than``: their message may be lost
        with a dead worker. Their clock restarts; the caller sends them again."""
        with transaction(self._sessions, "dial_jobs.stale") as s:
            stale = select(DialJob.id, DialJob.attempt_key).where(
                DialJob.state == "queued", DialJob.queued_at < older_than
            )
            rows = [(job_id, key) for job_id, key in s.execute(stale)]
            if rows:
                s.execute(
                    update(DialJob)
                    .where(DialJob.id.in_([r[0] for r in rows]), DialJob.state == "queued")
                    .values(queued_at=now)
                )
            return list(rows)

    def orphaned_jobs(self, now: datetime) -> list[Job]:
        """Jobs being dialled by a process whose lease has run out."""
        with transaction(self._sessions, "dial_jobs.orphaned") as s:
            alive = select(ControllerLease.owner).where(ControllerLease.expires_at > now)
            stmt = _job_select().where(
                DialJob.state == "dialling",
                (DialJob.owner.is_(None)) | DialJob.owner.not_in(alive),
            )
            return [Job(*row) for row in s.execute(stmt)]

    # -- dialling --------------------------------------------------------------------

    def claim(self, job_id: int, key: str, owner: str, now: datetime) -> Job | None:
        """queued → dialling by ``owner`` for attempt ``key``; None if the job is not
        waiting for exactly this attempt (a duplicate or stale task)."""
        with transaction(self._sessions, "dial_jobs.claim") as s:
            stmt = (
                update(DialJob)
                .where(DialJob.id == job_id, DialJob.state == "queued", DialJob.attempt_key == key)
                .values(state="dialling", owner=owner, updated_at=now)
            )
            if not changed(s, stmt):
                return None
            row = s.execute(_job_select().where(DialJob.id == job_id)).one()
            return Job(*row)

    def release(self, job_id: int, key: str, due_at: datetime, now: datetime) -> bool:
        """dialling → pending without a call placed (window closed, no slot, paused)."""
        with transaction(self._sessions, "dial_jobs.release") as s:
            stmt = (
                update(DialJob)
                .where(
                    DialJob.id == job_id, DialJob.state == "dialling", DialJob.attempt_key == key
                )
                .values(state="pending", owner=None, due_at=due_at, updated_at=now)
            )
            return changed(s, stmt)

    def record_attempt(
        self,
        job: Job,
        outcome: str,
        partial: bool,
        result: str | None,
        retry_at: datetime | None,
        now: datetime,
    ) -> bool:
        """Close attempt ``job.attempt_key``: the job ends with ``result`` or waits for
        ``retry_at`` under the next attempt's key. False if already recorded."""
        values: dict[str, Any] = {
            "attempts": job.attempts + 1,
            "partials": job.partials + (1 if partial else 0),
            "last_outcome": outcome,
            "owner": None,
            "updated_at": now,
        }
        if result is not None:
            values.update(state="done", result=result)
        else:
            assert retry_at is not None
            values.update(
                state="pending",
                due_at=retry_at,
                attempt_key=attempt_key(job.campaign_key, job.case_id, job.attempts + 2, job.round),
            )
        with transaction(self._sessions, "dial_jobs.record_attempt") as s:
            stmt = (
                update(DialJob)
                .where(
                    DialJob.id == job.id,
                    DialJob.state == "dialling",
                    DialJob.attempt_key == job.attempt_key,
                )
                .values(**values)
            )
            return changed(s, stmt)

    def skip(self, job: Job, reason: str, now: datetime) -> bool:
        """End a job without calling (e.g. the number went on the do-not-call list)."""
        with transaction(self._sessions, "dial_jobs.skip") as s:
            stmt = (
                update(DialJob)
                .where(DialJob.id == job.id, DialJob.attempt_key == job.attempt_key)
                .where(DialJob.state.in_(("dialling", "pending", "queued")))
                .values(
                    state="done", result="skipped", last_outcome=reason, owner=None, updated_at=now
                )
            )
            return changed(s, stmt)

    def finish_if_done(self, campaign_id: int, now: datetime) -> bool:
        """Mark a running campaign finished once every job is done."""
        with transaction(self._sessions, "campaign.finish_if_done") as s:
            open_jobs = s.execute(
                select(func.count()).where(
                    DialJob.campaign_id == campaign_id, DialJob.state != "done"
                )
            ).scalar_one()
            if open_jobs:
                return False
            stmt = (
                update(Campaign)
                .where(Campaign.id == campaign_id, Campaign.state == "running")
                .values(state="finished", finished_at=now)
            )
            return changed(s, stmt)

    def cases_to_call(self, campaign_id: int | None = None) -> list[tuple[int, str | None]]:
        """(case id, script) of every job not done yet, of one campaign or of the
        running ones: what their prompts are rendered for ahead of the calls."""
        with transaction(self._sessions, "dial_jobs.cases_to_call") as s:
            stmt = select(DialJob.case_id, DialJob.script).where(DialJob.state != "done")
            if campaign_id is None:
                stmt = stmt.join(Campaign, Campaign.id == DialJob.campaign_id).where(
                    Campaign.state == "running"
                )
            else:
                stmt = stmt.where(DialJob.campaign_id == campaign_id)
            return [(case_id, script) for case_id, script in s.execute(stmt.distinct())]

    def running_campaign_ids(self) -> list[int]:
        with transaction(self._sessions, "campaign.running") as s:
            return list(s.execute(select(Campaign.id).where(Campaign.state == "running")).scalars())


def _job_select():  # type: ignore[no-untyped-def]
    return select(
        DialJob.id,
        DialJob.campaign_id,
        Campaign.key,
        Campaign.state,
        DialJob.case_id,
        DialJob.unit_id,
        DialJob.phone,
        DialJob.state,
        DialJob.attempt_key,
        DialJob.attempts,
        DialJob.partials,
        DialJob.owner,
        DialJob.round,
        DialJob.ticket_id,
        DialJob.script,
    ).join(Campaign, Campaign.id == DialJob.campaign_id)
