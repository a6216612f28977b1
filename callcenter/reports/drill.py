"""What makes a count: the calls, cases or tickets behind each figure of a report, from
the same conditions ``store`` counts with. Calls come back as attempt ids for the 台账's
read model (``LedgerReader``) to show; cases and tickets as the few columns a list
needs, each linking to its page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import AnswerRow, CallAttempt
from callcenter.cases.tables import Case, Unit
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import ReportError
from callcenter.kernel.transaction import transaction
from callcenter.reports import store as st
from callcenter.reports.period import Period, parse_period
from callcenter.reports.scoring import GRADES
from callcenter.reports.sheets import Drill
from callcenter.tickets.machine import State
from callcenter.tickets.tables import Ticket, TicketRound, ticket_number

Where = Callable[[Period, Drill], ColumnElement[bool]]

# calls: attempts of the cases completed in the period, or placed in it
_CASE_CALLS: dict[str, Where] = {
    "effective": lambda p, d: st.effective_attempt(),
    "first_satisfied": lambda p, d: st.satisfied_attempt(),
    "complaint_revisited": lambda p, d: and_(st.effective_attempt(), Case.is_complaint.is_(True)),
}
_PLACED_CALLS: dict[str, Where] = {
    "placed": lambda p, d: st.first_level(),
    "completed": lambda p, d: and_(st.first_level(), CallAttempt.outcome == Outcome.COMPLETE.value),
    "answer": lambda p, d: _answered(d.question, d.value),
    "grade": lambda p, d: _answered(None, d.value),
}
_CASES: dict[str, Where] = {
    "business": lambda p, d: st.completed_in(p),
    "complaints": lambda p, d: and_(st.completed_in(p), Case.is_complaint.is_(True)),
}
_ROUNDS: dict[str, Where] = {
    "revisits": lambda p, d: st.revisit_answered(p),
    "revisit_satisfied": lambda p, d: st.revisit_satisfied(p),
    "verifications": lambda p, d: st.verified(p, second=False),
    "verified_satisfied": lambda p, d: st.verified_satisfied(p, second=False),
    "reverifications": lambda p, d: st.verified(p, second=True),
    "reverified_satisfied": lambda p, d: st.verified_satisfied(p, second=True),
}
_TICKETS: dict[str, Where] = {
    "bad": lambda p, d: st.bad_opened(p),
    "bad_closed": lambda p, d: st.bad_closed(p),
}
FACTS = {
    "business": "总业务量",
    "effective": "有效回访数量",
    "first_satisfied": "一级回访满意数量",
    "revisits": "二级回访数量",
    "revisit_satisfied": "回访满意数量",
    "verifications": "督查核实数量",
    "verified_satisfied": "初次督查核实满意数量",
    "reverifications": "二次督查核实数量",
    "reverified_satisfied": "二次督查满意数量",
    "placed": "已拨打",
    "completed": "完成回访",
    "complaints": "投诉件数",
    "complaint_revisited": "投诉件已回访",
    "answer": "回答",
    "grade": "评价",
    "bad": "差评数",
    "bad_closed": "差评已办结",
}


@dataclass(frozen=True)
class CaseLine:
    case_no: str
    unit: str
    applicant: str
    matter: str
    completed_on: date


@dataclass(frozen=True)
class TicketLine:
    number: str
    unit: str
    case_no: str
    state: str
    opened_at: datetime


@dataclass(frozen=True)
class DrillPage:
    kind: str  # calls | cases | tickets
    total: int
    attempt_ids: list[str]  # calls, newest first
    cases: list[CaseLine]
    tickets: list[TicketLine]


def kind_of(fact: str) -> str:
    if fact in _CASE_CALLS or fact in _PLACED_CALLS:
        return "calls"
    if fact in _CASES:
        return "cases"
    if fact in _ROUNDS or fact in _TICKETS:
        return "tickets"
    raise ReportError(f"unknown figure {fact!r}; one of {', '.join(FACTS)}")


class DrillDown:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def page(self, drill: Drill, page: int = 1, size: int = 50) -> DrillPage:
        kind = kind_of(drill.fact)
        period = parse_period(drill.period)
        if drill.fact == "grade" and drill.value not in GRADES:
            raise ReportError(f"grade {drill.value!r} is not one of {'、'.join(GRADES)}")
        offset = (max(1, page) - 1) * size
        with transaction(self.sessions, "reports.drill") as s:
            units = _scope(s, drill.unit)
            if kind == "calls":
                stmt = _calls(period, drill, units)
                total = _count(s, stmt)
                ordered = stmt.order_by(CallAttempt.started_at.desc(), CallAttempt.id.desc())
                ids = list(s.execute(ordered.limit(size).offset(offset)).scalars())
                return DrillPage(kind, total, ids, [], [])
            if kind == "cases":
                stmt = _cases(period, drill, units)
                total = _count(s, stmt)
                rows = s.execute(
                    stmt.add_columns(
                        Unit.name,
                        Case.applicant_org,
                        Case.applicant_name,
                        Case.title,
                        Case.matter,
                        Case.completed_on,
                    )
                    .join(Unit, Unit.id == Case.unit_id)
                    .order_by(Case.completed_on.desc(), Case.id.desc())
                    .limit(size)
                    .offset(offset)
                ).all()
                lines = [CaseLine(r[0], r[1], r[2] or f"{r[3]}{r[4]}", r[5], r[6]) for r in rows]
                return DrillPage(kind, total, [], lines, [])
            stmt = _tickets(period, drill, units)
            total = _count(s, stmt)
            rows = s.execute(
                select(Ticket.year, Ticket.seq, Unit.name, Case.case_no, Ticket.state)
                .add_columns(Ticket.opened_at)
                .join(Unit, Unit.id == Ticket.unit_id)
                .join(Case, Case.id == Ticket.case_id)
                .where(Ticket.id.in_(stmt.correlate(None)))
                .order_by(Ticket.opened_at.desc(), Ticket.id.desc())
                .limit(size)
                .offset(offset)
            ).all()
            tickets = [
                TicketLine(ticket_number(y, n), unit, case_no, State(state).label, at)
                for y, n, unit, case_no, state, at in rows
            ]
            return DrillPage(kind, total, [], [], tickets)


def _scope(s: Session, unit: str | None) -> list[int] | None:
    if not unit:
        return None
    unit_id = s.execute(select(Unit.id).where(Unit.name == unit)).scalar_one_or_none()
    if unit_id is None:
        raise ReportError(f"没有名为“{unit}”的单位")
    children = s.execute(select(Unit.id).where(Unit.parent_id == unit_id)).scalars()
    return [unit_id, *children]


def _calls(period: Period, drill: Drill, units: list[int] | None) -> Select[Any]:
    stmt = select(CallAttempt.id).join(Case, Case.id == CallAttempt.case_id)
    if drill.fact in _CASE_CALLS:
        stmt = stmt.where(st.completed_in(period), _CASE_CALLS[drill.fact](period, drill))
    else:
        stmt = stmt.where(st.started_in(period), _PLACED_CALLS[drill.fact](period, drill))
    return stmt if units is None else stmt.where(Case.unit_id.in_(units))


def _answered(question: str | None, value: str) -> ColumnElement[bool]:
    conditions = [AnswerRow.attempt_id == CallAttempt.id, AnswerRow.value == value]
    if question is not None:
        conditions += [AnswerRow.question_id == question, AnswerRow.kind.in_(st.ANSWER_KINDS)]
    return and_(st.first_level(), select(AnswerRow.id).where(*conditions).exists())


def _cases(period: Period, drill: Drill, units: list[int] | None) -> Select[Any]:
    stmt = select(Case.case_no).where(_CASES[drill.fact](period, drill))
    return stmt if units is None else stmt.where(Case.unit_id.in_(units))


def _tickets(period: Period, drill: Drill, units: list[int] | None) -> Select[Any]:
    if drill.fact in _ROUNDS:
        stmt = (
            select(Ticket.id)
            .join(TicketRound, TicketRound.ticket_id == Ticket.id)
            .where(_ROUNDS[drill.fact](period, drill))
            .distinct()
        )
    else:
        stmt = select(Ticket.id).where(_TICKETS[drill.fact](period, drill))
    return stmt if units is None else stmt.where(Ticket.unit_id.in_(units))


def _count(s: Session, stmt: Select[Any]) -> int:
    return int(s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one())
