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


def quick_passwords(url: str) -> None:
    """Store :data:`PW` for the accounts of :data:`ACCOUNTS` as an argon2id hash at argon2's lowest
    cost (1 pass, 8 KiB, 1 lane) instead of the service's (3 passes, 64 MiB, 4 lanes).

    A login checks a password against the parameters stored in its hash, so each login of these
    accounts takes a millisecond instead of 0.12 s (0.2 s of CPU); the web and browser tests log in
    some hundreds of times, to get a token or a session for the test proper. The service's own
    hashing (new accounts, changed or chosen passwords) keeps its cost: tests/accounts checks it,
    and a test whose point is the cost of a check sets a password through the service first."""
    from argon2 import PasswordHasher
    from sqlalchemy import update

    from fcatlas.accounts.models import User
    from fcatlas.db import connect

    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PW)
    engine = connect(url)
    with unit_of_work(engine) as s:
        s.execute(update(User).where(User.email.in_([a[0] for a in ACCOUNTS.values()])).values(password_hash=quick))
    engine.dispose()


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
