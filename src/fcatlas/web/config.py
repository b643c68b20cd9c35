"""Settings of the web service (environment ``FCATLAS_*``, set by ``fcatlas serve``)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WebConfig:
    #: SQLAlchemy URL of the database (``FCATLAS_DB``)
    db_url: str
    #: the data bundle served (``FCATLAS_BUNDLE``); optional, ``/healthz`` says whether it is loaded
    bundle: Path | None = None
    #: failed logins allowed per account / per address in the window (``FCATLAS_LOGIN_PER_KONTO`` …)
    login_per_account: int = 5
    login_per_address: int = 20
    login_window_s: int = 900
    #: lifetime of a token from ``/api/v1/auth/token``, hours
    token_hours: int = 12
    #: largest upload accepted (``FCATLAS_MAX_UPLOAD_MB``, default 10 MB)
    max_upload_bytes: int = 10 * 1024 * 1024
    #: file for the JSON-lines access log (``FCATLAS_ACCESS_LOG``); standard error when unset
    access_log: Path | None = None
    #: how long a worker trusts the data version it last read, seconds (``FCATLAS_CACHE_TTL_S``):
    #: a change made through another worker, or with the CLI, is seen at most this much later
    #: (a change made through the same worker at once); 0 reads it for every request
    cache_ttl_s: float = 1.0
    #: fill the caches (the published atlas, the area layers) at start, before taking requests
    #: (``FCATLAS_VARM``, 1 or 0)
    warm: bool = True
    #: addresses of the reverse proxies whose ``X-Forwarded-Proto`` is believed
    #: (``FCATLAS_BETRODDA_PROXYER``, separated by commas or spaces); HSTS is sent only over https
    trusted_proxies: frozenset[str] = frozenset()
    #: password checks (argon2, 64 MiB each) running at once in one worker (``FCATLAS_LOGIN_SAMTIDIGA``)
    login_concurrent: int = 2

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> WebConfig:
        from fcatlas.settings import Settings

        e = os.environ if env is None else env
        bundle = e.get("FCATLAS_BUNDLE")
        log = e.get("FCATLAS_ACCESS_LOG")
        return cls(
            db_url=Settings.from_env(dict(e)).database_url,
            bundle=Path(bundle) if bundle else None,
            login_per_account=int(e.get("FCATLAS_LOGIN_PER_KONTO", "5")),
            login_per_address=int(e.get("FCATLAS_LOGIN_PER_ADRESS", "20")),
            login_window_s=int(e.get("FCATLAS_LOGIN_FONSTER_S", "900")),
            token_hours=int(e.get("FCATLAS_TOKEN_TIMMAR", "12")),
            access_log=Path(log) if log else None,
            max_upload_bytes=int(float(e.get("FCATLAS_MAX_UPLOAD_MB", "10")) * 1024 * 1024),
            cache_ttl_s=float(e.get("FCATLAS_CACHE_TTL_S", "1")),
            warm=e.get("FCATLAS_VARM", "1") not in ("0", "nej", "false", ""),
            trusted_proxies=frozenset(e.get("FCATLAS_BETRODDA_PROXYER", "").replace(",", " ").split()),
            login_concurrent=max(1, int(e.get("FCATLAS_LOGIN_SAMTIDIGA", "2"))),
        )
