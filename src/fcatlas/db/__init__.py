"""The database: one SQLAlchemy ``Base`` for every room that stores things, one engine per
database per process, the schema check and Alembic migrations (``fcatlas/db/migrations``).

SQLite (a file) is the embedded default; PostgreSQL is the server option. Every room's tables
derive from :class:`Base`; each room keeps its own migrations under its own Alembic branch
label (``register``, ``grants`` …) in ``migrations/versions``.

* :func:`get_engine` — the process's one engine for a URL (cached; every face and store uses it).
* :func:`open_engine` — that engine, after checking that the schema is current. A database with
  no tables at all is *created* at the current schema; one at an older revision is refused with
  a Swedish :class:`~fcatlas.errors.StorageError` saying how to upgrade it. Nothing is migrated.
* :func:`upgrade` — the only migration: ``fcatlas db upgrade`` and ``fcatlas serve`` at start.
* :func:`unit_of_work` — one transaction (a :class:`~sqlalchemy.orm.Session`); stores work in it.
* :func:`loop_engine` — PostgreSQL: the same database for the light calls the web service runs on
  its event loop (one connection whose lock waits are cut short).
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import URL, Engine, MetaData, create_engine, event, inspect, make_url, text
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
#: how the names of fcatlas's tables begin (a database with none of them is empty to fcatlas)
TABLE_PREFIXES = ("register_", "grant_", "accounts_", "economics_", "mail_")


def utcnow() -> dt.datetime:
    """Now, in UTC (every stored time is timezone-aware)."""
    return dt.datetime.now(dt.UTC)


def acting_user(user: str | None) -> str:
    """Who acts: ``user``, else the login name (every audit entry and event records somebody)."""
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no login name in some containers
        return "okänd"


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL (``None`` for other databases and in-memory SQLite)."""
    try:
        u = make_url(url)
    except Exception:
        return None
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    return Path(u.database).expanduser()


def make_engine(url: str | URL, *, pool_size: int | None = None) -> Engine:
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
        # absolute: the engine is kept for the whole process, whatever the working directory
        u = u.set(database=str(db_file.absolute()))
    # PostgreSQL: a fixed pool (FCATLAS_DB_POOL, default 20) large enough for a web worker under
    # load, so that connections are kept rather than opened and closed (each a new server process)
    # as the load varies; a request that finds them all busy waits for one
    pool = {}
    if backend.startswith("postgresql"):
        from fcatlas.settings import Settings

        pool = {"pool_size": pool_size or Settings.from_env().db_pool, "max_overflow": 0}
    try:
        engine = create_engine(u, future=True, **pool)
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


# -- one engine per database per process ---------------------------------------------------------
_engines: dict[str, Engine] = {}
_loop_engines: dict[str, Engine] = {}  # loop_engine(): the same databases for an event loop
#: every loop engine still in use (an app keeps its own after forget_engine dropped it from
#: _loop_engines): forget_engines closes their connections too
_loop_engines_alive: weakref.WeakSet[Engine] = weakref.WeakSet()
_current: set[str] = set()  # engines whose schema was found current (checked once per process)
_lock = threading.Lock()


def _key(url: str | URL) -> str | None:
    """The cache key of ``url`` (``None``: not cached, as in-memory SQLite, a new database each time)."""
    try:
        u = make_url(url)
    except Exception:
        return None  # make_engine says in Swedish what is wrong
    if u.get_backend_name() == "sqlite":
        file = sqlite_file(u)
        if file is None:
            return None
        u = u.set(database=str(file.absolute()))
    return u.render_as_string(hide_password=False)


def get_engine(url: str | URL, *, pool_size: int | None = None) -> Engine:
    """The process's one engine for ``url`` (created on first use; the schema is not checked).

    Every face and store gets its engine here, so that a process keeps one connection pool per
    database however often it opens it.
    """
    key = _key(url)
    if key is None:
        return make_engine(url, pool_size=pool_size)
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = make_engine(url, pool_size=pool_size)
        return engine


def forget_engine(url: str | URL) -> None:
    """Close and drop the cached engine of ``url`` (after its database was replaced, e.g. by a
    restore: pooled connections would still see the old file)."""
    key = _key(url)
    with _lock:
        engine = _engines.pop(key, None) if key is not None else None
        loop = _loop_engines.pop(key, None) if key is not None else None
        _current.discard(key or "")
    if engine is not None:
        engine.dispose()
    if loop is not None:
        loop.dispose()


def forget_engines() -> None:
    """Close and drop every cached engine (tests do it after each test: no idle connections stay
    open to databases that are gone)."""
    with _lock:
        engines = list(_engines.values())
        loops = list(_loop_engines_alive)
        _engines.clear()
        _loop_engines.clear()
        _current.clear()
    for engine in engines:
        engine.dispose()
    for loop in loops:
        loop.dispose()


def thread_pool_size() -> int:
    """A web worker's connections for the thread pool's work: ``FCATLAS_DB_POOL`` less the one of
    its :func:`loop_engine`, so a process keeps no more than the setting says."""
    from fcatlas.settings import Settings

    return max(1, Settings.from_env().db_pool - 1)


