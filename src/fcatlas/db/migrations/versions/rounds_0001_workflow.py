"""rounds: inventory rounds, each region's status in a round, the round's events, pending imports

Revision ID: rounds_0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "rounds_0001"
down_revision = None
branch_labels = ("rounds",)
depends_on = ("register_0001",)


def _ts(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "register_rounds",
        sa.Column("round_year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("opened_by", sa.String(254), nullable=False),
        _ts("opened_at"),
        sa.Column("published_by", sa.String(254), nullable=True),
        _ts("published_at", True),
        sa.PrimaryKeyConstraint("round_year", name="pk_register_rounds"),
    )
    op.create_table(
        "register_round_regions",
        sa.Column("round_year", sa.Integer(), nullable=False),
        sa.Column("lan_code", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("changed_by", sa.String(254), nullable=False),
        _ts("changed_at"),
        _ts("approved_at", True),
        sa.ForeignKeyConstraint(["round_year"], ["register_rounds.round_year"],
                                name="fk_register_round_regions_round_year_register_rounds"),
        sa.PrimaryKeyConstraint("round_year", "lan_code", name="pk_register_round_regions"),
    )
    op.create_table(
        "register_round_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_year", sa.Integer(), nullable=False),
        sa.Column("lan_code", sa.String(2), nullable=True),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(254), nullable=False),
        _ts("at"),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["round_year"], ["register_rounds.round_year"],
                                name="fk_register_round_events_round_year_register_rounds"),
        sa.PrimaryKeyConstraint("id", name="pk_register_round_events"),
    )
    op.create_index("ix_register_round_events_round_year", "register_round_events", ["round_year"])
    op.create_table(
        "register_pending_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_year", sa.Integer(), nullable=False),
        sa.Column("lan_code", sa.String(2), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("user_name", sa.String(254), nullable=False),
        _ts("created_at"),
        sa.Column("n_accepted", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        _ts("confirmed_at", True),
        sa.ForeignKeyConstraint(["round_year"], ["register_rounds.round_year"],
                                name="fk_register_pending_imports_round_year_register_rounds"),
        sa.PrimaryKeyConstraint("id", name="pk_register_pending_imports"),
    )


def downgrade() -> None:
    op.drop_table("register_pending_imports")
    op.drop_table("register_round_events")
    op.drop_table("register_round_regions")
    op.drop_table("register_rounds")
