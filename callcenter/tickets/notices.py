"""Which notices are due and sending each once: a ticket opened (or sent back for another
round), a deadline near (预警) or passed (超期), to the liaisons who see the ticket and
to supervision.

Each notice to each user is claimed in the database before it is sent (a unique key
on ticket, round, notice, stage and user), so however often and on however many hosts
the periodic sender runs, a notice goes out once. A failed send gives its claim back
for the next run; a claim left unsent by a sender that died is taken over after
``CLAIM_TIMEOUT``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, update

from callcenter.kernel.clock import BEIJING
from callcenter.kernel.errors import ConfigError, NotifyError
from callcenter.kernel.transaction import transaction
from callcenter.kernel.upsert import insert
from callcenter.tickets.board import OPEN_STATES, Board, Filters, Line
from callcenter.tickets.config import TicketSettings
from callcenter.tickets.deadlines import Urgency
from callcenter.tickets.machine import Kind
from callcenter.tickets.notify import Message, Notifier
from callcenter.tickets.staff import Recipient, Staff
from callcenter.tickets.store import TicketStore
from callcenter.tickets.tables import TicketNotice

log = logging.getLogger(__name__)

CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass
class NotifyReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)
    # tickets with a notice due that nobody with a mail address would get
    unaddressed: list[str] = field(default_factory=list)


class Notices:
    def __init__(
        self,
        store: TicketStore,
        staff: Staff,
        board: Board,
        settings: TicketSettings,
        notifier: Notifier | None,
    ) -> None:
        self._store = store
        self._staff = staff
        self._board = board
        self._settings = settings
        self._notifier = notifier

    def run(self, now: datetime) -> NotifyReport:
        if self._notifier is None:
            raise ConfigError("no notifier: set tickets.smtp_host to send ticket notices by mail")
        report = NotifyReport()
        for state in OPEN_STATES:
            for line in self._board.lines(None, Filters(state=state), now):
                due = _due_notices(line)
                if not due:
                    continue
                recipients = self._staff.recipients(line.ticket)
                if not recipients:
                    report.unaddressed.append(line.ticket.number)
                    continue
                for notice, stage in due:
                    for r in recipients:
                        self._one(line, notice, stage, r, now, report)
        return report

    def _one(
        self,
        line: Line,
        notice: str,
        stage: str,
        r: Recipient,
        now: datetime,
        report: NotifyReport,
    ) -> None:
        assert self._notifier is not None
        claim = self._claim(line, notice, stage, r, now)
        if claim is None:
            return
        message = compose(line, notice, r.email, self._settings.base_url)
        try:
            self._notifier.send(message)
        except NotifyError as exc:
            log.warning("ticket %s: %s", line.ticket.number, exc)
            report.failed.append(f"{line.ticket.number} → {r.username}: {exc}")
            with transaction(self._store.sessions, "tickets.notice_release") as s:
                s.execute(delete(TicketNotice).where(TicketNotice.id == claim))
            return
        with transaction(self._store.sessions, "tickets.notice_sent") as s:
            s.execute(update(TicketNotice).where(TicketNotice.id == claim).values(sent_at=now))
        report.sent += 1

    def _claim(
        self, line: Line, notice: str, stage: str, r: Recipient, now: datetime
    ) -> int | None:
        t = line.ticket
        key = {"ticket_id": t.id, "round": t.round, "notice": notice, "stage": stage}
        with transaction(self._store.sessions, "tickets.notice_claim") as s:
            stmt = insert(s, TicketNotice).values(
                **key, user_id=r.user_id, address=r.email, claimed_at=now, sent_at=None
            )
            claimed = s.execute(
                stmt.on_conflict_do_nothing().returning(TicketNotice.id)
            ).scalar_one_or_none()
            if claimed is not None:
                return claimed
            stale = (
                update(TicketNotice)
                .where(
                    *(getattr(TicketNotice, k) == v for k, v in key.items()),
                    TicketNotice.user_id == r.user_id,
                    TicketNotice.sent_at.is_(None),
                    TicketNotice.claimed_at < now - CLAIM_TIMEOUT,
                )
                .values(claimed_at=now, address=r.email)
                .returning(TicketNotice.id)
            )
            return s.execute(stale).scalar_one_or_none()


def _due_notices(line: Line) -> list[tuple[str, str]]:
    """(notice, stage) pairs due for the ticket of ``line`` now."""
    due = [("opened", "open")]
    if line.stage is not None and line.urgency is Urgency.WARNING:
        due.append(("due_soon", line.stage))
    if line.stage is not None and line.urgency is Urgency.OVERDUE:
        due.append(("overdue", line.stage))
    return due


def compose(line: Line, notice: str, to: str, base_url: str = "") -> Message:
    """The mail of one notice, in the words of the pages."""
    t = line.ticket
    due = "" if line.due is None else line.due.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    heading = f"{t.title}（{t.state.label}）"
    if notice == "opened":
        subject = f"【新工单】{heading} {t.unit}"
        if t.kind is Kind.MISCONDUCT:
            lead = "回访中申请人反映索拿卡要等不廉洁行为，请督查部门核实。"
        elif t.round > 1:
            lead = f"督查核实退回重新整改（第{t.round}轮），请于{due}前提交整改报告。"
        else:
            lead = f"申请人对办理情况不满意，请于{due}前{line.stage_label}。"
    elif notice == "due_soon":
        subject = f"【预警】{heading} {line.stage_label}将于{due}到期"
        lead = f"{line.stage_label}的期限为{due}，请尽快办理。"
    else:
        subject = f"【超期】{heading} {line.stage_label}已于{due}到期"
        lead = f"{line.stage_label}的期限{due}已过，工单已超期。"
    body = [
        heading,
        lead,
        f"责任单位：{t.unit}",
        f"办件编号：{t.case.case_no}　回访事项：{t.case.matter}",
        f"不满意内容：{t.complaint}",
    ]
    if base_url:
        body.append(f"{base_url.rstrip('/')}/tickets/{t.number}")
    return Message(to=to, subject=subject, body="\n".join(body) + "\n")
