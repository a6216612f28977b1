"""One short transaction with the ledger's error translation, for every ledger module."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn, TypeVar, cast

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.kernel.errors import CallcenterError, LedgerBusy, LedgerError, LedgerUnavailable

log = logging.getLogger(__name__)


@contextmanager
def transaction(sessions: sessionmaker[Session], action: str) -> Iterator[Session]:
    """A session in a transaction committed on success; database errors become
    ``LedgerUnavailable`` (worth retrying) or ``LedgerError`` naming ``action``."""
    try:
        with sessions.begin() as session:
            yield session
    except SQLAlchemyError as exc:
        _reraise(exc, action)


@contextmanager
def core_transaction(engine: Engine, action: str) -> Iterator[Connection]:
    """Like ``transaction``, on a plain connection: for the writes every call makes,
    where the ORM session's unit of work costs more than the statements it runs."""
    try:
        with engine.begin() as connection:
            yield connection
    except SQLAlchemyError as exc:
        _reraise(exc, action)


def _reraise(exc: SQLAlchemyError, action: str) -> NoReturn:
    if isinstance(exc, StatementError) and isinstance(exc.orig, CallcenterError):
        raise exc.orig from None
    transient = isinstance(exc, OperationalError) or (
        isinstance(exc, DBAPIError) and exc.connection_invalidated
    )
    error = LedgerUnavailable if transient else LedgerError
    if _contention(exc):
        error = LedgerBusy
    raise error(f"ledger {action} failed: {_first_line(exc)}") from exc


# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available
_CONTENTION_STATES = {"40001", "40P01", "55P03"}
# SQLite's messages for SQLITE_BUSY and SQLITE_LOCKED
_CONTENTION_MESSAGES = ("database is locked", "database table is locked", "database is busy")


def _contention(exc: SQLAlchemyError) -> bool:
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) in _CONTENTION_STATES:
        return True
    return isinstance(exc, OperationalError) and any(m in str(orig) for m in _CONTENTION_MESSAGES)


F = TypeVar("F", bound=Callable[..., Any])
BUSY_ATTEMPTS = 5
BUSY_FIRST_DELAY_S = 0.2


def retry_when_busy(func: F) -> F:
    """Repeat a write that lost to other writers (``LedgerBusy``), with growing
    jittered pauses: for writes that are safe to repeat, so that a call's record never
    depends on winning a lock race."""

    @functools.wraps(func)
    def retrying(*args: Any, **kwargs: Any) -> Any:
        for attempt in range(1, BUSY_ATTEMPTS + 1):
            try:
                return func(*args, **kwargs)
            except LedgerBusy as exc:
                if attempt == BUSY_ATTEMPTS:
                    raise
                delay = BUSY_FIRST_DELAY_S * 2 ** (attempt - 1) * random.uniform(0.5, 1.5)
                log.warning("%s (attempt %d); again in %.2f s", exc, attempt, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover

    return cast(F, retrying)


def _first_line(exc: SQLAlchemyError) -> str:
    # The driver's own message, without the SQL and parameters SQLAlchemy appends.
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]
