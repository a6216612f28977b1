"""Dialect-specific statements the ledger needs for idempotent writes."""

from __future__ import annotations

from typing import cast

from sqlalchemy import Connection, Insert, Table, Update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from callcenter.kernel.errors import LedgerError
from callcenter.kernel.orm import Base


def insert(session: Session | Connection, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """An INSERT that supports ON CONFLICT on the session's (or connection's) database.

    ON CONFLICT lets the database, not a read-then-write race, decide whether a row
    already exists, which is what makes a repeated write after a crash harmless.
    """
    bind = session if isinstance(session, Connection) else session.get_bind()
    return insert_for(bind.dialect.name, model)


def insert_for(dialect: str, model: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """``insert`` for a database named by its dialect (``postgresql``, ``sqlite``)."""
    table = cast(Table, model.__table__)
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise LedgerError(f"database {dialect!r} is not supported; use PostgreSQL or SQLite")


def changed(session: Session | Connection, stmt: Insert | Update) -> bool:
    """Run an INSERT or UPDATE; True if it wrote a row.

    Asks for the rows back rather than trusting ``rowcount``, which psycopg reports as
    -1 for an INSERT that ON CONFLICT turned into nothing.
    """
    table = cast(Table, stmt.table)
    returning = stmt.returning(*table.primary_key.columns)
    return session.execute(returning).first() is not None