#: how long a statement of :func:`loop_engine` waits for a lock held by another transaction
#: before it gives up (the caller then waits in a thread; see fcatlas.web.deps.LoopWork)
LOOP_LOCK_TIMEOUT_MS = 100


def loop_engine(engine: Engine) -> Engine | None:
    """PostgreSQL: the process's engine for the light service calls that the web service runs on
    its event loop (``fcatlas.web.deps.LoopWork``) — the same database, one connection (a
    worker's loop runs one such call at a time, to its end), each statement giving up a lock wait
    after :data:`LOOP_LOCK_TIMEOUT_MS` (``lock_timeout``; SQLSTATE 55P03, see
    :func:`waited_for_lock`) so that a lock held elsewhere never stops the loop. ``None`` for
    SQLite (those calls run in threads)."""
    if engine.dialect.name != "postgresql":
        return None
    key = _key(engine.url) or ""
    with _lock:
        loop = _loop_engines.get(key)
        if loop is None:
            loop = _loop_engines[key] = make_engine(engine.url, pool_size=1)
            event.listen(loop, "connect", _cut_lock_waits)
            _loop_engines_alive.add(loop)
        return loop


def _cut_lock_waits(dbapi_conn, _record) -> None:
    """A new connection of :func:`loop_engine`: its statements wait at most
    :data:`LOOP_LOCK_TIMEOUT_MS` for a lock."""
    cur = dbapi_conn.cursor()
    cur.execute(f"SET lock_timeout = {LOOP_LOCK_TIMEOUT_MS}")
    cur.close()
    dbapi_conn.commit()  # (psycopg begins a transaction for the SET: it would stay open)


def waited_for_lock(exc: BaseException) -> bool:
    """Whether ``exc`` (or an error it came from) is PostgreSQL's "lock not available" (55P03): a
    statement of :func:`loop_engine` gave up waiting for another transaction's lock."""
    seen: set[int] = set()
    err: BaseException | None = exc
    while err is not None and id(err) not in seen:
        seen.add(id(err))
        if getattr(getattr(err, "orig", err), "sqlstate", None) == "55P03":
            return True
        err = err.__cause__ or err.__context__
    return False


def reading(engine: Engine) -> Engine:
    """``engine`` for work that only reads: on PostgreSQL its connections run in autocommit, so a
    read is one round trip without ``BEGIN`` and ``ROLLBACK`` (under READ COMMITTED every
    statement sees the latest committed state either way); the same pool. Other databases: the
    engine itself."""
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(isolation_level="AUTOCOMMIT")


def where(engine: Engine) -> str:
    """The database as a person names it: a SQLite file's path, else the URL without password."""
    file = sqlite_file(engine.url)
    return str(file) if file is not None else engine.url.render_as_string(hide_password=True)


def _storage_error(engine: Engine, exc: BaseException, doing: str) -> StorageError:
    """A database failure as a Swedish :class:`StorageError`."""
    place = where(engine)
    text_ = str(getattr(exc, "orig", exc))
    if "file is not a database" in text_ or "not a database" in text_:
        return StorageError(f"databasen {place!r} är ingen databas (filen är något annat); ange rätt fil")
    if "locked" in text_ or "busy" in text_:
        return StorageError(f"databasen {place!r} används av någon annan just nu; försök igen om en stund")
    if "readonly" in text_ or "read-only" in text_:
        return StorageError(f"databasen {place!r} är skrivskyddad")
    if "unable to open" in text_:
        return StorageError(f"databasen {place!r} kan inte öppnas (finns katalogen, och får den skrivas?)")
    return StorageError(f"databasen {place!r} kunde inte {doing} ({type(exc).__name__})")


def migrate(engine: Engine) -> None:
    """Bring the database schema up to date (``alembic upgrade heads``)."""
    from alembic import command

    try:
        command.upgrade(alembic_config(engine), "heads")
    except Exception as exc:  # pragma: no cover - message path
        raise _storage_error(engine, exc, "öppnas eller uppgraderas") from exc
    with _lock:
        _current.add(_key(engine.url) or "")


