"""The database: one SQLAlchemy ``Base`` for every room that stores things, engine creation and
Alembic migrations (``fcatlas/db/migrations``).

SQLite (a file) is the embedded default; PostgreSQL is the server option. Every room's tables
derive from :class:`Base`; each room keeps its own migrations under its own Alembic branch
label (``register``, ``grants`` …) in ``migrations/versions`` and :func:`migrate` upgrades all
heads.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, MetaData, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session

from fcatlas.errors import StorageError

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on and a parent directory created."""
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url[len("sqlite:///"):]).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema up to date (``alembic upgrade heads``)."""
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "heads")
    except Exception as exc:  # pragma: no cover - message path
        raise StorageError(f"databasen kunde inte uppgraderas: {exc}") from exc


def connect(url: str) -> Engine:
    """Engine for ``url`` with the schema migrated to the newest version."""
    engine = make_engine(url)
    migrate(engine)
    return engine


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on an exception."""
    with Session(engine) as session, session.begin():
        yield session
