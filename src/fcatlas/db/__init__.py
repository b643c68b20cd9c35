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

from sqlalchemy import URL, Engine, MetaData, create_engine, event, make_url
from sqlalchemy.orm import DeclarativeBase, Session

from fcatlas.errors import ConfigError, StorageError

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


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for other databases and in-memory SQLite)."""
    try:
        u = make_url(url)
    except Exception:
        return None
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


def make_engine(url: str | URL) -> Engine:
    """An engine for ``url``; SQLite gets foreign keys on and a parent directory created.

    Only SQLite and PostgreSQL are supported; anything else (or a malformed URL) is a Swedish
    :class:`~fcatlas.errors.ConfigError`. A SQLite file is protected from being written over by
    an output (:func:`fcatlas.files.protect`).
    """
    from fcatlas.files import protect

    try:
        u = make_url(url)
    except Exception:
        raise ConfigError(f"databasen {str(url)!r} är ingen giltig databas-URL eller SQLite-fil") from None
    backend = u.get_backend_name()
    if backend not in SUPPORTED_BACKENDS:
        raise ConfigError(
            f"databasen {u.render_as_string(hide_password=True)!r}: {backend} stöds inte; använd en SQLite-fil "
            "eller postgresql://…"
        )
    db_file = sqlite_file(u)
    if db_file is not None:
        if db_file.is_dir():
            raise ConfigError(f"databasen {str(db_file)!r} är en katalog; ange en fil, t.ex. register.sqlite")
        try:
            db_file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"katalogen för databasen {str(db_file)!r} kan inte skapas ({exc.strerror or exc})"
            ) from None
        protect(db_file, "databasen")
    try:
        engine = create_engine(u, future=True)
    except Exception as exc:  # missing driver, bad options
        raise ConfigError(f"databasen kan inte öppnas: {type(exc).__name__}: {exc}") from None
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _fk_on(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

    return engine


def alembic_config(engine: Engine):
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # configparser reads % as interpolation: a path with % (or å, quoted as %C3%A5) must be escaped
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the database schema up to date (``alembic upgrade heads``)."""
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "heads")
    except Exception as exc:  # pragma: no cover - message path
        where = engine.url.render_as_string(hide_password=True)
        text = str(getattr(exc, "orig", exc))
        if "file is not a database" in text or "not a database" in text:
            raise StorageError(f"databasen {where!r} är ingen databas (filen är något annat); ange rätt fil") from None
        if "locked" in text or "busy" in text:
            raise StorageError(f"databasen {where!r} används av någon annan just nu; försök igen om en stund") from None
        if "readonly" in text or "read-only" in text:
            raise StorageError(f"databasen {where!r} är skrivskyddad") from None
        if "unable to open" in text:
            raise StorageError(f"databasen {where!r} kan inte öppnas (finns katalogen, och får den skrivas?)") from None
        raise StorageError(f"databasen {where!r} kunde inte öppnas eller uppgraderas ({type(exc).__name__})") from exc


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
