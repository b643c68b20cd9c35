"""grants: the decided allocation of each report (to warn when the received amount differs)

Revision ID: grants_0004_trial
Revises: grants_0003
"""

import sqlalchemy as sa
from alembic import op

revision = "grants_0004_trial"
down_revision = "grants_0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grant_reports") as batch:
        batch.add_column(sa.Column("allocated_sek", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("grant_reports") as batch:
        batch.drop_column("allocated_sek")
