"""register: units, round snapshots, imports, audit

Revision ID: register_0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "register_0001"
down_revision = None
branch_labels = ("register",)
depends_on = None


def _unit_fields() -> list[sa.Column[Any]]:
    return [
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("kommun_code", sa.String(4), nullable=False),
        sa.Column("lan_code", sa.String(2), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("status_date", sa.String(10), nullable=True),
        sa.Column("has_mvc", sa.Boolean(name="has_mvc"), nullable=True),
        sa.Column("has_bvc", sa.Boolean(name="has_bvc"), nullable=True),
        sa.Column("has_of", sa.Boolean(name="has_of"), nullable=True),
        sa.Column("has_soc", sa.Boolean(name="has_soc"), nullable=True),
        sa.Column("co_located", sa.Boolean(name="co_located"), nullable=True),
        sa.Column("other_partners", sa.String(500), nullable=True),
        sa.Column("address", sa.String(200), nullable=True),
        sa.Column("postcode", sa.String(5), nullable=True),
        sa.Column("locality", sa.String(100), nullable=True),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("precision", sa.String(20), nullable=False),
        sa.Column("stated_accuracy", sa.String(100), nullable=True),
        sa.Column("source_coordinates", sa.String(200), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "register_imports",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("round_year", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(500), nullable=False),
        sa.Column("file_sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("n_rows", sa.Integer(), nullable=False),
        sa.Column("n_accepted", sa.Integer(), nullable=False),
        sa.Column("n_rejected", sa.Integer(), nullable=False),
        sa.Column("n_new", sa.Integer(), nullable=False),
        sa.Column("n_changed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_register_imports"),
    )
    op.create_table(
        "register_units",
        sa.Column("id", sa.String(100), nullable=False),
        *_unit_fields(),
        sa.Column("first_round", sa.Integer(), nullable=False),
        sa.Column("last_round", sa.Integer(), nullable=False),
        sa.Column("source_file", sa.String(500), nullable=True),
        sa.Column("source_row", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_register_units"),
    )
    op.create_index("ix_register_units_kommun_code", "register_units", ["kommun_code"])
    op.create_index("ix_register_units_lan_code", "register_units", ["lan_code"])
    op.create_index("ix_register_units_last_round", "register_units", ["last_round"])
    op.create_table(
        "register_round_units",
        sa.Column("round_year", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.String(100), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=True),
        *_unit_fields(),
        sa.PrimaryKeyConstraint("round_year", "unit_id", name="pk_register_round_units"),
        sa.ForeignKeyConstraint(["unit_id"], ["register_units.id"],
                                name="fk_register_round_units_unit_id_register_units"),
        sa.ForeignKeyConstraint(["import_id"], ["register_imports.id"],
                                name="fk_register_round_units_import_id_register_imports"),
    )
    op.create_index("ix_register_round_units_kommun_code", "register_round_units", ["kommun_code"])
    op.create_index("ix_register_round_units_lan_code", "register_round_units", ["lan_code"])
    op.create_table(
        "register_audit",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_id", sa.String(100), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_register_audit"),
        sa.ForeignKeyConstraint(["unit_id"], ["register_units.id"],
                                name="fk_register_audit_unit_id_register_units"),
        sa.ForeignKeyConstraint(["import_id"], ["register_imports.id"],
                                name="fk_register_audit_import_id_register_imports"),
    )
    op.create_index("ix_register_audit_unit_id", "register_audit", ["unit_id"])


def downgrade() -> None:
    op.drop_table("register_audit")
    op.drop_table("register_round_units")
    op.drop_table("register_units")
    op.drop_table("register_imports")
