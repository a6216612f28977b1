"""Why the dialler paused a campaign (a day the calendar does not know), shown by
``campaign status``.

Revision ID: campaign_pause_reason
Revises: campaign_revisits
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "campaign_pause_reason"
down_revision = "campaign_revisits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("pause_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("pause_reason")
