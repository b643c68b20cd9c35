"""Dependencies of every route: the unit of work (one database session per request, committed on
success and rolled back on error), the acting user (a Bearer token, else the web pages'
login-session cookie; anonymous without either) and the CSRF checks of the pages' forms."""

from __future__ import annotations

import functools
import hashlib
import hmac
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import Depends, Request, UploadFile
from sqlalchemy.orm import Session
from starlette.datastructures import FormData

from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.db import waited_for_lock
from fcatlas.errors import (
    AuthenticationError,
    PayloadTooLargeError,
    PermissionDeniedError,
    StorageError,
    UnsupportedMediaTypeError,
)
from fcatlas.services import accounts
from fcatlas.web.config import WebConfig

_T = TypeVar("_T")


async def unit_of_work(request: Request) -> AsyncIterator[Session]:
    """The request's unit of work: one session on the process's one engine, committed when the
    route returns and rolled back when it raises (routes hold no commit, rollback or ``except`` of
    their own). A route that must keep its writes even when it answers with an error (a failed
    login is counted) names those errors with :func:`commit_even_if`.

    Used with ``scope="function"``: the commit happens before the answer is sent, so a client
    that is told "saved" can read it back at once. The session is made on the event loop (it takes
    no connection until it is first used, in the route's thread); the commit, and the rollback of
    a transaction still open, run in the thread pool (database I/O never blocks the event loop).
    A GET, HEAD or OPTIONS only reads: on PostgreSQL its session runs in autocommit
    (:func:`fcatlas.db.reading`) and nothing is committed."""
    async with _thread_work(request) as session:
        yield session


@asynccontextmanager
async def _thread_work(request: Request) -> AsyncIterator[Session]:
    state = request.app.state
    reads = request.method in SAFE_METHODS
    session = Session(state.reading if reads else state.engine)
    #: in autocommit nothing is left to roll back: the connection goes back to the pool without I/O
    autocommit = reads and state.reading is not state.engine
    try:
        yield session
        if not reads and _work_left(session):  # (a change that committed itself leaves none: no thread trip)
            with anyio.CancelScope(shield=True):  # a dropped client must not undo a write half-way
                await anyio.to_thread.run_sync(session.commit)
    except Exception as exc:
        if _keep(request, exc, reads):
            with anyio.CancelScope(shield=True):
                await anyio.to_thread.run_sync(session.commit)
        raise
    finally:
        if session.in_transaction() and not autocommit:
            with anyio.CancelScope(shield=True):  # a dropped client must not leak the connection
                await anyio.to_thread.run_sync(session.close)
        else:
            session.close()


def _keep(request: Request, exc: Exception, reads: bool) -> bool:
    """Whether the writes of a request that raised ``exc`` are kept (:func:`commit_even_if`)."""
    keep: tuple[type[BaseException], ...] = getattr(request.state, "commit_even_if", ())
    return bool(keep) and isinstance(exc, keep) and not reads


class LoopWork:
    """The request's database work for a route whose service calls are light (a query or two and
    some Python, no atlas): ``await work.run(service_function, **arguments)`` calls
    ``service_function(session, **arguments)`` with a :class:`Session` of its own, committed when
    it returns (if it left anything to commit) and rolled back when it raises — each call its own
    unit of work, as :func:`fcatlas.db.unit_of_work`.

    On PostgreSQL the call runs *on the event loop, to its end*, on the worker's
    :func:`fcatlas.db.loop_engine` (one connection; a GET's session in autocommit). Its round trips
    to a local database take a fraction of a millisecond each, and a call of a few of them blocks
    the loop for less than the loop would need to come back to it after each awaited trip while
    it serves other requests: measured with 50 users (``benchmarks/web_load.py``), awaiting each
    trip in an ``AsyncSession`` gave a PATCH 30–36 ms of server time at p50 against 2–2.6 ms run
    to its end, with as many requests per second or more. A lock held by another transaction
    would stop the whole worker, so the loop's statements give up a lock wait after
    :data:`fcatlas.db.LOOP_LOCK_TIMEOUT_MS`: the call is then rolled back and run again in the
    thread pool on the worker's ordinary engine, where it waits as long as it must (as it does
    when the loop's connection is in use, which a worker's one loop never makes it).

    On SQLite it runs in the thread pool on the session of :func:`unit_of_work` (a SQLite write
    can wait seconds for the file's lock). Never for a call that computes an atlas or waits for
    another thread (``memo=``): it would hold up every request of the worker."""

    def __init__(self, request: Request | None = None, session: Session | None = None) -> None:
        self._request, self._session = request, session

    @property
    def on_loop(self) -> bool:
        """Whether the calls run on the event loop (PostgreSQL), not in threads."""
        return self._session is None

    async def run(self, fn: Callable[..., _T], /, *args: Any, **kwargs: Any) -> _T:
        if self._session is not None:  # SQLite: in a thread, in the request's unit of work
            return await anyio.to_thread.run_sync(functools.partial(fn, self._session, *args, **kwargs))
        assert self._request is not None
        reads = self._request.method in SAFE_METHODS
        return await light(self._request.app.state, reads, functools.partial(_one_call, reads, fn, args, kwargs))


