"""register: a unit's audit entries indexed by unit and id together, so that its newest entry
(who saved it last, in a 412) and its history are read from the index without sorting, however
many changes the unit has had

Revision ID: register_0004_audit_by_unit
Revises: register_0003_trial
"""

from alembic import op

revision = "register_0004_audit_by_unit"
down_revision = "register_0003_trial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_register_audit_unit_id_id", "register_audit", ["unit_id", "id"])
    op.drop_index("ix_register_audit_unit_id", table_name="register_audit")


def downgrade() -> None:
    op.create_index("ix_register_audit_unit_id", "register_audit", ["unit_id"])
    op.drop_index("ix_register_audit_unit_id_id", table_name="register_audit")
