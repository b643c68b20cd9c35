"""Every error as JSON ``{"fel": "<Swedish message>", "detaljer": [...]}`` with the right status.

One table maps the error kinds of :mod:`fcatlas.errors` to HTTP statuses; a request that fails
validation gets 422 with one Swedish detail per field; anything unexpected is logged and answered
with a plain 500 (never a traceback to the client).
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from fcatlas import errors as e

log = logging.getLogger("fcatlas.web")

_STATUS_TEXT = {
    400: "felaktig begäran", 401: "du måste logga in", 403: "åtkomst nekad", 404: "finns inte",
    405: "metoden är inte tillåten här", 409: "konflikt", 412: "versionen har ändrats",
    413: "för stor begäran", 415: "fel innehållstyp", 422: "ogiltiga uppgifter", 429: "för många försök",
}


class ErrorBody(BaseModel):
    """Every error answer."""

    fel: str = Field(description="Vad som är fel, på svenska.")
    detaljer: list[dict[str, Any]] = Field(description="En post per fel fält eller rad.")


_DESCRIPTIONS = {
    400: "Felaktig begäran", 401: "Ingen eller ogiltig inloggning", 403: "Rollen får inte göra detta",
    304: "Oförändrat sedan förra hämtningen (ETag)",
    404: "Finns inte", 409: "Steget är inte tillåtet nu", 503: "Tjänsten saknar datapaket eller databas", 412: "Versionen har ändrats sedan den lästes",
    413: "För stor fil", 415: "Fel innehållstyp", 422: "Ogiltiga uppgifter", 429: "För många försök",
}


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI descriptions of the error answers a route may give."""
    return {c: ({"description": _DESCRIPTIONS[c]} if c == 304 else {"model": ErrorBody, "description": _DESCRIPTIONS[c]})
            for c in codes}


def status_of(exc: e.FcatlasError) -> int:
    return e.kind_of(exc)[1]


def problem(status: int, message: str, details: list[dict[str, object]] | None = None,
            headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"fel": message, "detaljer": details or []}, status_code=status, headers=headers)


def _field(loc: tuple[object, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or "begäran"


_PYDANTIC_SV = {
    "missing": "saknas",
    "extra_forbidden": "okänt fält",
    "string_type": "ska vara text",
    "int_type": "ska vara ett heltal",
    "int_parsing": "ska vara ett heltal",
    "bool_type": "ska vara sant eller falskt",
    "date_from_datetime_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "date_parsing": "ska vara ett datum (ÅÅÅÅ-MM-DD)",
    "string_too_long": "är för lång",
    "string_pattern_mismatch": "har fel form (se API-beskrivningen)",
    "string_too_short": "är för kort",
    "less_than_equal": "är för stort",
    "greater_than_equal": "är för litet",
    "json_invalid": "är ingen giltig JSON",
    "model_attributes_type": "ska vara ett JSON-objekt",
    "dict_type": "ska vara ett JSON-objekt",
}


def is_api(request: Request) -> bool:
    """Whether ``request`` is answered in JSON whatever happens: the API and the service's own
    addresses (every other address is a page, answered in HTML: :mod:`fcatlas.web.pages.errors`)."""
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def wants_page(request: Request) -> bool:
    """A person's browser on a page address (an error of the web server itself is a Swedish page
    for it, JSON for anything else)."""
    return not is_api(request) and "text/html" in request.headers.get("accept", "")


def of_error(exc: e.FcatlasError) -> JSONResponse:
    """The JSON answer to ``exc``: its status from :data:`fcatlas.errors.ERROR_KINDS`, its
    problems as details."""
    details = [{"fil": p.file, "rad": p.row, "kolumn": p.column, "orsak": p.reason}
               for p in getattr(exc, "problems", [])]
    headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, e.ThrottledError) else None
    if isinstance(exc, e.AuthenticationError):
        headers = {"WWW-Authenticate": "Bearer"}
    return problem(status_of(exc), str(exc), details, headers)


def of_http(exc: StarletteHTTPException) -> JSONResponse:
    """The JSON answer to an error of the web server itself (no route, wrong method)."""
    message = exc.detail if isinstance(exc.detail, str) and exc.detail[:1].islower() else \
        _STATUS_TEXT.get(exc.status_code, "fel")
    return problem(exc.status_code, message, headers=getattr(exc, "headers", None))


def install(app: FastAPI) -> None:
    """Attach the handlers of the errors that are always JSON: a request that does not follow the
    API's schema, and anything unexpected. (The app attaches the handlers of
    :class:`~fcatlas.errors.FcatlasError` and of Starlette's errors, which answer pages in HTML.)"""

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        details: list[dict[str, object]] = [
            {"falt": _field(tuple(err.get("loc", ()))),
             "orsak": _PYDANTIC_SV.get(str(err.get("type")),
                                       str(err.get("msg", "ogiltigt värde")).removeprefix("Value error, "))}
            for err in exc.errors()
        ]
        return problem(422, "begäran har ogiltiga uppgifter", details)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:  # pragma: no cover - safety net
        log.exception("oväntat fel vid %s %s", request.method, request.url.path)
        return problem(500, "ett oväntat fel inträffade i tjänsten; det är loggat")
