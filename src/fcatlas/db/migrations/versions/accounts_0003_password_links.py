"""accounts: one-time links to choose a password (new account, reset), kept only as digests

Revision ID: accounts_0003
Revises: accounts_0002
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "accounts_0003"
down_revision = "accounts_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "accounts_password_links",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"],
                                name="fk_accounts_password_links_user_id_accounts_users"),
        sa.PrimaryKeyConstraint("id", name="pk_accounts_password_links"),
        sa.UniqueConstraint("digest", name="uq_accounts_password_links_digest"),
    )
    op.create_index("ix_accounts_password_links_user_id", "accounts_password_links", ["user_id"])


def downgrade() -> None:
    op.drop_table("accounts_password_links")
