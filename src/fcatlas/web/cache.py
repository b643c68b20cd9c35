"""Per-worker caches of finished answers, so that a read of unchanged data costs almost nothing.

* :class:`DataVersions` — the data version (:func:`fcatlas.services.units.data_version`, one
  query of three indexed maxima) as this worker last read it. For the published picture it is
  trusted for ``ttl_s`` seconds (``FCATLAS_CACHE_TTL_S``, default 1 s) and forgotten at once when
  this worker has handled a request that may change it (any method but GET, HEAD and OPTIONS,
  except a change of one unit's draft, :data:`DRAFT_ONLY_WRITES`, which a draft never makes
  public). So a change made through a worker is seen by that worker's next request, and a change
  made through another worker (or with the CLI on the same database) at most ``ttl_s`` seconds
  later. With ``ttl_s`` = 0 the version is read for every request. The version of a logged-in
  user's own picture (a region's draft, the national level's) is read for every request
  (concurrent requests in threads share one read), so a change saved through any worker before the request
  is in its answer. (The version is made of the newest ids; should two changes commit in the
  opposite order of their ids, the first is seen with the next change or after ``ttl_s``.)
* :class:`PublicAnswers` — pure ASGI middleware in front of the anonymous reads of the atlas and
  the register (``/api/v1/units``, ``/areas``, ``/areas/{regso}/similar``, ``/atlas/summary``,
  ``/gaps``, ``/atlas/answers``, ``/growth``) and of the public pages (:data:`CACHED_PAGES`: the
  map, the table, the gaps, the growth, an area's and a unit's card, about the data): the
  finished answer (body, its gzip form and its ETag) is kept per path and query string for the
  published picture's version and sent again without routing, dependencies,
  database session, computation or encoding. A request with a Bearer token or a login-session
  cookie passes through to the routes (which keep a cache of encoded bodies of their own, see
  :func:`cached_json`).
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import anyio
from fastapi import Request, Response
from sqlalchemy.orm import Session

from fcatlas.services.memo import Memo
from fcatlas.services.units import data_version, version_seen, visibility
from fcatlas.web.deps import SAFE_METHODS, SESSION_COOKIE
from fcatlas.web.etag import body_with_etag, encode, etag_of

#: the anonymous reads answered from :class:`PublicAnswers`
CACHED_PATHS = re.compile(r"^/api/v1/(?:units|areas|atlas/summary|atlas/answers|growth|gaps"
                          r"|areas/[0-9]{4}R[0-9]{3}/similar)$")
#: the public pages answered from :class:`PublicAnswers` for anonymous visitors (their HTML
#: depends only on the published picture, the bundle and the query string)
CACHED_PAGES = re.compile(r"^/(?:|tabell|luckor|utveckling|om-uppgifterna|omrade/[0-9]{4}R[0-9]{3}|enhet/[^/]+)$")
#: writes that change one unit's draft only (the API's PATCH and the region's edit form): they
#: never change the published picture, so the public answers are not read again after them
DRAFT_ONLY_WRITES = re.compile(r"^(?:/api/v1/units/[^/]+|/region/enheter/[^/]+)$")
#: the answers that are compressed (as ``GZipMiddleware`` does: from 1 kB)
GZIP_MIN_BYTES = 1024
_COOKIE = SESSION_COOKIE.encode()
_T = TypeVar("_T")


class DataVersions:
    """The data version of one database as this worker last read it (see the module text)."""

    def __init__(self, engine: Any, ttl_s: float) -> None:
        self.engine, self.ttl_s = engine, ttl_s
        self._lock = threading.Lock()
        #: (version, when its read began), one attribute so that a reader never pairs a version
        #: with another one's time
        self._full: tuple[tuple[int, ...], float] | None = None
        self._generation = 0
        #: the published picture's part of the version, kept when a write cannot touch it
        self._public: tuple[tuple[int, ...], float] | None = None
        #: one read of the version at a time; the threads that need it meanwhile wait for it
        self._reading = threading.Lock()
        #: called by :meth:`forget` when more than a draft may have changed (e.g. the worker's
        #: :class:`fcatlas.web.deps.KnownActors`: a logout or a disabled account)
        self.also_forget: list[Callable[[], None]] = []

    def fresh(self, since: float | None = None) -> tuple[int, ...] | None:
        """The remembered version if it is younger than ``ttl_s`` — or, with ``since``, if its
        read began at or after that moment (``time.monotonic()``) — else ``None`` (no database)."""
        remembered = self._full
        if remembered is None:
            return None
        full, read_at = remembered
        if since is not None:
            return full if read_at >= since else None
        return full if time.monotonic() - read_at < self.ttl_s else None

    def fresh_public(self) -> tuple[int, ...] | None:
        """The published picture's version if it is younger than ``ttl_s`` (no database)."""
        remembered = self._public
        if remembered is not None and time.monotonic() - remembered[1] < self.ttl_s:
            return remembered[0]
        return None

    def full(self, since: float | None = None) -> tuple[int, ...]:
        """The version of everything: the remembered one while :meth:`fresh`, else read from the
        database (by one thread at a time; the others that need it meanwhile use what it read)."""
        hit = self.fresh(since)
        if hit is not None:
            return hit
        with self._reading:
            hit = self.fresh(since)
            if hit is not None:
                return hit
            generation, started = self._generation, time.monotonic()
            with Session(self.engine) as s:
                full = data_version(s, "alla")
            self._remember(full, generation, started)
            return full

    def _remember(self, full: tuple[int, ...], generation: int, started: float) -> None:
        with self._lock:
            if generation == self._generation:  # not forgotten while it was read
                self._full = (full, started)
                self._public = (version_seen(full, "publicerat"), started)

    async def seen_by(self, seen: str, since: float, work: Any) -> tuple[int, ...]:
        """:meth:`seen` for a route with a :class:`fcatlas.web.deps.LoopWork`: on PostgreSQL
        read through it, on the event loop to its end (no other request of the worker can share
        that read or wait for it meanwhile); on SQLite by :meth:`seen` in a thread, where
        concurrent requests share one read."""
        if not work.on_loop:
            return await anyio.to_thread.run_sync(self.seen, seen, since)
        hit = self.fresh(since if seen != "publicerat" else None)
        if hit is not None:
            return version_seen(hit, seen)
        generation, started = self._generation, time.monotonic()
        full: tuple[int, ...] = await work.run(data_version, "alla")
        self._remember(full, generation, started)
        return version_seen(full, seen)

    def seen(self, seen: str, since: float | None = None) -> tuple[int, ...]:
        """The version of the picture ``seen`` (a :func:`fcatlas.services.units.visibility`).

        The published picture's version is trusted for ``ttl_s``; any other picture (a region's
        draft, the national level's) is read again for each request (``since``: when it
        arrived; concurrent requests share one read), so that a user sees the changes committed
        before the request, whichever worker made them (see the module text for the one
        exception)."""
        return version_seen(self.full(since if seen != "publicerat" else None), seen)

    def forget(self, *, public: bool = True) -> None:
        """Read the version again for the next request (something may have changed);
        ``public=False``: the write cannot have changed the published picture (a change of one
        unit touches its draft and the audit log, never a round's snapshot), so the public
        answers stay valid meanwhile."""
        with self._lock:
            self._generation += 1
            self._full = None
            if public:
                self._public = None
        if public:
            for forget in self.also_forget:
                forget()


