"""register: why a unit's status is what it is (closed when missing from its region's round,
merged into another unit), and as of which round it was closed

Revision ID: register_0003_trial
Revises: register_0002_governance
"""

import sqlalchemy as sa
from alembic import op

revision = "register_0003_trial"
down_revision = "register_0002_governance"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("register_units") as batch:
        batch.add_column(sa.Column("status_reason", sa.String(200), nullable=True))
        batch.add_column(sa.Column("closed_round", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("register_units") as batch:
        batch.drop_column("merged_into")
        batch.drop_column("closed_round")
        batch.drop_column("status_reason")
