"""The liaison role arrives on a database already in use: users logged in, sessions open
(SQLite cannot rebuild ``users`` under their foreign key), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from callcenter.kernel.database import alembic_config, make_engine, migrate


@pytest.fixture
def engine(db_url: str) -> Engine:
    return make_engine(db_url)


def _upgrade(engine: Engine, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_liaisons_can_be_added_beside_live_sessions(engine: Engine) -> None:
    _upgrade(engine, "web_access")
    now = datetime(2026, 2, 13, 8, tzinfo=UTC)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO users (id, username, role, password_hash, disabled, created_at) "
                "VALUES (1, 'jiwei1', 'supervisor', 'h', false, :now)"
            ),
            {"now": now},
        )
        c.execute(
            text(
                "INSERT INTO web_sessions (id, user_id, csrf_token, created_at, last_seen_at, "
                "expires_at) VALUES ('s1', 1, 't', :now, :now, :now)"
            ),
            {"now": now},
        )
    migrate(engine)
    with engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO users (id, username, role, password_hash, disabled, created_at) "
                "VALUES (2, 'lianluo1', 'liaison', 'h', false, :now)"
            ),
            {"now": now},
        )
        assert c.execute(text("SELECT count(*) FROM web_sessions")).scalar_one() == 1
        if engine.dialect.name == "sqlite":
            assert c.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
    with pytest.raises(IntegrityError), engine.begin() as c:
        c.execute(
            text(
                "INSERT INTO users (id, username, role, password_hash, disabled, created_at) "
                "VALUES (3, 'x', 'janitor', 'h', false, :now)"
            ),
            {"now": now},
        )
    with pytest.raises(IntegrityError), engine.begin() as c:  # sessions still need a user
        c.execute(
            text(
                "INSERT INTO web_sessions (id, user_id, csrf_token, created_at, last_seen_at, "
                "expires_at) VALUES ('s2', 99, 't', :now, :now, :now)"
            ),
            {"now": now},
        )
    engine.dispose()
