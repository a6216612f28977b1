"""Agents who take calls over, the takeovers, the agents rung for them, call-back tasks.

Revision ID: agent_takeover
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "agent_takeover"
down_revision = "0001"
branch_labels = ("agents",)
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("realm", sa.String(length=64), nullable=False),
        sa.Column("password_digest", sa.String(length=80), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("ready", sa.Boolean(), nullable=False),
        sa.Column("idle_since", UTC_DATETIME, nullable=False),
        sa.Column("busy_with", sa.Integer(), nullable=True),
        sa.Column("busy_since", UTC_DATETIME, nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("disabled_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint("kind IN ('agent', 'supervisor')", name=op.f("ck_agents_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("login", name=op.f("uq_agents_login")),
    )
    op.create_table(
        "takeovers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("rule_id", sa.String(length=32), nullable=False),
        sa.Column("rule_label", sa.String(length=100), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("key", sa.String(length=4), nullable=False),
        sa.Column("misconduct", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("agent_login", sa.String(length=32), nullable=True),
        sa.Column("channel_id", sa.String(length=64), nullable=True),
        sa.Column("bridge_id", sa.String(length=64), nullable=True),
        sa.Column("fired_at", UTC_DATETIME, nullable=False),
        sa.Column("ringing_at", UTC_DATETIME, nullable=True),
        sa.Column("connected_at", UTC_DATETIME, nullable=True),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("noted_by", sa.String(length=64), nullable=True),
        sa.Column("noted_at", UTC_DATETIME, nullable=True),
        sa.CheckConstraint(
            "state IN ('ringing', 'connected', 'ended', 'no_agent', 'abandoned')",
            name=op.f("ck_takeovers_state"),
        ),
        sa.ForeignKeyConstraint(
            ["attempt_id"], ["call_attempts.id"], name=op.f("fk_takeovers_attempt_id_call_attempts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeovers")),
    )
    op.create_index(op.f("ix_takeovers_attempt_id"), "takeovers", ["attempt_id"])
    op.create_index(op.f("ix_takeovers_agent_login"), "takeovers", ["agent_login"])
    op.create_table(
        "takeover_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("takeover_id", sa.Integer(), nullable=False),
        sa.Column("agent_login", sa.String(length=32), nullable=False),
        sa.Column("channel_id", sa.String(length=64), nullable=False),
        sa.Column("result", sa.String(length=16), nullable=False),
        sa.Column("offered_at", UTC_DATETIME, nullable=False),
        sa.Column("ringing_at", UTC_DATETIME, nullable=True),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.Column("cause", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "result IN ('ringing', 'answered', 'no_answer', 'rejected', 'busy', 'failed', "
            "'cancelled')",
            name=op.f("ck_takeover_offers_result"),
        ),
        sa.ForeignKeyConstraint(
            ["takeover_id"], ["takeovers.id"], name=op.f("fk_takeover_offers_takeover_id_takeovers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_takeover_offers")),
    )
    op.create_index(op.f("ix_takeover_offers_takeover_id"), "takeover_offers", ["takeover_id"])
    op.create_index(op.f("ix_takeover_offers_agent_login"), "takeover_offers", ["agent_login"])
    op.create_table(
        "callback_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("takeover_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("misconduct", sa.Boolean(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column("done_at", UTC_DATETIME, nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint("state IN ('open', 'done')", name=op.f("ck_callback_tasks_state")),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["call_attempts.id"],
            name=op.f("fk_callback_tasks_attempt_id_call_attempts"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name=op.f("fk_callback_tasks_case_id_cases")
        ),
        sa.ForeignKeyConstraint(
            ["takeover_id"], ["takeovers.id"], name=op.f("fk_callback_tasks_takeover_id_takeovers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_callback_tasks")),
    )
    op.create_index(op.f("ix_callback_tasks_attempt_id"), "callback_tasks", ["attempt_id"])
    op.create_index(op.f("ix_callback_tasks_case_id"), "callback_tasks", ["case_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_callback_tasks_case_id"), table_name="callback_tasks")
    op.drop_index(op.f("ix_callback_tasks_attempt_id"), table_name="callback_tasks")
    op.drop_table("callback_tasks")
    op.drop_index(op.f("ix_takeover_offers_agent_login"), table_name="takeover_offers")
    op.drop_index(op.f("ix_takeover_offers_takeover_id"), table_name="takeover_offers")
    op.drop_table("takeover_offers")
    op.drop_index(op.f("ix_takeovers_agent_login"), table_name="takeovers")
    op.drop_index(op.f("ix_takeovers_attempt_id"), table_name="takeovers")
    op.drop_table("takeovers")
    op.drop_table("agents")
