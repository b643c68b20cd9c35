"""grants: grant years, their basis and the decided allocations; who changed a report's status

Revision ID: grants_0003
Revises: grants_0002
"""

import sqlalchemy as sa
from alembic import op

revision = "grants_0003"
down_revision = "grants_0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "grant_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_sek", sa.BigInteger(), nullable=False),
        sa.Column("fixed_sek", sa.BigInteger(), nullable=False),
        sa.Column("include_all", sa.Boolean(), nullable=False),
        sa.Column("report_deadline", sa.Date(), nullable=False),
        sa.Column("basis_kind", sa.String(10), nullable=False),
        sa.Column("basis_source", sa.Text(), nullable=False),
        sa.Column("basis_definition", sa.Text(), nullable=False),
        sa.Column("basis_data_year", sa.Integer(), nullable=True),
        sa.Column("basis_notes", sa.JSON(), nullable=False),
        sa.Column("basis_sources", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(254), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.String(254), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("year", name="pk_grant_years"),
        sa.CheckConstraint("status IN ('forberedd', 'beslutad')", name="ck_grant_years_status"),
        sa.CheckConstraint("total_sek >= 0 AND fixed_sek >= 0", name="ck_grant_years_money_nonneg"),
    )
    op.create_table(
        "grant_year_basis",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(2), nullable=False),
        sa.Column("region_name", sa.String(200), nullable=False),
        sa.Column("basis_children", sa.BigInteger(), nullable=False),
        sa.Column("n_areas", sa.Integer(), nullable=True),
        sa.Column("estimated", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("year", "region_code", name="pk_grant_year_basis"),
        sa.ForeignKeyConstraint(["year"], ["grant_years.year"], ondelete="CASCADE",
                                name="fk_grant_year_basis_year_grant_years"),
        sa.CheckConstraint("basis_children >= 0", name="ck_grant_year_basis_basis_nonneg"),
    )
    op.create_table(
        "grant_decisions",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("region_code", sa.String(2), nullable=False),
        sa.Column("region_name", sa.String(200), nullable=False),
        sa.Column("eligible", sa.Boolean(), nullable=False),
        sa.Column("basis_children", sa.BigInteger(), nullable=False),
        sa.Column("fixed_sek", sa.BigInteger(), nullable=False),
        sa.Column("variable_sek", sa.BigInteger(), nullable=False),
        sa.Column("total_sek", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("year", "region_code", name="pk_grant_decisions"),
        sa.ForeignKeyConstraint(["year"], ["grant_years.year"], ondelete="CASCADE",
                                name="fk_grant_decisions_year_grant_years"),
        sa.CheckConstraint("total_sek = fixed_sek + variable_sek", name="ck_grant_decisions_parts_sum"),
    )
    with op.batch_alter_table("grant_report_events") as batch:
        batch.add_column(sa.Column("user_name", sa.String(254), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grant_report_events") as batch:
        batch.drop_column("user_name")
    op.drop_table("grant_decisions")
    op.drop_table("grant_year_basis")
    op.drop_table("grant_years")
