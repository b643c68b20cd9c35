"""What every page shares: templates, the login cookie, the checks of who may see a page, static files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from fcatlas import errors as e
from fcatlas.accounts.roles import LEVEL_LABELS, Actor
from fcatlas.fmt import swedish_date, swedish_time, thousands
from fcatlas.outputs.embed import json_for_html
from fcatlas.web.deps import SESSION_COOKIE

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
#: the templates are part of the installed package: loaded once, not checked for a change on disk
#: at every page (a stat of each template and the ones it extends and imports)
templates.env.auto_reload = False
templates.env.filters["tusental"] = lambda v: thousands(v, "\u00a0")  # 4 368 (no break inside a number)
templates.env.filters["region"] = lambda code: region_label(code)  # "20" → "Region Dalarna"
#: every JSON a template embeds in a <script> element: {{ value|json_for_html }}
templates.env.filters["json_for_html"] = json_for_html
#: third-party files served from node_modules (nothing else there is reachable)
VENDOR = {
    "leaflet/leaflet.js": "leaflet/dist/leaflet.js",
    "leaflet/leaflet.css": "leaflet/dist/leaflet.css",
    "axe-core/axe.min.js": "axe-core/axe.min.js",
}


def node_modules() -> Path | None:
    """``FCATLAS_NODE_MODULES``, else ``node_modules`` of the working folder or of the checkout,
    else the copies an installed release carries (``fcatlas/web/vendor``, tools/vendor_web.py)."""
    candidates = [os.environ.get("FCATLAS_NODE_MODULES"), Path.cwd() / "node_modules",
                  HERE.parents[3] / "node_modules", HERE.parent / "vendor"]
    for c in candidates:
        if c and (Path(c) / "leaflet").is_dir():
            return Path(c)
    return None


def who(actor: Actor) -> str:
    if actor.is_anonymous:
        return ""
    if actor.is_national:
        return f"{actor.name} (nationell nivå)"
    level = LEVEL_LABELS[actor.level] if actor.level else ""
    return f"{actor.name} ({region_label(actor.lan_code or '')}, {level})"


def region_label(lan_code: str) -> str:
    """The region as an organisation ("Region Dalarna", "Västra Götalandsregionen"), for pages that
    mean the region rather than the län's area; an unknown code is shown as it is."""
    from fcatlas.geography.admin import REGION_NAMES

    return REGION_NAMES.get(str(lan_code), str(lan_code))


def render(request: Request, template: str, actor: Actor, status_code: int = 200, **context: Any) -> HTMLResponse:
    bundle = getattr(request.app.state, "bundle", None)
    ctx = {"actor": actor, "who": who(actor), "csrf": getattr(request.state, "csrf", None), "path": request.url.path,
           "synthetic_data": bool(bundle is not None and (bundle.manifest or {}).get("synthetic")), **context}
    return templates.TemplateResponse(request, template, ctx, status_code=status_code)


class LoginRequired(e.AuthenticationError):
    """The page is for logged-in users: a person's browser is sent to the login page
    (:func:`fcatlas.web.pages.errors.answer`)."""


def need_region(actor: Actor, *, what: str, national_page: str) -> None:
    """The page is a region's: log in first (401 → the login page), and the national level is
    pointed to ``national_page`` instead (403)."""
    if actor.is_anonymous:
        raise LoginRequired(f"logga in för att se {what}")
    if actor.lan_code is None:
        raise e.PermissionDeniedError(f"sidan är till för regionernas konton; den nationella nivån har {national_page}")


def need_national(actor: Actor, *, what: str) -> None:
    """The page is the national level's: log in first, and only an account that may review."""
    if actor.is_anonymous:
        raise LoginRequired(f"logga in för att {what}")
    actor.require(actor.may_review(), what)


def set_session_cookie(request: Request, response: Response, sid: str | None) -> None:
    secure = request.url.scheme == "https"
    if sid is None:
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=secure)
    else:
        response.set_cookie(SESSION_COOKIE, sid, httponly=True, samesite="lax", secure=secure, path="/",
                            max_age=8 * 3600)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


#: one way of writing dates and times for people, in Swedish time (fcatlas.fmt)
templates.env.filters["svdatum"] = swedish_date  # 31 januari 2027
templates.env.filters["svtid"] = swedish_time  # 31 januari 2027 kl. 14.05


def sentence(exc: BaseException | str) -> str:
    """A message as a sentence on a page: the services' messages start in lower case."""
    text = str(exc)
    return text[:1].upper() + text[1:]
