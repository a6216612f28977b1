"""One short transaction with the ledger's error translation, for every ledger module."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from callcenter.kernel.errors import CallcenterError, LedgerError, LedgerUnavailable


@contextmanager
def transaction(sessions: sessionmaker[Session], action: str) -> Iterator[Session]:
    """A session in a transaction committed on success; database errors become
    ``LedgerUnavailable`` (worth retrying) or ``LedgerError`` naming ``action``."""
    try:
        with sessions.begin() as session:
            yield session
    except SQLAlchemyError as exc:
        if isinstance(exc, StatementError) and isinstance(exc.orig, CallcenterError):
            raise exc.orig from None
        transient = isinstance(exc, OperationalError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        )
        error = LedgerUnavailable if transient else LedgerError
        raise error(f"ledger {action} failed: {_first_line(exc)}") from exc


def _first_line(exc: SQLAlchemyError) -> str:
    # The driver's own message, without the SQL and parameters SQLAlchemy appends.
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    return (str(cause).strip().splitlines() or [type(cause).__name__])[0]
