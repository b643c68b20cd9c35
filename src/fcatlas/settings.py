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

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        e = os.environ if env is None else env
        home = Path(e["FCATLAS_HOME"]) if e.get("FCATLAS_HOME") else _default_data_dir()
        return cls(
            db_url=e.get("FCATLAS_DB", ""),
            home=home,
            cache_dir=Path(e["FCATLAS_CACHE"]) if e.get("FCATLAS_CACHE") else None,
            offline=e.get("FCATLAS_OFFLINE", "").strip().lower() not in ("", "0", "false", "no", "nej"),
        )

    @property
    def database_url(self) -> str:
        """The database URL; a SQLite file in ``home`` when nothing is set."""
        if self.db_url:
            return to_sqlalchemy_url(self.db_url)
        return f"sqlite:///{self.home / 'fcatlas.sqlite'}"

    @property
    def cache(self) -> Path:
        return self.cache_dir or (self.home / "cache")


def to_sqlalchemy_url(value: str) -> str:
    """Accept a URL or a plain file path (taken as a SQLite file).

    >>> to_sqlalchemy_url("register.sqlite")
    'sqlite:///register.sqlite'
    >>> to_sqlalchemy_url("postgresql://u@h/db")
    'postgresql+psycopg://u@h/db'
    """
    if "://" not in value:
        return f"sqlite:///{value}"
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        return "postgresql+psycopg://" + value.split("://", 1)[1]
    return value
