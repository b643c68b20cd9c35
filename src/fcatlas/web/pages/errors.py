"""How a page answers an error: the one place that turns a refusal into HTML.

:func:`answer` is called by the app's one handler of :class:`~fcatlas.errors.FcatlasError` for
every address outside ``/api`` (the API answers the same errors as JSON,
:mod:`fcatlas.web.problems`). By then the request's unit of work has rolled back. A form page
that is refused is shown again with its errors (:mod:`fcatlas.web.pages.forms`); a person who
must log in is sent to the login page; anything else gets the Swedish error page with the
refusal's status. :func:`http_page` does the same for Starlette's errors (an unknown address).
"""

from __future__ import annotations

import anyio
from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from fcatlas import errors as e
from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.web.deps import side_session
from fcatlas.web.pages.common import LoginRequired, redirect, render
from fcatlas.web.pages.forms import FormPage

TITLES = {401: "Du måste logga in", 403: "Åtkomst nekad", 404: "Sidan finns inte", 409: "Steget går inte nu",
          412: "Någon annan har sparat först", 413: "För stor fil", 415: "Fel sorts fil", 429: "För många försök"}
#: what an error of the web server itself (no route, wrong method) says on a page
HTTP_TEXT = {400: "felaktig begäran", 404: "finns inte", 405: "metoden är inte tillåten här", 413: "för stor begäran"}


def actor_of(request: Request) -> Actor:
    """The acting user as the request's dependencies found it (anonymous if they did not get so far)."""
    actor = getattr(request.state, "actor", None)
    return actor if isinstance(actor, Actor) else ANONYMOUS


def error_page(request: Request, actor: Actor, exc: e.FcatlasError) -> HTMLResponse:
    """The Swedish error page of ``exc``, with its status."""
    status = e.kind_of(exc)[1]
    return render(request, "error.html", actor, status_code=status, title=TITLES.get(status, "Något gick fel"),
                  message=str(exc))


def _form_again(request: Request, page: FormPage, exc: e.FcatlasError) -> Response:
    """The refused form again, read in a session of its own (the request's has rolled back); if
    the form cannot be shown (say, what it is about does not exist), the error page of that."""
    refusal = page.refusal(exc)
    try:
        with side_session(request) as session:
            return page.render(session, refusal)
    except e.FcatlasError as again:
        return error_page(request, actor_of(request), again)


async def answer(request: Request, exc: e.FcatlasError) -> Response:
    """A page's answer to ``exc`` (see the module text)."""
    page = getattr(request.state, "form_page", None)
    if isinstance(page, FormPage) and page.takes(exc):
        return await anyio.to_thread.run_sync(_form_again, request, page, exc)
    if isinstance(exc, LoginRequired):
        return redirect("/logga-in")
    return error_page(request, actor_of(request), exc)


def http_page(request: Request, exc: StarletteHTTPException) -> HTMLResponse:
    """A Swedish page for an address the server has no page at (or a method it does not take)."""
    title = {404: "Sidan finns inte", 405: "Sidan finns inte"}.get(exc.status_code, "Något gick fel")
    return render(request, "error.html", actor_of(request), status_code=exc.status_code, title=title,
                  message=HTTP_TEXT.get(exc.status_code, "något gick fel") + " – kontrollera adressen")
