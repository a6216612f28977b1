"""Reads and writes of campaigns, their samples, dial jobs and the do-not-call list.

Every state change of a dial job is one conditional UPDATE (on its state and its
attempt key), so the database decides between racing workers: a task delivered twice,
or a sweep meeting a late worker, changes nothing the second time.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import CallAttempt, ControllerLease
from callcenter.campaign.tables import Campaign, CampaignSample, DialJob, DoNotCall
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.errors import CampaignError
from callcenter.kernel.orm import utcnow
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed, insert


def attempt_key(campaign_key: str, case_id: int, attempt_no: int) -> str:
    """The id of the n-th attempt of a campaign's job for a case: its ledger row and its
    Asterisk channel, the same whoever computes it."""
    return f"{campaign_key}-{case_id}-{attempt_no}"


@dataclass(frozen=True)
class CampaignView:
    id: int
    month: str
    key: str
    period_start: date
    period_end: date
    seed: int
    state: str
    summary: dict[str, Any]
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


@dataclass(frozen=True)
class CandidateRow:
    case_id: int
    case_no: str
    unit: str
    unit_kind: str
    phone: str
    is_complaint: bool


@dataclass(frozen=True)
class Planned:
    case_id: int
    reason: str
    draw: int
    unit_id: int
    phone: str
    is_complaint: bool


@dataclass(frozen=True)
class SampleRow:
    draw: int
    reason: str
    case_no: str
    unit: str
    applicant_name: str
    phone: str
    matter: str
    completed_on: date
    is_complaint: bool
    job_state: str
    job_result: str | None
    attempts: int
    last_outcome: str | None


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


class CampaignStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions

    # -- planning --------------------------------------------------------------------

    def candidates(self, start: date, end: date) -> list[CandidateRow]:
        """Cases completed in [start, end), with their unit."""
        with transaction(self._sessions, "campaign.candidates") as s:
            stmt = (
                select(Case.id, Case.case_no, Unit.name, Unit.kind, Case.phone, Case.is_complaint)
                .join(Unit, Unit.id == Case.unit_id)
                .where(Case.completed_on >= start, Case.completed_on < end)
            )
            return [CandidateRow(*row) for row in s.execute(stmt)]

    def recently_called(self, since: datetime) -> set[str]:
        """Numbers dialled since ``since``, or owed a call by an unfinished job."""
        with transaction(self._sessions, "campaign.recently_called") as s:
            dialled = select(Case.phone).join(CallAttempt, CallAttempt.case_id == Case.id)
            dialled = dialled.where(CallAttempt.started_at >= since)
            owed = select(DialJob.phone).where(DialJob.state != "done")
            return set(s.execute(dialled.union(owed)).scalars())

    def create(
        self,
        month: str,
        key: str,
        period: tuple[date, date],
        seed: int,
        summary: dict[str, Any],
        planned: Sequence[Planned],
        due_at: datetime,
    ) -> int:
        """Store a plan and one pending dial job per drawn case; CampaignError if the
        month already has one."""
        with transaction(self._sessions, "campaign.create") as s:
            stmt = insert(s, Campaign).values(
                month=month,
                key=key,
                period_start=period[0],
                period_end=period[1],
                seed=seed,
                state="planned",
                summary=json.dumps(summary, ensure_ascii=False, sort_keys=True),
                created_at=utcnow(),
            )
            row = s.execute(
                stmt.on_conflict_do_nothing(index_elements=[Campaign.month]).returning(Campaign.id)
            ).first()
            if row is None:
                raise CampaignError(f"month {month} already has a campaign; see its plan")
            campaign_id = row[0]
            if planned:
                s.execute(
                    insert(s, CampaignSample),
                    [
                        {
                            "campaign_id": campaign_id,
                            "case_id": p.case_id,
                            "reason": p.reason,
                            "draw": p.draw,
                        }
                        for p in planned
                    ],
                )
                s.execute(
                    insert(s, DialJob),
                    [
                        {
                            "campaign_id": campaign_id,
                            "case_id": p.case_id,
                            "unit_id": p.unit_id,
                            "phone": p.phone,
                            "priority": 0 if p.is_complaint else 1,
                            "state": "pending",
                            "due_at": due_at,
                            "attempt_key": attempt_key(key, p.case_id, 1),
                            "attempts": 0,
                            "partials": 0,
                            "updated_at": utcnow(),
                        }
                        for p in planned
                    ],
                )
            return campaign_id

    def unit_ids(self, names: Iterable[str]) -> dict[str, int]:
        with transaction(self._sessions, "campaign.unit_ids") as s:
            stmt = select(Unit.name, Unit.id).where(Unit.name.in_(list(names)))
            return dict(s.execute(stmt).all())

    def drop_plan(self, month: str) -> None:
        """Forget a plan nobody has dialled yet, so it can be drawn again."""
        with transaction(self._sessions, "campaign.drop_plan") as s:
            c = _campaign(s, month)
            if c.state != "planned":
                raise CampaignError(
                    f"campaign {month} is {c.state}; only a plan not started can be redrawn"
                )
            s.execute(delete(DialJob).where(DialJob.campaign_id == c.id))
            s.execute(delete(CampaignSample).where(CampaignSample.campaign_id == c.id))
            s.execute(delete(Campaign).where(Campaign.id == c.id))

    def campaign(self, month: str | None = None) -> CampaignView:
        """The campaign of ``month``, or the latest one."""
        with transaction(self._sessions, "campaign.get") as s:
            if month is None:
                c = s.execute(select(Campaign).order_by(Campaign.month.desc())).scalars().first()
                if c is None:
                    raise CampaignError("there is no campaign yet; make one with 'campaign plan'")
            else:
                c = _campaign(s, month)
            return _view(c)

    def campaigns(self) -> list[CampaignView]:
        with transaction(self._sessions, "campaign.list") as s:
            return [
                _view(c) for c in s.execute(select(Campaign).order_by(Campaign.month)).scalars()
            ]

    def set_state(
        self, month: str, allowed_from: tuple[str, ...], to: str, now: datetime
    ) -> CampaignView:
        with transaction(self._sessions, "campaign.set_state") as s:
            c = _campaign(s, month)
            if c.state == to:
                return _view(c)
            if c.state not in allowed_from:
                raise CampaignError(f"campaign {month} is {c.state}; cannot make it {to}")
            c.state = to
            if to == "running" and c.started_at is None:
                c.started_at = now
            if to == "finished":
                c.finished_at = now
            return _view(c)

    def sample(self, month: str) -> list[SampleRow]:
        with transaction(self._sessions, "campaign.sample") as s:
            c = _campaign(s, month)
            stmt = (
                select(
                    CampaignSample.draw,
                    CampaignSample.reason,
                    Case.case_no,
                    Unit.name,
                    Case.applicant_name,
                    Case.phone,
                    Case.matter,
                    Case.completed_on,
                    Case.is_complaint,
                    DialJob.state,
                    DialJob.result,
                    DialJob.attempts,
                    DialJob.last_outcome,
                )
                .join(Case, Case.id == CampaignSample.case_id)
                .join(Unit, Unit.id == Case.unit_id)
                .join(
                    DialJob,
                    and_(DialJob.campaign_id == c.id, DialJob.case_id == CampaignSample.case_id),
                )
                .where(CampaignSample.campaign_id == c.id)
                .order_by(CampaignSample.draw)
            )
            return [SampleRow(*tuple(row)) for row in s.execute(stmt)]

    # -- do-not-call list ------------------------------------------------------------

    def add_do_not_call(self, phone: str, reason: str, now: datetime) -> bool:
        with transaction(self._sessions, "do_not_call.add") as s:
            stmt = insert(s, DoNotCall).values(phone=phone, reason=reason, added_at=now)
            return changed(s, stmt.on_conflict_do_nothing(index_elements=[DoNotCall.phone]))

    def remove_do_not_call(self, phone: str) -> bool:
        with transaction(self._sessions, "do_not_call.remove") as s:
            stmt = delete(DoNotCall).where(DoNotCall.phone == phone).returning(DoNotCall.phone)
            return s.execute(stmt).first() is not None

    def do_not_call(self) -> dict[str, str]:
        with transaction(self._sessions, "do_not_call.list") as s:
            return dict(s.execute(select(DoNotCall.phone, DoNotCall.reason)).all())

    def is_do_not_call(self, phone: str) -> bool:
        with transaction(self._sessions, "do_not_call.check") as s:
            return s.get(DoNotCall, phone) is not None

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
                attempt_key=attempt_key(job.campaign_key, job.case_id, job.attempts + 2),
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

    def running_campaign_ids(self) -> list[int]:
        with transaction(self._sessions, "campaign.running") as s:
            return list(s.execute(select(Campaign.id).where(Campaign.state == "running")).scalars())

    # -- status ----------------------------------------------------------------------

    def job_counts(self, campaign_id: int) -> dict[str, int]:
        """Counts by state and result, and of jobs answered at least once."""
        with transaction(self._sessions, "campaign.job_counts") as s:
            counts: dict[str, int] = {}
            rows = s.execute(
                select(DialJob.state, DialJob.result, DialJob.attempts, func.count())
                .where(DialJob.campaign_id == campaign_id)
                .group_by(DialJob.state, DialJob.result, DialJob.attempts)
            )
            for state, result, attempts, n in rows:
                dialled = attempts > 0
                counts[f"state:{state}"] = counts.get(f"state:{state}", 0) + n
                if result:
                    counts[f"result:{result}"] = counts.get(f"result:{result}", 0) + n
                if dialled:
                    counts["dialled"] = counts.get("dialled", 0) + n
                    if state == "pending":
                        counts["retrying"] = counts.get("retrying", 0) + n
                elif state == "pending":
                    counts["untouched"] = counts.get("untouched", 0) + n
            key = s.execute(select(Campaign.key).where(Campaign.id == campaign_id)).scalar_one()
            answered = s.execute(
                select(func.count(func.distinct(CallAttempt.case_id))).where(
                    CallAttempt.id.like(f"{key}-%"), CallAttempt.answered_at.is_not(None)
                )
            ).scalar_one()
            attempts = s.execute(
                select(func.count()).where(CallAttempt.id.like(f"{key}-%"))
            ).scalar_one()
            counts["answered"] = answered
            counts["attempts"] = attempts
            return counts


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
    ).join(Campaign, Campaign.id == DialJob.campaign_id)


def _campaign(s: Session, month: str) -> Campaign:
    c = s.execute(select(Campaign).where(Campaign.month == month)).scalar_one_or_none()
    if c is None:
        raise CampaignError(f"there is no campaign for {month}; make one with 'campaign plan'")
    return c


def _view(c: Campaign) -> CampaignView:
    return CampaignView(
        id=c.id,
        month=c.month,
        key=c.key,
        period_start=c.period_start,
        period_end=c.period_end,
        seed=c.seed,
        state=c.state,
        summary=json.loads(c.summary),
        created_at=c.created_at,
        started_at=c.started_at,
        finished_at=c.finished_at,
    )
