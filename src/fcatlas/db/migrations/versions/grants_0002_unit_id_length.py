"""grants: linked unit ids as long as the register's ids (100 characters)

Revision ID: grants_0002
Revises: grants_0001
"""

import sqlalchemy as sa
from alembic import op

revision = "grants_0002"
down_revision = "grants_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grant_report_units") as batch:
        batch.alter_column("unit_id", existing_type=sa.String(64), type_=sa.String(100), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("grant_report_units") as batch:
        batch.alter_column("unit_id", existing_type=sa.String(100), type_=sa.String(64), existing_nullable=False)
