"""The access log: who listened to which recording, saw which number, exported what.

Append and read, nothing else: there is deliberately no method that changes or removes
an entry, and the database refuses UPDATE and DELETE on the table as well.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from callcenter.access.permissions import PERMISSION_LABELS, Permission
from callcenter.access.tables import ACCESS_ACTIONS, AccessEvent
from callcenter.kernel.clock import Clock, SystemClock
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.transaction import transaction

# What each action is called on the access log page.
ACTION_LABELS = {
    "login": "登录",
    "login_failed": "登录失败",
    "logout": "退出",
    "play_recording": "收听录音",
    "reveal_phone": "查看完整号码",
    "export": "导出台账",
    "denied": "越权访问被拒",
    "user_added": "新增用户",
    "user_disabled": "停用用户",
    "password_changed": "修改密码",
}


# How refusals were described before they named the permission in words.
_PERMISSION_CODE = re.compile(r"需要 ([a-z_]+)$")


def needs(permission: Permission) -> str:
    """A refusal's reason: which permission the request needed."""
    return f"需要“{PERMISSION_LABELS[permission]}”权限"


@dataclass(frozen=True)
class AccessEntry:
    id: int
    at: datetime
    user_id: int | None
    username: str
    role: str | None
    action: str
    attempt_id: str | None
    recording_id: int | None
    detail: str
    remote: str

    @property
    def action_label(self) -> str:
        return ACTION_LABELS.get(self.action, self.action)

    @property
    def detail_label(self) -> str:
        """The detail as written, a permission's code (in older entries) as its name."""
        match = _PERMISSION_CODE.search(self.detail)
        if match is None or match[1] not in {p.value for p in Permission}:
            return self.detail
        return self.detail[: match.start()] + needs(Permission(match[1]))


@dataclass(frozen=True)
class AccessPage:
    entries: list[AccessEntry]
    total: int


class AccessLog:
    def __init__(self, sessions: sessionmaker[Session], clock: Clock | None = None) -> None:
        self._sessions = sessions
        self._clock = clock or SystemClock()

    def now(self) -> datetime:
        """The time entries are stamped with, for windows counted back from now."""
        return self._clock.now()

    def record(
        self,
        action: str,
        *,
        username: str,
        user_id: int | None = None,
        role: str | None = None,
        attempt_id: str | None = None,
        recording_id: int | None = None,
        detail: str = "",
        remote: str = "",
        at: datetime | None = None,
    ) -> int:
        """Append one entry; returns its id."""
        if action not in ACCESS_ACTIONS:
            raise LedgerError(f"access log action {action!r} is not one of {ACCESS_ACTIONS}")
        with transaction(self._sessions, "access_log.record") as s:
            row = AccessEvent(
                at=at or self._clock.now(),
                user_id=user_id,
                username=username[:64],
                role=role,
                action=action,
                attempt_id=attempt_id,
                recording_id=recording_id,
                detail=detail,
                remote=remote[:64],
            )
            s.add(row)
            s.flush()
            return row.id

    def record_once(
        self,
        action: str,
        *,
        since: datetime,
        username: str,
        user_id: int,
        recording_id: int,
        role: str | None = None,
        attempt_id: str | None = None,
        detail: str = "",
        remote: str = "",
    ) -> int | None:
        """Append one entry unless the user has an ``action`` entry for the recording from
        ``since`` on; returns the new entry's id, or None when there already was one.

        The check and the append are one transaction, serialised per user and recording
        (SQLite takes the write lock at BEGIN; PostgreSQL an advisory lock), so requests
        racing each other write one entry.
        """
        if action not in ACCESS_ACTIONS:
            raise LedgerError(f"access log action {action!r} is not one of {ACCESS_ACTIONS}")
        with transaction(self._sessions, "access_log.record_once") as s:
            if s.get_bind().dialect.name == "postgresql":
                s.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"),
                    {"key": _lock_key(action, user_id, recording_id)},
                )
            seen = s.execute(
                select(AccessEvent.id)
                .where(
                    AccessEvent.action == action,
                    AccessEvent.user_id == user_id,
                    AccessEvent.recording_id == recording_id,
                    AccessEvent.at >= since,
                )
                .limit(1)
            ).first()
            if seen is not None:
                return None
            row = AccessEvent(
                at=self._clock.now(),
                user_id=user_id,
                username=username[:64],
                role=role,
                action=action,
                attempt_id=attempt_id,
                recording_id=recording_id,
                detail=detail,
                remote=remote[:64],
            )
            s.add(row)
            s.flush()
            return row.id

    def entries(
        self,
        *,
        username: str | None = None,
        action: str | None = None,
        attempt_id: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> AccessPage:
        """Entries matching every filter given, newest first."""
        stmt = select(AccessEvent)
        if username:
            stmt = stmt.where(AccessEvent.username == username)
        if action:
            stmt = stmt.where(AccessEvent.action == action)
        if attempt_id:
            stmt = stmt.where(AccessEvent.attempt_id == attempt_id)
        with transaction(self._sessions, "access_log.entries") as s:
            total = s.execute(select(func.count()).select_from(stmt.subquery())).scalar_one()
            rows = s.execute(
                stmt.order_by(AccessEvent.at.desc(), AccessEvent.id.desc())
                .limit(limit)
                .offset(offset)
            ).scalars()
            return AccessPage([_entry(r) for r in rows], total)

    def count_since(self, action: str, username: str, since: datetime) -> int:
        """How often ``username`` did ``action`` from ``since`` on (to throttle logins)."""
        with transaction(self._sessions, "access_log.count_since") as s:
            return s.execute(
                select(func.count()).where(
                    AccessEvent.action == action,
                    AccessEvent.username == username,
                    AccessEvent.at >= since,
                )
            ).scalar_one()


def _lock_key(action: str, user_id: int, recording_id: int) -> int:
    """A signed 64-bit advisory lock key for one user's entries about one recording."""
    digest = hashlib.sha256(f"access_log:{action}:{user_id}:{recording_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _entry(row: AccessEvent) -> AccessEntry:
    return AccessEntry(
        id=row.id,
        at=row.at,
        user_id=row.user_id,
        username=row.username,
        role=row.role,
        action=row.action,
        attempt_id=row.attempt_id,
        recording_id=row.recording_id,
        detail=row.detail,
        remote=row.remote,
    )
