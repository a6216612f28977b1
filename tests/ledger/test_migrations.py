"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from callcenter.kernel.database import alembic_config, make_engine, migrate
from callcenter.kernel.orm import Base

TABLES = {"units", "cases", "call_attempts", "answers", "recordings"}
# callcenter.access.tables
TABLES |= {"users", "web_sessions", "access_log"}
# callcenter.agents.tables
TABLES |= {"agents", "takeovers", "takeover_offers", "callback_tasks"}
# callcenter.campaign.tables
TABLES |= {"campaigns", "campaign_samples", "dial_jobs", "do_not_call", "controller_leases"}


def test_migrated_schema_matches_models(ledger_engine: Engine) -> None:
    with ledger_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []
        assert set(inspect(connection).get_table_names()) == TABLES | {"alembic_version"}
        assert set(context.get_current_heads()) == _heads()


def test_migrate_twice_is_harmless(ledger_engine: Engine) -> None:
    migrate(ledger_engine)
    with ledger_engine.connect() as connection:
        assert set(MigrationContext.configure(connection).get_current_heads()) == _heads()


def test_downgrade_to_base_and_back(ledger_engine: Engine) -> None:
    config = alembic_config()
    with ledger_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
        assert set(inspect(connection).get_table_names()) == {"alembic_version"}
    migrate(ledger_engine)
    with ledger_engine.connect() as connection:
        context = MigrationContext.configure(connection)
        assert compare_metadata(context, Base.metadata) == []


def test_migrate_by_url_from_any_directory(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    migrate(db_url)
    engine = make_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()


def _heads() -> set[str]:
    # Features branch from the initial revision, so there may be several heads.
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())
