"""Tables of calls: each dialled attempt, its answers and recordings, and the leases of
the processes that place calls."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from callcenter.cases.tables import Case
from callcenter.kernel.orm import Base, UTCDateTime, one_of, utcnow

RECORDING_KINDS = ("answer", "call")


class CallAttempt(Base):
    """One dialled call; its id is the Asterisk channel id, so retried writes collide."""

    __tablename__ = "call_attempts"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    script_id: Mapped[str] = mapped_column(String(64))
    attempt_no: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(32))
    hangup_cause: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    # the process placing the call (its ARI app name), so that a restart or another
    # process closes only calls no live process owns; added by revision campaigns
    owner: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    case: Mapped[Case] = relationship()
    answers: Mapped[list[AnswerRow]] = relationship(order_by="AnswerRow.id", viewonly=True)


class Recording(Base):
    """An audio file: the reply to one question, or the whole call."""

    __tablename__ = "recordings"
    __table_args__ = (CheckConstraint(one_of("kind", RECORDING_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.id"), index=True)
    question_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    # Relative to the storage root when under it, so the tree can move as a whole.
    path: Mapped[str] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    transcript: Mapped[str | None] = mapped_column(Text)
    # callcenter.transcription.store: pending | done | failed, None if never queued
    transcript_status: Mapped[str | None] = mapped_column(String(16))
    transcript_runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    transcript_engine: Mapped[str | None] = mapped_column(String(32))
    transcript_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnswerRow(Base):
    """The latest answer to one question of one attempt."""

    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.id"))
    question_id: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))
    keys: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    score: Mapped[int | None] = mapped_column(Integer)
    recording_id: Mapped[int | None] = mapped_column(ForeignKey("recordings.id"))
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    recording: Mapped[Recording | None] = relationship()


class ControllerLease(Base):
    """A process that places calls, alive while it renews ``expires_at``.

    Its ``owner`` is its ARI application name, unique among live processes because
    Asterisk gives each application one events WebSocket.
    """

    __tablename__ = "controller_leases"

    owner: Mapped[str] = mapped_column(String(100), primary_key=True)
    host: Mapped[str] = mapped_column(String(255), default="")
    pid: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
