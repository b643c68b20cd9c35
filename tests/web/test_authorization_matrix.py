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
from fcatlas.web.pages.common import node_modules

from .helpers import ACCOUNTS, PW, quick_passwords

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


GRANT_BASIS = ("region_code;basis_children\n18;1000\n20;3000\n" + "".join(
    f"{c};0\n" for c in ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "19", "21", "22",
                        "23", "24", "25"))).encode()
REPORT = {"uses": {"coordinator": 1000}, "unused_sek": None}


def _grant_prepared(s, lan):
    from fcatlas.services import grants

    basis = grants.basis_from_upload(file_name="underlag.csv", content=GRANT_BASIS)
    grants.setup_year(s, actor=NAT, year=2026, total_sek=3_000_000, basis=basis)


def _grant_decided(s, lan):
    from fcatlas.services import grants

    _grant_prepared(s, lan)
    grants.decide(s, actor=NAT, year=2026)


def _report_draft(s, lan):
    from fcatlas.services import grants

    _grant_decided(s, lan)
    grants.save_report(s, actor=Actor.region_user("x", lan_code=lan, level=Level.HANDLAGGARE), year=2026, lan=lan,
                       uses={"coordinator": 1000})


def _report_submitted(s, lan):
    from fcatlas.services import grants

    _report_draft(s, lan)
    grants.submit_report(s, actor=Actor.region_user("y", lan_code=lan, level=Level.FORETRADARE), year=2026, lan=lan)


def _basis_upload(role: str, lan: str) -> dict:
    return {"__files__": {"file": ("underlag.csv", GRANT_BASIS, "text/csv")}}


