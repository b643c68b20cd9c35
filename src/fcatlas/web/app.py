"""The app factory: one engine and one bundle per process (workers share nothing but the
database), the error handlers, the JSON access log and the routers."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import time
import weakref
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
from fastapi import FastAPI, Request, Response
from fastapi.middleware.gzip import GZipMiddleware

from fcatlas import errors as e
from fcatlas.web import nul, problems
from fcatlas.web.config import WebConfig
from fcatlas.web.deps import SESSION_COOKIE

DESCRIPTION = (
    "Det nationella registret över familjecentraler, familjecentralsliknande verksamheter och andra "
    "samverkansformer, kopplat till SCB:s RegSO/DeSO med områdestyp och barn 0–6 år, och "
    "statsbidraget 2026–2030. Fel svaras alltid som JSON: `{\"fel\": \"…\", \"detaljer\": […]}`."
)


class AccessLog:
    """ASGI middleware, the outermost: times every request once — one JSON line per request
    (method, path, status, ms, client), never the query string's secrets, headers, cookies or
    bodies — and gives the same figures to ``observe`` (the ``/metrics`` counts). The file is
    opened once per worker in append mode and line-buffered: each line is one ``write`` at the
    end of the file, so the workers' lines never mix."""

    def __init__(self, app: Any, path: Path | None,
                 observe: Callable[[dict[str, Any], int, float], None] | None = None) -> None:
        self.app, self.path, self.observe = app, path, observe
        self._file: TextIO | None = None

    def _write(self, line: str) -> None:
        if self.path is None:
            sys.stderr.write(line)
            return
        if self._file is None or self._file.closed:
            self._file = open(self.path, "a", buffering=1, encoding="utf-8")  # noqa: SIM115 - kept open
            weakref.finalize(self, self._file.close)  # closed with the app (tests make many)
        self._file.write(line)

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
            seconds = time.perf_counter() - start
            if self.observe is not None:
                self.observe(scope, status["code"], seconds)
            client = scope.get("client") or ("", 0)
            line = {"tid": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "metod": scope["method"],
                    "sokvag": scope["path"], "status": status["code"],
                    "ms": round(seconds * 1000, 1), "klient": client[0], "inloggad": _with_login(scope)}
            self._write(json.dumps(line, ensure_ascii=False) + "\n")


def _with_login(scope: dict[str, Any]) -> bool:
    """Whether the request carried a login (a token or the login session's cookie; not checked):
    the access log tells the public's requests from the logged-in ones of the same address."""
    return any(k == b"authorization" or (k == b"cookie" and _LOGIN_MARK in v) for k, v in scope.get("headers") or ())


#: the login session's cookie in a ``Cookie`` header
_LOGIN_MARK = SESSION_COOKIE.encode() + b"="


def warm_up(app: FastAPI) -> None:
    """Fill this worker's caches (in the background, :func:`warm`): the published atlas of the country
    and of each län that has RegSO boundaries in the bundle, with their area layers (what the
    start page and the API ask for first), and the PDF annex of each decided grant year."""
    from fcatlas.db import unit_of_work
    from fcatlas.services import areas, grants

    with unit_of_work(app.state.engine) as session:
        if app.state.bundle is not None:
            areas.warm(session, app.state.bundle, memo=app.state.memo)
        grants.warm_annexes(session, memo=app.state.memo)


async def warm_answers(app: FastAPI) -> None:
    """Ask this worker, in process, for the start page and the public API reads it leads to, so
    that templates, lazily imported modules, look-up tables and the answer caches are ready too.
    The requests are in the access log with the client ``uppvärmning``."""
    import httpx

    from fcatlas.services.areas import mapped_lans

    if app.state.bundle is None:
        return
    urls = ["/", "/karta/lan.geojson", "/api/v1/atlas/summary"]
    for lan in mapped_lans(app.state.bundle):
        urls += [f"/?lan={lan}", f"/api/v1/atlas/summary?lan={lan}", f"/api/v1/areas?lan={lan}&format=geojson",
                 f"/api/v1/units?lan={lan}", f"/api/v1/gaps?lan={lan}"]
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False, client=("uppvärmning", 0))
    async with httpx.AsyncClient(transport=transport, base_url="http://localhost") as client:
        for url in urls:
            await client.get(url)


async def warm(app: FastAPI) -> None:
    """:func:`warm_up` and :func:`warm_answers`, in the background of a started worker; then,
    for a served worker, :func:`settle_heap` (also when the warm-up failed)."""
    try:
        await anyio.to_thread.run_sync(warm_up, app, abandon_on_cancel=True)
        await warm_answers(app)
    except asyncio.CancelledError:
        raise
    except Exception:  # noqa: BLE001 - a cold cache is slower, not wrong
        logging.getLogger("fcatlas.web").warning("uppvärmningen av cacharna misslyckades", exc_info=True)
    if app.state.settle:
        settle_heap()


