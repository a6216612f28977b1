"""Tickets as the lists show them: each with the deadline running now and where it stands
(正常 / 预警 / 超期), filtered by unit, state, kind, month and urgency, within what the
viewer may see."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from callcenter.tickets._month import month_bounds
from callcenter.tickets.config import TicketSettings
from callcenter.tickets.deadlines import Urgency, WorkingTime, urgency
from callcenter.tickets.machine import Kind, State
from callcenter.tickets.records import TicketView
from callcenter.tickets.scope import Actor, sees
from callcenter.tickets.store import TicketQuery, TicketStore
from callcenter.tickets.units import Units

OPEN_STATES = tuple(s for s in State if s is not State.CLOSED)
_STAGE_LABELS = {"contact": "联系申请人", "report": "提交整改报告"}


@dataclass(frozen=True)
class Filters:
    unit: str | None = None  # with its 所 and 窗口
    state: State | None = None
    kind: Kind | None = None
    urgency: Urgency | None = None  # WARNING (预警) or OVERDUE (超期)
    month: str | None = None  # opened in, YYYY-MM (Beijing)
    text: str = ""


@dataclass(frozen=True)
class Line:
    ticket: TicketView
    stage: str | None  # the stage whose deadline runs: contact / report
    due: datetime | None
    urgency: Urgency

    @property
    def stage_label(self) -> str:
        return _STAGE_LABELS.get(self.stage or "", "")


@dataclass(frozen=True)
class Status:
    by_state: dict[State, int]
    alerts: list[Line] = field(default_factory=list)  # 预警 and 超期, most urgent first

    @property
    def open(self) -> int:
        return sum(n for s, n in self.by_state.items() if s is not State.CLOSED)


class Board:
    def __init__(
        self, store: TicketStore, units: Units, time: WorkingTime, settings: TicketSettings
    ) -> None:
        self._store = store
        self._units = units
        self._time = time
        self._warn_hours = settings.warn_hours

    def line(self, ticket: TicketView, now: datetime) -> Line:
        stage, due = ticket.deadline()
        return Line(ticket, stage, due, urgency(self._time, now, due, self._warn_hours))

    def lines(self, actor: Actor | None, filters: Filters, now: datetime) -> list[Line]:
        """The tickets ``actor`` (None: the operator at the console) sees, newest first."""
        units: set[int] | None = None
        if filters.unit:
            units = self._units.under(filters.unit)
        if actor is not None and actor.scoped:
            units = set(actor.units) if units is None else units & actor.units
        query = TicketQuery(
            units=units,
            misconduct=actor is None or actor.sees_misconduct,
            kind=filters.kind,
            states=None if filters.state is None else [filters.state],
            month=None if not filters.month else month_bounds(filters.month),
            text=filters.text,
        )
        if filters.urgency in (Urgency.WARNING, Urgency.OVERDUE):
            query = replace(query, states=_deadline_states(filters.state))
        found = self._store.search(query)
        lines = [self.line(t, now) for t in found if actor is None or sees(actor, t)]
        if filters.urgency is not None:
            lines = [line for line in lines if line.urgency is filters.urgency]
        return lines

    def alerts(self, actor: Actor | None, now: datetime, unit: str | None = None) -> list[Line]:
        """预警 and 超期 tickets, the most overdue first."""
        lines = []
        for level in (Urgency.OVERDUE, Urgency.WARNING):
            lines += self.lines(actor, Filters(unit=unit, urgency=level), now)
        return sorted(lines, key=lambda line: (line.due or now, line.ticket.id))

    def status(self, actor: Actor | None, now: datetime, unit: str | None = None) -> Status:
        every = self.lines(actor, Filters(unit=unit), now)
        counts = Counter(line.ticket.state for line in every)
        return Status({s: counts.get(s, 0) for s in State}, self.alerts(actor, now, unit))


def _deadline_states(state: State | None) -> list[State]:
    with_deadlines = [State.AWAITING_CONTACT, State.RECTIFYING]
    return with_deadlines if state is None else [s for s in with_deadlines if s is state]
