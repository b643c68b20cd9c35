"""NUL characters (``\\0``) in a request are refused with 422 in Swedish, never a 500.

No text fcatlas keeps may hold NUL (PostgreSQL refuses it in text columns, and no name, e-mail
address or note has one). :class:`RefuseNul` looks at the path, the query string and — as it
streams past, without buffering — a JSON or form body (``\\u0000``, ``%00`` or a raw NUL). A page
address gets a Swedish HTML page, an API address the usual JSON error. (A multipart upload's
file may hold NUL bytes, so its body is not looked at here.)
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

#: the one message (what is wrong, and what to do)
MESSAGE = "begäran innehåller ett NUL-tecken (\\0), som inte är tillåtet i text; ta bort det och försök igen"

_JSON_NUL = re.compile(rb"\x00|(?<!\\)(?:\\\\)*\\u0000")
_FORM_NUL = re.compile(rb"\x00|%00")
_TAIL = 16  # bytes kept from the previous chunk (an escape split over two chunks)


class _NulInBody(Exception):
    """Raised from ``receive`` so that the route never runs on a body with NUL."""


def _body_pattern(scope: dict[str, Any]) -> re.Pattern[bytes] | None:
    ctype = next((v for k, v in scope.get("headers", []) if k == b"content-type"), b"").lower()
    if b"json" in ctype:
        return _JSON_NUL
    if b"application/x-www-form-urlencoded" in ctype or ctype.startswith(b"text/"):
        return _FORM_NUL
    return None


def _in_target(scope: dict[str, Any]) -> str | None:
    """Where in the address a NUL is (``sökvägen`` or ``frågan``), else None."""
    raw = scope.get("raw_path") or b""
    if "\x00" in scope.get("path", "") or b"%00" in raw or b"\x00" in raw:
        return "sökvägen"
    query = scope.get("query_string") or b""
    if b"%00" in query or b"\x00" in query:
        return "frågan"
    return None


def refusal(scope: dict[str, Any], where: str) -> Response:
    """The 422 answer: a Swedish page for a page address, JSON for the API."""
    path = scope.get("path", "")
    if path.startswith("/api/") or path in ("/healthz", "/openapi.json") or "app" not in scope:
        return JSONResponse({"fel": MESSAGE, "detaljer": [{"falt": where, "orsak": "innehåller NUL-tecken"}]},
                            status_code=422)
    try:
        from fcatlas.accounts.roles import ANONYMOUS
        from fcatlas.web.pages.common import render

        return render(Request(scope), "error.html", ANONYMOUS, status_code=422, title="Ogiltiga tecken",
                      message=MESSAGE[0].upper() + MESSAGE[1:] + ".")
    except Exception:  # noqa: BLE001 - the plain page below says the same
        return HTMLResponse(f"<!doctype html><html lang='sv'><title>Ogiltiga tecken</title><p>{MESSAGE}.</p></html>",
                            status_code=422)


class RefuseNul:
    """ASGI middleware: a request with NUL in its address or its JSON/form body gets 422."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        where = _in_target(scope)
        if where is not None:
            await refusal(scope, where)(scope, receive, send)
            return
        pattern = _body_pattern(scope)
        if pattern is None:
            await self.app(scope, receive, send)
            return
        state: dict[str, Any] = {"nul": False, "tail": b""}

        async def _receive() -> dict[str, Any]:
            message: dict[str, Any] = await receive()
            if message["type"] == "http.request":
                chunk = state["tail"] + message.get("body", b"")
                if pattern.search(chunk):
                    state["nul"] = True
                    raise _NulInBody
                state["tail"] = chunk[-_TAIL:]
            return message

        async def _send(message: dict[str, Any]) -> None:
            if not state["nul"]:  # the route's own answer to a broken body is replaced below
                await send(message)

        try:
            await self.app(scope, _receive, _send)
        except _NulInBody:
            pass
        if state["nul"]:
            await refusal(scope, "innehållet")(scope, receive, send)


def install(app: FastAPI) -> None:
    """Add :class:`RefuseNul` to ``app``."""
    app.add_middleware(RefuseNul)