async def light(state: Any, reads: bool, call: Callable[[Any], _T], *,
                again_for: tuple[type[Exception], ...] = ()) -> _T:
    """``call(engine)`` for light work (:class:`LoopWork`, the look-up of who is logged in, a
    page of :func:`warm_first`): on PostgreSQL on the event loop to its end, on the worker's
    :func:`fcatlas.db.loop_engine` (autocommit for ``reads``); on SQLite — or when a statement
    gave up waiting for a lock held elsewhere, or the call raised one of ``again_for`` — in the
    thread pool, on the worker's ordinary engine."""
    loop = state.loop_engine
    # (its one connection is in use only when two apps share the process and its engine: tests)
    if loop is not None and loop.pool.checkedout() == 0:
        try:
            return call(state.loop_reading if reads else loop)
        except Exception as exc:
            if not (isinstance(exc, again_for) or waited_for_lock(exc)):
                raise
    # a lock held elsewhere: wait for it in a thread (the loop serves the others meanwhile)
    return await anyio.to_thread.run_sync(call, state.reading if reads else state.engine)


async def warm_first(request: Request, build: Callable[..., _T], /, *args: Any) -> _T:
    """``build(request, session, *args)`` — a page that only reads — as :func:`light` work: on
    PostgreSQL tried first on the event loop to its end, where ``memo_of(request)`` is the
    :class:`fcatlas.web.cache.WarmOnly` view of the worker's memo (what is computed already, and
    the light reads of the picture's rows); if the page needs more
    (:class:`fcatlas.web.cache.ColdCache`) it is made again in the thread pool. Its session holds
    one data version for all its parts (:func:`fcatlas.services.units.hold_data_version`).

    Why: a logged-in map page after a change of a draft takes some 8 ms of Python once its atlas
    is computed. In a thread it shares the interpreter with the event loop, which under 50 users
    held it four fifths of the time (py-spy): 9 ms became 100–170 ms of server time."""
    from fcatlas.services.units import hold_data_version
    from fcatlas.web.cache import ColdCache, WarmOnly

    state = request.app.state

    def page(engine: Any) -> _T:
        request.state.memo = WarmOnly(state.memo) if engine is state.loop_reading else None
        try:
            with Session(engine) as session:
                hold_data_version(session)
                return build(request, session, *args)
        finally:
            request.state.memo = None

    return await light(state, True, page, again_for=(ColdCache,))


def _one_call(reads: bool, fn: Callable[..., _T], args: tuple[Any, ...], kwargs: dict[str, Any], engine: Any) -> _T:
    """``fn(session, *args, **kwargs)`` in a session of its own on ``engine``: committed when it
    returns with work left, rolled back when it raises (closing the session)."""
    with Session(engine) as session:
        result = fn(session, *args, **kwargs)
        if not reads and _work_left(session):
            session.commit()
        return result


async def loop_work(request: Request) -> AsyncIterator[LoopWork]:
    """The dependency of :class:`LoopWork` (``scope="function"``, as :func:`unit_of_work`)."""
    if request.app.state.loop_engine is None:
        async with _thread_work(request) as session:
            yield LoopWork(session=session)
        return
    yield LoopWork(request)


def _work_left(session: Session) -> bool:
    """Whether the session has anything to commit: a transaction begun, or objects not flushed."""
    return session.in_transaction() or bool(session.new or session.dirty or session.deleted)


@contextmanager
def side_session(request: Request) -> Iterator[Session]:
    """A short session of its own on the process's engine, for what the error handler shows after
    the request's unit of work has rolled back (a refused form again)."""
    with Session(request.app.state.engine) as session:
        yield session


