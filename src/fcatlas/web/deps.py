"""Dependencies of every route: the unit of work (one database session per request) and the
acting user (a Bearer token; anonymous without one)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from fcatlas.accounts import store
from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.errors import AuthenticationError, StorageError, UnsupportedMediaTypeError
from fcatlas.web.config import WebConfig


def get_session(request: Request) -> Iterator[Session]:
    """A session on the process's one engine; routes that change something commit themselves,
    anything not committed is rolled back."""
    with Session(request.app.state.engine) as session:
        try:
            yield session
        finally:
            session.rollback()


def get_config(request: Request) -> WebConfig:
    return request.app.state.config  # type: ignore[no-any-return]


SessionDep = Annotated[Session, Depends(get_session)]
ConfigDep = Annotated[WebConfig, Depends(get_config)]


def current_actor(request: Request, session: SessionDep) -> Actor:
    """The acting user: the account of a valid Bearer token, else anonymous. A token that is sent
    but not valid is refused (401) rather than treated as anonymous."""
    header = request.headers.get("authorization")
    if not header:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthenticationError("Authorization-huvudet ska vara 'Bearer <nyckel>'")
    return store.actor_from_token(session, token=token.strip())


ActorDep = Annotated[Actor, Depends(current_actor)]


def client_address(request: Request) -> str:
    return request.client.host if request.client else "okänd"


def json_body(request: Request) -> None:
    """Refuse a request body that is not JSON (415) on routes that take JSON."""
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
