"""The liaison role (整改联络员) and the unit each user works for.

Widening ``users``' role CHECK: PostgreSQL drops and re-adds the constraint. SQLite
cannot alter a constraint, and rebuilding ``users`` (batch mode) fails once sessions
refer to it, since dropping the old table trips their foreign key. SQLite's documented
procedure for changing a CHECK constraint that existing rows already satisfy is used
instead: rewrite the table's stored definition and bump the schema version, in the
migration's transaction (https://www.sqlite.org/lang_altertable.html, "Making Other
Kinds Of Table Schema Changes").

Revision ID: liaison_role
Revises: web_access
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "liaison_role"
down_revision = "web_access"
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)

OLD_ROLES = "role IN ('admin', 'supervisor', 'auditor', 'agent')"
NEW_ROLES = "role IN ('admin', 'supervisor', 'auditor', 'agent', 'liaison')"


def upgrade() -> None:
    _set_role_check(OLD_ROLES, NEW_ROLES)
    op.create_table(
        "user_units",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("bound_at", UTC_DATETIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_user_units_user_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f("fk_user_units_unit_id_units")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_user_units")),
    )
    op.create_index(op.f("ix_user_units_unit_id"), "user_units", ["unit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_user_units_unit_id"), table_name="user_units")
    op.drop_table("user_units")
    liaisons = op.get_bind().execute(sa.text("SELECT count(*) FROM users WHERE role = 'liaison'"))
    if liaisons.scalar_one():
        raise RuntimeError(
            "users with role 'liaison' exist; disable them and change their role before "
            "downgrading below liaison_role"
        )
    _set_role_check(NEW_ROLES, OLD_ROLES)


def _set_role_check(old: str, new: str) -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        op.drop_constraint(op.f("ck_users_role"), "users", type_="check")
        op.create_check_constraint(op.f("ck_users_role"), "users", new)
        return
    sql = bind.execute(
        sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'users'")
    ).scalar_one()
    if old not in sql:
        raise RuntimeError(f"users' role check is not {old!r}: {sql}")
    version = bind.execute(sa.text("PRAGMA schema_version")).scalar_one()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        bind.execute(
            sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = 'users'"),
            {"sql": sql.replace(old, new)},
        )
        # tells every open connection that its copy of the schema is stale
        bind.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        bind.exec_driver_sql("PRAGMA writable_schema = OFF")
