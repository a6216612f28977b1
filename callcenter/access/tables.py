"""Tables of who may use the web pages and what they looked at.

Users are disabled, never deleted, so every entry of the access log keeps naming a
real account. The access log is append-only: the code has no way to change or remove
an entry, and the database refuses to (triggers added by the ``web_access`` revision).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from callcenter.kernel.orm import Base, UTCDateTime, one_of, utcnow

# 管理员 / 纪检督查负责人 / 督查人员 / 话务员 / 整改联络员 (a unit's liaison, 济宁 第四条)
ROLES = ("admin", "supervisor", "auditor", "agent", "liaison")

ACCESS_ACTIONS = (
    "login",
    "login_failed",
    "logout",
    "play_recording",
    "reveal_phone",
    "export",
    "denied",
    "user_added",
    "user_disabled",
    "password_changed",
)


class User(Base):
    """Someone who may log in to the web pages."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebSession(Base):
    """A logged-in browser. The cookie holds a random token; only its SHA-256 is kept
    here, so a copy of the database does not let anyone log in."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256(token), hex
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A full phone number shown once: the call it was revealed for, until when the
    # page the reveal redirects to may show it (callcenter.access.accounts).
    reveal_attempt_id: Mapped[str | None] = mapped_column(String(64))
    reveal_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessEvent(Base):
    """One entry of the access log: who did what, when, to which call or recording.

    No foreign keys: an entry must stay as written whatever happens to what it names.
    """

    __tablename__ = "access_log"
    __table_args__ = (CheckConstraint(one_of("action", ACCESS_ACTIONS), name="action"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer)
    # As typed at the login form for a failed login; "cli:<os user>" for the command line.
    username: Mapped[str] = mapped_column(String(64))
    role: Mapped[str | None] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    attempt_id: Mapped[str | None] = mapped_column(String(64))
    recording_id: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    remote: Mapped[str] = mapped_column(String(64), default="")


class UnitBinding(Base):
    """The unit (局, 窗口 or 所) a user works for: a liaison sees and acts on that unit's
    整改 tickets (its 所 and 窗口 included), and no one verifies the tickets of their own
    unit. The unit is named by id only, so access imports nothing of the cases."""

    __tablename__ = "user_units"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    bound_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LoginThrottle(Base):
    """Failed logins counted per account name and per client address
    (``callcenter.access.throttle``). A try is counted before its password is checked
    and given back when the password was right, so concurrent guesses cannot all pass."""

    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)  # account:… / address:…
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    blocked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
