"""The Alembic revisions build exactly the schema the models describe."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from callcenter.kernel.database import (
    MIGRATIONS_DIR,
    alembic_config,
    every_table,
    make_engine,
    migrate,
    version_locations,
)

ROOT = Path(__file__).resolve().parents[2]
# the alembic command line's configuration
ALEMBIC_INI = MIGRATIONS_DIR.parent / "alembic.ini"
# every feature's tables, found as the command line finds them: a feature whose tables
# were left out would show as tables to drop
METADATA = every_table()
# the features whose revisions branch from the initial one (calls/migrations: 0001)
BRANCHES = {"access", "agents", "campaign", "transcription", "tickets", "prompts", "reports"}

TABLES = {"units", "cases", "call_attempts", "answers", "recordings"}
# callcenter.access.tables
TABLES |= {"users", "web_sessions", "access_log", "login_throttle", "user_units"}
# callcenter.tickets.tables
TABLES |= {"tickets", "ticket_rounds", "ticket_events", "ticket_notices", "ticket_recipients"}
# callcenter.agents.tables
TABLES |= {"agents", "takeovers", "takeover_offers", "callback_tasks"}
# callcenter.campaign.tables
TABLES |= {"campaigns", "campaign_samples", "dial_jobs", "do_not_call", "controller_leases"}
# callcenter.prompts.tables
TABLES |= {"prompt_recordings"}
# callcenter.reports.tables
TABLES |= {"report_deductions"}


def test_migrated_schema_matches_models(ledger_engine: Engine) -> None:
    with ledger_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, METADATA) == []
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
        assert compare_metadata(context, METADATA) == []


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


def _alembic(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess[str]:
    """The ``alembic`` command of this interpreter, as the ini file's comment says to run it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALLCENTER_")}
    env["PYTHONPATH"] = str(ROOT)
    if database_url is not None:
        env["CALLCENTER_DATABASE_URL"] = database_url
    return subprocess.run(
        [str(Path(sys.executable).with_name("alembic")), "-c", str(ALEMBIC_INI), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_alembic_command_line_lists_one_head_per_feature_branch() -> None:
    result = _alembic("heads")
    assert result.returncode == 0, result.stderr
    labels = []
    for line in result.stdout.splitlines():
        # "agent_takeover (agents) (head)"
        match = re.fullmatch(r"\w+ \((\w+)\) \(head\)", line.strip())
        assert match, f"not a labelled head: {line!r}"
        labels.append(match.group(1))
    assert sorted(labels) == sorted(BRANCHES)


def test_branch_labels_resolve_to_the_heads() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    heads = set(script.get_heads())
    for label in BRANCHES:
        head = script.get_revision(f"{label}@head")
        assert head is not None
        assert label in head.branch_labels
        assert head.revision in heads
    assert len(heads) == len(BRANCHES)


def test_ini_finds_the_revisions_the_application_finds() -> None:
    from_ini = ScriptDirectory.from_config(Config(str(ALEMBIC_INI)))
    assert sorted(Path(p).resolve() for p in from_ini.version_locations or []) == (
        version_locations()
    )
    assert set(from_ini.get_heads()) == _heads()


def test_alembic_check_on_a_migrated_database_finds_nothing_to_change(
    db_url: str, ledger_engine: Engine
) -> None:
    # autogenerate's view: the command line compares with every feature's tables
    result = _alembic("check", database_url=db_url)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No new upgrade operations detected" in result.stdout + result.stderr
