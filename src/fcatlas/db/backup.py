"""Backup and restore of the whole database: every room's tables (register, rounds, grants,
accounts, …) and the Alembic version table, in one file.

* PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore`` (the server's own tools; they must
  be on ``PATH``, as Debian's ``postgresql-client`` puts them).
* SQLite: the online backup API (consistent even while the service is running).

A restore goes only into an empty database unless ``replace=True``.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from fcatlas.errors import ConfigError, StorageError

_SQLITE_MAGIC = b"SQLite format 3\x00"
_PGDUMP_MAGIC = b"PGDMP"


def _sqlite_path(url: str) -> Path:
    db = make_url(url).database
    if not db or db == ":memory:":
        raise ConfigError("en SQLite-databas i minnet kan inte säkerhetskopieras")
    return Path(db)


def _libpq(url: str) -> str:
    """The URL as libpq understands it (without SQLAlchemy's ``+driver``)."""
    u = make_url(url)
    return u.set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise StorageError(f"{name} saknas; installera PostgreSQL:s klientprogram (apt-get install postgresql-client)")
    return path


def _run(cmd: list[str], what: str) -> None:
    res = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if res.returncode != 0:
        detail = (res.stderr or res.stdout).strip().splitlines()
        raise StorageError(f"{what} misslyckades: {detail[-1] if detail else f'slutkod {res.returncode}'}")


def table_names(url: str) -> list[str]:
    from fcatlas.db import make_engine

    engine = make_engine(url)
    try:
        return sorted(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def backup(url: str, target: Path) -> Path:
    """Write a backup of the database at ``url`` to ``target`` (replaced atomically)."""
    target = Path(target)
    if target.is_dir():
        raise ConfigError(f"{target} är en katalog; ange en fil för säkerhetskopian")
    if not target.parent.is_dir():
        raise ConfigError(f"katalogen {target.parent} finns inte")
    dialect = make_url(url).get_backend_name()
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if dialect == "sqlite":
            src_path = _sqlite_path(url)
            if not src_path.is_file():
                raise ConfigError(f"databasen {src_path} finns inte")
            if src_path.resolve() == target.resolve():
                raise ConfigError("säkerhetskopian kan inte skrivas över själva databasen")
            with sqlite3.connect(f"file:{src_path}?mode=ro", uri=True) as src, sqlite3.connect(tmp) as dst:
                src.backup(dst)
            dst.close()
        elif dialect == "postgresql":
            _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}",
                  f"--dbname={_libpq(url)}"], "pg_dump")
        else:
            raise ConfigError(f"säkerhetskopiering stöds för SQLite och PostgreSQL, inte {dialect}")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def restore(url: str, source: Path, replace: bool = False) -> list[str]:
    """Restore ``source`` into the database at ``url``; returns the tables restored."""
    source = Path(source)
    if not source.is_file():
        raise ConfigError(f"säkerhetskopian {source} finns inte eller är ingen vanlig fil")
    head = source.read_bytes()[:16]
    dialect = make_url(url).get_backend_name()
    existing = table_names(url) if dialect != "sqlite" or _sqlite_path(url).exists() else []
    if existing and not replace:
        raise ConfigError(
            f"databasen är inte tom ({len(existing)} tabeller); återställ till en tom databas eller ange --ersatt"
        )
    if dialect == "sqlite":
        if not head.startswith(_SQLITE_MAGIC):
            raise ConfigError(f"{source} är ingen säkerhetskopia av en SQLite-databas")
        dst_path = _sqlite_path(url)
        dst_path.parent.mkdir(parents=True, exist_ok=True)
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as src, sqlite3.connect(dst_path) as dst:
            src.backup(dst)
        dst.close()
    elif dialect == "postgresql":
        if not head.startswith(_PGDUMP_MAGIC):
            raise ConfigError(f"{source} är ingen säkerhetskopia från pg_dump (custom-format)")
        cmd = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
               f"--dbname={_libpq(url)}"]
        if replace:
            cmd[1:1] = ["--clean", "--if-exists"]
        _run([*cmd, str(source)], "pg_restore")
    else:
        raise ConfigError(f"återställning stöds för SQLite och PostgreSQL, inte {dialect}")
    from fcatlas.db import forget_engine

    forget_engine(url)  # the process's pooled connections would still see the old content
    return table_names(url)
