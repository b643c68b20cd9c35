"""rounds: a round stays open after publication (per-region publication and deadline), a round is
closed by the national level; a pending import remembers its mode

* ``register_round_regions.deadline`` — a region's extended deadline (``NULL``: the round's);
* ``register_round_regions.published_at`` — when the region's approved list was published
  (the public picture is, per region, its last published list);
* ``register_rounds.closed_by/closed_at`` — the national level closed the round (no list can
  change any more); a round published before this migration was closed by its publication;
* ``register_pending_imports.partial`` (``bara enheterna i filen``) and ``erase_blanks`` (empty
  cells empty the fields, even values entered on the web).

Revision ID: rounds_0002
Revises: rounds_0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "rounds_0002"
down_revision = "rounds_0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("register_round_regions") as b:
        b.add_column(sa.Column("deadline", sa.Date(), nullable=True))
        b.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("register_rounds") as b:
        b.add_column(sa.Column("closed_by", sa.String(254), nullable=True))
        b.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("register_pending_imports") as b:
        b.add_column(sa.Column("partial", sa.Boolean(), nullable=False, server_default=sa.false()))
        b.add_column(sa.Column("erase_blanks", sa.Boolean(), nullable=False, server_default=sa.false()))
    # before: publishing ended the round for everyone, and showed every approved list
    op.execute("UPDATE register_round_regions SET published_at = (SELECT r.published_at FROM register_rounds r "
               "WHERE r.round_year = register_round_regions.round_year) "
               "WHERE status = 'godkand' AND round_year IN "
               "(SELECT round_year FROM register_rounds WHERE status = 'publicerad')")
    op.execute("UPDATE register_rounds SET status = 'stangd', closed_by = published_by, closed_at = published_at "
               "WHERE status = 'publicerad'")


def downgrade() -> None:
    op.execute("UPDATE register_rounds SET status = 'publicerad' WHERE status = 'stangd' "
               "AND published_at IS NOT NULL")
    with op.batch_alter_table("register_pending_imports") as b:
        b.drop_column("erase_blanks")
        b.drop_column("partial")
    with op.batch_alter_table("register_rounds") as b:
        b.drop_column("closed_at")
        b.drop_column("closed_by")
    with op.batch_alter_table("register_round_regions") as b:
        b.drop_column("published_at")
        b.drop_column("deadline")
