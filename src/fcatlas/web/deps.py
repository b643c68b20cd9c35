"""Dependencies of every route: the unit of work (one database session per request) and the
acting user (a Bearer token, else the web pages' login-session cookie; anonymous without either)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request, UploadFile
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.errors import (
    AuthenticationError,
    PayloadTooLargeError,
    PermissionDeniedError,
    StorageError,
    UnsupportedMediaTypeError,
)
from fcatlas.services import accounts
from fcatlas.web.config import WebConfig


def get_session(request: Request) -> Iterator[Session]:
    """A session on the process's one engine; routes that change something commit themselves,
    anything not committed is rolled back."""
    with Session(request.app.state.engine) as session:
        try:
            yield session
        finally:
            session.rollback()


async def get_config(request: Request) -> WebConfig:  # no I/O: answered on the event loop
    return request.app.state.config


SessionDep = Annotated[Session, Depends(get_session)]
ConfigDep = Annotated[WebConfig, Depends(get_config)]


#: the login-session cookie of the web pages (HttpOnly, SameSite=Lax, Secure over https)
SESSION_COOKIE = "fcatlas_session"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def cookie_actor(request: Request, session: Session) -> Actor:
    """The actor of a valid login-session cookie (anonymous when there is none or it has expired).
    Its CSRF token is left in ``request.state.csrf``; a state-changing API call made with the
    cookie must repeat it in ``X-CSRF-Token`` (the pages check their forms' hidden field)."""
    request.state.csrf = None
    sid = request.cookies.get(SESSION_COOKIE)
    if not sid:
        return ANONYMOUS
    try:
        actor, csrf = accounts.session_actor(session, session_id=sid)
    except AuthenticationError:
        return ANONYMOUS
    request.state.csrf = csrf
    if request.method not in SAFE_METHODS and request.url.path.startswith("/api/") \
            and request.headers.get("x-csrf-token") != csrf:
        raise PermissionDeniedError("CSRF-nyckeln saknas eller stämmer inte (huvudet X-CSRF-Token)")
    return actor


def current_actor(request: Request, session: SessionDep) -> Actor:
    """The acting user: the account of a valid Bearer token, else of the login-session cookie,
    else anonymous. A token that is sent but not valid is refused (401) rather than treated as
    anonymous."""
    header = request.headers.get("authorization")
    if not header:
        return cookie_actor(request, session)
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization-huvudet ska vara 'Bearer <nyckel>'")
    return accounts.token_actor(session, token=token.strip())


ActorDep = Annotated[Actor, Depends(current_actor)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "okänd"


async def json_body(request: Request) -> None:
    """Refuse a request body that is not JSON (415) on routes that take JSON (no I/O: checked on
    the event loop, without a trip to the thread pool)."""
    has_body = request.headers.get("content-length", "0") != "0" or "transfer-encoding" in request.headers
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if has_body and ctype != "application/json":
        raise UnsupportedMediaTypeError(f"innehållet ska vara JSON (Content-Type: application/json), inte {ctype or 'okänt'}")


def get_bundle(request: Request) -> Any:
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
