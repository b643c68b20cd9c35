"""economics: listed children 0–6 (and women 16–54) per health centre and year

Revision ID: economics_0001_listed
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "economics_0001_listed"
down_revision = None
branch_labels = ("economics",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "economics_listed",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("centre_id", sa.String(120), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kommun_code", sa.String(4), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("children", sa.Integer(), nullable=False),
        sa.Column("women", sa.Integer(), nullable=True),
        sa.Column("regi", sa.String(20), nullable=True),
        sa.Column("source_file", sa.String(500), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_economics_listed"),
        sa.UniqueConstraint("centre_id", "year", name="uq_economics_listed_centre_year"),
        sa.CheckConstraint("children >= 0", name="ck_economics_listed_children_nonneg"),
        sa.CheckConstraint("women IS NULL OR women >= 0", name="ck_economics_listed_women_nonneg"),
        sa.CheckConstraint("regi IS NULL OR regi IN ('regional', 'privat')", name="ck_economics_listed_regi"),
    )
    op.create_index("ix_economics_listed_year", "economics_listed", ["year"])


def downgrade() -> None:
    op.drop_index("ix_economics_listed_year", table_name="economics_listed")
    op.drop_table("economics_listed")