NAT_ONLY = {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}
NAT_SEES = {**dict.fromkeys(ROLES, (404, 404)), "nationell": (200, 200)}
OWN_REGION = {"anonym": (403, 403), "h20": (200, 403), "f20": (200, 403), "f18": (200, 403), "nationell": (200, 200)}
OWN_REGION_404 = {"anonym": (404, 404), "h20": (200, 404), "f20": (200, 404), "f18": (200, 404), "nationell": (200, 200)}
G = "/api/v1/grants/years/{year}"
Setup = Callable[..., None] | None
#: (method, path) → (set-up on the region in the path, JSON body, {role: (own, other)})
MATRIX: dict[tuple[str, str], tuple[Setup, object, dict[str, tuple[int, int]]]] = {
    ("GET", "/healthz"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/readyz"): (None, None, dict.fromkeys(ROLES, (200, 200))),
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
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/reopen"): (
        _submitted, {"comment": "Elsborg har flyttat"}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("PUT", "/api/v1/rounds/{round}/regions/{lan}/deadline"): (
        None, {"deadline": "2099-12-31"}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("POST", "/api/v1/rounds/{round}/close"): (None, None, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("GET", "/api/v1/units"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/atlas/summary"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/areas"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/areas/{regso}/similar"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/borders"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/gaps"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/atlas/answers"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/growth"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/downloads/register.{fmt}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/downloads/atlas.xlsx"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("POST", "/api/v1/rounds/{round}/regions/{lan}/imports"): (
        None, _upload,
        # anonymous: 401 before the upload is read (issue 21)
        {"anonym": (401, 401), "h20": (201, 403), "f20": (201, 403), "f18": (201, 403), "nationell": (201, 201)}),
    ("POST", "/api/v1/imports/{import_id}/confirm"): (
        _pending, None,
        {"anonym": (404, 404), "h20": (200, 404), "f20": (200, 404), "f18": (200, 404), "nationell": (200, 200)}),
    # what the caller may not see is 404, not 403 (issue 21)
    ("GET", "/api/v1/units/{unit_id}/history"): (None, None, OWN_REGION_404),
    ("PATCH", "/api/v1/units/{unit_id}"): (None, {"note": "ändrad"}, OWN_REGION_404),  # a draft unit
    # the state grant: decisions are public, a prepared year is the national level's alone, a report
    # is its region's and the national level's until approved
    ("GET", "/api/v1/grants/years"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("PUT", G): (None, {"total_sek": 3_000_000, "basis": "fil"}, NAT_ONLY),
    ("GET", G): (_grant_prepared, None, NAT_SEES),
    ("POST", G + "/basis"): (_grant_prepared, _basis_upload, {**NAT_ONLY, "anonym": (401, 401)}),
    ("GET", G + "/allocation"): (_grant_prepared, None, NAT_SEES),
    ("GET", G + "/compare"): (_grant_prepared, {"__params__": {"exclusion": "omradestyp:1,2"}}, NAT_ONLY),
    ("POST", G + "/decide"): (_grant_prepared, None, NAT_ONLY),
    ("GET", G + "/regions/{lan}/decision"): (_grant_decided, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", G + "/annex.xlsx"): (_grant_decided, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", G + "/annex.pdf"): (_grant_prepared, None, {**dict.fromkeys(ROLES, (404, 404)), "nationell": (409, 409)}),
    ("GET", G + "/regions/{lan}/report"): (
        _report_draft, None,
        {"anonym": (404, 404), "h20": (200, 404), "f20": (200, 404), "f18": (200, 404), "nationell": (200, 200)}),
    ("PUT", G + "/regions/{lan}/report"): (_grant_decided, REPORT, OWN_REGION_404),
    ("POST", G + "/regions/{lan}/report/submit"): (
        _report_draft, None, {"anonym": (404, 404), "h20": (403, 404), "f20": (200, 404), "f18": (200, 404),
                              "nationell": (403, 403)}),
    ("POST", G + "/regions/{lan}/report/return"): (_report_submitted, {"comment": "Komplettera"}, NAT_ONLY),
    ("POST", G + "/regions/{lan}/report/approve"): (_report_submitted, None, NAT_ONLY),
    ("GET", "/api/v1/grants/reports"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/api/v1/grants/overdue"): (None, None, NAT_ONLY),
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
    quick_passwords(f"sqlite:///{template}")
    orebro = base / "orebro_2027.csv"
    orebro.write_text("Namn;Kommunkod;Typ\nFamiljecentralen Vivalla;1880;Familjecentral\n", encoding="utf-8")
    with Register.open(f"sqlite:///{template}") as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        reg.import_file(orebro, round=2027, user="import")
        units = reg.list_units()
    UNIT_OF.update({lan: units.loc[units["lan_code"] == lan, "id"].iloc[0] for lan in ("20", "18")})
    shutil.copy(template, work)
    # the database file is replaced behind the service's back: read its version for every request
    app = create_app(WebConfig(db_url=f"sqlite:///{work}", bundle=demo_bundle.path, access_log=base / "log",
                               cache_ttl_s=0))
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
            url = (path.replace("{fmt}", "csv").replace("{regso}", REGSO).replace("{round}", "2027")
                   .replace("{lan}", lan).replace("{unit_id}", UNIT_OF[lan]).replace("{year}", "2026"))
            if method == "PATCH":
                headers["If-Match"] = '"1"'
            for k, v in subst.items():
                url = url.replace(k, v)
            payload = body(role, lan) if callable(body) else body
            if isinstance(payload, dict) and "__files__" in payload:
                r = world["client"].request(method, url, files=payload["__files__"], headers=headers)
            elif isinstance(payload, dict) and "__params__" in payload:
                r = world["client"].request(method, url, params=payload["__params__"], headers=headers)
            else:
                r = world["client"].request(method, url, json=payload, headers=headers)
            assert r.headers["content-type"].startswith(("application/json", "application/geo+json", "text/csv",
                                                         "application/vnd", "application/pdf")), (role, lan)
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/json"), (role, lan, r.text)
            got[(role, i)] = r.status_code
    want = {(role, i): expected[role][i] for role in ROLES for i in (0, 1)}
    assert got == want


# -- the web pages (logged in with the session cookie; forms carry the session's CSRF token) ---------
def _login_form(role: str, lan: str) -> dict:
    if role == "anonym":
        return {"email": "ingen@x.se", "password": "fel lösenord 123"}
    return {"email": ACCOUNTS[role][0], "password": PW}


def _page_upload(role: str, lan: str) -> dict:
    return {"__files__": {"fil": ("lista.csv", CSV.format(kommun=KOMMUN[HOME[role]]).encode(), "text/csv")}}


def _edit(role: str, lan: str) -> dict:
    return {"version": "1", "name": "Ändrat namn", "status": "i_drift"}


_R = dict.fromkeys(("h20", "f20", "f18"))
_PAGE_NAT = {**dict.fromkeys(ROLES, (403, 403)), "nationell": (303, 303)}
#: a form that takes a file: anonymous is refused (401) before the body is read (issue 21)
_PAGE_NAT_UPLOAD = {**_PAGE_NAT, "anonym": (401, 401)}
_PAGE_NAT_GET = {**dict.fromkeys(_R, (403, 403)), "anonym": (303, 303), "nationell": (200, 200)}
_PAGE_REGION_GET = {**dict.fromkeys(_R, (200, 200)), "anonym": (303, 303), "nationell": (403, 403)}


def _new_unit(role: str, lan: str) -> dict:
    return {"name": "Familjecentralen Ny", "kommun_code": KOMMUN[HOME[role]], "category": "familjecentral",
            "status": "i_drift"}


def _page_basis(role: str, lan: str) -> dict:
    return {"__files__": {"underlag_fil": ("underlag.csv", GRANT_BASIS, "text/csv")}}

_VENDOR = node_modules() is not None
_DOCS = _VENDOR and (node_modules() / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file()  # type: ignore[operator]
#: (method, path) → (set-up, form, {role: (own region, other region)}); a page route without a row fails
PAGE_MATRIX: dict[tuple[str, str], tuple[Setup, object, dict[str, tuple[int, int]]]] = {
    ("GET", "/"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/tabell"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/tabell.{fmt}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/enhet/{unit_id}"): (None, None, {"anonym": (404, 404), "h20": (200, 404), "f20": (200, 404),
                                                "f18": (200, 404), "nationell": (200, 200)}),
    ("GET", "/om-uppgifterna"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    # issue 23: the gaps, their downloads, growth over time and the map's units of a large selection
    ("GET", "/luckor"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/luckor.{fmt}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/utveckling"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/karta/enheter.geojson"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    # login through an organisation's identity provider: none is configured here (401, Swedish page)
    ("GET", "/oidc/logga-in"): (None, None, dict.fromkeys(ROLES, (401, 401))),
    ("GET", "/oidc/{pid}/logga-in"): (None, None, dict.fromkeys(ROLES, (401, 401))),
    ("GET", "/oidc/{pid}/callback"): (None, None, dict.fromkeys(ROLES, (401, 401))),
    # swagger-ui from node_modules (404 with a hint where `npm ci` has not installed it), its start script
    ("GET", "/api/docs"): (None, None, dict.fromkeys(ROLES, (200, 200) if _DOCS else (404, 404))),
    ("GET", "/api/docs/{name}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/omrade/{regso}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/karta/lan.geojson"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    ("GET", "/statiskt/{name}"): (None, None, dict.fromkeys(ROLES, (200, 200))),
    # 404 (with a Swedish hint to run npm ci) on a checkout where `npm ci` has not been run
    ("GET", "/vendor/{package}/{name}"): (None, None, dict.fromkeys(ROLES, (200, 200) if _VENDOR else (404, 404))),
    ("GET", "/logga-in"): (None, None, {**dict.fromkeys(ROLES, (303, 303)), "anonym": (200, 200)}),
    ("POST", "/logga-in"): (None, _login_form, {**dict.fromkeys(ROLES, (303, 303)), "anonym": (401, 401)}),
    ("POST", "/logga-ut"): (None, {}, {**dict.fromkeys(ROLES, (303, 303)), "anonym": (403, 403)}),
    ("GET", "/region"): (None, None, {**dict.fromkeys(_R, (200, 200)), "anonym": (303, 303), "nationell": (303, 303)}),
    ("POST", "/region/skicka-in"): (None, {}, {**dict.fromkeys(ROLES, (403, 403)), "f20": (303, 303),
                                               "f18": (303, 303)}),
    ("GET", "/region/import"): (None, None, {**dict.fromkeys(_R, (200, 200)), "anonym": (303, 303),
                                             "nationell": (403, 403)}),
    ("POST", "/region/import"): (None, _page_upload, {**dict.fromkeys(_R, (200, 200)), "anonym": (401, 401),
                                                      "nationell": (403, 403)}),
    ("POST", "/region/import/{import_id}/bekrafta"): (
        _pending, {}, {**dict.fromkeys(_R, (303, 404)), "anonym": (403, 403), "nationell": (403, 403)}),
    ("GET", "/region/enheter/{unit_id}"): (None, None, {**dict.fromkeys(_R, (200, 404)), "anonym": (303, 303),
                                                        "nationell": (403, 403)}),
    ("POST", "/region/enheter/{unit_id}"): (None, _edit, {**dict.fromkeys(_R, (303, 404)), "anonym": (403, 403),
                                                          "nationell": (403, 403)}),
    ("GET", "/nationell"): (None, None, {**dict.fromkeys(_R, (403, 403)), "anonym": (303, 303),
                                         "nationell": (200, 200)}),
    ("GET", "/nationell/region/{lan}"): (None, None, {**dict.fromkeys(_R, (403, 403)), "anonym": (303, 303),
                                                      "nationell": (200, 200)}),
    # issue 22: opening and closing the round, a region's deadline, reopening, the confirmation pages
    ("POST", "/nationell/omgang"): (None, {"ar": "2028", "sista_dag": "2099-10-31"},
                                    {**_PAGE_NAT, "nationell": (422, 422)}),  # 2027 is still open
    ("POST", "/nationell/region/{lan}/sista-dag"): (None, {"sista_dag": "2099-12-31"}, _PAGE_NAT),
    ("POST", "/nationell/region/{lan}/ateroppna"): (_submitted, {"kommentar": "Elsborg har flyttat"}, _PAGE_NAT),
    ("GET", "/nationell/region/{lan}/godkann"): (_submitted, None, _PAGE_NAT_GET),
    ("GET", "/nationell/publicera"): (_approved, None, _PAGE_NAT_GET),
    ("GET", "/nationell/stang"): (None, None, _PAGE_NAT_GET),
    ("POST", "/nationell/stang"): (None, {}, _PAGE_NAT),
    ("GET", "/nationell/statsbidrag/{year}/besluta"): (_grant_prepared, None, _PAGE_NAT_GET),
    ("GET", "/region/skicka-in"): (None, None, _PAGE_REGION_GET),
    ("GET", "/region/kvitto"): (_submitted, None, {**_PAGE_REGION_GET, **dict.fromkeys(_R, (200, 404))}),
    ("POST", "/region/import/{import_id}/lage"): (
        _pending, {"lage": "delvis"}, {**dict.fromkeys(_R, (200, 404)), "anonym": (403, 403), "nationell": (403, 403)}),
    ("GET", "/region/import/{import_id}/kvitto"): (_pending, None, _PAGE_REGION_GET),
    ("GET", "/region/enheter/ny"): (None, None, _PAGE_REGION_GET),
    ("POST", "/region/enheter/ny"): (None, _new_unit, {**dict.fromkeys(_R, (303, 303)), "anonym": (403, 403),
                                                       "nationell": (403, 403)}),
    ("GET", "/region/mall.csv"): (None, None, _PAGE_REGION_GET),
    ("GET", "/region/lista.csv"): (None, None, _PAGE_REGION_GET),
    ("POST", "/nationell/region/{lan}/returnera"): (
        _submitted, {"kommentar": "Rätta adresserna"}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (303, 303)}),
    ("POST", "/nationell/region/{lan}/godkann"): (
        _submitted, {}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (303, 303)}),
    ("POST", "/nationell/publicera"): (_approved, {}, {**dict.fromkeys(ROLES, (403, 403)), "nationell": (303, 303)}),
    ("GET", "/nationell/konton"): (None, None, {**dict.fromkeys(_R, (403, 403)), "anonym": (303, 303),
                                                "nationell": (200, 200)}),
    # issue 22.5: accounts on the pages (no SMTP server here: a new link is shown on the page, 200)
    ("POST", "/nationell/konton"): (None, {"email": "ny@x.se", "roll": "nationell"},
                                    {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("POST", "/nationell/konton/skicka-lank"): (None, {"email": "h20@regiondalarna.se"},
                                                {**dict.fromkeys(ROLES, (403, 403)), "nationell": (200, 200)}),
    ("POST", "/nationell/konton/stang-av"): (None, {"email": "h20@regiondalarna.se"}, _PAGE_NAT),
    ("POST", "/nationell/konton/aktivera"): (None, {"email": "h20@regiondalarna.se"}, _PAGE_NAT),
    ("GET", "/konto/valj-losenord"): (None, None, dict.fromkeys(ROLES, (410, 410))),  # no valid link
    ("POST", "/konto/valj-losenord"): (None, {"token": "ingen", "losenord": PW, "losenord2": PW},
                                       dict.fromkeys(ROLES, (410, 410))),
    ("GET", "/konto/losenord"): (None, None, {**dict.fromkeys(ROLES, (200, 200)), "anonym": (303, 303)}),
    ("POST", "/konto/losenord"): (None, {"nuvarande": PW, "losenord": PW + " nytt", "losenord2": PW + " nytt"},
                                 {**dict.fromkeys(ROLES, (200, 200)), "anonym": (403, 403)}),
    # the grant pages (a region's own report; the national level's year, follow-up and review)
    ("GET", "/region/statsbidrag"): (_grant_decided, None, {**dict.fromkeys(_R, (200, 200)), "anonym": (303, 303),
                                                            "nationell": (303, 303)}),
    ("POST", "/region/statsbidrag/{year}"): (_grant_decided, {"uses_coordinator": "1000"},
                                             {**dict.fromkeys(ROLES, (403, 403)), **dict.fromkeys(_R, (303, 303))}),
    ("GET", "/nationell/statsbidrag"): (None, None, {**dict.fromkeys(_R, (403, 403)), "anonym": (303, 303),
                                                     "nationell": (200, 200)}),
    ("POST", "/nationell/statsbidrag"): (None, {"ar": "2026", "totalbelopp": "3000000", "fast_belopp": "815000",
                                                "underlag": "fil"}, _PAGE_NAT_UPLOAD),
    ("GET", "/nationell/statsbidrag/{year}"): (_grant_prepared, None, _PAGE_NAT_GET),
    ("POST", "/nationell/statsbidrag/{year}/underlag"): (_grant_prepared, _page_basis, _PAGE_NAT_UPLOAD),
    ("POST", "/nationell/statsbidrag/{year}/besluta"): (_grant_prepared, {}, _PAGE_NAT),
    ("GET", "/nationell/statsbidrag/{year}/uppfoljning"): (_grant_decided, None, _PAGE_NAT_GET),
    ("GET", "/nationell/statsbidrag/{year}/rapport/{lan}"): (_report_draft, None, _PAGE_NAT_GET),
    ("POST", "/nationell/statsbidrag/{year}/rapport/{lan}/godkann"): (_report_submitted, {}, _PAGE_NAT),
    ("POST", "/nationell/statsbidrag/{year}/rapport/{lan}/returnera"): (
        _report_submitted, {"kommentar": "Komplettera"}, _PAGE_NAT),
}
PAGE_ARGS = {"{fmt}": "csv", "{name}": "site.css", "{package}/site.css": "leaflet/leaflet.js", "{year}": "2026"}


def test_every_page_route_has_a_row(world):
    from fastapi.routing import APIRoute

    def walk(routes):  # FastAPI keeps included routers nested
        for r in routes:
            if isinstance(r, APIRoute):
                yield r
            elif hasattr(r, "original_router"):
                yield from walk(r.original_router.routes)

    api = set(MATRIX)
    pages = {(m, r.path) for r in walk(world["app"].routes) for m in r.methods
             if m != "HEAD" and (m, r.path) not in api}
    assert pages == set(PAGE_MATRIX), (sorted(pages - set(PAGE_MATRIX)), sorted(set(PAGE_MATRIX) - pages))


@pytest.mark.parametrize("key", sorted(PAGE_MATRIX), ids=lambda k: f"{k[0]} {k[1]}")
def test_page_matrix(world, key):
    method, path = key
    setup, body, expected = PAGE_MATRIX[key]
    got = {}
    for role in ROLES:
        for i, lan in enumerate((HOME[role], "18" if HOME[role] == "20" else "20")):
            world["app"].state.engine.dispose()
            shutil.copy(world["template"], world["work"])
            subst, headers, form = {}, {}, {}
            with unit_of_work(world["app"].state.engine) as s:
                if setup is not None:
                    subst = setup(s, lan) or {}
                if role != "anonym":
                    actor = store.actor_from_token(s, token=world["tokens"][role])
                    sid, csrf = store.start_session(s, actor=actor)
                    headers["Cookie"] = f"fcatlas_session={sid}"
                    form["csrf"] = csrf
            if path == "/logga-in" and method == "POST":
                headers["Cookie"] = "fcatlas_login_csrf=k" + (f"; {headers['Cookie']}" if "Cookie" in headers else "")
                form["csrf"] = "k"
            url = path.replace("{lan}", lan).replace("{unit_id}", UNIT_OF[lan])
            for k, v in {**PAGE_ARGS, **subst}.items():
                url = url.replace(k, v)
            url = url.replace("{regso}", str(world["app"].state.bundle.areas("regso")["regso_code"].iloc[0]))
            if path == "/vendor/{package}/{name}":
                url = "/vendor/leaflet/leaflet.js"
            if path == "/api/docs/{name}":
                url = "/api/docs/init.js"
            payload = body(role, lan) if callable(body) else body
            if isinstance(payload, dict) and "__files__" in payload:
                r = world["client"].request(method, url, files=payload["__files__"], data=form, headers=headers,
                                            follow_redirects=False)
            elif method == "POST":
                r = world["client"].request(method, url, data={**form, **(payload or {})}, headers=headers,
                                            follow_redirects=False)
            else:
                r = world["client"].request(method, url, headers=headers, follow_redirects=False)
            got[(role, i)] = r.status_code
    want = {(role, i): expected[role][i] for role in ROLES for i in (0, 1)}
    assert got == want
