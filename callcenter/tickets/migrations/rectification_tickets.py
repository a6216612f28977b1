"""整改 tickets: the ticket, its rounds, its events, the notices sent, where they go.

Revision ID: rectification_tickets
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rectification_tickets"
down_revision = "0001"
branch_labels = ("tickets",)
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


KINDS = ("rectification", "misconduct")
STATES = (
    "awaiting_contact",
    "rectifying",
    "reported",
    "awaiting_revisit",
    "verifying",
    "reverifying",
    "closed",
)
CLOSURES = ("revisit_satisfied", "verified_satisfied", "invalid", "accountability")


def upgrade() -> None:
    op.create_table(
        "tickets",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("cycle", sa.String(length=7), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("complaint", sa.Text(), nullable=False),
        sa.Column("question_ids", sa.Text(), nullable=False),
        sa.Column("handler", sa.String(length=64), nullable=False),
        sa.Column("opened_at", UTC_DATETIME, nullable=False),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.Column("closure", sa.String(length=24), nullable=True),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.CheckConstraint(_in("kind", KINDS), name=op.f("ck_tickets_kind")),
        sa.CheckConstraint(_in("state", STATES), name=op.f("ck_tickets_state")),
        sa.CheckConstraint(_in("source", ("call", "rating")), name=op.f("ck_tickets_source")),
        sa.CheckConstraint(_in("closure", CLOSURES), name=op.f("ck_tickets_closure")),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["call_attempts.id"], name=op.f("fk_tickets_attempt_id_call_attempts")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], name=op.f("fk_tickets_case_id_cases")),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"], name=op.f("fk_tickets_unit_id_units")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tickets")),
        sa.UniqueConstraint("case_id", "cycle", name=op.f("uq_tickets_case_id_cycle")),
        sa.UniqueConstraint("year", "seq", name=op.f("uq_tickets_year_seq")),
    )
    op.create_index(op.f("ix_tickets_attempt_id"), "tickets", ["attempt_id"])
    op.create_index(op.f("ix_tickets_case_id"), "tickets", ["case_id"])
    op.create_index(op.f("ix_tickets_opened_at"), "tickets", ["opened_at"])
    op.create_index("ix_tickets_state_unit_id", "tickets", ["state", "unit_id"])
    op.create_table(
        "ticket_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("started_at", UTC_DATETIME, nullable=False),
        sa.Column("contact_due", UTC_DATETIME, nullable=True),
        sa.Column("report_due", UTC_DATETIME, nullable=True),
        sa.Column("contacted_at", UTC_DATETIME, nullable=True),
        sa.Column("contact_method", sa.String(length=8), nullable=True),
        sa.Column("contact_summary", sa.Text(), nullable=True),
        sa.Column("reported_at", UTC_DATETIME, nullable=True),
        sa.Column("report_text", sa.Text(), nullable=True),
        sa.Column("revisit_after", UTC_DATETIME, nullable=True),
        sa.Column("revisit_due_at", UTC_DATETIME, nullable=True),
        sa.Column("revisit_at", UTC_DATETIME, nullable=True),
        sa.Column("revisit_result", sa.String(length=16), nullable=True),
        sa.Column("revisit_attempt_id", sa.String(length=64), nullable=True),
        sa.Column("verified_at", UTC_DATETIME, nullable=True),
        sa.Column("verified_by", sa.String(length=64), nullable=True),
        sa.Column("applicant_satisfied", sa.Boolean(), nullable=True),
        sa.Column("conclusion", sa.String(length=16), nullable=True),
        sa.Column("verify_text", sa.Text(), nullable=True),
        sa.Column("closed_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            _in("contact_method", ("phone", "visit", "other")),
            name=op.f("ck_ticket_rounds_contact_method"),
        ),
        sa.CheckConstraint(
            _in("revisit_result", ("satisfied", "unsatisfied", "unreachable")),
            name=op.f("ck_ticket_rounds_revisit_result"),
        ),
        sa.CheckConstraint(
            _in("conclusion", ("satisfied", "invalid", "returned", "accountability")),
            name=op.f("ck_ticket_rounds_conclusion"),
        ),
        sa.ForeignKeyConstraint(
            ["revisit_attempt_id"],
            ["call_attempts.id"],
            name=op.f("fk_ticket_rounds_revisit_attempt_id_call_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_rounds_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_rounds")),
        sa.UniqueConstraint("ticket_id", "round", name=op.f("uq_ticket_rounds_ticket_id_round")),
    )
    op.create_index(
        op.f("ix_ticket_rounds_revisit_attempt_id"), "ticket_rounds", ["revisit_attempt_id"]
    )
    op.create_table(
        "ticket_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=True),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("from_state", sa.String(length=24), nullable=True),
        sa.Column("to_state", sa.String(length=24), nullable=False),
        sa.Column("detail", sa.String(length=100), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_events_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_events")),
    )
    op.create_index(op.f("ix_ticket_events_ticket_id"), "ticket_events", ["ticket_id"])
    op.create_table(
        "ticket_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("notice", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=254), nullable=False),
        sa.Column("claimed_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            _in("notice", ("opened", "due_soon", "overdue")), name=op.f("ck_ticket_notices_notice")
        ),
        sa.CheckConstraint(
            _in("stage", ("open", "contact", "report")), name=op.f("ck_ticket_notices_stage")
        ),
        sa.ForeignKeyConstraint(
            ["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_notices_ticket_id_tickets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_notices")),
        sa.UniqueConstraint(
            "ticket_id",
            "round",
            "notice",
            "stage",
            "user_id",
            name=op.f("uq_ticket_notices_ticket_id_round_notice_stage_user_id"),
        ),
    )
    op.create_index(op.f("ix_ticket_notices_ticket_id"), "ticket_notices", ["ticket_id"])
    op.create_table(
        "ticket_recipients",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_ticket_recipients")),
    )


def downgrade() -> None:
    op.drop_table("ticket_recipients")
    op.drop_index(op.f("ix_ticket_notices_ticket_id"), table_name="ticket_notices")
    op.drop_table("ticket_notices")
    op.drop_index(op.f("ix_ticket_events_ticket_id"), table_name="ticket_events")
    op.drop_table("ticket_events")
    op.drop_index(op.f("ix_ticket_rounds_revisit_attempt_id"), table_name="ticket_rounds")
    op.drop_table("ticket_rounds")
    op.drop_index("ix_tickets_state_unit_id", table_name="tickets")
    op.drop_index(op.f("ix_tickets_opened_at"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_case_id"), table_name="tickets")
    op.drop_index(op.f("ix_tickets_attempt_id"), table_name="tickets")
    op.drop_table("tickets")
