"""Logging in and out of the web pages: a server-side login session in an HttpOnly cookie."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas.accounts.credentials import new_token
from fcatlas.accounts.roles import Actor
from fcatlas.errors import AuthenticationError, FcatlasError, ThrottledError
from fcatlas.services import accounts
from fcatlas.web.deps import (
    FORM_CSRF,
    LOGIN_CSRF,
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    ActorDep,
    ConfigDep,
    FormDataDep,
    SessionDep,
    client_address,
    commit_even_if,
)
from fcatlas.web.pages.common import redirect, render, set_session_cookie
from fcatlas.web.pages.forms import FieldError, FormPage, LoginForm, Refusal, parse, show_again, values

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

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


def _login_errors(exc: FcatlasError) -> list[FieldError]:
    """A failed login says no more than that (which of address and password was wrong is not told)."""
    if isinstance(exc, ThrottledError):
        return [("email", str(exc).capitalize())]
    return [("email", "Fel e-postadress eller lösenord")]


@router.post("/logga-in", response_class=HTMLResponse, dependencies=[LOGIN_CSRF])
def login(request: Request, session: SessionDep, config: ConfigDep, actor: ActorDep, form: FormDataDep) -> Response:
    email = str(values(LoginForm, form)["email"])

    def again(_: Session, refusal: Refusal) -> Response:
        return _login_form(request, actor, refusal.status, refusal.errors, email)

    show_again(request, FormPage(again, "email", errors=_login_errors, shown=(AuthenticationError, ThrottledError)))
    f = parse(LoginForm, form)
    throttle = accounts.Throttle(per_account=config.login_per_account, per_address=config.login_per_address,
                                 window=dt.timedelta(seconds=config.login_window_s))
    commit_even_if(request, AuthenticationError, ThrottledError)  # the failed attempt counts for every worker
    who, sid = accounts.login_session(session, email=f.email, password=f.password, address=client_address(request),
                                      throttle=throttle, previous_session_id=request.cookies.get(SESSION_COOKIE))
    resp = redirect(_home(who))
    set_session_cookie(request, resp, sid)
    resp.delete_cookie(LOGIN_CSRF_COOKIE, path="/logga-in")
    return resp


@router.post("/logga-ut", dependencies=[FORM_CSRF])
def logout(request: Request, session: SessionDep) -> Response:
    sid = request.cookies.get(SESSION_COOKIE)
    if sid:
        accounts.logout(session, session_id=sid)
    resp = redirect("/")
    set_session_cookie(request, resp, None)
    return resp