#: the former name of :func:`unit_of_work`
get_session = unit_of_work


def commit_even_if(request: Request, *kinds: type[BaseException]) -> None:
    """Keep what this request wrote even when it ends in one of ``kinds`` (the unit of work rolls
    back on any other error): for the few routes whose refusal is itself a write to keep, such as
    a failed login that counts against the account and the address in every worker."""
    request.state.commit_even_if = kinds


async def get_config(request: Request) -> WebConfig:  # no I/O: answered on the event loop
    return request.app.state.config


SessionDep = Annotated[Session, Depends(unit_of_work, scope="function")]
LoopWorkDep = Annotated[LoopWork, Depends(loop_work, scope="function")]
ConfigDep = Annotated[WebConfig, Depends(get_config)]


#: the login-session cookie of the web pages (HttpOnly, SameSite=Lax, Secure over https)
SESSION_COOKIE = "fcatlas_session"
#: the pre-login CSRF cookie (double submit) of the login form
LOGIN_CSRF_COOKIE = "fcatlas_login_csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


#: the longest a worker remembers who is behind a token or login, whatever FCATLAS_CACHE_TTL_S says
MAX_ACTOR_TTL_S = 5.0


class KnownActors:
    """This worker's memory of who is behind a Bearer token or a login-session cookie, so that a
    logged-in read of unchanged data needs no database at all.

    An entry is trusted for ``ttl_s`` seconds (``FCATLAS_CACHE_TTL_S``, the time the worker trusts
    its data version, but at most :data:`MAX_ACTOR_TTL_S`; 0 = always read), counted from the
    start of the look-up that found it, and every entry is forgotten when this worker has handled
    a write that is not a change of one unit's draft (see
    :meth:`fcatlas.web.cache.DataVersions.forget`); a look-up that was under way then is not kept.
    So a logout takes effect at once in the worker that handled it and within ``ttl_s`` in the
    others; a disabled account, a new password or a revoked token (``fcatlas user …``), and a
    token or login that expires, within ``ttl_s`` everywhere. Entries are keyed by a digest of the
    secret, never the secret; only valid secrets are kept. Used on the event loop only (no lock)."""

    def __init__(self, ttl_s: float, max_items: int = 10_000) -> None:
        self.ttl_s, self.max_items = min(ttl_s, MAX_ACTOR_TTL_S), max_items
        self._items: dict[bytes, tuple[float, Actor, str | None]] = {}
        self._generation = 0

    @staticmethod
    def _key(kind: str, secret: str) -> bytes:
        return hashlib.sha256(f"{kind}:{secret}".encode()).digest()

    def get(self, kind: str, secret: str) -> tuple[Actor, str | None] | None:
        hit = self._items.get(self._key(kind, secret))
        if hit is None or time.monotonic() - hit[0] >= self.ttl_s:
            return None
        return hit[1], hit[2]

    def begin(self) -> tuple[int, float]:
        """A look-up's start, to hand to :meth:`put`."""
        return self._generation, time.monotonic()

    def put(self, kind: str, secret: str, started: tuple[int, float], actor: Actor, csrf: str | None = None) -> None:
        """Remember what the look-up begun at ``started`` found, unless the memory was cleared since."""
        if self.ttl_s <= 0 or started[0] != self._generation:
            return
        if len(self._items) >= self.max_items:
            self._items.clear()
        self._items[self._key(kind, secret)] = (started[1], actor, csrf)

    def clear(self) -> None:
        self._generation += 1
        self._items.clear()


def _token_actor(token: str, engine: Any) -> Actor:
    with Session(engine) as s:  # its own short session: the connection goes back at once
        return accounts.token_actor(s, token=token)


def _session_actor(sid: str, engine: Any) -> tuple[Actor, str]:
    with Session(engine) as s:
        return accounts.session_actor(s, session_id=sid)


async def cookie_actor(request: Request) -> Actor:
    """The actor of a valid login-session cookie (anonymous when there is none or it has expired).
    Its CSRF token is left in ``request.state.csrf``; a state-changing API call made with the
    cookie must repeat it in ``X-CSRF-Token`` (the pages check their forms' hidden field)."""
    request.state.csrf = None
    request.state.actor = ANONYMOUS
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return ANONYMOUS
    known: KnownActors = request.app.state.actors
    hit = known.get("session", sid)
    if hit is None:
        started = known.begin()
        try:
            hit = await light(request.app.state, True, functools.partial(_session_actor, sid))
        except AuthenticationError:
            return ANONYMOUS
        known.put("session", sid, started, *hit)
    actor, csrf = hit
    request.state.csrf, request.state.actor = csrf, actor
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/") \
            and request.headers.get("x-csrf-token") != csrf:
        raise PermissionDeniedError("CSRF-nyckeln saknas eller stämmer inte (huvudet X-CSRF-Token)")
    return actor


