"""Tables of the human agents who take calls over, and of what happened to each takeover.

An agent is a PJSIP endpoint of the same name; only the digest PJSIP needs is kept
(``MD5:md5(login:realm:password)``), never the password. A takeover is one handover of
a call to a person; each agent rung for it is an offer. A call-back task is what is
left when nobody could take the call.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.kernel.orm import Base, UTCDateTime, one_of, utcnow

AGENT_KINDS = ("agent", "supervisor")  # 话务员 take calls; 督查 listen in
TAKEOVER_STATES = ("ringing", "connected", "ended", "no_agent", "abandoned")
OFFER_RESULTS = ("ringing", "answered", "no_answer", "rejected", "busy", "failed", "cancelled")
CALLBACK_STATES = ("open", "done")

# What the agent says came of the conversation (the screen's choices).
AGENT_OUTCOMES = {
    "explained": "已解释说明",
    "follow_up": "转办件单位跟进",
    "complaint": "登记为投诉",
    "misconduct": "登记不廉洁问题线索",
    "no_issue": "无需处理",
}


class Agent(Base):
    __tablename__ = "agents"
    __table_args__ = (CheckConstraint(one_of("kind", AGENT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # SIP user name, PJSIP endpoint/aor/auth id, and the web user name of the agent
    login: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    realm: Mapped[str] = mapped_column(String(64))
    password_digest: Mapped[str] = mapped_column(String(80))
    enabled: Mapped[bool] = mapped_column(default=True)
    # set by the agent on the screen: willing to take calls now
    ready: Mapped[bool] = mapped_column(default=False)
    # when the agent last finished a call (or became ready): longest idle is rung first
    idle_since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # the takeover the agent is being rung for or talking in; claimed atomically so
    # that two calls, in any process, never ring one agent at once
    busy_with: Mapped[int | None] = mapped_column(Integer)
    busy_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Takeover(Base):
    __tablename__ = "takeovers"
    __table_args__ = (CheckConstraint(one_of("state", TAKEOVER_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.id"), index=True)
    rule_id: Mapped[str] = mapped_column(String(32))
    rule_label: Mapped[str] = mapped_column(String(100))
    question_id: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(4))
    misconduct: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(16))
    agent_login: Mapped[str | None] = mapped_column(String(32), index=True)
    # the ARI ids of the live conversation, for listening in
    channel_id: Mapped[str | None] = mapped_column(String(64))
    bridge_id: Mapped[str | None] = mapped_column(String(64))
    fired_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ringing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    connected_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # the agent's record of the conversation
    outcome: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(Text, default="")
    noted_by: Mapped[str | None] = mapped_column(String(64))
    noted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TakeoverOffer(Base):
    """One agent rung for one takeover."""

    __tablename__ = "takeover_offers"
    __table_args__ = (CheckConstraint(one_of("result", OFFER_RESULTS), name="result"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    takeover_id: Mapped[int] = mapped_column(ForeignKey("takeovers.id"), index=True)
    agent_login: Mapped[str] = mapped_column(String(32), index=True)
    channel_id: Mapped[str] = mapped_column(String(64))
    result: Mapped[str] = mapped_column(String(16))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ringing_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cause: Mapped[int | None] = mapped_column(Integer)


class CallbackTask(Base):
    """A person to call back: nobody could take the call when a takeover rule fired."""

    __tablename__ = "callback_tasks"
    __table_args__ = (CheckConstraint(one_of("state", CALLBACK_STATES), name="state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    attempt_id: Mapped[str] = mapped_column(ForeignKey("call_attempts.id"), index=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    takeover_id: Mapped[int | None] = mapped_column(ForeignKey("takeovers.id"))
    reason: Mapped[str] = mapped_column(Text)
    misconduct: Mapped[bool] = mapped_column(default=False)
    state: Mapped[str] = mapped_column(String(8), default="open")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    done_by: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    note: Mapped[str] = mapped_column(Text, default="")
