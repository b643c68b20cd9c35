"""grants: the exclusion definition of a year's basis stored as data (JSON), not only as its label

Revision ID: grants_0005_exclusion
Revises: grants_0004_trial

A year set up before this revision has its definition only as the label (``områdestyp 1, 2
(2022)``); the label is read once here, into the new column. A basis file has none (NULL).
"""

import re

import sqlalchemy as sa
from alembic import op

revision = "grants_0005_exclusion"
down_revision = "grants_0004_trial"
branch_labels = None
depends_on = None

_LABEL = re.compile(r"områdestyp ([1-5](?:, [1-5])*)(?: \((\d{4})\))?")


def _data(label: str) -> dict[str, object] | None:
    m = _LABEL.fullmatch(label or "")
    if m is None:
        return None
    return {"kind": "omradestyp", "types": sorted(int(t) for t in m.group(1).split(", ")),
            "year": int(m.group(2)) if m.group(2) else None}


def upgrade() -> None:
    with op.batch_alter_table("grant_years") as batch:
        batch.add_column(sa.Column("basis_exclusion", sa.JSON(), nullable=True))
    years = sa.table("grant_years", sa.column("year", sa.Integer()), sa.column("basis_kind", sa.String()),
                     sa.column("basis_definition", sa.Text()), sa.column("basis_exclusion", sa.JSON()))
    conn = op.get_bind()
    rows = conn.execute(sa.select(years.c.year, years.c.basis_definition)
                        .where(years.c.basis_kind == "datapaket")).all()
    for year, label in rows:
        data = _data(label)
        if data is not None:
            conn.execute(years.update().where(years.c.year == year).values(basis_exclusion=data))


def downgrade() -> None:
    with op.batch_alter_table("grant_years") as batch:
        batch.drop_column("basis_exclusion")
