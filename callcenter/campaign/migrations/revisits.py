"""Re-visits of 整改 tickets through the dialler: a campaign's kind, and a dial job's
re-visit round, ticket and script.

Revision ID: campaign_revisits
Revises: campaigns
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "campaign_revisits"
down_revision = "campaigns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # batch: SQLite rebuilds the tables to change their constraints
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="followup", nullable=False)
        )
        batch.drop_constraint("uq_campaigns_month", type_="unique")
        batch.create_unique_constraint(op.f("uq_campaigns_kind_month"), ["kind", "month"])
        batch.create_check_constraint(op.f("ck_campaigns_kind"), "kind IN ('followup', 'revisit')")
    with op.batch_alter_table("dial_jobs") as batch:
        batch.add_column(sa.Column("round", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("ticket_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("script", sa.String(length=64), nullable=True))
        batch.drop_constraint("uq_dial_jobs_campaign_id_case_id", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_dial_jobs_campaign_id_case_id_round"), ["campaign_id", "case_id", "round"]
        )
        batch.create_unique_constraint(op.f("uq_dial_jobs_ticket_id_round"), ["ticket_id", "round"])


def downgrade() -> None:
    with op.batch_alter_table("dial_jobs") as batch:
        batch.drop_constraint("uq_dial_jobs_ticket_id_round", type_="unique")
        batch.drop_constraint("uq_dial_jobs_campaign_id_case_id_round", type_="unique")
        batch.create_unique_constraint(
            op.f("uq_dial_jobs_campaign_id_case_id"), ["campaign_id", "case_id"]
        )
        batch.drop_column("script")
        batch.drop_column("ticket_id")
        batch.drop_column("round")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint(op.f("ck_campaigns_kind"), type_="check")
        batch.drop_constraint("uq_campaigns_kind_month", type_="unique")
        batch.create_unique_constraint(op.f("uq_campaigns_month"), ["month"])
        batch.drop_column("kind")
