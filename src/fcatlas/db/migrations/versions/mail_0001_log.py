"""mail: the mail log (every mail sent, with its recipient and time, under a unique key)

Revision ID: mail_0001
Revises:
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "mail_0001"
down_revision = None
branch_labels = ("mail",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mail_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("dedupe_key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("lan_code", sa.String(2), nullable=True),
        sa.Column("round_year", sa.Integer(), nullable=True),
        sa.Column("grant_year", sa.Integer(), nullable=True),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("caused_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_mail_log"),
        sa.UniqueConstraint("dedupe_key", name="uq_mail_log_dedupe_key"),
    )
    op.create_index("ix_mail_log_recipient", "mail_log", ["recipient"])
    op.create_index("ix_mail_log_created_at", "mail_log", ["created_at"])


def downgrade() -> None:
    op.drop_table("mail_log")
