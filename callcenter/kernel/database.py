"""Engines, sessions and schema migration for the ledger database.

Nothing here runs at import time: the caller builds an engine from settings and passes
it on, so tests and the controller can point at different databases in one process.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import threading
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, MetaData, create_engine, event, make_url
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from callcenter.kernel.errors import LedgerError
from callcenter.kernel.orm import Base

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Each feature keeps its revisions in its own ``migrations/`` folder, a branch labelled
# with the feature's name; they are found by location so the kernel imports no feature.
PACKAGE_DIR = MIGRATIONS_DIR.parent.parent


def version_locations() -> list[Path]:
    return sorted(p for p in PACKAGE_DIR.glob("*/migrations") if p != MIGRATIONS_DIR)


def every_table() -> MetaData:
    """``Base.metadata`` with every feature's tables (``callcenter/<feature>/tables.py``).

    The application gets its tables from the features it wires; what compares the whole
    schema (autogenerate, ``alembic check``, the schema tests) needs them all, found by
    location like the revisions.
    """
    for tables in sorted(PACKAGE_DIR.glob("*/tables.py")):
        importlib.import_module(f"{PACKAGE_DIR.name}.{tables.parent.name}.tables")
    return Base.metadata


SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 10
# SQLite connections kept open; more are opened while more threads wait (see below).
POOL_SIZE = 10
# PostgreSQL's connections are a shared budget (100 by default, for every process):
# fewer per process, and a write waits its turn for one rather than failing.
POSTGRES_POOL_SIZE = 5
POSTGRES_POOL_OVERFLOW = 15
POSTGRES_POOL_TIMEOUT_S = 60


def make_engine(url: str | URL, *, echo: bool = False) -> Engine:
    """An engine for SQLite or PostgreSQL, configured for short concurrent transactions."""
    url = make_url(url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, echo)
    connect_args: dict[str, Any] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    # pre_ping replaces connections a database restart left dead, instead of failing
    # the first write after it.
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=POSTGRES_POOL_SIZE,
        max_overflow=POSTGRES_POOL_OVERFLOW,
        pool_timeout=POSTGRES_POOL_TIMEOUT_S,
        connect_args=connect_args,
    )


def _sqlite_engine(url: URL, echo: bool) -> Engine:
    in_memory = url.database in (None, "", ":memory:")
    pool: dict[str, Any] = {}
    if not in_memory:
        # a connection per waiting thread: they queue on the write lock below, not on
        # the pool (whose timeout would fail a write that is merely waiting its turn)
        pool = {"pool_size": POOL_SIZE, "max_overflow": -1}
    engine = create_engine(
        url,
        echo=echo,
        connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        **pool,
    )
    # SQLite has one writer at a time. Its busy handler makes waiters poll with sleeps
    # of up to 100 ms, so with dozens of threads a waiter can lose the race for longer
    # than the busy timeout ("database is locked") when the machine is loaded. The
    # threads of one process therefore take turns on a lock first, woken as soon as
    # it is free; only one connection per process meets other processes in SQLite.
    turn = threading.RLock()

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control away from the sqlite3 module so that BEGIN below is
        # the only one issued (its implicit BEGIN is deferred, see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        if not in_memory:
            # WAL lets the 台账 export read while calls are being written.
            cursor.execute("PRAGMA journal_mode = WAL")
            # In WAL mode NORMAL still never corrupts the file and loses nothing when a
            # process dies; only a power cut may lose the last moments of commits. FULL
            # syncs the disk at every commit, which at hundreds of calls is most of the
            # time a write holds the lock. (Installations that cannot accept that run
            # on PostgreSQL.)
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # A deferred transaction that reads and then writes fails at once with
        # SQLITE_BUSY when another writer got in between, busy timeout or not. Taking
        # the write lock up front makes concurrent writers queue instead.
        turn.acquire()
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _end(connection)  # unless the failed BEGIN's rollback released it already
            raise

    def _end(_connection: Any) -> None:
        with contextlib.suppress(RuntimeError):  # not ours: a BEGIN that failed
            turn.release()

    event.listen(engine, "commit", _end)
    event.listen(engine, "rollback", _end)
    return engine


def session_factory(engine: Engine) -> sessionmaker[Session]:
    # Objects stay readable after commit: the ledger hands out values, not live rows.
    return sessionmaker(engine, expire_on_commit=False)


def alembic_config(url: str | URL | None = None) -> Config:
    """Alembic configuration that finds the migrations wherever the package is installed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option(
        "version_locations", os.pathsep.join(str(p) for p in version_locations())
    )
    if url is not None:
        # Alembic's config is an ini parser: a literal % would start an interpolation.
        rendered = make_url(url).render_as_string(hide_password=False)
        config.set_main_option("sqlalchemy.url", rendered.replace("%", "%%"))
    return config


def migrate(target: Engine | str | URL, revision: str = "heads") -> None:
    """Bring the schema up to ``revision`` (every head by default).

    Features add their tables in revisions of their own that branch from the initial
    one, so "heads" rather than "head".
    """
    if not isinstance(target, Engine):
        engine = make_engine(target)
        try:
            migrate(engine, revision)
        finally:
            engine.dispose()
        return
    config = alembic_config()
    with target.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A revision that rebuilds a table others refer to (SQLite's only way to change
            # a constraint) would fail its DROP with foreign keys on; they are off for the
            # migration only (the pragma is ignored inside a transaction, hence before
            # it), and every reference is checked before the migration commits.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                command.upgrade(config, revision)
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise LedgerError(f"migration left broken references: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]
