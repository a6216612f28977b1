"""Tables of campaigns: the monthly sample and why each case is in it, the dial jobs that
work through it, the do-not-call list.

A dial job's ``attempt_key`` is the idempotency key of its next or current attempt; it is
also the call attempt's id and the Asterisk channel id, so a task delivered twice, or
retried after a crash, can never place a second call for the same attempt.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.kernel.orm import Base, UTCDateTime, one_of, utcnow

CAMPAIGN_STATES = ("planned", "running", "paused", "finished")
# why a case is in the sample: 投诉件100%回访 / 单位月度最低回访数 / 全局月度最低回访数 /
# 全部回访 (a profile that calls every case: 信阳, 许昌, 烟台)
SAMPLE_REASONS = ("complaint", "unit_quota", "bureau_quota", "all")
JOB_STATES = ("pending", "queued", "dialling", "done")
# how a finished job ended, as its 台账 would summarise it
JOB_RESULTS = ("completed", "refused", "partial", "unreached", "skipped")
# a month's sampled follow-up calls, or the re-visits of 整改 tickets placed in a month
CAMPAIGN_KINDS = ("followup", "revisit")


class Campaign(Base):
    """One month of calls covering the previous month's completed cases, or one month's
    re-visits (再回访) of 整改 tickets, placed by the same dialler."""

    __tablename__ = "campaigns"
    __table_args__ = (
        CheckConstraint(one_of("state", CAMPAIGN_STATES), name="state"),
        CheckConstraint(one_of("kind", CAMPAIGN_KINDS), name="kind"),
        UniqueConstraint("kind", "month"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), default="followup", server_default="followup")
    # calling month, YYYY-MM; or calling day, YYYY-MM-DD, of a profile called daily (烟台)
    month: Mapped[str] = mapped_column(String(10))
    key: Mapped[str] = mapped_column(String(16), unique=True)  # prefix of attempt keys
    period_start: Mapped[date] = mapped_column(Date)  # cases completed on or after
    period_end: Mapped[date] = mapped_column(Date)  # and before this day
    seed: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[str] = mapped_column(String(16), default="planned")
    # rules in force when sampled, quotas and shortfalls, exclusions (JSON)
    summary: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # why the dialler paused it (a day the calendar does not know…); cleared on resume
    pause_reason: Mapped[str | None] = mapped_column(Text)


class CampaignSample(Base):
    """A case drawn into a campaign, and the rule that drew it."""

    __tablename__ = "campaign_samples"
    __table_args__ = (
        UniqueConstraint("campaign_id", "case_id"),
        CheckConstraint(one_of("reason", SAMPLE_REASONS), name="reason"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    reason: Mapped[str] = mapped_column(String(16))
    draw: Mapped[int] = mapped_column(Integer)  # order drawn, for the audit trail


class DialJob(Base):
    """The calls owed to one sampled case: state, next due time, attempts so far."""

    __tablename__ = "dial_jobs"
    __table_args__ = (
        UniqueConstraint("campaign_id", "case_id", "round"),
        # a ticket's re-visit round is called once, whichever month's campaign holds it
        UniqueConstraint("ticket_id", "round"),
        CheckConstraint(one_of("state", JOB_STATES), name="state"),
        CheckConstraint(f"result IS NULL OR {one_of('result', JOB_RESULTS)}", name="result"),
        Index("ix_dial_jobs_state_due_at", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))
    phone: Mapped[str] = mapped_column(String(32))
    priority: Mapped[int] = mapped_column(Integer, default=1)  # 0 first (complaints)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempt_key: Mapped[str] = mapped_column(String(64), unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # attempts placed
    partials: Mapped[int] = mapped_column(Integer, default=0)  # interviews cut short
    owner: Mapped[str | None] = mapped_column(String(100))  # process dialling it
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_outcome: Mapped[str | None] = mapped_column(String(32))
    result: Mapped[str | None] = mapped_column(String(16))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # 0 for the follow-up call; n for the re-visit of round n of 整改 ticket ``ticket_id``
    round: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    ticket_id: Mapped[int | None] = mapped_column(Integer)
    # the script of the call, None for the controller's default
    script: Mapped[str | None] = mapped_column(String(64))


class DoNotCall(Base):
    """A number that asked not to be called again; honoured when sampling and dialling."""

    __tablename__ = "do_not_call"

    phone: Mapped[str] = mapped_column(String(32), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    added_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
