"""Engine settings and time zone handling, on each backend."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from callcenter.calls.store import Ledger, LedgerUnavailable
from callcenter.kernel.database import make_engine, session_factory
from callcenter.kernel.errors import LedgerError
from callcenter.ledger.store import LedgerReader

BEIJING = timezone(timedelta(hours=8))


def test_sqlite_connections_enforce_foreign_keys_and_use_wal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar_one() >= 1000
            # NORMAL (1): in WAL mode no disk sync per commit, never a corrupt file
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar_one() == 1
    finally:
        engine.dispose()


def test_sqlite_writers_of_one_process_take_turns_and_a_failed_write_frees_the_turn(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as c:
            c.exec_driver_sql("CREATE TABLE t (v INTEGER NOT NULL)")
        with pytest.raises(IntegrityError), engine.begin() as c:
            c.exec_driver_sql("INSERT INTO t VALUES (NULL)")
        done: list[int] = []

        def write(v: int) -> None:
            with engine.begin() as c:
                c.exec_driver_sql(f"INSERT INTO t VALUES ({v})")
            done.append(v)

        threads = [threading.Thread(target=write, args=(v,)) for v in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        assert sorted(done) == list(range(20))
        with engine.connect() as c:
            assert c.exec_driver_sql("SELECT count(*) FROM t").scalar_one() == 20
    finally:
        engine.dispose()


def test_times_come_back_aware_in_utc(ledger: Ledger, reader: LedgerReader, case_id: int) -> None:
    started = datetime(2026, 11, 3, 9, 30, 15, tzinfo=BEIJING)
    ledger.start_attempt("a1", case_id, "yima-v1", started)

    view = reader.call("a1").attempt

    assert view.started_at == started
    assert view.started_at.tzinfo == UTC
    assert view.started_at.hour == 1


def test_naive_times_are_refused(ledger: Ledger, case_id: int) -> None:
    with pytest.raises(LedgerError, match="has no time zone"):
        ledger.start_attempt("a1", case_id, "yima-v1", datetime(2026, 11, 3, 9, 30))
    assert ledger.unfinished_attempts() == []


def test_foreign_keys_hold(ledger_engine: Engine) -> None:
    with (
        pytest.raises(IntegrityError, match=r"(?i)foreign key"),
        ledger_engine.begin() as connection,
    ):
        connection.execute(
            text(
                "INSERT INTO cases (case_no, unit_id, applicant_name, applicant_org, title,"
                " phone, matter, completed_on, is_complaint, created_at) VALUES ('c', 999,"
                " 'n', '', '', 'p', 'm', '2026-10-01', false, '2026-10-01 00:00:00')"
            )
        )


def test_unreachable_database_raises_ledger_unavailable(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")
    try:
        with pytest.raises(LedgerUnavailable, match="unfinished_attempts failed"):
            Ledger(session_factory(engine)).unfinished_attempts()
    finally:
        engine.dispose()
