"""Failed logins counted per account and per client address, and the one-time display
of a revealed phone number in a session.

Revision ID: login_throttle
Revises: access_log_no_replace
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "login_throttle"
down_revision = "access_log_no_replace"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_throttle",
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", UTC_DATETIME, nullable=False),
        sa.Column("blocked_until", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_login_throttle")),
    )
    op.create_index(
        op.f("ix_login_throttle_last_failure_at"), "login_throttle", ["last_failure_at"]
    )
    op.add_column("web_sessions", sa.Column("reveal_attempt_id", sa.String(64), nullable=True))
    op.add_column("web_sessions", sa.Column("reveal_until", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    # SQLite drops a column by rebuilding the table (batch mode).
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("reveal_until")
        batch.drop_column("reveal_attempt_id")
    op.drop_index(op.f("ix_login_throttle_last_failure_at"), table_name="login_throttle")
    op.drop_table("login_throttle")
