"""The access log on SQLite refuses REPLACE too, not only UPDATE and DELETE.

``INSERT OR REPLACE`` (and ``REPLACE INTO``) with an existing entry's id deletes that
entry and inserts another in its place, and SQLite fires DELETE triggers for such a
delete only when the connection has ``recursive_triggers`` on, which nothing enforces.
So an insert naming an id that is already taken is refused before any conflict is
resolved. In a BEFORE INSERT trigger a row whose id SQLite is about to assign shows the
id -1, so that one is let through there; an entry can never actually be stored with an
id below 1 (refused after the insert), so there is no entry -1 to replace.

On PostgreSQL ``INSERT … ON CONFLICT DO UPDATE`` fires the UPDATE trigger that
``web_access`` created, and is refused by it; nothing to add there.

Revision ID: access_log_no_replace
Revises: liaison_role
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "access_log_no_replace"
down_revision = "liaison_role"
branch_labels = None
depends_on = None

_SQLITE_TRIGGERS = (
    "CREATE TRIGGER access_log_no_replace BEFORE INSERT ON access_log "
    "WHEN NEW.id <> -1 AND EXISTS (SELECT 1 FROM access_log WHERE id = NEW.id) "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: REPLACE refused'); END",
    "CREATE TRIGGER access_log_positive_id AFTER INSERT ON access_log "
    "WHEN NEW.id < 1 "
    "BEGIN SELECT RAISE(ABORT, 'access_log is append-only: an id below 1 refused'); END",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS access_log_positive_id")
        op.execute("DROP TRIGGER IF EXISTS access_log_no_replace")