class _LRU:
    """A thread-safe least-recently-used map capped by the bytes of its values."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[int, Any]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        #: look-ups answered and not answered (``/metrics``: ``fcatlas_cache_hits``, ``…_misses``)
        self.hits = self.misses = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            hit = self._items.get(key)
            if hit is None:
                self.misses += 1
                return None
            self.hits += 1
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: Hashable, value: Any, size: int) -> None:
        if size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[0]
            self._items[key] = (size, value)
            self._bytes += size
            while self._bytes > self.max_bytes and self._items:
                self._bytes -= self._items.popitem(last=False)[1][0]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0


# -- the services' computations -----------------------------------------------------------------
class _Flight:
    """One computation under way: the threads that need its result wait for ``done``."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: BaseException | None = None


class Computed:
    """A worker's memo for the services (:class:`fcatlas.services.memo.Memo`): of each kind of
    result (a key's first element: ``"atlas"``, ``"unit-rows"``, ``"area-card"`` …) the
    ``max_items`` most recently used (:data:`KIND_LIMITS` for the large ones), and one computation
    per key at a time — a thread that misses a key another thread is computing waits for that
    result (or its error) instead of computing it again. A result is kept only once computed; an
    error is not kept. Kinds are kept apart so that many small results (a visitor going through
    every area's card, the rows of each data version) never push out an atlas."""

    #: at most this many of the large kinds per worker (an analysed atlas of the country is some MB)
    KIND_LIMITS = {"atlas": 64, "atlas-of": 64}

    def __init__(self, max_items: int = 128) -> None:
        self.max_items = max_items
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        #: each kind's keys, least recently used first
        self._kinds: dict[Hashable, OrderedDict[Hashable, None]] = {}
        self._flights: dict[Hashable, _Flight] = {}
        self._lock = threading.Lock()
        #: look-ups answered from the store, waits for another's computation, computations
        self.hits = self.waits = self.computations = 0

    @property
    def misses(self) -> int:
        """Look-ups not answered from the store (``/metrics``)."""
        return self.waits + self.computations

    def lookup(self, key: Hashable) -> tuple[bool, Any]:
        """``(True, result)`` if ``key`` is remembered (counted as a hit), else ``(False, None)``."""
        with self._lock:
            if key in self._items:
                self.hits += 1
                self._used(key)
                return True, self._items[key]
        return False, None

    @staticmethod
    def kind(key: Hashable) -> Hashable:
        """A key's kind: its first element (``"atlas"``, ``"unit-rows"`` …)."""
        return key[0] if isinstance(key, tuple) and key else key

    def _used(self, key: Hashable) -> None:
        self._items.move_to_end(key)
        self._kinds[self.kind(key)].move_to_end(key)

    def _keep(self, key: Hashable, value: Any) -> None:
        kind = self.kind(key)
        self._items[key] = value
        keys = self._kinds.setdefault(kind, OrderedDict())
        keys[key] = None
        keys.move_to_end(key)
        while len(keys) > self.KIND_LIMITS.get(kind, self.max_items):  # type: ignore[call-overload]
            del self._items[keys.popitem(last=False)[0]]

    def computing(self, key: Hashable) -> bool:
        """Whether a thread is computing ``key`` now."""
        with self._lock:
            return key in self._flights

    def get_or_compute(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        with self._lock:
            if key in self._items:
                self.hits += 1
                self._used(key)
                return self._items[key]
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
                self.computations += 1
            else:
                self.waits += 1
        if not leader:
            flight.done.wait()
            if flight.error is not None:
                raise flight.error
            return flight.value
        try:
            flight.value = compute()
        except BaseException as exc:
            flight.error = exc
            raise
        finally:
            with self._lock:
                del self._flights[key]
                if flight.error is None:
                    self._keep(key, flight.value)
            flight.done.set()
        return flight.value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._kinds.clear()


def memo_of(request: Request) -> Memo:
    """The worker's :class:`Computed`, to pass to a service as ``memo=`` — or, for a page tried on
    the event loop (:func:`fcatlas.web.deps.warm_first`), its :class:`WarmOnly` view."""
    memo: Memo = getattr(request.state, "memo", None) or request.app.state.memo
    return memo


class ColdCache(Exception):
    """A page tried on the event loop needs a computation that is not done (or is being done in
    a thread): it is made in the thread pool instead."""


class WarmOnly:
    """The worker's memo for a page tried on the event loop: what is remembered is answered, the
    light computations (:data:`LIGHT`: reading the picture's rows and their digests) are done, and
    any other one — an atlas, a selection's areas — raises :class:`ColdCache` rather than hold up
    every request of the worker; so is a key another thread is computing (the loop never waits for
    a thread)."""

    #: the keys computed on the loop: a query or two and some Python each
    LIGHT = frozenset({"unit-rows", "published-rows", "atlas-units"})

    def __init__(self, memo: Computed) -> None:
        self.memo = memo

    def get_or_compute(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        found, value = self.memo.lookup(key)
        if found:
            return cast(_T, value)
        kind = Computed.kind(key)
        if kind not in self.LIGHT or self.memo.computing(key):
            raise ColdCache(kind)
        return self.memo.get_or_compute(key, compute)


# -- encoded bodies of the routes (any actor) ------------------------------------------------------
def picture(request: Request, actor: Any, since: float | None = None) -> tuple[str, tuple[int, ...]]:
    """The picture ``actor`` sees and its data version (see :meth:`DataVersions.seen`; ``since``:
    when the request arrived, default now): part of every cached body's key."""
    seen = visibility(actor)
    return seen, request.app.state.versions.seen(seen, time.monotonic() if since is None else since)


def cached_json(request: Request, key: tuple[Any, ...], make: Callable[[], Any]) -> Response:
    """The JSON answer of ``make()`` with its ETag, the encoded body kept by this worker under
    ``key``, which must hold everything the answer depends on: the route, its parameters and the
    caller's :func:`picture`. ``If-None-Match`` with the same tag gets 304."""
    bodies: _LRU = request.app.state.bodies
    hit = bodies.get(key)
    return body_with_etag(request, *(hit or _kept(bodies, key, make())))


def _kept(bodies: _LRU, key: tuple[Any, ...], value: Any) -> tuple[bytes, str]:
    """``value`` encoded, with its ETag, kept in ``bodies`` under ``key``."""
    body = encode(value)
    hit = (body, etag_of(body))
    bodies.put(key, hit, len(body))
    return hit


async def answer_json(request: Request, actor: Any, key: tuple[Any, ...], make: Callable[[], Any]) -> Response:
    """:func:`cached_json` for an ``async`` route, whose ``key`` holds the route and its parameters
    (the caller's picture is added here). The published picture's body, when this worker has it
    at a version it still trusts, is sent from the event loop without a thread or the database;
    otherwise (and for every other picture, whose version is read for each request) the version
    and ``make()`` are read in the thread pool."""
    seen, arrived = visibility(actor), time.monotonic()
    version = request.app.state.versions.fresh_public() if seen == "publicerat" else None
    if version is not None:
        hit = request.app.state.bodies.get((*key, seen, version))
        if hit is not None:
            return body_with_etag(request, *hit)

    def in_thread() -> Response:
        return cached_json(request, (*key, *picture(request, actor, arrived)), make)

    return await anyio.to_thread.run_sync(in_thread)


async def answer_light(request: Request, actor: Any, key: tuple[Any, ...], work: Any,
                       make: Callable[[Session], Any]) -> Response:
    """:func:`answer_json` for a route whose answer is light to make (a query or two and some
    Python): the version and ``make(session)`` are read through the request's
    :class:`fcatlas.web.deps.LoopWork` — on PostgreSQL on the event loop, without a thread."""
    seen, arrived = visibility(actor), time.monotonic()
    bodies: _LRU = request.app.state.bodies
    version = request.app.state.versions.fresh_public() if seen == "publicerat" else None
    if version is None:
        version = await request.app.state.versions.seen_by(seen, arrived, work)
    hit = bodies.get((*key, seen, version))
    return body_with_etag(request, *(hit or _kept(bodies, (*key, seen, version), await work.run(make))))


def body_cache(max_bytes: int = 32 * 1024 * 1024) -> _LRU:
    """A worker's cache of encoded bodies for :func:`cached_json`."""
    return _LRU(max_bytes)


# -- whole anonymous answers ---------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    version: tuple[int, ...]
    body: bytes
    gzipped: bytes | None
    #: the route's headers without length and encoding (content type, ETag, Cache-Control, Vary)
    headers: tuple[tuple[bytes, bytes], ...]
    etag: bytes

    def not_modified_headers(self) -> list[tuple[bytes, bytes]]:
        return [(k, v) for k, v in self.headers if k in (b"etag", b"cache-control", b"vary")]


class PublicAnswers:
    """ASGI middleware: the anonymous reads of :data:`CACHED_PATHS` answered from finished
    answers of the published picture's current version (see the module text); every request that
    may change something makes ``versions`` read the version again."""

    def __init__(self, app: Any, versions: DataVersions, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.app, self.versions = app, versions
        self.answers = _LRU(max_bytes)
        self._filling: dict[Hashable, asyncio.Future[Answer | None]] = {}
        self._reading = asyncio.Lock()

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            try:
                await self.app(scope, receive, send)
            finally:
                self.versions.forget(public=not DRAFT_ONLY_WRITES.match(scope["path"]))
            return
        if scope["method"] != "GET" or not (CACHED_PATHS.match(scope["path"]) or CACHED_PAGES.match(scope["path"])):
            await self.app(scope, receive, send)
            return
        accept = if_none_match = b""
        cookie = _COOKIE
        for name, value in scope["headers"]:
            if name == b"authorization" or (name == b"cookie" and cookie in value):
                await self.app(scope, receive, send)  # the caller's own picture: the routes decide
                return
            if name == b"accept-encoding":
                accept = value
            elif name == b"if-none-match":
                if_none_match = value
        version = await self._version()
        key = (scope["path"], scope.get("query_string", b""))
        answer = self.answers.get(key)
        if answer is None or answer.version != version:
            filling = self._filling.get(key)
            if filling is not None:  # another request is computing the same answer: wait for it
                answer = await asyncio.shield(filling)
                if answer is None or answer.version != version:
                    await self.app(scope, receive, send)
                    return
            else:
                answer = await self._fill(key, version, scope, receive, send)
                if answer is None:
                    return  # not a cacheable answer; it has been sent as the route gave it
        await self._send(answer, accept, if_none_match, send)

    async def _version(self) -> tuple[int, ...]:
        """The published picture's data version; when it must be read, one request reads it and
        the others that arrive meanwhile wait for that answer (not a query each)."""
        public = self.versions.fresh_public()
        if public is not None:
            return public
        async with self._reading:
            public = self.versions.fresh_public()
            if public is None:
                public = version_seen(await anyio.to_thread.run_sync(self.versions.full), "publicerat")
            return public

    async def _fill(self, key: Hashable, version: tuple[int, ...], scope: dict[str, Any], receive: Any,
                    send: Any) -> Answer | None:
        filling: asyncio.Future[Answer | None] = asyncio.get_running_loop().create_future()
        self._filling[key] = filling
        answer: Answer | None = None
        try:
            answer = await self._compute(version, scope, receive, send)
            if answer is not None:
                self.answers.put(key, answer, len(answer.body) + len(answer.gzipped or b""))
            return answer
        finally:
            del self._filling[key]
            filling.set_result(answer)

    async def _compute(self, version: tuple[int, ...], scope: dict[str, Any], receive: Any,
                       send: Any) -> Answer | None:
        """Run the route for the plain body (no compression, no condition); a 200 JSON answer with
        an ETag, or a 200 page that sets no cookie (given an ETag of its body here), becomes an
        :class:`Answer`, anything else is sent on unchanged."""
        inner = dict(scope)
        inner["headers"] = [(k, v) for k, v in scope["headers"] if k not in (b"accept-encoding", b"if-none-match")]
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(inner, receive, capture)
        headers = [(k.lower(), v) for k, v in start.get("headers", [])]
        kept = tuple((k, v) for k, v in headers if k not in (b"content-length", b"content-encoding"))
        etag = next((v for k, v in kept if k == b"etag"), None)
        ctype = next((v for k, v in kept if k == b"content-type"), b"")
        body = b"".join(chunks)
        page = ctype.startswith(b"text/html") and all(k != b"set-cookie" for k, _ in kept)
        if page and etag is None and start.get("status") == 200:
            etag = b'"' + hashlib.sha256(body).hexdigest()[:32].encode() + b'"'
            kept += ((b"etag", etag),)
        if start.get("status") != 200 or etag is None or not (b"json" in ctype or page) \
                or any(k == b"content-encoding" for k, _ in headers):
            await send(start)
            await send({"type": "http.response.body", "body": body})
            return None
        gz = None
        if len(body) >= GZIP_MIN_BYTES:  # a large layer is compressed beside the event loop
            gz = gzip.compress(body, 6) if len(body) < 65536 else await anyio.to_thread.run_sync(gzip.compress, body, 6)
        vary = ((b"vary", b"Accept-Encoding"),) if gz is not None and all(k != b"vary" for k, _ in kept) else ()
        return Answer(version, body, gz, kept + vary, etag)

    @staticmethod
    async def _send(answer: Answer, accept: bytes, if_none_match: bytes, send: Any) -> None:
        if if_none_match and answer.etag in [t.strip() for t in if_none_match.split(b",")]:
            await send({"type": "http.response.start", "status": 304, "headers": answer.not_modified_headers()})
            await send({"type": "http.response.body", "body": b""})
            return
        headers = list(answer.headers)
        body = answer.body
        if answer.gzipped is not None and b"gzip" in accept:
            body = answer.gzipped
            headers.append((b"content-encoding", b"gzip"))
        headers.append((b"content-length", str(len(body)).encode()))
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
