"""Every route × every role × own/other region → the expected status, in one table built against
the app's own route list: a new route without a row fails this suite.

Each cell runs on a fresh copy of one prepared database (a round 2027 open, every account with a
token), after the row's own set-up (e.g. the region's list submitted before an approval)."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from fcatlas.accounts import store
from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import rounds
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

from .helpers import ACCOUNTS, PW

ROLES = ("anonym", "h20", "f20", "f18", "nationell")
HOME = {"anonym": "20", "h20": "20", "f20": "20", "f18": "18", "nationell": "20"}
NAT = Actor.national("n@socialstyrelsen.se")


def _submitted(s, lan):
    rounds.submit(s, actor=Actor.region_user("x", lan_code=lan, level=Level.FORETRADARE), name=2027, lan=lan)


def _approved(s, lan):
    _submitted(s, lan)
    rounds.approve(s, actor=NAT, name=2027, lan=lan)


CSV = "Namn;Kommunkod;Typ;Status\nFamiljecentralen Prov;{kommun};Familjecentral;i drift\n"
KOMMUN = {"20": "2080", "18": "1880"}


def _pending(s, lan):
    from fcatlas.services import imports

    p = imports.preview(s, actor=NAT, name=2027, lan=lan, file_name="lista.csv",
                        content=CSV.format(kommun=KOMMUN[lan]).encode())
    return {"{import_id}": str(p.id)}


def _upload(role: str, lan: str) -> dict:
    return {"__files__": {"file": ("lista.csv", CSV.format(kommun=KOMMUN[lan]).encode(), "text/csv")}}


def _body_token(role: str, lan: str) -> dict:
    if role == "anonym":
        return {"email": "ingen@x.se", "password": "fel lösenord 123"}
    return {"email": ACCOUNTS[role][0], "password": PW}


Setup = Callable[..., None] | None
#: (method, path) → (set-up on the region in the path, JSON body, {role: (own, other)})
MATRIX: dict[tuple[str, str], tuple[Setup, object, dict[str, tuple[int, int]]]] = {
    ("GET", "/healthz"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("POST", "/api/v1/auth/token"): (None, _body_token, {**dict.fromkeys(ROLES, (200, 200)), "anonym": (401, 401)}),
    ("GET", "/api/v1/auth/me"): (None, None, {**dict.fromkeys(ROLES, (200, 200)), "anonym": (401, 401)}),
    ("POST", "/api/v1/rounds"): (None, {"name": "2028", "deadline": "2028-10-31"},
                                 {**dict.fromkeys(ROLES, (403, 403)), "nationell": (409, 409)}),
    ("GET", "/api/v1/rounds/{round}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/submit"): (
        None, None, {**dict.fromkeys(ROLES, (403, 403)), "f20": (200, 403), "f18": (200, 403)}),
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/return"): (
        _submitted, {"comment": "Rätta adresserna"}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/approve"): (
        _submitted, None, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("POST", "/api/v1/rounds/{round}/publish"): (
        _approved, None, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("GET", "/api/v1/units"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/atlas/summary"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/areas"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/areas/{regso}/similar"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/gaps"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/downloads/register.{fmt}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/downloads/atlas.xlsx"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/imports"): (
        None, _upload,
        {"anonym": (403, 403), "h20": (201, 403), "f20": (201, 403), "f18": (201, 403), "nationell": (201, 201)}),
    ("POST", "/api/v1/imports/{import_id}/confirm"): (
        _pending, None,
        {"anonym": (404, 404), "h20": (200, 404), "f20": (200, 404), "f18": (200, 404), "nationell": (200, 200)}),
    ("PATCH", "/api/v1/units/{unit_id}"): (
        None, {"note": "ändrad"},
        {"anonym": (403, 403), "h20": (200, 403), "f20": (200, 403), "f18": (200, 403), "nationell": (200, 200)}),
}
#: a unit of each region in the prepared database (Dalarna's list and one unit in Örebro län)
UNIT_OF = {}
REGSO = "2080R001"  # a RegSO of the demo bundle


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_bundle, shared_data):
    """A prepared SQLite database (the template), tokens per role and one app on a working copy."""
    base = tmp_path_factory.mktemp("matris")
    template, work = base / "mall.sqlite", base / "arbete.sqlite"
    engine = connect(f"sqlite:///{template}")
    tokens = {}
    with unit_of_work(engine) as s:
        for role, (email, r, lan, level) in ACCOUNTS.items():
            store.add_user(s, actor=NAT, email=email, password=PW, role=r, lan_code=lan, level=level)
            tokens[role] = store.create_token(s, actor=NAT, email=email, days=30)[0]
        rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
    engine.dispose()
    orebro = base / "orebro_2027.csv"
    orebro.write_text("Namn;Kommunkod;Typ\nFamiljecentralen Vivalla;1880;Familjecentral\n", encoding="utf-8")
    with Register.open(f"sqlite:///{template}") as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        reg.import_file(orebro, round=2027, user="import")
        units = reg.list_units()
    UNIT_OF.update({lan: units.loc[units["lan_code"] == lan, "id"].iloc[0] for lan in ("20", "18")})
    shutil.copy(template, work)
    app = create_app(WebConfig(db_url=f"sqlite:///{work}", bundle=demo_bundle.path, access_log=base / "log"))
    yield {"template": template, "work": work, "app": app, "client": TestClient(app), "tokens": tokens}
    app.state.engine.dispose()


def test_every_route_has_a_row(world):
    routes = {(m.upper(), path) for path, ops in world["app"].openapi()["paths"].items() for m in ops}
    missing = routes - set(MATRIX)
    assert not missing, f"rutter utan rad i behörighetsmatrisen: {sorted(missing)}"
    assert not set(MATRIX) - routes, "rader för rutter som inte finns"


@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
def test_matrix(world, key):
    method, path = key
    setup, body, expected = MATRIX[key]
    got = {}
    for role in ROLES:
        for i, lan in enumerate((HOME[role], "18" if HOME[role] == "20" else "20")):
            world["app"].state.engine.dispose()
            shutil.copy(world["template"], world["work"])
            subst = {}
            if setup is not None:
                with unit_of_work(world["app"].state.engine) as s:
                    subst = setup(s, lan) or {}
            headers = {} if role == "anonym" else {"Authorization": f"Bearer {world['tokens'][role]}"}
            url = path.replace("{fmt}", "csv").replace("{regso}", REGSO).replace("{round}", "2027").replace("{lan}", lan).replace("{unit_id}", UNIT_OF[lan])
            if method == "PATCH":
                headers["If-Match"] = '"1"'
            for k, v in subst.items():
                url = url.replace(k, v)
            payload = body(role, lan) if callable(body) else body
            if isinstance(payload, dict) and "__files__" in payload:
                r = world["client"].request(method, url, files=payload["__files__"], headers=headers)
            else:
                r = world["client"].request(method, url, json=payload, headers=headers)
            assert r.headers["content-type"].startswith(("application/json", "application/geo+json", "text/csv", "application/vnd")), (role, lan)
            got[(role, i)] = r.status_code
    want = {(role, i): expected[role][i] for role in ROLES for i in (0, 1)}
    assert got == want
