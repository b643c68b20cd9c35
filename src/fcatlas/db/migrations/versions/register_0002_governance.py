"""register: optional governance facts per unit (styrgrupp, samordnare, avtal, plan, uppföljning, möten)

Revision ID: register_0002_governance
Revises: register_0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "register_0002_governance"
down_revision = "register_0001"
branch_labels = None
depends_on = None

COLUMNS = (
    "gov_steering_group",
    "gov_coordinator",
    "gov_written_agreement",
    "gov_joint_plan",
    "gov_joint_followup",
    "gov_joint_meetings",
)
TABLES = ("register_units", "register_round_units")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for c in COLUMNS:
                batch.add_column(sa.Column(c, sa.Boolean(name=c), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            for c in reversed(COLUMNS):
                batch.drop_column(c)
