"""Recordings of prompts by people, versioned, approved one per text.

Revision ID: prompt_recordings
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "prompt_recordings"
down_revision = "0001"
branch_labels = ("prompts",)
depends_on = None

STATUSES = ("pending", "approved", "replaced", "rejected")


def upgrade() -> None:
    op.create_table(
        "prompt_recordings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("text_key", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("script_id", sa.String(length=128), nullable=False),
        sa.Column("prompt_id", sa.String(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("path", sa.String(length=512), nullable=False),
        sa.Column("original_name", sa.String(length=256), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("heard", sa.Text(), nullable=False),
        sa.Column("cer", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("uploaded_by", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status IN (" + ", ".join(repr(s) for s in STATUSES) + ")",
            name=op.f("ck_prompt_recordings_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prompt_recordings")),
        sa.UniqueConstraint(
            "text_key", "version", name=op.f("uq_prompt_recordings_text_key_version")
        ),
    )
    op.create_index(op.f("ix_prompt_recordings_text_key"), "prompt_recordings", ["text_key"])


def downgrade() -> None:
    op.drop_table("prompt_recordings")