@functools.cache
def _revisions() -> dict[str, tuple[str, ...]]:
    """Every migration's revision and the revisions it follows, read from the scripts' text
    (without importing Alembic, which would cost every command a quarter of a second)."""
    import ast

    out: dict[str, tuple[str, ...]] = {}
    for script in sorted((MIGRATIONS / "versions").glob("*.py")):
        values: dict[str, object] = {}
        for node in ast.parse(script.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                if node.targets[0].id in ("revision", "down_revision"):
                    values[node.targets[0].id] = ast.literal_eval(node.value)
        if isinstance(values.get("revision"), str):
            down = values.get("down_revision")
            parents = (down,) if isinstance(down, str) else tuple(down) if isinstance(down, tuple | list) else ()
            out[str(values["revision"])] = tuple(str(d) for d in parents)
    return out


def schema_heads() -> frozenset[str]:
    """The newest revision of every branch of this version of fcatlas (from the migration scripts)."""
    revisions = _revisions()
    parents = {p for ps in revisions.values() for p in ps}
    return frozenset(r for r in revisions if r not in parents)


def _known_revisions() -> frozenset[str]:
    return frozenset(_revisions())


def schema_state(engine: Engine) -> str:
    """``current``, ``empty`` (none of fcatlas's tables, nothing to upgrade), ``old`` (an older
    revision: to be upgraded), ``newer`` (made by a newer fcatlas) or ``unversioned`` (fcatlas
    tables without Alembic's version table)."""
    with engine.connect() as conn:
        names = set(inspect(conn).get_table_names())
        versions = (set(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
                    if "alembic_version" in names else set())
    if not versions:
        return "unversioned" if any(n.startswith(TABLE_PREFIXES) for n in names) else "empty"
    if versions == schema_heads():
        return "current"
    if versions - _known_revisions():
        return "newer"
    return "old"


def check_schema(engine: Engine, *, create: bool = True) -> None:
    """Make sure the schema of ``engine``'s database is the current one.

    An empty database (no fcatlas tables) is created at the current schema when ``create``;
    nothing is ever upgraded here: an older schema is refused in Swedish with the command that
    upgrades it (``fcatlas db upgrade --db …``).
    """
    key = _key(engine.url) or ""
    with _lock:
        if key and key in _current:
            return
    try:
        state = schema_state(engine)
    except Exception as exc:  # not a database, locked, unreachable …
        raise _storage_error(engine, exc, "öppnas") from exc
    if state == "empty" and create:
        try:
            migrate(engine)  # creation of a new database, not an upgrade
        except StorageError:
            if schema_state(engine) != "current":  # else another process created it meanwhile
                raise
        return
    place = where(engine)
    if state == "old":
        raise StorageError(
            f"databasen {place} har ett äldre schema än den här versionen av fcatlas och måste uppgraderas "
            f"först (ta gärna en säkerhetskopia innan): fcatlas db upgrade --db {_quote(place)}"
        )
    if state == "newer":
        raise StorageError(
            f"databasen {place} har ett nyare schema än den här versionen av fcatlas; uppdatera fcatlas"
        )
    if state == "unversioned":
        raise StorageError(
            f"databasen {place} har fcatlas-tabeller men ingen schemaversion (alembic_version); "
            "den kan inte användas – ange en tom databas eller återställ en säkerhetskopia"
        )
    if state == "empty":
        raise StorageError(f"databasen {place} är tom")
    with _lock:
        if key:
            _current.add(key)


def _quote(place: str) -> str:
    """``place`` as one shell word (quoted only when needed)."""
    import shlex

    return shlex.quote(place)


def open_engine(url: str | URL, *, create: bool = True, pool_size: int | None = None) -> Engine:
    """The process's engine for ``url`` after :func:`check_schema` (an empty database is created);
    ``pool_size``: its PostgreSQL pool if the engine is made now (default ``FCATLAS_DB_POOL``)."""
    engine = get_engine(url, pool_size=pool_size)
    check_schema(engine, create=create)
    return engine


def connect(url: str | URL) -> Engine:
    """The engine of ``url`` with a current schema (:func:`open_engine`); never migrates an
    existing database."""
    return open_engine(url)


def upgrade(url: str | URL) -> Engine:
    """Migrate the database at ``url`` to the current schema (``fcatlas db upgrade``, and
    ``fcatlas serve`` at start): the one place where an existing database is upgraded."""
    engine = get_engine(url)
    migrate(engine)
    return engine


@contextmanager
def unit_of_work(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends normally, rolled back on an exception."""
    with Session(engine) as session, session.begin():
        yield session


class SessionStore:
    """The one shape of every store: it works in a :class:`~sqlalchemy.orm.Session`.

    * ``Store(session)`` — inside the caller's unit of work: the store reads and writes in it and
      the caller commits (services, the web).
    * ``Store.open(url)`` or ``Store(engine)`` — the CLI's convenience: a session of its own on the
      process's engine, each call of the store its own transaction.
    """

    def __init__(self, session: Session | Engine) -> None:
        self._owns = isinstance(session, Engine)
        self.session: Session = Session(session) if isinstance(session, Engine) else session

    @property
    def engine(self) -> Engine:
        bind = self.session.get_bind()
        return bind if isinstance(bind, Engine) else bind.engine

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """The session to work in: the caller's (flushed at the end; the caller commits), or, for a
        store with its own session, a transaction committed at the end (rolled back on an error)."""
        if not self._owns:
            yield self.session
            self.session.flush()
        elif self.session.in_transaction():
            yield self.session
        else:
            with self.session.begin():
                yield self.session

    def close(self) -> None:
        """End a store's own session (the process's engine stays open for the next use)."""
        if self._owns:
            self.session.close()

    def __enter__(self) -> SessionStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
