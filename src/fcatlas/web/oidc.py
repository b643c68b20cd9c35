"""Logging in through the organisations' own identity providers (OpenID Connect).

The providers are listed in a TOML file named by ``FCATLAS_OIDC_FIL`` (README, "Drift"): issuer,
client id and secret, which claim names the account (default: the verified ``email``), whom to
ask for an account, and whether passwords may still be used. Without the file nothing here is
active.

The flow is the authorization code flow with PKCE (S256): ``/oidc/{id}/logga-in`` makes a state,
a nonce and a code verifier, keeps them in a short-lived HttpOnly cookie of the browser (so any
instance behind the proxy can finish the login) and sends the browser to the provider;
``/oidc/{id}/callback`` checks the state (and the provider's ``iss`` parameter), exchanges the
code, verifies the ID token's signature against the provider's JWKS and its ``iss``, ``aud``,
``azp``, ``exp``, ``iat`` and ``nonce``, then matches the claim to an account
(:mod:`fcatlas.services.identity`) and starts the same login session as a password login.
Logging out (``/logga-ut``) ends that session.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas.errors import AuthenticationError, ConfigError, FcatlasError, PermissionDeniedError, StorageError

#: the browser's cookie carrying one login's state, nonce and code verifier (10 minutes)
FLOW_COOKIE = "fcatlas_oidc"
FLOW_SECONDS = 600
#: signature algorithms accepted for an ID token (never ``none`` or a shared-secret HMAC)
ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA")
#: how long discovery documents and keys are trusted before they are fetched again, seconds
METADATA_TTL_S = 3600.0

router = APIRouter(include_in_schema=False)


@dataclass
class Provider:
    id: str
    name: str
    issuer: str
    client_id: str
    client_secret: str
    #: the claim matched to an account's e-mail address; ``email`` must come with ``email_verified``
    claim: str = "email"
    scope: str = "openid email profile"
    #: whom a person without an account should ask (shown on the refusal page)
    contact: str = ""
    #: clock difference tolerated when checking ``exp`` and ``iat``, seconds
    leeway_s: int = 60
    _meta: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (``/.well-known/openid-configuration``), cached."""
        with self._lock:
            if self._meta.get("at", 0.0) + METADATA_TTL_S < time.monotonic():
                doc = _get_json(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if doc.get("issuer") != self.issuer:
                    raise StorageError(f"identitetsleverantören {self.name} uppger utfärdaren "
                                       f"{doc.get('issuer')!r}, inte {self.issuer!r}")
                self._meta = {"at": time.monotonic(), "doc": doc, "jwks": None}
            return dict(self._meta["doc"])

    def keys(self, refresh: bool = False) -> Any:
        """The provider's signing keys (its JWKS), cached; fetched again for an unknown key id."""
        from joserfc.jwk import KeySet

        doc = self.metadata()
        with self._lock:
            if refresh or self._meta.get("jwks") is None:
                self._meta["jwks"] = KeySet.import_key_set(_get_json(doc["jwks_uri"]))  # type: ignore[arg-type]
            return self._meta["jwks"]


@dataclass
class OidcSettings:
    providers: dict[str, Provider]
    #: passwords may still be used (``losenord = false`` in the file switches them off)
    passwords: bool = True
    #: whom to ask for an account when the provider has no contact of its own
    contact: str = "Socialstyrelsens förvaltning av fcatlas"
    #: the service's public address (``https://fcatlas.example.se``) for the redirect URI; else the request's
    public_url: str | None = None


def _get_json(url: str) -> dict[str, Any]:
    import httpx

    try:
        r = httpx.get(url, timeout=10, follow_redirects=False)
        r.raise_for_status()
        body = r.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise StorageError(f"identitetsleverantören svarar inte som väntat ({url}): {exc}") from exc
    if not isinstance(body, dict):
        raise StorageError(f"identitetsleverantören svarar inte med ett JSON-objekt ({url})")
    return body


def load_settings(path: Path) -> OidcSettings:
    """The providers of the TOML file ``path`` (see the README's operator chapter for an example)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: inloggningsinställningarna går inte att läsa: {exc}") from exc
    general = data.get("inloggning", {})
    providers: dict[str, Provider] = {}
    for i, entry in enumerate(data.get("leverantor", []), start=1):
        missing = [k for k in ("id", "namn", "issuer", "client_id") if not entry.get(k)]
        if missing:
            raise ConfigError(f"{path}: leverantör {i} saknar {', '.join(missing)}")
        secret = entry.get("client_secret") or os.environ.get(entry.get("client_secret_env", ""), "")
        if not secret:
            raise ConfigError(f"{path}: leverantör {entry['id']} saknar client_secret (eller client_secret_env)")
        providers[entry["id"]] = Provider(
            id=entry["id"], name=entry["namn"], issuer=entry["issuer"], client_id=entry["client_id"],
            client_secret=secret, claim=entry.get("ansprak", "email"),
            scope=entry.get("scope", "openid email profile"), contact=entry.get("kontakt", ""),
            leeway_s=int(entry.get("klockskillnad_s", 60)))
    return OidcSettings(providers=providers, passwords=bool(general.get("losenord", True)),
                        contact=general.get("kontakt", OidcSettings.contact), public_url=general.get("adress"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _settings(request: Request) -> OidcSettings:
    settings: OidcSettings | None = getattr(request.app.state, "oidc", None)
    if settings is None:
        raise AuthenticationError("inloggning via identitetsleverantör är inte inställd (FCATLAS_OIDC_FIL)")
    return settings


def _provider(request: Request, pid: str) -> Provider:
    from fcatlas.errors import NotFoundError

    provider = _settings(request).providers.get(pid)
    if provider is None:
        raise NotFoundError(f"det finns ingen identitetsleverantör {pid!r}")
    return provider


def _redirect_uri(request: Request, provider: Provider) -> str:
    base = _settings(request).public_url or str(request.base_url)
    return f"{base.rstrip('/')}/oidc/{provider.id}/callback"


def _page_failure(request: Request, exc: FcatlasError) -> HTMLResponse:
    from fcatlas.accounts.roles import ANONYMOUS
    from fcatlas.web.pages.errors import error_page

    return error_page(request, ANONYMOUS, exc)


@router.get("/oidc/logga-in", response_class=HTMLResponse)
def choose(request: Request) -> Response:
    """The providers to log in with (the only way in when passwords are switched off)."""
    from fcatlas.accounts.roles import ANONYMOUS
    from fcatlas.web.pages.common import render

    try:
        settings = _settings(request)
    except FcatlasError as exc:
        return _page_failure(request, exc)
    return render(request, "oidc_choose.html", ANONYMOUS, title="Logga in", providers=list(settings.providers.values()),
                  passwords=settings.passwords)


@router.get("/oidc/{pid}/logga-in")
def start(request: Request, pid: str) -> Response:
    """Send the browser to the provider, with a fresh state, nonce and PKCE challenge."""
    from fcatlas.web.pages.common import redirect

    try:
        provider = _provider(request, pid)
        endpoint = provider.metadata()["authorization_endpoint"]
    except (FcatlasError, KeyError) as exc:
        return _page_failure(request, exc if isinstance(exc, FcatlasError) else StorageError(str(exc)))
    flow = {"p": provider.id, "state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32),
            "verifier": secrets.token_urlsafe(48)}
    challenge = _b64(hashlib.sha256(flow["verifier"].encode()).digest())
    query = urlencode({"response_type": "code", "client_id": provider.client_id, "scope": provider.scope,
                       "redirect_uri": _redirect_uri(request, provider), "state": flow["state"],
                       "nonce": flow["nonce"], "code_challenge": challenge, "code_challenge_method": "S256"})
    resp = redirect(f"{endpoint}?{query}")
    resp.set_cookie(FLOW_COOKIE, _b64(json.dumps(flow).encode()), max_age=FLOW_SECONDS, httponly=True,
                    samesite="lax", secure=request.url.scheme == "https", path="/oidc/")
    return resp


def _flow(request: Request, provider: Provider) -> dict[str, str]:
    """This browser's login under way, checked against the callback's state and ``iss``."""
    raw = request.cookies.get(FLOW_COOKIE, "")
    try:
        flow = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError:
        flow = None
    if not isinstance(flow, dict) or flow.get("p") != provider.id:
        raise PermissionDeniedError("inloggningen hittades inte i webbläsaren (den har gått ut eller startades "
                                    "i en annan webbläsare); börja om från inloggningssidan")
    state = request.query_params.get("state", "")
    if not state or not hmac.compare_digest(str(flow.get("state", "")), state):
        raise PermissionDeniedError("svaret från identitetsleverantören hör inte till den här inloggningen "
                                    "(state stämmer inte); börja om från inloggningssidan")
    iss = request.query_params.get("iss")
    if iss is not None and iss != provider.issuer:
        raise PermissionDeniedError(f"svaret kommer från en annan utfärdare ({iss}) än {provider.name}")
    return {k: str(v) for k, v in flow.items()}


def _exchange(request: Request, provider: Provider, code: str, verifier: str) -> tuple[str, str | None]:
    """The authorization code and PKCE verifier for the provider's ID token and access token."""
    import httpx

    endpoint = provider.metadata()["token_endpoint"]
    auth = (quote(provider.client_id, safe=""), quote(provider.client_secret, safe=""))
    try:
        r = httpx.post(endpoint, auth=auth, timeout=15, data={
            "grant_type": "authorization_code", "code": code, "code_verifier": verifier,
            "redirect_uri": _redirect_uri(request, provider)})
    except httpx.HTTPError as exc:
        raise StorageError(f"identitetsleverantören {provider.name} svarar inte: {exc}") from exc
    if r.status_code != 200:
        raise AuthenticationError(f"identitetsleverantören {provider.name} godtog inte inloggningen "
                                  f"({r.status_code}); börja om från inloggningssidan")
    body = r.json()
    token, access = body.get("id_token"), body.get("access_token")
    if not isinstance(token, str):
        raise AuthenticationError(f"identitetsleverantören {provider.name} skickade ingen ID-token")
    return token, access if isinstance(access, str) else None


def _userinfo(provider: Provider, access_token: str | None, claims: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims, completed from the provider's UserInfo endpoint when the matched
    claim is not in the ID token (the same ``sub`` is required)."""
    import httpx

    endpoint = provider.metadata().get("userinfo_endpoint")
    if provider.claim in claims or not endpoint or not access_token:
        return claims
    try:
        r = httpx.get(endpoint, headers={"Authorization": f"Bearer {access_token}"}, timeout=15)
        info = r.json() if r.status_code == 200 else {}
    except (httpx.HTTPError, ValueError) as exc:
        raise StorageError(f"identitetsleverantören {provider.name} svarar inte: {exc}") from exc
    if not isinstance(info, dict) or info.get("sub") != claims.get("sub"):
        raise AuthenticationError(f"identitetsleverantören {provider.name} uppgav en annan person i UserInfo")
    return {**info, **claims}


def verify_id_token(provider: Provider, token: str, nonce: str, now: float | None = None) -> dict[str, Any]:
    """The claims of ``token`` after its signature (the provider's JWKS; an unknown key id makes
    the keys be fetched again once) and its claims are checked; :class:`AuthenticationError` otherwise."""
    from joserfc import jwt
    from joserfc.errors import BadSignatureError, ExpiredTokenError, JoseError

    try:
        try:
            decoded = jwt.decode(token, provider.keys(), algorithms=list(ALGORITHMS))
        except (ValueError, JoseError):
            decoded = jwt.decode(token, provider.keys(refresh=True), algorithms=list(ALGORITHMS))
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(now=None if now is None else int(now), leeway=provider.leeway_s,
                                         iss={"essential": True, "value": provider.issuer},
                                         sub={"essential": True}, exp={"essential": True}, iat={"essential": True})
        registry.validate(claims)
    except ExpiredTokenError as exc:
        raise AuthenticationError("ID-token från identitetsleverantören har gått ut; logga in igen") from exc
    except BadSignatureError as exc:
        raise AuthenticationError("ID-token har ingen giltig signatur från identitetsleverantören") from exc
    except (ValueError, JoseError) as exc:
        raise AuthenticationError(f"ID-token från identitetsleverantören godtas inte ({exc})") from exc
    aud = claims.get("aud")
    audiences = aud if isinstance(aud, list) else [aud]
    if provider.client_id not in audiences or (len(audiences) > 1 and claims.get("azp") != provider.client_id):
        raise AuthenticationError("ID-token är inte utfärdad till fcatlas (aud)")
    if not hmac.compare_digest(str(claims.get("nonce", "")), nonce):
        raise AuthenticationError("ID-token hör inte till den här inloggningen (nonce stämmer inte)")
    return dict(claims)


def _claim_value(provider: Provider, claims: dict[str, Any]) -> str:
    value = claims.get(provider.claim)
    if not isinstance(value, str) or not value.strip():
        raise AuthenticationError(f"identitetsleverantören {provider.name} uppgav inte {provider.claim}")
    if provider.claim == "email" and claims.get("email_verified") is not True:
        raise AuthenticationError(f"identitetsleverantören {provider.name} har inte bekräftat e-postadressen {value}")
    return value


@router.get("/oidc/{pid}/callback", response_class=HTMLResponse)
def callback(request: Request, pid: str) -> Response:
    """The provider's answer: check it, and start a login session for the matched account."""
    try:
        provider = _provider(request, pid)
        flow = _flow(request, provider)
        if request.query_params.get("error"):
            raise AuthenticationError(f"identitetsleverantören {provider.name} avbröt inloggningen "
                                      f"({request.query_params['error']})")
        token, access = _exchange(request, provider, request.query_params.get("code", ""), flow["verifier"])
        claims = _userinfo(provider, access, verify_id_token(provider, token, flow["nonce"]))
        resp = _log_in(request, provider, _claim_value(provider, claims))
    except FcatlasError as exc:
        resp = _page_failure(request, exc)
    except KeyError as exc:
        resp = _page_failure(request, StorageError(f"identitetsleverantören saknar {exc} i sin beskrivning"))
    resp.delete_cookie(FLOW_COOKIE, path="/oidc/")
    return resp


def _log_in(request: Request, provider: Provider, value: str) -> Response:
    from fcatlas.accounts.roles import ANONYMOUS
    from fcatlas.services import identity
    from fcatlas.web.deps import SESSION_COOKIE
    from fcatlas.web.pages.common import redirect, render, set_session_cookie

    try:
        actor, sid = identity.log_in(request.app.state.engine, claim_value=value,
                                     previous_session_id=request.cookies.get(SESSION_COOKIE))
    except identity.UnknownPersonError as exc:
        contact = provider.contact or _settings(request).contact
        return render(request, "oidc_unknown.html", ANONYMOUS, status_code=403, title="Inget konto i fcatlas",
                      who=exc.who, provider=provider.name, contact=contact)
    request.app.state.actors.clear()
    resp = redirect("/nationell" if actor.is_national else "/region")
    set_session_cookie(request, resp, sid)
    return resp


class PasswordsOff:
    """ASGI middleware when ``losenord = false``: the password login page leads to the providers,
    and a password sent to the login form or the token route is refused (403)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        path, method = scope.get("path"), scope.get("method")
        if scope["type"] != "http" or path not in ("/logga-in", "/api/v1/auth/token"):
            await self.app(scope, receive, send)
            return
        if method in ("GET", "HEAD") and path == "/logga-in":
            headers = [(b"location", b"/oidc/logga-in"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": 303, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        body = json.dumps({"fel": "inloggning med lösenord är avstängd; logga in via din organisations "
                                  "identitetsleverantör på /oidc/logga-in", "detaljer": []}, ensure_ascii=False).encode()
        await send({"type": "http.response.start", "status": 403, "headers": [
            (b"content-type", b"application/json; charset=utf-8"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


def install(app: Any, path: str | None = None) -> None:
    """Read the providers of ``FCATLAS_OIDC_FIL`` (or ``path``) into ``app`` and add the routes."""
    spec = path if path is not None else os.environ.get("FCATLAS_OIDC_FIL")
    app.state.oidc = load_settings(Path(spec)) if spec else None
    app.include_router(router)
    if app.state.oidc is not None and not app.state.oidc.passwords:
        app.add_middleware(PasswordsOff)