def settle_heap() -> None:
    """Take what the worker keeps for its life (modules, the bundle, look-up tables, the warm
    caches) out of the garbage collector's full passes (``gc.freeze``), after one collection.
    A warm worker holds over 300,000 objects, and a full pass over them stopped it for about
    150 ms (every request in it waiting) whenever enough new objects had lived long; objects made
    afterwards are collected as ever."""
    import gc

    gc.collect()
    gc.freeze()


def create_served_app() -> FastAPI:
    """The app of a worker process of ``fcatlas serve`` (uvicorn's factory): :func:`create_app`
    from the environment, its heap settled after the warm-up (:func:`settle_heap`; not for an app
    made in a process that makes and drops many, as the tests do: frozen objects are never
    collected as cycles)."""
    return create_app(settle=True)


def install_error_handlers(app: FastAPI) -> None:
    """The one handler of every :class:`~fcatlas.errors.FcatlasError` a route or dependency lets
    out (by then the unit of work has rolled back): JSON under ``/api`` (:mod:`fcatlas.web.problems`),
    elsewhere a page (:func:`fcatlas.web.pages.errors.answer`: the refused form again, the login
    page, or the Swedish error page). Starlette's own errors (no such address) likewise."""
    from starlette.exceptions import HTTPException as StarletteHTTPException

    from fcatlas.web.pages import errors as page_errors

    problems.install(app)

    @app.exception_handler(e.FcatlasError)
    async def _refused(request: Request, exc: e.FcatlasError) -> Response:
        if problems.is_api(request):
            return problems.of_error(exc)
        return await page_errors.answer(request, exc)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if problems.wants_page(request):
            return page_errors.http_page(request, exc)
        return problems.of_http(exc)


def create_app(config: WebConfig | None = None, *, settle: bool = False) -> FastAPI:
    """The fcatlas web service for ``config`` (default: from the environment); ``settle``: its
    heap settled once it is warm, or at start without a warm-up (:func:`settle_heap`)."""
    from fcatlas.db import loop_engine, open_engine, reading, thread_pool_size
    from fcatlas.web import docs, metrics, oidc
    from fcatlas.web.api import atlas, auth, borders, downloads, grants, health, imports, rounds, units
    from fcatlas.web.cache import Computed, DataVersions, PublicAnswers, body_cache
    from fcatlas.web.deps import KnownActors
    from fcatlas.web.hardening import Hardening
    from fcatlas.web.pages import router as pages

    cfg = config or WebConfig.from_env()
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # the caches are warmed in the background: the worker answers at once (a request that
        # needs what is being computed waits for that one computation, see web.cache.Computed)
        task = asyncio.create_task(warm(app)) if cfg.warm else None
        app.state.warming = task
        if task is None and settle:
            settle_heap()
        yield
        if task is not None and not task.done():
            task.cancel()
        if app.state.loop_engine is not None:  # its connection closed, not left to the collector
            app.state.loop_engine.dispose()

    app = FastAPI(title="fcatlas", version="1", description=DESCRIPTION, lifespan=lifespan,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)  # /api/docs: web.docs
    app.state.config, app.state.settle = cfg, settle
    from fcatlas.services.accounts import limit_concurrent_hashes

    limit_concurrent_hashes(cfg.login_concurrent)  # argon2 takes 64 MiB a hash: a burst must not take the worker
    # FCATLAS_DB_POOL connections in all: one for the loop, the rest for the threads
    app.state.engine = open_engine(cfg.db_url, pool_size=thread_pool_size())  # the process's one engine; 'fcatlas serve' upgraded it
    app.state.reading = reading(app.state.engine)  # for GET and HEAD: the same pool, no BEGIN/ROLLBACK
    # PostgreSQL: the same database for the light service calls that run on the event loop, to
    # their end (web.deps.LoopWork); None on SQLite
    app.state.loop_engine = loop_engine(app.state.engine)
    app.state.loop_reading = (app.state.loop_engine.execution_options(isolation_level="AUTOCOMMIT")
                              if app.state.loop_engine is not None else None)
    app.state.versions = DataVersions(app.state.reading, cfg.cache_ttl_s)
    app.state.actors = KnownActors(cfg.cache_ttl_s)
    app.state.versions.also_forget.append(app.state.actors.clear)
    app.state.bodies = body_cache()
    app.state.memo = Computed()  # the services' computations (fcatlas.services.memo)
    app.state.bundle = None
    if cfg.bundle is not None:
        from fcatlas.geography.bundle import Bundle

        app.state.bundle = Bundle.open(cfg.bundle)
    install_error_handlers(app)
    nul.install(app)  # NUL in an address or a body: 422 in Swedish
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
    app.include_router(docs.router)
    oidc.install(app)  # /oidc/…: the organisations' own login (FCATLAS_OIDC_FIL)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(PublicAnswers, versions=app.state.versions)
    figures = metrics.install(app, os.environ.get("FCATLAS_METRICS_FRA"))  # /metrics
    app.add_middleware(Hardening, max_upload=cfg.max_upload_bytes, trusted_proxies=cfg.trusted_proxies)
    app.add_middleware(AccessLog, path=cfg.access_log, observe=figures.count)  # times each request once
    return app
