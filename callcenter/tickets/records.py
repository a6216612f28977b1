"""Stored tickets as plain values, detached from the database: the shapes the pages, the
command line, the export and the notices read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from callcenter.cases.store import CaseView
from callcenter.tickets.machine import (
    EVENT_LABELS,
    Closure,
    Conclusion,
    ContactMethod,
    Kind,
    Position,
    RevisitResult,
    State,
)
from callcenter.tickets.tables import TicketEvent, TicketRound


@dataclass(frozen=True)
class RoundView:
    round: int
    started_at: datetime
    contact_due: datetime | None
    report_due: datetime | None
    contacted_at: datetime | None
    contact_method: ContactMethod | None
    contact_summary: str | None
    reported_at: datetime | None
    report_text: str | None
    revisit_after: datetime | None
    revisit_due_at: datetime | None
    revisit_at: datetime | None
    revisit_result: RevisitResult | None
    revisit_attempt_id: str | None
    verified_at: datetime | None
    verified_by: str | None
    applicant_satisfied: bool | None
    conclusion: Conclusion | None
    verify_text: str | None
    closed_at: datetime | None

    @property
    def late(self) -> bool:
        """A stage of this round was done after its deadline."""
        return _after(self.contacted_at, self.contact_due) or _after(
            self.reported_at, self.report_due
        )


def _after(done: datetime | None, due: datetime | None) -> bool:
    return done is not None and due is not None and done > due


def round_view(row: TicketRound) -> RoundView:
    method, result, conclusion = row.contact_method, row.revisit_result, row.conclusion
    return RoundView(
        round=row.round,
        started_at=row.started_at,
        contact_due=row.contact_due,
        report_due=row.report_due,
        contacted_at=row.contacted_at,
        contact_method=None if method is None else ContactMethod(method),
        contact_summary=row.contact_summary,
        reported_at=row.reported_at,
        report_text=row.report_text,
        revisit_after=row.revisit_after,
        revisit_due_at=row.revisit_due_at,
        revisit_at=row.revisit_at,
        revisit_result=None if result is None else RevisitResult(result),
        revisit_attempt_id=row.revisit_attempt_id,
        verified_at=row.verified_at,
        verified_by=row.verified_by,
        applicant_satisfied=row.applicant_satisfied,
        conclusion=None if conclusion is None else Conclusion(conclusion),
        verify_text=row.verify_text,
        closed_at=row.closed_at,
    )


@dataclass(frozen=True)
class TicketView:
    id: int
    number: str
    kind: Kind
    state: State
    round: int
    version: int
    case: CaseView
    unit_id: int  # 责任单位
    bureau: str  # the 局 the unit belongs to (the unit itself for a 局)
    cycle: str
    source: str  # call | rating
    attempt_id: str | None
    channel: str
    complaint: str
    question_ids: tuple[str, ...]
    handler: str
    opened_at: datetime
    closed_at: datetime | None
    closure: Closure | None
    flagged: bool
    rounds: tuple[RoundView, ...]

    @property
    def unit(self) -> str:
        return self.case.unit

    @property
    def title(self) -> str:
        """e.g. 整改工单T2026-0001."""
        return f"{self.kind.label}{self.number}"

    @property
    def current(self) -> RoundView:
        return self.rounds[-1]

    @property
    def position(self) -> Position:
        return Position(self.number, self.kind, self.state, self.round)

    def deadline(self) -> tuple[str | None, datetime | None]:
        """The stage whose deadline runs now (contact / report) and when it falls due."""
        if self.state is State.AWAITING_CONTACT:
            return "contact", self.current.contact_due
        if self.state is State.RECTIFYING:
            return "report", self.current.report_due
        return None, None

    @property
    def late(self) -> bool:
        """是否超期: a stage of some round was done after its deadline."""
        return any(r.late for r in self.rounds)


@dataclass(frozen=True)
class EventView:
    round: int
    at: datetime
    actor: str
    role: str | None
    event: str
    from_state: State | None
    to_state: State
    detail: str
    text: str
    attempt_id: str | None

    @property
    def label(self) -> str:
        return EVENT_LABELS.get(self.event, self.event)


def event_view(row: TicketEvent) -> EventView:
    return EventView(
        round=row.round,
        at=row.at,
        actor=row.actor,
        role=row.role,
        event=row.event,
        from_state=None if row.from_state is None else State(row.from_state),
        to_state=State(row.to_state),
        detail=row.detail,
        text=row.text,
        attempt_id=row.attempt_id,
    )
