"""One settings object: environment ``FCATLAS_*``, overridden by CLI flags.

No analysis reads the environment itself; the faces (CLI, web) build a :class:`Settings` and pass
the values on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import platformdirs


def _default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("fcatlas", appauthor=False))


@dataclass(frozen=True)
class Settings:
    #: SQLAlchemy URL of the register database (``FCATLAS_DB``).
    db_url: str = ""
    #: Where fcatlas keeps its own files: default SQLite db, caches (``FCATLAS_HOME``).
    home: Path = field(default_factory=_default_data_dir)
    #: Cache for online downloads (``FCATLAS_CACHE``).
    cache_dir: Path | None = None
    #: Whether online sources may be used (``FCATLAS_OFFLINE=1`` forbids it).
    offline: bool = False
    #: Largest input file accepted, in bytes (``FCATLAS_MAX_FILE_MB``, default 10 MB).
    max_input_bytes: int = 10_000_000
    #: Most rows accepted in one input file (``FCATLAS_MAX_ROWS``, default 50 000).
    max_input_rows: int = 50_000
    #: Most connections one process keeps to PostgreSQL (``FCATLAS_DB_POOL``, default 20; a web
    #: worker gives one to its event loop, :func:`fcatlas.db.thread_pool_size`): with
    #: ``fcatlas serve --workers N`` the server needs N times as many (PostgreSQL allows 100 by default).
    db_pool: int = 20
    #: the SMTP server mail goes through (``FCATLAS_SMTP_URL``: ``smtp://host:port``, ``smtps://…``,
    #: ``?starttls``, user and password in the URL); empty: no mail is sent
    smtp_url: str = ""
    #: the sender of every mail (``FCATLAS_MAIL_FROM``)
    mail_from: str = ""
    #: the address of the web service that links in mails lead to (``FCATLAS_PUBLIC_URL``)
    public_url: str = ""

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        home = Path(e["FCATLAS_HOME"]) if e.get("FCATLAS_HOME") else _default_data_dir()
        return cls(
            db_url=e.get("FCATLAS_DB", ""),
            home=home,
            cache_dir=Path(e["FCATLAS_CACHE"]) if e.get("FCATLAS_CACHE") else None,
            offline=e.get("FCATLAS_OFFLINE", "").strip().lower() not in ("", "0", "false", "no", "nej"),
            max_input_bytes=_positive(e, "FCATLAS_MAX_FILE_MB", 10.0, 1_000_000),
            max_input_rows=_positive(e, "FCATLAS_MAX_ROWS", 50_000, 1),
            db_pool=_positive(e, "FCATLAS_DB_POOL", 20, 1),
            smtp_url=e.get("FCATLAS_SMTP_URL", "").strip(),
            mail_from=e.get("FCATLAS_MAIL_FROM", "").strip(),
            public_url=e.get("FCATLAS_PUBLIC_URL", "").strip(),
        )

    @property
    def database_url(self) -> str:
        """The database URL; a SQLite file in ``home`` when nothing is set."""
        if self.db_url:
            return to_sqlalchemy_url(self.db_url)
        return sqlite_url(self.home / "fcatlas.sqlite")

    @property
    def database_file(self) -> Path | None:
        """The SQLite file of :attr:`database_url` (``None`` for PostgreSQL and in-memory SQLite);
        the default file and a plain path are found without loading SQLAlchemy (a command that
        opens no database starts faster)."""
        if not self.db_url:
            return (self.home / "fcatlas.sqlite").expanduser()
        if "://" not in self.db_url:
            return None if self.db_url == ":memory:" else Path(self.db_url).expanduser()
        if not self.db_url.startswith("sqlite"):
            return None
        from sqlalchemy import make_url  # as fcatlas.db.sqlite_file reads it (the URL quotes å, %, ?, #)

        try:
            u = make_url(self.db_url)
        except Exception:
            return None
        if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
            return None
        return Path(u.database).expanduser()

    @property
    def cache(self) -> Path:
        return self.cache_dir or (self.home / "cache")


def _positive(env: os._Environ[str] | dict[str, str], name: str, default: float, unit: int) -> int:
    from fcatlas.errors import ConfigError

    raw = env.get(name, "").strip()
    if not raw:
        return int(default * unit)
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: ange ett positivt tal") from None
    if not value > 0 or value > 1e6:
        raise ConfigError(f"{name}={raw!r}: ange ett positivt tal")
    return int(value * unit)


def sqlite_url(path: str | Path) -> str:
    """The SQLAlchemy URL of a SQLite file, quoted so that any path works (å, ä, ö, %, ?, #).

    >>> sqlite_url("/home/åsa/50%/db.sqlite")
    'sqlite:////home/%C3%A5sa/50%25/db.sqlite'
    """
    from sqlalchemy import URL

    return URL.create("sqlite", database=str(path)).render_as_string(hide_password=False)


def to_sqlalchemy_url(value: str) -> str:
    """Accept a URL or a plain file path (taken as a SQLite file).

    >>> to_sqlalchemy_url("register.sqlite")
    'sqlite:///register.sqlite'
    >>> to_sqlalchemy_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    if "://" not in value:
        return sqlite_url(value)
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value
