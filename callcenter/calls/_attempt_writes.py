"""The writes every call makes as it goes, each a function of one connection, so that
the writes of many calls can share a transaction (``calls.write_batch``) or run alone
(``Ledger``). Each may be repeated: a second run finds the first one's work."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection

from callcenter.calls._statements import statements
from callcenter.interview.outcome import Outcome
from callcenter.kernel.errors import LedgerError

log = logging.getLogger("callcenter.calls.store")

T = TypeVar("T")
# a write on a connection inside a transaction that someone else opens and commits
Op = Callable[[Connection], T]


def stored_path(path: Path, storage_root: Path | None) -> str:
    """``path`` relative to ``storage_root`` when it lies under it, else as given."""
    if storage_root is not None and path.is_absolute():
        if path.is_relative_to(storage_root):
            return path.relative_to(storage_root).as_posix()
        # only when the plain paths differ: resolving costs a system call per component
        resolved, root = path.resolve(), storage_root.resolve()
        if resolved.is_relative_to(root):
            return resolved.relative_to(root).as_posix()
    return path.as_posix()


def require_attempt(c: Connection, attempt_id: str) -> None:
    found = c.execute(statements(c).attempt_exists, {"attempt_id": attempt_id}).first()
    if found is None:
        raise LedgerError(f"unknown call attempt {attempt_id!r}")


def mark_answered(c: Connection, attempt_id: str, at: datetime) -> None:
    changed = c.execute(statements(c).mark_answered, {"attempt_id": attempt_id, "at": at})
    if changed.first() is None:
        require_attempt(c, attempt_id)


def seal_call_recording(
    c: Connection, attempt_id: str, path: str, duration: float, sha256: str, now: datetime
) -> int:
    """The whole-call recording's row, made or brought up to date; its id."""
    sql = statements(c)
    existing: int | None = c.execute(
        sql.call_recording, {"attempt_id": attempt_id}
    ).scalar_one_or_none()
    if existing is not None:
        values = {"p_path": path, "p_duration": duration, "p_sha256": sha256}
        c.execute(sql.update_recording, {"recording_id": existing, **values})
        return existing
    require_attempt(c, attempt_id)
    row = {
        "attempt_id": attempt_id,
        "kind": "call",
        "created_at": now,
        "path": path,
        "duration_seconds": duration,
        "sha256": sha256,
    }
    recording_id: int = c.execute(sql.insert_recording, row).scalar_one()
    return recording_id


def finish_attempt(
    c: Connection,
    attempt_id: str,
    outcome: Outcome,
    cause: int | None,
    ended_at: datetime,
    note: str,
) -> bool:
    # The condition on ended_at makes the database arbitrate between racing
    # finishers: the second UPDATE matches no row.
    values = {
        "attempt_id": attempt_id,
        "p_outcome": outcome.value,
        "p_cause": cause,
        "p_ended_at": ended_at,
        "p_note": note,
    }
    if c.execute(statements(c).finish, values).first() is not None:
        # the controller logs the call's end with its case: once is enough
        log.debug("attempt %s finished: %s (cause %s)", attempt_id, outcome.value, cause)
        return True
    require_attempt(c, attempt_id)
    log.debug("attempt %s was already finished; %s ignored", attempt_id, outcome.value)
    return False
