"""Web users and their logged-in sessions.

Passwords arrive here already hashed (``callcenter.access.passwords``); this module only
stores and finds. Sessions expire after a spell of inactivity and, whatever the
activity, a fixed time after login; disabling a user ends all of that user's sessions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access.tables import ROLES, User, WebSession
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import AccountError, LedgerError
from callcenter.kernel.transaction import transaction

_USERNAME = re.compile(r"[\w.@-]{2,64}")


@dataclass(frozen=True)
class UserView:
    id: int
    username: str
    role: str
    disabled: bool
    created_at: datetime


@dataclass(frozen=True)
class Credentials:
    user: UserView
    password_hash: str = field(repr=False)


@dataclass(frozen=True)
class SessionView:
    user: UserView
    csrf_token: str = field(repr=False)
    expires_at: datetime


class Accounts:
    """Users (added, re-passworded, disabled; never deleted) and web sessions."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        idle: timedelta = timedelta(minutes=30),
        lifetime: timedelta = timedelta(hours=12),
        clock: Clock | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()
        self.idle = idle
        self.lifetime = lifetime

    # -- users -----------------------------------------------------------------------

    def add_user(self, username: str, role: str, password_hash: str) -> UserView:
        if not _USERNAME.fullmatch(username):
            raise AccountError(f"username {username!r} must be 2-64 letters, digits or . _ @ -")
        _check_role(role)
        try:
            with transaction(self._sessions, "add_user") as s:
                user = User(
                    username=username, role=role, password_hash=password_hash, disabled=False
                )
                s.add(user)
                s.flush()
                return _view(user)
        except LedgerError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise AccountError(f"user {username!r} already exists") from None
            raise

    def set_password(self, username: str, password_hash: str) -> UserView:
        with transaction(self._sessions, "set_password") as s:
            user = _require_user(s, username)
            user.password_hash = password_hash
            return _view(user)

    def disable_user(self, username: str) -> UserView:
        """Refuse the user's logins from now on and end the sessions already open."""
        with transaction(self._sessions, "disable_user") as s:
            user = _require_user(s, username)
            user.disabled = True
            s.execute(delete(WebSession).where(WebSession.user_id == user.id))
            return _view(user)

    def users(self) -> list[UserView]:
        with transaction(self._sessions, "users") as s:
            return [_view(u) for u in s.execute(select(User).order_by(User.username)).scalars()]

    def credentials(self, username: str) -> Credentials | None:
        """The user's stored hash, to check a password against; None if no such user."""
        with transaction(self._sessions, "credentials") as s:
            user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
            return None if user is None else Credentials(_view(user), user.password_hash)

    # -- sessions --------------------------------------------------------------------

    def open_session(self, user_id: int, token_hash: str, csrf_token: str) -> SessionView:
        now = self._clock.now()
        with transaction(self._sessions, "open_session") as s:
            user = s.get(User, user_id)
            if user is None or user.disabled:
                raise AccountError(f"user id {user_id} is unknown or disabled")
            row = WebSession(
                id=token_hash,
                user_id=user_id,
                csrf_token=csrf_token,
                created_at=now,
                last_seen_at=now,
                expires_at=now + min(self.idle, self.lifetime),
            )
            s.add(row)
            return SessionView(_view(user), csrf_token, row.expires_at)

    def session(self, token_hash: str) -> SessionView | None:
        """The live session with this token hash, its expiry pushed on; None if there is
        none, it has expired or its user was disabled (it is removed then)."""
        now = self._clock.now()
        with transaction(self._sessions, "session") as s:
            row = s.get(WebSession, token_hash)
            if row is None:
                return None
            user = s.get(User, row.user_id)
            if user is None or user.disabled or row.expires_at <= now:
                s.delete(row)
                return None
            row.last_seen_at = now
            row.expires_at = min(now + self.idle, row.created_at + self.lifetime)
            return SessionView(_view(user), row.csrf_token, row.expires_at)

    def grant_reveal(self, token_hash: str, attempt_id: str, lasting: timedelta) -> None:
        """Let the session's next page of the call show its full number, once, within
        ``lasting``: the reveal redirects to that page, whose reload shows it masked."""
        with transaction(self._sessions, "grant_reveal") as s:
            s.execute(
                update(WebSession)
                .where(WebSession.id == token_hash)
                .values(reveal_attempt_id=attempt_id, reveal_until=self._clock.now() + lasting)
            )

    def take_reveal(self, token_hash: str, attempt_id: str) -> bool:
        """Whether the session may show the call's full number now; used up if so."""
        with transaction(self._sessions, "take_reveal") as s:
            result = s.execute(
                update(WebSession)
                .where(
                    WebSession.id == token_hash,
                    WebSession.reveal_attempt_id == attempt_id,
                    WebSession.reveal_until > self._clock.now(),
                )
                .values(reveal_attempt_id=None, reveal_until=None)
            )
            return bool(getattr(result, "rowcount", 0))

    def close_session(self, token_hash: str) -> None:
        with transaction(self._sessions, "close_session") as s:
            s.execute(delete(WebSession).where(WebSession.id == token_hash))

    def purge_expired(self) -> int:
        """Remove sessions past their expiry; returns how many."""
        with transaction(self._sessions, "purge_expired") as s:
            result = s.execute(delete(WebSession).where(WebSession.expires_at <= self._clock.now()))
            return int(getattr(result, "rowcount", 0) or 0)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise AccountError(f"role {role!r} is not one of {', '.join(ROLES)}")


def _require_user(s: Session, username: str) -> User:
    user = s.execute(select(User).where(User.username == username)).scalar_one_or_none()
    if user is None:
        raise AccountError(f"no user {username!r}")
    return user


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.role, user.disabled, user.created_at)
