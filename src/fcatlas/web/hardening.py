"""The service's outer shell against hostile requests (ASGI middleware, outside the routes):

* **request bodies are capped per route**: an upload route at the file cap
  (``FCATLAS_MAX_UPLOAD_MB``) plus room for the multipart framing, every other route at
  :data:`SMALL_BODY` (1 MB: JSON, forms). A declared ``Content-Length`` over the cap is refused
  (413) before anything is read; a body that streams past it (chunked, or lying about its length)
  is cut off where it crosses the cap — no route ever holds more;
* **an upload is read only for a caller who may upload**: the Bearer token or login-session
  cookie is checked first, and an anonymous or invalid caller is refused (401) before one byte of
  the body is read (nothing is written to ``/tmp``);
* **HEAD** is answered as GET without a body, on every GET route (``/healthz`` included);
* **security headers** on every answer: a Content-Security-Policy without inline scripts
  (``frame-ancestors 'none'``), ``X-Frame-Options: DENY``, ``X-Content-Type-Options: nosniff``,
  ``Referrer-Policy``; HSTS only when the request came over https, which only a trusted proxy
  (``FCATLAS_BETRODDA_PROXYER``) may say with ``X-Forwarded-Proto``; ``Cache-Control: no-store``
  on every answer to a logged-in caller (a page or JSON with the caller's drafts must not stay in
  a shared or browser cache) unless the route set its own ``no-store``/``private``;
* **redirects never use the Host header**: a ``Location`` pointing at the request's own host (as
  the trailing-slash redirect builds it) is made a relative path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

#: the cap of every request body that is no upload (JSON, forms), bytes
SMALL_BODY = 1024 * 1024
#: room for the multipart framing and the form's other fields around an uploaded file
MULTIPART_SLACK = 64 * 1024

#: POST routes that take a file (API and pages)
UPLOAD_ROUTES = (
    re.compile(r"^/api/v1/rounds/[^/]+/regions/[^/]+/imports/?$"),
    re.compile(r"^/api/v1/grants/years/[^/]+/basis/?$"),
    re.compile(r"^/region/import/?$"),
    re.compile(r"^/nationell/statsbidrag/?$"),
    re.compile(r"^/nationell/statsbidrag/[^/]+/underlag/?$"),
)

#: the pages' policy: scripts, styles, images and connections only from the service itself
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'none'")
#: swagger-ui (``/api/docs``) sets styles inline; it runs no inline script either
DOCS_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HSTS = "max-age=31536000; includeSubDomains"
#: paths of files that are the same for everybody (cached whoever asks)
STATIC_PREFIXES = ("/statiskt/", "/vendor/", "/api/docs/")


def is_upload(method: str, path: str) -> bool:
    return method == "POST" and any(r.match(path) for r in UPLOAD_ROUTES)


def _header(scope: Scope, name: bytes) -> str | None:
    for k, v in scope.get("headers") or []:
        if k.lower() == name:
            return str(v.decode("latin-1"))
    return None


def _has_credentials(scope: Scope) -> bool:
    from fcatlas.web.deps import SESSION_COOKIE

    cookie = _header(scope, b"cookie") or ""
    return bool(_header(scope, b"authorization")) or f"{SESSION_COOKIE}=" in cookie


class _TooLarge(Exception):
    pass


def _too_large_exception(limit: int) -> Exception:
    """What the body's reader raises past the cap: an HTTP 413 that FastAPI passes on as it is
    (it turns any other error while reading a body into a 400)."""
    from starlette.exceptions import HTTPException

    mb = max(1, limit // (1024 * 1024))
    return HTTPException(413, f"begäran är för stor: högst {mb} MB tas emot")


async def _answer(send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
    body = json.dumps({"fel": message, "detaljer": []}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


async def _page(send: Send, status: int, message: str) -> None:
    body = ('<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>Logga in – fcatlas</title>'
            '<link rel="stylesheet" href="/statiskt/site.css"></head><body><main><h1>Logga in</h1>'
            f'<p>{message[:1].upper() + message[1:]}.</p><p><a href="/logga-in">Logga in</a></p></main></body></html>')
    data = body.encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/html; charset=utf-8"), (b"content-length", str(len(data)).encode()),
                            (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": data})


class Hardening:
    """See the module's docstring. ``trusted_proxies``: the addresses whose ``X-Forwarded-Proto``
    is believed; ``max_upload``: the file cap in bytes."""

    def __init__(self, app: Any, *, max_upload: int, trusted_proxies: frozenset[str] = frozenset()) -> None:
        self.app, self.max_upload, self.trusted_proxies = app, max_upload, trusted_proxies

    def limit(self, method: str, path: str) -> int:
        return self.max_upload + MULTIPART_SLACK if is_upload(method, path) else SMALL_BODY

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        head = method == "HEAD"
        if head:
            scope = dict(scope, method="GET")
        limit = self.limit(method, path)
        declared = _header(scope, b"content-length")
        if declared is not None and declared.strip().isdigit() and int(declared) > limit:
            await _answer(send, 413, f"begäran är för stor: högst {max(1, limit // (1024 * 1024))} MB tas emot")
            return
        if is_upload(method, path) and not await self._may_upload(scope, send):
            return
        await self.app(scope, self._capped(receive, limit), self._send(scope, send, head))

    async def _may_upload(self, scope: Scope, send: Send) -> bool:
        """Whether the caller of an upload is logged in (a valid token or session); else a 401
        (or the 403 of a wrong CSRF key) is sent and ``False`` returned — the body is not read."""
        from starlette.requests import Request

        from fcatlas.errors import FcatlasError
        from fcatlas.web.deps import current_actor
        from fcatlas.web.problems import status_of

        if _has_credentials(scope):
            try:
                actor = await current_actor(Request(scope))
            except FcatlasError as exc:
                await _answer(send, status_of(exc), str(exc), [(b"www-authenticate", b"Bearer")])
                return False
            if not actor.is_anonymous:
                return True
        message = "logga in först: bara inloggade får ladda upp filer"
        if not scope["path"].startswith("/api/"):  # a page's form: a page, not JSON
            await _page(send, 401, message)
            return False
        await _answer(send, 401, message, [(b"www-authenticate", b"Bearer")])
        return False

    @staticmethod
    def _capped(receive: Receive, limit: int) -> Receive:
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise _too_large_exception(limit)
            return message

        return capped

    def _https(self, scope: Scope) -> bool:
        # uvicorn sets the scheme from X-Forwarded-Proto of the proxies `fcatlas serve` trusts
        # (FCATLAS_BETRODDA_PROXYER); without it, the header is believed from those addresses only
        if scope.get("scheme") == "https":
            return True
        client = scope.get("client") or ("", 0)
        proto = _header(scope, b"x-forwarded-proto")
        return proto is not None and client[0] in self.trusted_proxies and proto.split(",")[0].strip().lower() == "https"

    def _send(self, scope: Scope, send: Send, head: bool) -> Send:
        https = self._https(scope)
        docs = scope["path"].startswith("/api/docs")
        # the service's own static files and the vendored libraries keep their long cache
        logged_in = _has_credentials(scope) and not scope["path"].startswith(STATIC_PREFIXES)
        host = (_header(scope, b"host") or "").lower()

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _secure_headers(list(message.get("headers") or []), docs=docs, https=https,
                                                     logged_in=logged_in, host=host)
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b""}
            await send(message)

        return wrapped


def _relative(location: str, host: str) -> str:
    """``location`` as a path when it points at the request's own host (or has none)."""
    parts = urlsplit(location)
    if parts.netloc.lower() != host:
        return location
    # one leading slash: '//evil.example' would be another host to a browser
    path = "/" + parts.path.lstrip("/")
    return path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _secure_headers(headers: list[tuple[bytes, bytes]], *, docs: bool, https: bool, logged_in: bool,
                    host: str) -> list[tuple[bytes, bytes]]:
    names = {k.lower() for k, _ in headers}
    out = []
    for k, v in headers:
        if k.lower() == b"location" and host:
            v = _relative(v.decode("latin-1"), host).encode("latin-1")
        if k.lower() == b"cache-control" and logged_in and b"no-store" not in v:
            v = b"no-store"
        out.append((k, v))
    add = [(b"content-security-policy", (DOCS_CSP if docs else CSP).encode()),
           (b"x-frame-options", b"DENY"), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"strict-origin-when-cross-origin"),
           (b"cross-origin-opener-policy", b"same-origin")]
    if https:
        add.append((b"strict-transport-security", HSTS.encode()))
    if logged_in and b"cache-control" not in names:
        add.append((b"cache-control", b"no-store"))
    out += [(k, v) for k, v in add if k not in names]
    return out
