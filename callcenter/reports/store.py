"""The counts behind every report, each one SQL aggregate grouped by unit: nothing is
counted by loading rows into Python. Rolling units up into their 局 and scoring are the
service's (a few dozen rows); which calls and tickets make each count, for tracing it,
is ``drill``'s, from the same conditions as here.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from callcenter.calls.tables import AnswerRow, CallAttempt
from callcenter.cases.tables import Case, Unit
from callcenter.interview.outcome import Outcome
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.transaction import transaction
from callcenter.reports.period import Period
from callcenter.reports.scoring import GRADES, Deduction, DeductionKind
from callcenter.reports.tables import ReportDeduction
from callcenter.tickets.machine import Kind, RevisitResult, State
from callcenter.tickets.tables import Ticket, TicketRound

ANSWER_KINDS = ("scale", "yesno", "choice")  # answers with an option's words


@dataclass(frozen=True)
class UnitRow:
    id: int
    name: str
    kind: str  # bureau | window | station
    parent_id: int | None


def bounds(period: Period) -> tuple[datetime, datetime]:
    """The UTC instants that start and end (exclusive) the period's Beijing days."""
    start = datetime.combine(period.first, time(), BEIJING)
    end = datetime.combine(period.last + timedelta(days=1), time(), BEIJING)
    return start.astimezone(UTC), end.astimezone(UTC)


# -- the conditions every count and its drill-down share -----------------------------


def first_level() -> ColumnElement[bool]:
    """The attempt is a first-level visit: not a ticket's re-visit call."""
    return ~exists().where(TicketRound.revisit_attempt_id == CallAttempt.id)


def effective_attempt() -> ColumnElement[bool]:
    """A first-level visit that reached the end of its rating questions."""
    return and_(CallAttempt.outcome == Outcome.COMPLETE.value, first_level())


def satisfied_attempt() -> ColumnElement[bool]:
    """An effective first-level visit that opened no rectification ticket."""
    opened = exists().where(
        Ticket.attempt_id == CallAttempt.id, Ticket.kind == Kind.RECTIFICATION.value
    )
    return and_(effective_attempt(), ~opened)


def completed_in(period: Period) -> ColumnElement[bool]:
    return Case.completed_on.between(period.first, period.last)


def started_in(period: Period) -> ColumnElement[bool]:
    start, end = bounds(period)
    return and_(CallAttempt.started_at >= start, CallAttempt.started_at < end)


def _in(column: Any, period: Period) -> ColumnElement[bool]:
    start, end = bounds(period)
    return and_(column >= start, column < end)


def revisit_answered(period: Period) -> ColumnElement[bool]:
    answered = (RevisitResult.SATISFIED.value, RevisitResult.UNSATISFIED.value)
    return and_(_in(TicketRound.revisit_at, period), TicketRound.revisit_result.in_(answered))


def revisit_satisfied(period: Period) -> ColumnElement[bool]:
    return and_(
        _in(TicketRound.revisit_at, period),
        TicketRound.revisit_result == RevisitResult.SATISFIED.value,
    )


def verified(period: Period, *, second: bool) -> ColumnElement[bool]:
    """A verification concluded in the period: the first (round 1), or one after a 退回."""
    round_ = TicketRound.round > 1 if second else TicketRound.round == 1
    return and_(_in(TicketRound.verified_at, period), TicketRound.conclusion.is_not(None), round_)


def verified_satisfied(period: Period, *, second: bool) -> ColumnElement[bool]:
    return and_(verified(period, second=second), TicketRound.applicant_satisfied.is_(True))


def bad_opened(period: Period) -> ColumnElement[bool]:
    """差评: rectification tickets opened in the period."""
    return and_(Ticket.kind == Kind.RECTIFICATION.value, _in(Ticket.opened_at, period))


def bad_closed(period: Period) -> ColumnElement[bool]:
    return and_(bad_opened(period), Ticket.state == State.CLOSED.value)


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


class ReportStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    def units(self) -> list[UnitRow]:
        with transaction(self.sessions, "reports.units") as s:
            rows = s.execute(select(Unit.id, Unit.name, Unit.kind, Unit.parent_id)).all()
        return [UnitRow(*r) for r in rows]

    def case_facts(self, period: Period) -> dict[int, tuple[int, ...]]:
        """unit id → (总业务量, 有效回访数量, 一级回访满意数量, complaint cases, complaint
        cases effectively revisited), of the cases completed in the period."""
        return self.case_facts_of([period])[0]

    def case_facts_of(self, pieces: list[Period]) -> list[dict[int, tuple[int, ...]]]:
        """``case_facts`` of each of ``pieces`` (consecutive: a trend's months), in one
        query: it reads the calls once however many pieces there are."""
        whole = Period(pieces[0].first, pieces[-1].last, "")
        # each case's effective visits at once: 2 if one opened no rectification ticket,
        # 1 if all did. A join, not a subquery per case: PostgreSQL then reads the calls
        # once (about 20,000 pages whatever the period) rather than probing every case's
        # calls, its re-visits and tickets by index (1.7 million buffer reads a quarter)
        flags = (
            select(
                CallAttempt.case_id,
                func.max(case((Ticket.id.is_(None), 2), else_=1)).label("flag"),
            )
            .join(Case, Case.id == CallAttempt.case_id)
            .outerjoin(
                Ticket,
                and_(
                    Ticket.attempt_id == CallAttempt.id,
                    Ticket.kind == Kind.RECTIFICATION.value,
                ),
            )
            .where(completed_in(whole), effective_attempt())
            .group_by(CallAttempt.case_id)
            .subquery()
        )
        piece = case(
            *((Case.completed_on <= p.last, i) for i, p in enumerate(pieces)),
            else_=len(pieces),
        )
        complaint = Case.is_complaint.is_(True)
        stmt = (
            select(
                piece,
                Case.unit_id,
                func.count(),
                _sum(flags.c.flag >= 1),
                _sum(flags.c.flag == 2),
                _sum(complaint),
                _sum(and_(complaint, flags.c.flag >= 1)),
            )
            .select_from(Case)
            .outerjoin(flags, flags.c.case_id == Case.id)
            .where(completed_in(whole))
            .group_by(piece, Case.unit_id)
        )
        out: list[dict[int, tuple[int, ...]]] = [{} for _ in pieces]
        with transaction(self.sessions, "reports.case_facts") as s:
            _no_jit(s)
            for i, unit_id, *counts in s.execute(stmt):
                out[i][unit_id] = tuple(int(n) for n in counts)
        return out

    def call_facts(self, period: Period) -> dict[int, tuple[int, ...]]:
        """unit id → (first-level calls placed, of them completed), in the period."""
        stmt = (
            select(
                Case.unit_id,
                func.count(),
                _sum(CallAttempt.outcome == Outcome.COMPLETE.value),
            )
            .join(Case, Case.id == CallAttempt.case_id)
            .where(started_in(period), first_level())
            .group_by(Case.unit_id)
        )
        return self._grouped(stmt, "reports.call_facts")

    def round_facts(self, period: Period) -> dict[int, tuple[int, ...]]:
        """unit id → (二级回访数量, 回访满意数量, 督查核实数量, 初次督查核实满意数量,
        二次督查核实数量, 二次督查满意数量), by the tickets' responsible units."""
        stmt = (
            select(
                Ticket.unit_id,
                func.count(distinct(case((revisit_answered(period), Ticket.id)))),
                func.count(distinct(case((revisit_satisfied(period), Ticket.id)))),
                _sum(verified(period, second=False)),
                _sum(verified_satisfied(period, second=False)),
                _sum(verified(period, second=True)),
                _sum(verified_satisfied(period, second=True)),
            )
            .join(Ticket, Ticket.id == TicketRound.ticket_id)
            .where(_in(TicketRound.revisit_at, period) | _in(TicketRound.verified_at, period))
            .group_by(Ticket.unit_id)
        )
        return self._grouped(stmt, "reports.round_facts")

    def bad_facts(self, period: Period) -> dict[int, tuple[int, ...]]:
        """unit id → (差评 opened in the period, of them 办结)."""
        stmt = (
            select(Ticket.unit_id, func.count(), _sum(Ticket.state == State.CLOSED.value))
            .where(bad_opened(period))
            .group_by(Ticket.unit_id)
        )
        return self._grouped(stmt, "reports.bad_facts")

    def grade_facts(self, pieces: list[Period]) -> list[dict[int, tuple[int, ...]]]:
        """For each of ``pieces`` (consecutive, such as a quarter's months), unit id →
        answers 满意, 基本满意, 不满意 in first-level calls of it, of any question whose
        option words are one of the three grades; in one pass over the calls."""
        if not pieces:
            return []
        whole = Period(pieces[0].first, pieces[-1].last, "")
        piece = case(
            *((CallAttempt.started_at < bounds(p)[1], i) for i, p in enumerate(pieces)),
            else_=len(pieces),
        )
        stmt = (
            select(piece, Case.unit_id, *(_sum(AnswerRow.value == g) for g in GRADES))
            .select_from(AnswerRow)
            .join(CallAttempt, CallAttempt.id == AnswerRow.attempt_id)
            .join(Case, Case.id == CallAttempt.case_id)
            .where(started_in(whole), first_level(), AnswerRow.value.in_(GRADES))
            .group_by(piece, Case.unit_id)
        )
        out: list[dict[int, tuple[int, ...]]] = [{} for _ in pieces]
        with transaction(self.sessions, "reports.grade_facts") as s:
            _no_jit(s)
            for i, unit_id, *counts in s.execute(stmt):
                out[i][unit_id] = tuple(int(n) for n in counts)
        return out

    def distribution(
        self, period: Period, unit_ids: Collection[int] | None
    ) -> list[tuple[str, str, str, int]]:
        """(question id, question, option words, answers) of the first-level calls of the
        period, question by question, the most given option first."""
        stmt = (
            select(AnswerRow.question_id, AnswerRow.label, AnswerRow.value, func.count())
            .join(CallAttempt, CallAttempt.id == AnswerRow.attempt_id)
            .where(
                started_in(period),
                first_level(),
                AnswerRow.kind.in_(ANSWER_KINDS),
                AnswerRow.value.is_not(None),
            )
            .group_by(AnswerRow.question_id, AnswerRow.label, AnswerRow.value)
        )
        if unit_ids is not None:  # the cases are read only to choose the units'
            of_units = select(Case.id).where(Case.unit_id.in_(list(unit_ids)))
            stmt = stmt.where(CallAttempt.case_id.in_(of_units))
        with transaction(self.sessions, "reports.distribution") as s:
            _no_jit(s)
            rows = [(q, label, value or "", int(n)) for q, label, value, n in s.execute(stmt)]
        return sorted(rows, key=lambda r: (r[0], -r[3], r[2]))

    def deductions(self, period: Period) -> dict[int, list[Deduction]]:
        """unit id → the deductions entered for a day of the period."""
        stmt = select(ReportDeduction).where(
            ReportDeduction.applies_on.between(period.first, period.last)
        )
        out: dict[int, list[Deduction]] = {}
        with transaction(self.sessions, "reports.deductions") as s:
            for d in s.execute(stmt.order_by(ReportDeduction.id)).scalars():
                deduction = Deduction(DeductionKind(d.kind), d.count, d.reason)
                out.setdefault(d.unit_id, []).append(deduction)
        return out

    def deduction_log(self, period: Period) -> list[tuple[str, date, Deduction, str, datetime]]:
        """(unit, day, deduction, entered by, entered at) of the period, in entry order."""
        stmt = (
            select(ReportDeduction, Unit.name)
            .join(Unit, Unit.id == ReportDeduction.unit_id)
            .where(ReportDeduction.applies_on.between(period.first, period.last))
            .order_by(ReportDeduction.id)
        )
        with transaction(self.sessions, "reports.deduction_log") as s:
            return [
                (
                    name,
                    d.applies_on,
                    Deduction(DeductionKind(d.kind), d.count, d.reason),
                    d.entered_by,
                    d.entered_at,
                )
                for d, name in s.execute(stmt)
            ]

    def add_deduction(
        self, unit_id: int, on: date, deduction: Deduction, by: str, at: datetime
    ) -> int:
        with transaction(self.sessions, "reports.add_deduction") as s:
            row = ReportDeduction(
                unit_id=unit_id,
                applies_on=on,
                kind=deduction.kind.value,
                count=deduction.count,
                reason=deduction.reason.strip(),
                entered_by=by,
                entered_at=at,
            )
            s.add(row)
            s.flush()
            return row.id

    def _grouped(self, stmt: Any, name: str) -> dict[int, tuple[int, ...]]:
        with transaction(self.sessions, name) as s:
            _no_jit(s)
            return {row[0]: tuple(int(v) for v in row[1:]) for row in s.execute(stmt)}


def _no_jit(s: Session) -> None:
    """PostgreSQL compiles a query it costs high (JIT): for the grouped counts over a
    year of calls that compiling took half a second, longer than running them; these
    queries run without it."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("SET LOCAL jit = off"))
