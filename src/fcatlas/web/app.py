"""The app factory: one engine and one bundle per process (workers share nothing but the
database), the error handlers, the JSON access log and the routers."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware

from fcatlas.web import problems
from fcatlas.web.config import WebConfig

DESCRIPTION = (
    "Det nationella registret över familjecentraler, familjecentralsliknande verksamheter och andra "
    "samverkansformer, kopplat till SCB:s RegSO/DeSO med områdestyp och barn 0–6 år, och "
    "statsbidraget 2026–2030. Fel svaras alltid som JSON: `{\"fel\": \"…\", \"detaljer\": […]}`."
)


class AccessLog:
    """ASGI middleware: one JSON line per request (method, path, status, ms, client) — never the
    query string's secrets, headers, cookies or bodies."""

    def __init__(self, app: Any, path: Path | None) -> None:
        self.app, self.path = app, path

    def _write(self, line: str) -> None:
        if self.path is None:
            sys.stderr.write(line)
            return
        with open(self.path, "a", encoding="utf-8") as f:  # one append per line: safe across workers
            f.write(line)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = {"code": 500}

        async def _send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, _send)
        finally:
            client = scope.get("client") or ("", 0)
            line = {"tid": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "metod": scope["method"],
                    "sokvag": scope["path"], "status": status["code"],
                    "ms": round((time.perf_counter() - start) * 1000, 1), "klient": client[0]}
            self._write(json.dumps(line, ensure_ascii=False) + "\n")


def create_app(config: WebConfig | None = None) -> FastAPI:
    """The fcatlas web service for ``config`` (default: from the environment)."""
    from fcatlas.db import connect
    from fcatlas.web.api import atlas, auth, borders, downloads, grants, health, imports, rounds, units
    from fcatlas.web.pages import router as pages

    cfg = config or WebConfig.from_env()
    app = FastAPI(title="fcatlas", version="1", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url="/api/docs", redoc_url=None)
    app.state.config = cfg
    app.state.engine = connect(cfg.db_url)
    app.state.bundle = None
    if cfg.bundle is not None:
        from fcatlas.geography.bundle import Bundle

        app.state.bundle = Bundle.open(cfg.bundle)
    problems.install(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(rounds.router)
    app.include_router(units.router)
    app.include_router(imports.router)
    app.include_router(atlas.router)
    app.include_router(borders.router)
    app.include_router(downloads.router)
    app.include_router(grants.router)
    app.include_router(pages.router)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(AccessLog, path=cfg.access_log)
    return app
