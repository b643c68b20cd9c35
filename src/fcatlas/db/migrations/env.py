"""Alembic environment for fcatlas: uses the engine handed over by :func:`fcatlas.db.migrate`."""

from alembic import context
from sqlalchemy import create_engine

import fcatlas.db as db

config = context.config
target_metadata = db.Base.metadata


def run() -> None:
    engine = config.attributes.get("engine") or create_engine(str(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as connection:
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()


run()
