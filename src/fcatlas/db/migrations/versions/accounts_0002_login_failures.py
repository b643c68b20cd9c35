"""accounts: failed logins counted per key in one row (an atomic UPDATE … RETURNING), not one
row per attempt counted afterwards (parallel logins all saw the same count, issue 21)

Revision ID: accounts_0002
Revises: accounts_0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts_0002"
down_revision = "accounts_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_login_failures",
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_accounts_login_failures"),
    )
    op.drop_index("ix_accounts_login_attempts_key", table_name="accounts_login_attempts")
    op.drop_table("accounts_login_attempts")


def downgrade() -> None:
    op.create_table(
        "accounts_login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accounts_login_attempts"),
    )
    op.create_index("ix_accounts_login_attempts_key", "accounts_login_attempts", ["key"])
    op.drop_table("accounts_login_failures")
