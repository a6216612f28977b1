"""Stored tickets: opening one, reading them back, and writing each transition.

Every write is one short transaction. Opening is idempotent: the unique key on the case
and its follow-up month lets the database decide between two openings of one case, and
a case with a ticket still open gets no second one. A transition is written only if
the ticket still has the version and state it was read with, so of two people acting
on one ticket at once exactly one succeeds and the other gets ``TicketConflict``.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session, aliased, sessionmaker

from callcenter.cases.store import CaseView, case_from_columns, select_cases
from callcenter.cases.tables import Case, Unit
from callcenter.kernel.clock import BEIJING
from callcenter.kernel.errors import LedgerError, TicketConflict, TicketNotFound
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import changed, insert
from callcenter.tickets.machine import Closure, Kind, State, Transition, opening_state
from callcenter.tickets.records import EventView, TicketView, event_view, round_view
from callcenter.tickets.tables import Ticket, TicketEvent, TicketRound

_NUMBER = re.compile(r"^\s*[Tt]?(\d{4})-(\d{1,9})\s*$")
_OPEN_TRIES = 5
SYSTEM = "system"


@dataclass(frozen=True)
class Opening:
    """What a new ticket is about."""

    case_id: int
    cycle: str  # YYYY-MM
    kind: Kind
    source: str  # call | rating
    channel: str
    complaint: str
    attempt_id: str | None = None
    question_ids: tuple[str, ...] = ()
    handler: str = ""


@dataclass(frozen=True)
class Change:
    """What a transition writes besides the state: who did it, what they gave, and the
    columns of the round it closes (and of the round it starts)."""

    actor: str
    role: str | None
    event: str
    detail: str = ""
    text: str = ""
    attempt_id: str | None = None
    round_values: dict[str, Any] = field(default_factory=dict)
    next_round: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TicketQuery:
    units: Collection[int] | None = None  # only these responsible units
    misconduct: bool = True  # include misconduct tickets
    kind: Kind | None = None
    states: Collection[State] | None = None
    month: tuple[datetime, datetime] | None = None  # opened in [start, end)
    text: str = ""  # in 工单号, 办件编号, applicant, matter
    limit: int | None = None


class TicketStore:
    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self.sessions = sessions

    # -- opening ---------------------------------------------------------------------

    def open(
        self,
        opening: Opening,
        now: datetime,
        contact_due: datetime | None,
        report_due: datetime | None,
    ) -> tuple[int, bool]:
        """The id of the case's ticket for this month (or of its ticket still open), and
        whether it was opened now."""
        for _ in range(_OPEN_TRIES):
            with transaction(self.sessions, "tickets.open") as s:
                existing = _existing(s, opening)
                if existing is not None:
                    return existing, False
                ticket_id = _insert(s, opening, now)
                if ticket_id is None:
                    continue  # a concurrent opening took this case or this number
                s.add(
                    TicketRound(
                        ticket_id=ticket_id,
                        round=1,
                        started_at=now,
                        contact_due=contact_due,
                        report_due=report_due,
                    )
                )
                s.add(
                    TicketEvent(
                        ticket_id=ticket_id,
                        round=1,
                        at=now,
                        actor=SYSTEM,
                        role=None,
                        event="open",
                        from_state=None,
                        to_state=opening_state(opening.kind).value,
                        detail=opening.channel,
                        text=opening.complaint,
                        attempt_id=opening.attempt_id,
                    )
                )
                return ticket_id, True
        raise LedgerError(f"no ticket could be numbered for case {opening.case_id}; try again")

    # -- reading ---------------------------------------------------------------------

    def load(self, ticket_id: int) -> TicketView:
        views = self._views(select(Ticket.id).where(Ticket.id == ticket_id))
        if not views:
            raise TicketNotFound(f"没有编号为 {ticket_id} 的工单", ticket=str(ticket_id))
        return views[0]

    def find(self, number: str) -> TicketView:
        """The ticket numbered ``number`` (T2026-0001)."""
        m = _NUMBER.match(number)
        if m is None:
            raise TicketNotFound(f"{number!r} 不是工单号（如 T2026-0001）", ticket=number)
        year, seq = int(m[1]), int(m[2])
        views = self._views(select(Ticket.id).where(Ticket.year == year, Ticket.seq == seq))
        if not views:
            raise TicketNotFound(f"没有工单号为 {number.strip()} 的工单", ticket=number.strip())
        return views[0]

    def search(self, query: TicketQuery) -> list[TicketView]:
        """Tickets matching every filter given, newest first."""
        stmt = select(Ticket.id).join(Case, Case.id == Ticket.case_id)
        if query.units is not None:
            stmt = stmt.where(Ticket.unit_id.in_(list(query.units)))
        if not query.misconduct:
            stmt = stmt.where(Ticket.kind != Kind.MISCONDUCT.value)
        if query.kind is not None:
            stmt = stmt.where(Ticket.kind == query.kind.value)
        if query.states is not None:
            stmt = stmt.where(Ticket.state.in_([s.value for s in query.states]))
        if query.month is not None:
            stmt = stmt.where(Ticket.opened_at >= query.month[0], Ticket.opened_at < query.month[1])
        if query.text.strip():
            stmt = stmt.where(_text_filter(query.text))
        stmt = stmt.order_by(Ticket.opened_at.desc(), Ticket.id.desc())
        if query.limit is not None:
            stmt = stmt.limit(query.limit)
        return self._views(stmt)

    def events(self, ticket_id: int) -> list[EventView]:
        with transaction(self.sessions, "tickets.events") as s:
            rows = s.execute(
                select(TicketEvent)
                .where(TicketEvent.ticket_id == ticket_id)
                .order_by(TicketEvent.at, TicketEvent.id)
            ).scalars()
            return [event_view(r) for r in rows]

    def revisit_ready(self, now: datetime) -> list[int]:
        """Tickets whose report has waited long enough for the re-visit, oldest first."""
        with transaction(self.sessions, "tickets.revisit_ready") as s:
            stmt = (
                select(Ticket.id)
                .join(
                    TicketRound,
                    (TicketRound.ticket_id == Ticket.id) & (TicketRound.round == Ticket.round),
                )
                .where(
                    Ticket.state == State.REPORTED.value,
                    or_(TicketRound.revisit_after.is_(None), TicketRound.revisit_after <= now),
                )
                .order_by(Ticket.id)
            )
            return list(s.execute(stmt).scalars())

    # -- writing a transition ----------------------------------------------------------

    def apply(self, ticket: TicketView, t: Transition, change: Change, now: datetime) -> None:
        """Write ``t`` on ``ticket`` as it was read; TicketConflict if it changed since."""
        values: dict[str, Any] = {
            "state": t.state.value,
            "round": t.round,
            "version": Ticket.version + 1,
            "updated_at": now,
        }
        round_values = dict(change.round_values)
        if t.closure is not None:
            values.update(closure=t.closure.value, flagged=t.flagged, closed_at=now)
            round_values["closed_at"] = now
        with transaction(self.sessions, "tickets.apply") as s:
            stmt = (
                update(Ticket)
                .where(
                    Ticket.id == ticket.id,
                    Ticket.version == ticket.version,
                    Ticket.state == ticket.state.value,
                )
                .values(**values)
            )
            if not changed(s, stmt):
                raise _conflict(s, ticket)
            if round_values:
                s.execute(
                    update(TicketRound)
                    .where(TicketRound.ticket_id == ticket.id, TicketRound.round == ticket.round)
                    .values(**round_values)
                )
            if t.new_round:
                s.add(
                    TicketRound(
                        ticket_id=ticket.id, round=t.round, started_at=now, **change.next_round
                    )
                )
            s.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    round=ticket.round,
                    at=now,
                    actor=change.actor,
                    role=change.role,
                    event=change.event,
                    from_state=ticket.state.value,
                    to_state=t.state.value,
                    detail=change.detail[:100],
                    text=change.text,
                    attempt_id=change.attempt_id,
                )
            )

    # -- plumbing --------------------------------------------------------------------

    def _views(self, ids: Select[Any]) -> list[TicketView]:
        parent = aliased(Unit)
        with transaction(self.sessions, "tickets.read") as s:
            id_list = list(s.execute(ids).scalars())
            if not id_list:
                return []
            tickets = {
                t.id: (t, unit, bureau)
                for t, unit, bureau in s.execute(
                    select(Ticket, Unit.name, func.coalesce(parent.name, Unit.name))
                    .join(Unit, Unit.id == Ticket.unit_id)
                    .outerjoin(parent, parent.id == Unit.parent_id)
                    .where(Ticket.id.in_(id_list))
                )
            }
            case_ids = {t.case_id for t, _, _ in tickets.values()}
            cases = {
                row[0]: case_from_columns(row)
                for row in s.execute(select_cases().where(Case.id.in_(case_ids)))
            }
            rounds: dict[int, list[TicketRound]] = {}
            for r in s.execute(
                select(TicketRound)
                .where(TicketRound.ticket_id.in_(id_list))
                .order_by(TicketRound.ticket_id, TicketRound.round)
            ).scalars():
                rounds.setdefault(r.ticket_id, []).append(r)
            return [_view(*tickets[i], cases[tickets[i][0].case_id], rounds[i]) for i in id_list]


def _view(
    t: Ticket, unit: str, bureau: str, case: CaseView, rounds: Sequence[TicketRound]
) -> TicketView:
    # the responsible unit is the ticket's, whatever the case's unit became since
    case = case if case.unit == unit else replace(case, unit=unit)
    return TicketView(
        id=t.id,
        number=t.number,
        kind=Kind(t.kind),
        state=State(t.state),
        round=t.round,
        version=t.version,
        case=case,
        unit_id=t.unit_id,
        bureau=bureau,
        cycle=t.cycle,
        source=t.source,
        attempt_id=t.attempt_id,
        channel=t.channel,
        complaint=t.complaint,
        question_ids=tuple(q for q in t.question_ids.split(",") if q),
        handler=t.handler,
        opened_at=t.opened_at,
        closed_at=t.closed_at,
        closure=None if t.closure is None else Closure(t.closure),
        flagged=t.flagged,
        rounds=tuple(round_view(r) for r in rounds),
    )


def _existing(s: Session, o: Opening) -> int | None:
    """The case's ticket for this month, or one of its tickets still open."""
    return (
        s.execute(
            select(Ticket.id)
            .where(
                Ticket.case_id == o.case_id,
                or_(Ticket.cycle == o.cycle, Ticket.closed_at.is_(None)),
            )
            .order_by(Ticket.id)
        )
        .scalars()
        .first()
    )