async def current_actor(request: Request) -> Actor:
    """The acting user: the account of a valid Bearer token, else of the login-session cookie,
    else anonymous. A token that is sent but not valid is refused (401) rather than treated as
    anonymous. Answered on the event loop when this worker knows the secret
    (:class:`KnownActors`), else looked up as :func:`light` work: on PostgreSQL on the loop, to
    its end. (A look-up in the thread pool stopped every request that needed it meanwhile: with
    50 users and entries trusted for 1 s, one /region in ten took 50–130 ms of server time.)"""
    header = request.headers.get("authorization")
    if not header:
        return await cookie_actor(request)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("Authorization-huvudet ska vara 'Bearer <nyckel>'")
    known: KnownActors = request.app.state.actors
    hit = known.get("token", token)
    if hit is not None:
        request.state.actor = hit[0]
        return hit[0]
    started = known.begin()
    actor = await light(request.app.state, True, functools.partial(_token_actor, token))
    known.put("token", token, started, actor)
    request.state.actor = actor
    return actor


ActorDep = Annotated[Actor, Depends(current_actor)]


async def form_data(request: Request) -> AsyncIterator[FormData]:
    """The submitted form (fields and files), read once per request and closed after the answer
    (its uploaded files are temporary files); see :func:`fcatlas.web.pages.forms.parse`."""
    form = await request.form()
    try:
        yield form
    finally:
        await form.close()


FormDataDep = Annotated[FormData, Depends(form_data)]


def _same(expected: str | None, given: object) -> bool:
    return bool(expected) and isinstance(given, str) and bool(given) and hmac.compare_digest(str(expected), given)


async def form_csrf(request: Request, actor: ActorDep, form: FormDataDep) -> None:
    """A logged-in page's state-changing form: its hidden field ``csrf`` must equal the login
    session's CSRF token (403 otherwise)."""
    if not _same(getattr(request.state, "csrf", None), form.get("csrf")):
        raise PermissionDeniedError("formuläret saknar giltig CSRF-nyckel; ladda om sidan och försök igen")


async def login_csrf(request: Request, form: FormDataDep) -> None:
    """The login form (no session yet): its hidden field ``csrf`` must equal the pre-login cookie
    (double submit; 403 otherwise)."""
    if not _same(request.cookies.get(LOGIN_CSRF_COOKIE), form.get("csrf")):
        raise PermissionDeniedError(
            "formuläret saknar giltig CSRF-nyckel; ladda om inloggningssidan och försök igen")


#: the CSRF check of a logged-in page's form: ``@router.post(..., dependencies=[FORM_CSRF])``
FORM_CSRF = Depends(form_csrf)
#: the CSRF check of the login form
LOGIN_CSRF = Depends(login_csrf)



def client_address(request: Request) -> str:
    return request.client.host if request.client else "okänd"


async def json_body(request: Request) -> None:
    """Refuse a request body that is not JSON (415) on routes that take JSON (no I/O: checked on
    the event loop, without a trip to the thread pool)."""
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and ctype != "application/json":
        raise UnsupportedMediaTypeError(f"innehållet ska vara JSON (Content-Type: application/json), inte {ctype or 'okänt'}")


async def get_bundle(request: Request) -> Any:  # no I/O: answered on the event loop
    """The bundle the service was started with; 503 when there is none."""
    bundle = request.app.state.bundle
    if bundle is None:
        raise StorageError("tjänsten har inget datapaket; starta den med --bundle PAKET")
    return bundle


BundleDep = Annotated[Any, Depends(get_bundle)]


async def read_upload(file: UploadFile, config: WebConfig) -> bytes:
    """An uploaded file's bytes, read no further than the limit; larger is refused (413)."""
    content = await file.read(config.max_upload_bytes + 1)
    if len(content) > config.max_upload_bytes:
        raise PayloadTooLargeError(f"filen är större än {config.max_upload_bytes // (1024 * 1024)} MB")
    return content
