"""Reads and writes of campaigns, their samples and the do-not-call list (the dial jobs'
queries are in ``jobs``)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.orm import Session

from callcenter.calls.tables import CallAttempt
from callcenter.campaign.jobs import JobQueue, attempt_key
from callcenter.campaign.tables import Campaign, CampaignSample, DialJob, DoNotCall
from callcenter.cases.store import CASE_COLUMNS, CaseView, case_from_columns, select_cases
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.errors import CampaignError
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed, insert


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
    pause_reason: str | None = None  # set when the dialler paused it


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
    """A drawn case: why and in which place it was drawn, and where its dial job stands."""

    draw: int
    reason: str
    case: CaseView
    job_state: str
    job_result: str | None
    attempts: int
    last_outcome: str | None


class CampaignStore(JobQueue):
    """The campaign tables: plans, samples, states and the do-not-call list, with the
    dial-job queries of ``JobQueue``."""

    # -- planning --------------------------------------------------------------------

    def candidates(self, start: date, end: date) -> list[CaseView]:
        """Cases completed in [start, end)."""
        with transaction(self._sessions, "campaign.candidates") as s:
            stmt = select_cases().where(Case.completed_on >= start, Case.completed_on < end)
            return [case_from_columns(row) for row in s.execute(stmt)]

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
        script: str | None = None,
    ) -> int:
        """Store a plan and one pending dial job per drawn case (called with ``script``,
        None: the controller's default); CampaignError if the month already has one."""
        with transaction(self._sessions, "campaign.create") as s:
            stmt = insert(s, Campaign).values(
                kind="followup",
                month=month,
                key=key,
                period_start=period[0],
                period_end=period[1],
                seed=seed,
                state="planned",
                summary=json.dumps(summary, ensure_ascii=False, sort_keys=True),
                created_at=self._clock.now(),
            )
            row = s.execute(
                stmt.on_conflict_do_nothing(
                    index_elements=[Campaign.kind, Campaign.month]
                ).returning(Campaign.id)
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
                            "updated_at": self._clock.now(),
                            "script": script,
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
                latest = select(Campaign).where(Campaign.kind == "followup")
                c = s.execute(latest.order_by(Campaign.month.desc())).scalars().first()
                if c is None:
                    raise CampaignError("there is no campaign yet; make one with 'campaign plan'")
            else:
                c = _campaign(s, month)
            return _view(c)

    def campaigns(self) -> list[CampaignView]:
        with transaction(self._sessions, "campaign.list") as s:
            followups = select(Campaign).where(Campaign.kind == "followup")
            return [_view(c) for c in s.execute(followups.order_by(Campaign.month)).scalars()]

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
            c.pause_reason = None  # whoever changes the state has dealt with it
            if to == "running" and c.started_at is None:
                c.started_at = now
            if to == "finished":
                c.finished_at = now
            return _view(c)

    def pause_running(self, reason: str) -> list[str]:
        """Pause every running campaign, saying why; the months paused."""
        with transaction(self._sessions, "campaign.pause_running") as s:
            running = s.execute(select(Campaign).where(Campaign.state == "running")).scalars()
            paused = []
            for c in running:
                c.state, c.pause_reason = "paused", reason
                paused.append(c.month)
            return paused

    def sample(self, month: str) -> list[SampleRow]:
        with transaction(self._sessions, "campaign.sample") as s:
            c = _campaign(s, month)
            stmt = (
                select_cases()
                .add_columns(
                    CampaignSample.draw,
                    CampaignSample.reason,
                    DialJob.state,
                    DialJob.result,
                    DialJob.attempts,
                    DialJob.last_outcome,
                )
                .join(CampaignSample, CampaignSample.case_id == Case.id)
                .join(
                    DialJob,
                    and_(DialJob.campaign_id == c.id, DialJob.case_id == CampaignSample.case_id),
                )
                .where(CampaignSample.campaign_id == c.id)
                .order_by(CampaignSample.draw)
            )
            rows = []
            for row in s.execute(stmt):
                draw, reason, *job = row[len(CASE_COLUMNS) :]
                rows.append(SampleRow(draw, reason, case_from_columns(row), *job))
            return rows

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


def _campaign(s: Session, month: str) -> Campaign:
    c = s.execute(
        select(Campaign).where(Campaign.kind == "followup", Campaign.month == month)
    ).scalar_one_or_none()
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
        pause_reason=c.pause_reason,
    )
