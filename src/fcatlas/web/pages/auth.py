"""Logging in and out of the web pages: a server-side login session in an HttpOnly cookie."""

from __future__ import annotations

import datetime as dt
import hmac

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas.accounts.credentials import new_token
from fcatlas.accounts.roles import Actor
from fcatlas.errors import AuthenticationError, ThrottledError
from fcatlas.services import accounts
from fcatlas.web.deps import SESSION_COOKIE, ActorDep, ConfigDep, SessionDep, client_address
from fcatlas.web.pages.common import (
    LOGIN_CSRF_COOKIE,
    check_csrf,
    error_page,
    redirect,
    render,
    set_session_cookie,
)

router = APIRouter(include_in_schema=False)


def _home(actor: Actor) -> str:
    return "/nationell" if actor.is_national else "/region"


def _login_form(request: Request, actor: Actor, status_code: int = 200, errors: list[tuple[str, str]] | None = None,
                email: str = "") -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or new_token()
    resp = render(request, "login.html", actor, status_code=status_code, title="Logga in", errors=errors or [],
                  email=email, login_csrf=token)
    resp.set_cookie(LOGIN_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=request.url.scheme == "https",
                    path="/logga-in")
    return resp


@router.get("/logga-in", response_class=HTMLResponse)
def login_page(request: Request, actor: ActorDep) -> Response:
    if not actor.is_anonymous:
        return redirect(_home(actor))
    return _login_form(request, actor)


@router.post("/logga-in", response_class=HTMLResponse)
def login(request: Request, session: SessionDep, config: ConfigDep, actor: ActorDep,
          email: str = Form("", max_length=254), password: str = Form("", max_length=1024),
          csrf: str = Form("", max_length=100)) -> Response:
    cookie = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not csrf or not cookie or not hmac.compare_digest(csrf, cookie):
        from fcatlas.errors import PermissionDeniedError

        return error_page(request, actor, PermissionDeniedError(
            "formuläret saknar giltig CSRF-nyckel; ladda om inloggningssidan och försök igen"))
    errors = []
    if not email.strip():
        errors.append(("email", "Skriv din e-postadress"))
    if not password:
        errors.append(("password", "Skriv ditt lösenord"))
    if errors:
        return _login_form(request, actor, 422, errors, email)
    throttle = accounts.Throttle(per_account=config.login_per_account, per_address=config.login_per_address,
                                 window=dt.timedelta(seconds=config.login_window_s))
    try:
        who, sid = accounts.login_session(session, email=email, password=password, address=client_address(request),
                                          throttle=throttle, previous_session_id=request.cookies.get(SESSION_COOKIE))
    except ThrottledError as exc:
        session.commit()
        return _login_form(request, actor, 429, [("email", str(exc).capitalize())], email)
    except AuthenticationError:
        session.commit()
        return _login_form(request, actor, 401, [("email", "Fel e-postadress eller lösenord")], email)
    session.commit()
    resp = redirect(_home(who))
    set_session_cookie(request, resp, sid)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/logga-in")
    return resp


@router.post("/logga-ut")
def logout(request: Request, session: SessionDep, actor: ActorDep, csrf: str = Form("", max_length=100)) -> Response:
    try:
        check_csrf(request, csrf)
    except Exception as exc:  # noqa: BLE001 - shown as a page
        from fcatlas.errors import FcatlasError

        if isinstance(exc, FcatlasError):
            return error_page(request, actor, exc)
        raise
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        accounts.logout(session, session_id=sid)
        session.commit()
    resp = redirect("/")
    set_session_cookie(request, resp, None)
    return resp
