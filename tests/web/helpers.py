"""Accounts and login for the web tests."""

from __future__ import annotations

import html as htmllib
import re

from fastapi.testclient import TestClient

from fcatlas.accounts import store
from fcatlas.db import unit_of_work

PW = "ett långt lösenord"
ACCOUNTS = {
    "nationell": ("n@socialstyrelsen.se", "nationell", None, None),
    "f20": ("f20@regiondalarna.se", "region", "20", "foretradare"),
    "h20": ("h20@regiondalarna.se", "region", "20", "handlaggare"),
    "f18": ("f18@regionorebrolan.se", "region", "18", "foretradare"),
}


def login(client: TestClient, who: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"email": ACCOUNTS[who][0], "password": PW})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def page_session(client: TestClient, who: str) -> tuple[dict[str, str], str]:
    """A login session of the pages for ``who`` (as the login page starts it): the cookie header
    and the session's CSRF token."""
    with unit_of_work(client.app.state.engine) as s:
        actor = store.actor_of(store._get(s, ACCOUNTS[who][0]))
        sid, csrf = store.start_session(s, actor=actor)
    return {"Cookie": f"fcatlas_session={sid}"}, csrf


def error_summary(html: str) -> list[tuple[str, str]]:
    """The (field id, message) pairs of a page's error summary."""
    box = html.split('id="felsammanfattning"', 1)[1].split("</div>", 1)[0]
    return [(f, htmllib.unescape(m)) for f, m in re.findall(r'<a href="#([^"]+)">([^<]+)</a>', box)]