def _insert(s: Session, o: Opening, now: datetime) -> int | None:
    unit_id = s.execute(select(Case.unit_id).where(Case.id == o.case_id)).scalar_one_or_none()
    if unit_id is None:
        raise LedgerError(f"unknown case id {o.case_id}")
    year = now.astimezone(BEIJING).year
    seq = (s.execute(select(func.max(Ticket.seq)).where(Ticket.year == year)).scalar() or 0) + 1
    stmt = insert(s, Ticket).values(
        year=year,
        seq=seq,
        kind=o.kind.value,
        state=opening_state(o.kind).value,
        round=1,
        version=1,
        case_id=o.case_id,
        unit_id=unit_id,
        cycle=o.cycle,
        source=o.source,
        attempt_id=o.attempt_id,
        channel=o.channel,
        complaint=o.complaint,
        question_ids=",".join(o.question_ids),
        handler=o.handler,
        opened_at=now,
        flagged=False,
        updated_at=now,
    )
    return s.execute(stmt.on_conflict_do_nothing().returning(Ticket.id)).scalar_one_or_none()


def _conflict(s: Session, ticket: TicketView) -> TicketConflict:
    state = s.execute(select(Ticket.state).where(Ticket.id == ticket.id)).scalar_one_or_none()
    now_label = State(state).label if state is not None else "已不存在"
    return TicketConflict(
        f"工单{ticket.number}已被他人更新（当前状态：{now_label}），本次操作未保存，请刷新后重试。",
        ticket=ticket.number,
        state=state or "",
    )


def _text_filter(text: str) -> Any:
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    m = _NUMBER.match(text)
    columns = (Case.case_no, Case.applicant_name, Case.applicant_org, Case.matter)
    conditions: list[Any] = [c.ilike(pattern, escape="\\") for c in columns]
    if m is not None:
        conditions.append((Ticket.year == int(m[1])) & (Ticket.seq == int(m[2])))
    return or_(*conditions)
