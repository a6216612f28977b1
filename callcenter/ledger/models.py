"""Tables of the ledger: units, cases (办件), call attempts, answers and recordings.

Every timestamp is a timezone-aware UTC ``datetime`` in Python whatever the database;
conversion to Asia/Shanghai happens only when a 台账 row is rendered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from callcenter.errors import LedgerError

UNIT_KINDS = ("bureau", "window", "station")  # 局 / 大厅窗口 / 所
RECORDING_KINDS = ("answer", "call")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A ``DateTime`` that only accepts aware values and always returns them in UTC.

    SQLite has no time zones, so values are stored there as naive UTC and the zone is
    put back on the way out; PostgreSQL gets ``timestamptz``. Naive input is refused
    because guessing its zone is how a call at 00:30 in Beijing lands in the wrong month.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise LedgerError(f"datetime {value.isoformat()} has no time zone; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Named constraints keep migrations reproducible and let SQLite batch mode find them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    """A 局, 大厅窗口 or 所; each keeps its own 台账."""

    __tablename__ = "units"
    __table_args__ = (CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))


class Case(Base):
    """A completed 办件 exported from the business system, the subject of a follow-up."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_no: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    applicant_name: Mapped[str] = mapped_column(String(100))
    applicant_org: Mapped[str] = mapped_column(Text, default="")
    title: Mapped[str] = mapped_column(String(16), default="")
    phone: Mapped[str] = mapped_column(String(32))
    matter: Mapped[str] = mapped_column(Text)
    completed_on: Mapped[date] = mapped_column(Date)
    is_complaint: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    unit: Mapped[Unit] = relationship()


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
    __table_args__ = (CheckConstraint(_in("kind", RECORDING_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.id"), index=True)
    question_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8))
    # Relative to the storage root when under it, so the tree can move as a whole.
    path: Mapped[str] = mapped_column(Text)
    duration_seconds: Mapped[float | None] = mapped_column(Float)
    sha256: Mapped[str | None] = mapped_column(String(64))
    transcript: Mapped[str | None] = mapped_column(Text)
    # callcenter.ledger.transcripts: pending | done | failed, None if never queued
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


# Tables of other concepts share this metadata, so that migrations and the check that
# models and migrations agree see them whichever module is imported first.
from callcenter.ledger import access_models as _access_models  # noqa: E402, F401
from callcenter.ledger import agent_models as _agent_models  # noqa: E402, F401
from callcenter.ledger import campaign_tables as _campaign_tables  # noqa: E402, F401
