"""Campaigns: samples with their reasons, dial jobs, the do-not-call list, process leases,
and the owner of each call attempt.

Revision ID: campaigns
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "campaigns"
down_revision = "0001"
branch_labels = ("campaign",)
depends_on = None

# The models' UTCDateTime stores through this type; migrations do not import models.
UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("key", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=True),
        sa.Column("finished_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "state IN ('planned', 'running', 'paused', 'finished')", name=op.f("ck_campaigns_state")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("key", name=op.f("uq_campaigns_key")),
        sa.UniqueConstraint("month", name=op.f("uq_campaigns_month")),
    )
    op.create_table(
        "controller_leases",
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("expires_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("owner", name=op.f("pk_controller_leases")),
    )
    op.create_index(op.f("ix_controller_leases_expires_at"), "controller_leases", ["expires_at"])
    op.create_table(
        "do_not_call",
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("added_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("phone", name=op.f("pk_do_not_call")),
    )
    op.create_table(
        "campaign_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("draw", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "reason IN ('complaint', 'unit_quota', 'bureau_quota')",
            name=op.f("ck_campaign_samples_reason"),
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_campaign_samples_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_campaign_samples_case_id_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign_samples")),
        sa.UniqueConstraint(
            "campaign_id", "case_id", name=op.f("uq_campaign_samples_campaign_id_case_id")
        ),
    )
    op.create_index(op.f("ix_campaign_samples_campaign_id"), "campaign_samples", ["campaign_id"])
    op.create_table(
        "dial_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("phone", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("due_at", UTC_DATETIME, nullable=False),
        sa.Column("attempt_key", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("partials", sa.Integer(), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("queued_at", UTC_DATETIME, nullable=True),
        sa.Column("last_outcome", sa.String(length=32), nullable=True),
        sa.Column("result", sa.String(length=16), nullable=True),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(
            "result IS NULL OR result IN ('completed', 'refused', 'partial', 'unreached', "
            "'skipped')",
            name=op.f("ck_dial_jobs_result"),
        ),
        sa.CheckConstraint(
            "state IN ('pending', 'queued', 'dialling', 'done')", name=op.f("ck_dial_jobs_state")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_dial_jobs_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_dial_jobs_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_dial_jobs_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dial_jobs")),
        sa.UniqueConstraint("attempt_key", name=op.f("uq_dial_jobs_attempt_key")),
        sa.UniqueConstraint(
            "campaign_id", "case_id", name=op.f("uq_dial_jobs_campaign_id_case_id")
        ),
    )
    op.create_index(op.f("ix_dial_jobs_campaign_id"), "dial_jobs", ["campaign_id"])
    op.create_index("ix_dial_jobs_state_due_at", "dial_jobs", ["state", "due_at"])
    op.add_column("call_attempts", sa.Column("owner", sa.String(length=100), nullable=True))


def downgrade() -> None:
    # SQLite cannot drop a column in place; batch mode rebuilds the table.
    with op.batch_alter_table("call_attempts") as batch:
        batch.drop_column("owner")
    op.drop_index("ix_dial_jobs_state_due_at", table_name="dial_jobs")
    op.drop_index(op.f("ix_dial_jobs_campaign_id"), table_name="dial_jobs")
    op.drop_table("dial_jobs")
    op.drop_index(op.f("ix_campaign_samples_campaign_id"), table_name="campaign_samples")
    op.drop_table("campaign_samples")
    op.drop_table("do_not_call")
    op.drop_index(op.f("ix_controller_leases_expires_at"), table_name="controller_leases")
    op.drop_table("controller_leases")
    op.drop_table("campaigns")
