"""Transcription state of each recording: pending, done or failed, with the runs so far,
the engine that wrote the text and the last error.

Revision ID: transcripts
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "transcripts"
down_revision = "0001"
branch_labels = ("transcription",)
depends_on = None


def upgrade() -> None:
    op.add_column("recordings", sa.Column("transcript_status", sa.String(length=16), nullable=True))
    op.add_column(
        "recordings",
        sa.Column("transcript_runs", sa.Integer(), server_default="0", nullable=False),
    )
    op.add_column("recordings", sa.Column("transcript_engine", sa.String(length=32), nullable=True))
    op.add_column("recordings", sa.Column("transcript_error", sa.Text(), nullable=True))
    # Transcripts written before this revision were written by a finished run.
    op.execute("UPDATE recordings SET transcript_status = 'done' WHERE transcript IS NOT NULL")


def downgrade() -> None:
    # SQLite cannot drop a column in place; batch mode rebuilds the table.
    with op.batch_alter_table("recordings") as batch:
        batch.drop_column("transcript_error")
        batch.drop_column("transcript_engine")
        batch.drop_column("transcript_runs")
        batch.drop_column("transcript_status")
