"""accounts: users, API tokens, login sessions, failed login attempts

Revision ID: accounts_0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "accounts_0001"
down_revision = None
branch_labels = ("accounts",)
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "accounts_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("lan_code", sa.String(2), nullable=True),
        sa.Column("level", sa.String(20), nullable=True),
        sa.Column("active", sa.Boolean(name="active"), nullable=False),
        _ts("created_at"),
        sa.Column("created_by", sa.String(254), nullable=False),
        _ts("password_changed_at"),
        sa.CheckConstraint("role IN ('nationell', 'region')", name="ck_accounts_users_role"),
        sa.CheckConstraint("level IS NULL OR level IN ('foretradare', 'handlaggare')",
                           name="ck_accounts_users_level"),
        sa.PrimaryKeyConstraint("id", name="pk_accounts_users"),
        sa.UniqueConstraint("email", name="uq_accounts_users_email"),
    )
    for table in ("accounts_tokens", "accounts_sessions"):
        extra = [sa.Column("csrf_token", sa.String(64), nullable=False), _ts("created_at"), _ts("expires_at")] \
            if table == "accounts_sessions" else [_ts("created_at"), _ts("expires_at"), _ts("revoked_at", True)]
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
            sa.Column("user_id", sa.Integer(), nullable=False),
            sa.Column("digest", sa.String(64), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(["user_id"], ["accounts_users.id"],
                                    name=f"fk_{table}_user_id_accounts_users"),
            sa.PrimaryKeyConstraint("id", name=f"pk_{table}"),
            sa.UniqueConstraint("digest", name=f"uq_{table}_digest"),
        )
        op.create_index(f"ix_{table}_user_id", table, ["user_id"])
    op.create_table(
        "accounts_login_attempts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        _ts("at"),
        sa.PrimaryKeyConstraint("id", name="pk_accounts_login_attempts"),
    )
    op.create_index("ix_accounts_login_attempts_key", "accounts_login_attempts", ["key"])


def downgrade() -> None:
    op.drop_table("accounts_login_attempts")
    op.drop_table("accounts_sessions")
    op.drop_table("accounts_tokens")
    op.drop_table("accounts_users")
