"""The one place where fcatlas talks HTTP to publishers: JSON requests with an on-disk cache,
a polite rate limit and Swedish errors when offline. Every online source goes through here."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from fcatlas.errors import FcatlasError, OfflineError


class CachedHttp:
    """JSON over HTTP, cache first.

    Parameters
    ----------
    cache_dir : Path
        One JSON file per distinct request (method, URL, query, body) is kept here.
    offline : bool
        Never touch the network; a request missing from the cache is an :class:`OfflineError`.
    min_interval : float
        Seconds between calls (SCB allows about 30 calls per 10 s).
    """

    def __init__(self, cache_dir: Path, offline: bool = False, timeout: float = 30.0,
                 min_interval: float = 0.34, what: str = "tjänsten") -> None:
        self.cache_dir = Path(cache_dir)
        self.offline = offline
        self.timeout = timeout
        self.min_interval = min_interval
        self.what = what
        self._last = 0.0
        self.calls = 0

    def _cache_path(self, method: str, url: str, params: dict[str, str], body: Any) -> Path:
        digest = hashlib.sha256(
            json.dumps([method, url, sorted(params.items()), body], sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:32]
        return self.cache_dir / f"{digest}.json"

    def json(self, method: str, url: str, params: dict[str, str] | None = None, body: Any = None) -> Any:
        import httpx

        params = params or {}
        cache = self._cache_path(method, url, params, body)
        if cache.is_file():
            return json.loads(cache.read_text(encoding="utf-8"))
        if self.offline:
            raise OfflineError(
                f"{self.what} behövs ({url}) men fcatlas körs utan internet (FCATLAS_OFFLINE) "
                "och svaret finns inte i cachen"
            )
        resp = None
        for attempt in range(3):
            wait = self.min_interval - (time.monotonic() - self._last)
            if wait > 0:
                time.sleep(wait)
            try:
                with httpx.Client(timeout=self.timeout) as http:
                    resp = http.request(method, url, params=params, json=body)
            except httpx.TransportError as exc:
                parts = urlsplit(url)
                base = f"{parts.scheme}://{parts.netloc}"
                raise OfflineError(
                    f"{self.what} ({base}) gick inte att nå: {type(exc).__name__}. "
                    "Kontrollera internetanslutningen, eller bygg datapaketet av nedladdade filer "
                    "med 'fcatlas data build --from KATALOG'."
                ) from exc
            finally:
                self._last = time.monotonic()
                self.calls += 1
            if resp.status_code == 429 and attempt < 2:
                time.sleep(10)
                continue
            break
        assert resp is not None
        if resp.status_code >= 400:
            raise FcatlasError(f"{self.what} svarade {resp.status_code} på {url}: {resp.text[:300]}")
        try:
            data = resp.json()
        except ValueError as exc:
            raise FcatlasError(f"{self.what} gav inget JSON-svar på {url}") from exc
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        tmp.replace(cache)
        return data
