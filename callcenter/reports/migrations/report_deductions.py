"""第十五条's manual deductions, and the index on the cases' completion day the reports
count by.

Revision ID: report_deductions
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "report_deductions"
down_revision = "0001"
branch_labels = ("reports",)
depends_on = None

KINDS = ("report_missing", "report_poor", "spot_check")


def upgrade() -> None:
    op.create_table(
        "report_deductions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("applies_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("entered_by", sa.String(length=64), nullable=False),
        sa.Column("entered_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN (" + ", ".join(repr(k) for k in KINDS) + ")",
            name=op.f("ck_report_deductions_kind"),
        ),
        sa.CheckConstraint("count >= 1", name=op.f("ck_report_deductions_count")),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_report_deductions_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_deductions")),
    )
    op.create_index(op.f("ix_report_deductions_unit_id"), "report_deductions", ["unit_id"])
    op.create_index(op.f("ix_report_deductions_applies_on"), "report_deductions", ["applies_on"])
    op.create_index("ix_cases_completed_on", "cases", ["completed_on"])


def downgrade() -> None:
    op.drop_index("ix_cases_completed_on", table_name="cases")
    op.drop_table("report_deductions")
