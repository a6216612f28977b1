"""The re-visit revision changes the campaigns' constraints on a ledger already in use:
on SQLite that rebuilds a table the dial jobs refer to, which must keep every row."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from callcenter.kernel.database import make_engine, migrate


def test_revisits_revision_keeps_the_campaigns_and_jobs_already_there(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ledger.db'}")
    try:
        migrate(engine, "campaigns")
        with engine.begin() as c:
            c.execute(text("INSERT INTO units (id, name, kind) VALUES (1, '城区所', 'station')"))
            c.execute(
                text(
                    "INSERT INTO cases (id, case_no, unit_id, applicant_name, applicant_org,"
                    " title, phone, matter, completed_on, is_complaint, created_at) VALUES"
                    " (1, 'YM1', 1, '王伟', '', '先生', '13800000001', '登记', '2026-10-09', 0,"
                    " '2026-10-09 00:00:00')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO campaigns (id, month, key, period_start, period_end, seed,"
                    " state, summary, created_at) VALUES (1, '2026-11', 'k1', '2026-10-01',"
                    " '2026-11-01', 1, 'running', '{}', '2026-11-01 00:00:00')"
                )
            )
            c.execute(
                text(
                    "INSERT INTO dial_jobs (id, campaign_id, case_id, unit_id, phone, priority,"
                    " state, due_at, attempt_key, attempts, partials, updated_at) VALUES"
                    " (1, 1, 1, 1, '13800000001', 1, 'pending', '2026-11-02 01:00:00', 'k1-1-1',"
                    " 0, 0, '2026-11-02 00:00:00')"
                )
            )
        migrate(engine)
        with engine.connect() as c:
            job = c.execute(text("SELECT campaign_id, round, ticket_id FROM dial_jobs")).one()
            kind = c.execute(text("SELECT kind, month FROM campaigns")).one()
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert tuple(job) == (1, 0, None) and tuple(kind) == ("followup", "2026-11")
    finally:
        engine.dispose()
