"""Alembic environment for the ledger.

``callcenter.kernel.database.migrate`` hands in an open connection. Run from the command line
(``alembic -c callcenter/kernel/alembic.ini ...``) it takes ``sqlalchemy.url`` from the
ini file, or else the ``database_url`` setting (``CALLCENTER_DATABASE_URL``).
Logging is left alone: the application configures it, not the migration.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from callcenter.kernel.database import every_table, make_engine

config = context.config
# all of them, or autogenerate would take a feature whose tables were not imported
# for one to drop
target_metadata = every_table()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    if url:
        return url
    from callcenter.settings import load_settings

    return load_settings().database_url


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.begin() as connection:
            _run(connection)
    finally:
        engine.dispose()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
