"""Tables of the 整改 tickets: the ticket, each round of rectification, every event, the
notices sent and where they go.

A case has at most one ticket per follow-up month (``cycle``), whatever the number of
answers or ratings that called for it: the unique key makes opening twice a no-op. A
ticket's ``version`` grows with every change and each change is conditional on it, so
of two people acting on one ticket at once the database lets exactly one through.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.kernel.orm import Base, UTCDateTime, one_of
from callcenter.tickets.machine import (
    Closure,
    Conclusion,
    ContactMethod,
    Kind,
    RevisitResult,
    State,
)

KINDS = tuple(k.value for k in Kind)
STATES = tuple(s.value for s in State)
SOURCES = ("call", "rating")
NOTICES = ("opened", "due_soon", "overdue")
NOTICE_STAGES = ("open", "contact", "report")


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("case_id", "cycle"),
        UniqueConstraint("year", "seq"),
        CheckConstraint(one_of("kind", KINDS), name="kind"),
        CheckConstraint(one_of("state", STATES), name="state"),
        CheckConstraint(one_of("source", SOURCES), name="source"),
        CheckConstraint(one_of("closure", tuple(c.value for c in Closure)), name="closure"),
        Index("ix_tickets_state_unit_id", "state", "unit_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # the number people use, T<year>-<seq>: T2026-0001
    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    round: Mapped[int] = mapped_column(Integer, default=1)
    version: Mapped[int] = mapped_column(Integer, default=1)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    # the responsible unit (责任单位): the 窗口 or 所 that handled the case
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    # the Beijing month of the follow-up (or rating) that opened it, YYYY-MM
    cycle: Mapped[str] = mapped_column(String(7))
    source: Mapped[str] = mapped_column(String(8))
    # the call that opened it; for a rating, None
    attempt_id: Mapped[str | None] = mapped_column(ForeignKey("call_attempts.id"), index=True)
    channel: Mapped[str] = mapped_column(String(32))  # 电话回访, 评价器, APP, …
    # 不满意内容 as it stood when opened; the call's reasons are read from its recordings
    complaint: Mapped[str] = mapped_column(Text)
    # the call's matched questions and their recorded reasons, comma-separated ids
    question_ids: Mapped[str] = mapped_column(Text, default="")
    # 经办人 named by a ratings file: never the one to verify the ticket
    handler: Mapped[str] = mapped_column(String(64), default="")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closure: Mapped[str | None] = mapped_column(String(24))
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # 问责
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    @property
    def number(self) -> str:
        return ticket_number(self.year, self.seq)


def ticket_number(year: int, seq: int) -> str:
    return f"T{year}-{seq:04d}"


class TicketRound(Base):
    """One round of rectification: its deadlines and when each stage happened, so a
    report can count first and second rounds apart (济宁 第十五条)."""

    __tablename__ = "ticket_rounds"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round"),
        CheckConstraint(
            one_of("contact_method", tuple(m.value for m in ContactMethod)), name="contact_method"
        ),
        CheckConstraint(
            one_of("revisit_result", tuple(r.value for r in RevisitResult)), name="revisit_result"
        ),
        CheckConstraint(
            one_of("conclusion", tuple(c.value for c in Conclusion)), name="conclusion"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"))
    round: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    contact_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contacted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    contact_method: Mapped[str | None] = mapped_column(String(8))
    contact_summary: Mapped[str | None] = mapped_column(Text)
    reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    report_text: Mapped[str | None] = mapped_column(Text)
    revisit_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revisit_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revisit_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revisit_result: Mapped[str | None] = mapped_column(String(16))
    revisit_attempt_id: Mapped[str | None] = mapped_column(
        ForeignKey("call_attempts.id"), index=True
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verified_by: Mapped[str | None] = mapped_column(String(64))
    applicant_satisfied: Mapped[bool | None] = mapped_column(Boolean)
    conclusion: Mapped[str | None] = mapped_column(String(16))
    verify_text: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TicketEvent(Base):
    """One step of a ticket's timeline: who did what, when, and what they wrote."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(64))  # a user name, or "system"
    role: Mapped[str | None] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    detail: Mapped[str] = mapped_column(String(100), default="")  # method, result, conclusion
    text: Mapped[str] = mapped_column(Text, default="")
    attempt_id: Mapped[str | None] = mapped_column(String(64))


class TicketNotice(Base):
    """A notice to one user about one ticket: claimed before it is sent, so each is sent
    once however often and wherever the periodic sender runs.

    Users are named by id without foreign keys, here and below: the tickets' revisions
    branch from the initial one, not from the access feature's, which holds ``users``.
    """

    __tablename__ = "ticket_notices"
    __table_args__ = (
        UniqueConstraint("ticket_id", "round", "notice", "stage", "user_id"),
        CheckConstraint(one_of("notice", NOTICES), name="notice"),
        CheckConstraint(one_of("stage", NOTICE_STAGES), name="stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    round: Mapped[int] = mapped_column(Integer)
    notice: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[int] = mapped_column(Integer)
    address: Mapped[str] = mapped_column(String(254))
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TicketRecipient(Base):
    """Where a user's ticket notices go."""

    __tablename__ = "ticket_recipients"

    user_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
