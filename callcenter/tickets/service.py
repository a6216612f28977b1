"""Operations on 整改 tickets: opening them from finished calls and ratings, the people's
steps (contact, report, verification), the re-visits the dialler places, and notices.

Every step reads the ticket, lets the pure state machine decide, and writes the result
on condition that nobody changed the ticket in between (``TicketStore.apply``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from callcenter.calls.records import AttemptView
from callcenter.calls.store import Ledger
from callcenter.campaign.calendar import CallingCalendar
from callcenter.interview.answers import Answer
from callcenter.interview.outcome import Outcome
from callcenter.interview.script import Script
from callcenter.kernel.clock import Clock
from callcenter.kernel.errors import LedgerError, TicketConflict, TicketError
from callcenter.tickets import scope
from callcenter.tickets._month import beijing_month
from callcenter.tickets.board import Board
from callcenter.tickets.config import TicketSettings
from callcenter.tickets.deadlines import WorkingTime
from callcenter.tickets.machine import (
    Conclusion,
    Contact,
    ContactMethod,
    Event,
    Kind,
    Report,
    Revisit,
    RevisitReady,
    RevisitResult,
    State,
    Verify,
    advance,
)
from callcenter.tickets.notices import Notices, NotifyReport
from callcenter.tickets.notify import Notifier
from callcenter.tickets.records import TicketView
from callcenter.tickets.rules import assess
from callcenter.tickets.scope import Actor
from callcenter.tickets.staff import Staff
from callcenter.tickets.store import SYSTEM, Change, Opening, TicketQuery, TicketStore
from callcenter.tickets.units import Units

CALL_CHANNEL = "电话回访"


@dataclass(frozen=True)
class RevisitDue:
    """A ticket round whose re-visit call is due: what the dialler needs to place it."""

    ticket_id: int
    round: int
    case_id: int


class TicketService:
    def __init__(
        self,
        store: TicketStore,
        staff: Staff,
        calls: Ledger,
        scripts: Mapping[str, Script],
        calendar: CallingCalendar,
        settings: TicketSettings,
        clock: Clock,
        notifier: Notifier | None = None,
    ) -> None:
        self.store = store
        self.staff = staff
        self._calls = calls
        self._scripts = dict(scripts)
        self.settings = settings
        self.clock = clock
        self.time = WorkingTime(calendar.workdays, calendar.tz)
        self.units = Units(store.sessions)
        self.board = Board(store, self.units, self.time, settings)
        self._notices = Notices(store, staff, self.board, settings, notifier)

    # -- opening ---------------------------------------------------------------------

    def may_open(self, script_id: str, outcome: Outcome, answers: Sequence[Answer]) -> bool:
        """Whether a call that ended so, with these answers of its own, may call for a
        ticket; False spares reading every call back from the ledger when, as for most,
        none is due. An agent may have added answers to a transferred call: those are
        read back."""
        script = self._scripts.get(script_id)
        if script is None or outcome is Outcome.TRANSFERRED:
            return True
        return assess(script, answers) is not None

    def on_call_finished(self, attempt_id: str) -> int | None:
        """Open the ticket a finished call calls for, by its script's ``ticket_rules``;
        the ticket's id (also when it was opened before), or None if the call needs none."""
        attempt = self._calls.attempt(attempt_id)
        script = self._scripts.get(attempt.script_id)
        if not attempt.finished or script is None:
            return None
        finding = assess(script, [a.as_answer() for a in attempt.answers])
        if finding is None:
            return None
        opening = Opening(
            case_id=attempt.case_id,
            cycle=beijing_month(attempt.started_at),
            kind=finding.kind,
            source="call",
            channel=CALL_CHANNEL,
            complaint=finding.summary(),
            attempt_id=attempt_id,
            question_ids=finding.question_ids(),
        )
        return self.open(opening)[0]

    def open(self, opening: Opening) -> tuple[int, bool]:
        """Open ``opening``'s ticket unless the case has one for that month or one still
        open; (ticket id, whether opened now)."""
        now = self.clock.now()
        contact = report = None
        if opening.kind is Kind.RECTIFICATION:
            contact = self._due(now, "contact")
            report = self._due(now, "report")
        return self.store.open(opening, now, contact, report)

    # -- re-visits (再回访), placed by the dialler --------------------------------------

    def revisits_due(self, now: datetime | None = None) -> list[RevisitDue]:
        """Ticket rounds waiting for their re-visit call (待再回访), oldest first; reports
        that have waited ``revisit_after`` move there first."""
        now = now or self.clock.now()
        for ticket_id in self.store.revisit_ready(now):
            ticket = self.store.load(ticket_id)
            try:
                change = _system("revisit_due", values={"revisit_due_at": now})
                self._step(ticket, RevisitReady(), change, now)
            except (TicketConflict, TicketError):
                continue  # moved by another process meanwhile
        waiting = self.store.search(TicketQuery(states=[State.AWAITING_REVISIT]))
        return [
            RevisitDue(t.id, t.round, t.case.id)
            for t in sorted(waiting, key=lambda t: (t.current.revisit_due_at or now, t.id))
        ]

    def record_revisit(
        self, ticket_id: int, round: int, attempt_id: str | None, satisfied: bool | None
    ) -> bool:
        """The re-visit call's result: satisfied closes the ticket; not satisfied, or None
        (not reached after the retries), sends it to supervision. Idempotent per ticket
        and round: False if that round's result was recorded before."""
        now = self.clock.now()
        ticket = self.store.load(ticket_id)
        if _revisited(ticket, round):
            return False
        if ticket.round != round:
            raise TicketError(
                f"工单{ticket.number}当前为第{ticket.round}轮，不能记录第{round}轮的再回访结果",
                ticket=ticket.number,
                state=ticket.state.value,
                event=Revisit.name,
            )
        result = (
            RevisitResult.UNREACHABLE
            if satisfied is None
            else RevisitResult.SATISFIED
            if satisfied
            else RevisitResult.UNSATISFIED
        )
        values: dict[str, Any] = {
            "revisit_at": now,
            "revisit_result": result.value,
            "revisit_attempt_id": attempt_id,
        }
        change = _system("revisit", detail=result.label, attempt_id=attempt_id, values=values)
        try:
            self._step(ticket, Revisit(result), change, now)
        except TicketConflict:
            if _revisited(self.store.load(ticket_id), round):
                return False
            raise
        return True

    # -- the people's steps ------------------------------------------------------------

    def actor(self, username: str) -> Actor:
        return self.staff.actor(username)

    def contact(
        self,
        ticket: int | str,
        actor: Actor,
        method: ContactMethod,
        summary: str,
        attempt_id: str | None = None,
    ) -> TicketView:
        """The liaison contacted the applicant (待联系 → 整改中); ``attempt_id`` is the
        recorded call it was done by (click-to-dial), attached to the step."""
        t, now, summary = self._load(ticket), self.clock.now(), summary.strip()
        scope.require_action(actor, t, Contact.name)
        if self.settings.contact_by == "visit" and method is not ContactMethod.VISIT:
            raise TicketError(
                f"工单{t.number}须上门回访：本单位对“差评”的服务对象100%上门回访，"
                f"请在上门回访后以“{ContactMethod.VISIT.label}”记录（--method visit）",
                ticket=t.number,
                state=t.state.value,
                event=Contact.name,
            )
        values = {"contacted_at": now, "contact_method": method.value, "contact_summary": summary}
        change = _change(actor, Contact.name, values, detail=method.label, text=summary)
        change = replace(change, attempt_id=attempt_id)
        return self._act(t, Contact(method, summary), change, now)

    def report(self, ticket: int | str, actor: Actor, text: str) -> TicketView:
        """The unit's rectification report (整改中 → 已报告)."""
        t, now, text = self._load(ticket), self.clock.now(), text.strip()
        scope.require_action(actor, t, Report.name)
        after = self.settings.period("revisit_after")
        values = {
            "reported_at": now,
            "report_text": text,
            "revisit_after": now if after is None else self.time.due(now, after),
        }
        return self._act(t, Report(text), _change(actor, Report.name, values, text=text), now)

    def verify(
        self,
        ticket: int | str,
        actor: Actor,
        applicant_satisfied: bool | None,
        conclusion: Conclusion,
        text: str,
        attempt_id: str | None = None,
    ) -> TicketView:
        """Supervision's verification (督查核实 / 二次督查) and its conclusion; ``attempt_id``
        is the recorded call it was done by, if any."""
        t, now, text = self._load(ticket), self.clock.now(), text.strip()
        scope.require_action(actor, t, Verify.name)
        values = {
            "verified_at": now,
            "verified_by": actor.username,
            "applicant_satisfied": applicant_satisfied,
            "conclusion": conclusion.value,
            "verify_text": text,
        }
        change = _change(actor, Verify.name, values, detail=conclusion.label, text=text)
        change = replace(change, attempt_id=attempt_id)
        if conclusion is Conclusion.RETURNED:
            change = replace(change, next_round={"report_due": self._due(now, "report")})
        return self._act(t, Verify(applicant_satisfied, conclusion, text), change, now)

    # -- reading and notices -----------------------------------------------------------

    def ticket(self, ticket: int | str, actor: Actor | None = None) -> TicketView:
        """The ticket, if ``actor`` (None: the operator at the console) may see it."""
        t = self._load(ticket)
        if actor is not None:
            scope.require_sight(actor, t)
        return t

    def call(self, attempt_id: str) -> AttemptView | None:
        """The stored call (answers, recordings, transcripts); None if it is not stored."""
        try:
            return self._calls.attempt(attempt_id)
        except LedgerError:
            return None

    def notify_due(self, now: datetime | None = None) -> NotifyReport:
        """Send the notices due (opened, 预警, 超期), each once; see ``notices``."""
        return self._notices.run(now or self.clock.now())

    # -- plumbing --------------------------------------------------------------------

    def _load(self, ticket: int | str) -> TicketView:
        return self.store.load(ticket) if isinstance(ticket, int) else self.store.find(ticket)

    def _due(self, start: datetime, name: str) -> datetime | None:
        period = self.settings.period(name)
        return None if period is None else self.time.due(start, period)

    def _act(self, t: TicketView, event: Event, change: Change, now: datetime) -> TicketView:
        self._step(t, event, change, now)
        return self.store.load(t.id)

    def _step(self, t: TicketView, event: Event, change: Change, now: datetime) -> None:
        self.store.apply(t, advance(t.position, event), change, now)


def _change(
    actor: Actor, event: str, values: dict[str, Any], *, detail: str = "", text: str = ""
) -> Change:
    return Change(actor.username, actor.role, event, detail=detail, text=text, round_values=values)


def _system(
    event: str,
    *,
    detail: str = "",
    attempt_id: str | None = None,
    values: dict[str, Any] | None = None,
) -> Change:
    return Change(
        SYSTEM, None, event, detail=detail, attempt_id=attempt_id, round_values=values or {}
    )


def _revisited(ticket: TicketView, round: int) -> bool:
    return any(r.round == round and r.revisit_at is not None for r in ticket.rounds)
