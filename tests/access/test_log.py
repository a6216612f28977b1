"""The access log keeps every entry as written: the database refuses changes too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from callcenter.access.log import AccessLog
from callcenter.kernel.database import session_factory
from callcenter.kernel.errors import LedgerError
from callcenter.kernel.orm import utcnow


@pytest.fixture
def access_log(ledger_engine: Engine) -> AccessLog:
    return AccessLog(session_factory(ledger_engine))


def test_entries_newest_first_and_filtered(access_log: AccessLog) -> None:
    first = access_log.record("login", username="ducha1", user_id=3, role="auditor")
    access_log.record(
        "play_recording",
        username="ducha1",
        user_id=3,
        role="auditor",
        attempt_id="a1",
        recording_id=7,
    )
    access_log.record("export", username="jiwei1", user_id=2, role="supervisor", detail="2026-11")

    page = access_log.entries()
    assert page.total == 3
    assert [e.action for e in page.entries] == ["export", "play_recording", "login"]
    assert page.entries[-1].id == first

    mine = access_log.entries(username="ducha1")
    assert mine.total == 2
    played = access_log.entries(action="play_recording", attempt_id="a1").entries
    assert [(e.recording_id, e.action_label) for e in played] == [(7, "收听录音")]
    assert access_log.entries(limit=1, offset=1).entries[0].action == "play_recording"


def test_unknown_action_is_refused(access_log: AccessLog) -> None:
    with pytest.raises(LedgerError, match="'delete_everything'"):
        access_log.record("delete_everything", username="x")


def test_count_since(access_log: AccessLog) -> None:
    now = utcnow()
    access_log.record("login_failed", username="u", at=now - timedelta(hours=1))
    access_log.record("login_failed", username="u", at=now)
    access_log.record("login_failed", username="v", at=now)
    assert access_log.count_since("login_failed", "u", now - timedelta(minutes=15)) == 1


def test_the_access_log_has_no_way_to_change_an_entry() -> None:
    public = {name for name in dir(AccessLog) if not name.startswith("_")}
    assert public == {"record", "record_once", "entries", "count_since", "now"}


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE access_log SET username = 'someone else'",
        "DELETE FROM access_log",
    ],
)
def test_database_refuses_update_and_delete(
    access_log: AccessLog, ledger_engine: Engine, statement: str
) -> None:
    access_log.record("reveal_phone", username="admin1", attempt_id="a1", detail="138****5678")
    with pytest.raises(DatabaseError, match="append-only"), ledger_engine.begin() as c:
        c.execute(text(statement))
    entries = access_log.entries().entries
    assert [(e.username, e.action) for e in entries] == [("admin1", "reveal_phone")]


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_postgres_refuses_truncate(access_log: AccessLog, ledger_engine: Engine) -> None:
    access_log.record("login", username="admin1")
    with pytest.raises(DatabaseError, match="append-only"), ledger_engine.begin() as c:
        c.execute(text("TRUNCATE access_log"))
    assert access_log.entries().total == 1


_COLUMNS = "(id, at, username, action, detail, remote)"
_ROW = "(:id, :at, 'forger', 'login', 'rewritten', '')"


def _rewrites(dialect: str) -> list[str]:
    """Statements that would put another entry in place of an existing one."""
    upsert = (
        f"INSERT INTO access_log {_COLUMNS} VALUES {_ROW} "
        "ON CONFLICT (id) DO UPDATE SET username = excluded.username, detail = excluded.detail"
    )
    if dialect == "sqlite":
        # REPLACE deletes the old row without firing DELETE triggers (unless
        # recursive_triggers is on), then inserts.
        return [
            f"INSERT OR REPLACE INTO access_log {_COLUMNS} VALUES {_ROW}",
            f"REPLACE INTO access_log {_COLUMNS} VALUES {_ROW}",
            upsert,
        ]
    return [upsert]


def test_database_refuses_to_replace_an_entry(access_log: AccessLog, ledger_engine: Engine) -> None:
    entry_id = access_log.record("reveal_phone", username="admin1", detail="138****5678")
    for statement in _rewrites(ledger_engine.dialect.name):
        with pytest.raises(DatabaseError, match="append-only"), ledger_engine.begin() as c:
            c.execute(text(statement), {"id": entry_id, "at": utcnow()})
    entries = access_log.entries().entries
    assert [(e.id, e.username, e.detail) for e in entries] == [(entry_id, "admin1", "138****5678")]


def test_database_still_takes_new_entries_with_or_replace(
    access_log: AccessLog, ledger_engine: Engine
) -> None:
    # Appending is what the log is for, whatever conflict clause the statement carries.
    first = access_log.record("login", username="admin1")
    clause = "INSERT OR REPLACE" if ledger_engine.dialect.name == "sqlite" else "INSERT"
    with ledger_engine.begin() as c:
        c.execute(
            text(
                f"{clause} INTO access_log (at, username, action, detail, remote) "
                "VALUES (:at, 'admin1', 'logout', '', '')"
            ),
            {"at": utcnow()},
        )
        if ledger_engine.dialect.name == "sqlite":
            c.execute(
                text(f"{clause} INTO access_log {_COLUMNS} VALUES {_ROW}"),
                {"id": 99, "at": utcnow()},
            )
    access_log.record("login", username="admin1")
    expected = 4 if ledger_engine.dialect.name == "sqlite" else 3
    assert access_log.entries().total == expected
    assert access_log.entries().entries[-1].id == first
