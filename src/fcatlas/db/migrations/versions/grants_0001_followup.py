"""grants: yearly follow-up reports of the state grant (reports, uses, units, events)

Revision ID: grants_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "grants_0001"
down_revision = None
branch_labels = ("grants",)
depends_on = None

STATUSES = ("ej_paborjad", "utkast", "inskickad", "returnerad", "godkand")
PURPOSES = ("coordinator", "new_centres", "develop_centres", "needs_analysis")


def _in(col: str, values: tuple[str, ...]) -> str:
    return f"{col} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "grant_reports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("region_code", sa.String(2), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("amount_received_sek", sa.BigInteger(), nullable=False),
        sa.Column("fte", sa.Numeric(8, 2), nullable=True),
        sa.Column("role", sa.String(200), nullable=False),
        sa.Column("unused_sek", sa.BigInteger(), nullable=True),
        sa.Column("account", sa.Text(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_grant_reports"),
        sa.UniqueConstraint("region_code", "year", name="uq_grant_reports_region_year"),
        sa.CheckConstraint(_in("status", STATUSES), name="ck_grant_reports_status"),
        sa.CheckConstraint("amount_received_sek >= 0", name="ck_grant_reports_received_nonneg"),
    )
    op.create_table(
        "grant_report_uses",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("amount_sek", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "purpose", name="pk_grant_report_uses"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["grant_reports.id"], ondelete="CASCADE",
            name="fk_grant_report_uses_report_id_grant_reports",
        ),
        sa.CheckConstraint(_in("purpose", PURPOSES), name="ck_grant_report_uses_purpose"),
        sa.CheckConstraint("amount_sek >= 0", name="ck_grant_report_uses_amount_nonneg"),
    )
    op.create_table(
        "grant_report_units",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("report_id", "unit_id", name="pk_grant_report_units"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["grant_reports.id"], ondelete="CASCADE",
            name="fk_grant_report_units_report_id_grant_reports",
        ),
    )
    op.create_table(
        "grant_report_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_grant_report_events"),
        sa.ForeignKeyConstraint(
            ["report_id"], ["grant_reports.id"], ondelete="CASCADE",
            name="fk_grant_report_events_report_id_grant_reports",
        ),
    )
    op.create_index("ix_grant_report_events_report_id", "grant_report_events", ["report_id"])


def downgrade() -> None:
    op.drop_index("ix_grant_report_events_report_id", table_name="grant_report_events")
    op.drop_table("grant_report_events")
    op.drop_table("grant_report_units")
    op.drop_table("grant_report_uses")
    op.drop_table("grant_reports")
