"""Organisation profiles: a campaign of one calling day (烟台, YYYY-MM-DD), samples of
every case of the cycle (reason ``all``: 信阳, 许昌, 烟台), and the case's handler (办案人,
许昌), who must never be its caller or agent.

Revision ID: campaign_profiles
Revises: campaign_pause_reason
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "campaign_profiles"
down_revision = "campaign_pause_reason"
branch_labels = None
depends_on = None

_OLD = "reason IN ('complaint', 'unit_quota', 'bureau_quota')"
_NEW = "reason IN ('complaint', 'unit_quota', 'bureau_quota', 'all')"


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("handler", sa.String(length=100), server_default="", nullable=False)
        )
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("month", existing_type=sa.String(length=7), type_=sa.String(length=10))
    with op.batch_alter_table("campaign_samples") as batch:
        batch.drop_constraint(op.f("ck_campaign_samples_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_campaign_samples_reason"), _NEW)


def downgrade() -> None:
    with op.batch_alter_table("campaign_samples") as batch:
        batch.drop_constraint(op.f("ck_campaign_samples_reason"), type_="check")
        batch.create_check_constraint(op.f("ck_campaign_samples_reason"), _OLD)
    with op.batch_alter_table("campaigns") as batch:
        batch.alter_column("month", existing_type=sa.String(length=10), type_=sa.String(length=7))
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("handler")
