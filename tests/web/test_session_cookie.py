"""The web pages' login session also identifies the user on the API (a GET works with the cookie),
but a state-changing API call made with the cookie must repeat the session's CSRF token."""

from __future__ import annotations

import pytest

from fcatlas.db import unit_of_work
from fcatlas.errors import PermissionDeniedError

from .helpers import ACCOUNTS, page_session


def test_cookie_session_on_the_api(client):
    cookie, csrf = page_session(client, "f20")
    me = client.get("/api/v1/auth/me", headers=cookie)
    assert me.status_code == 200 and me.json()["lan_code"] == "20"
    # a cross-site POST carrying only the cookie is refused before anything happens
    r = client.post("/api/v1/rounds/2027/regions/20/submit", headers=cookie)
    assert r.status_code == 403 and "CSRF" in r.json()["fel"]
    r = client.post("/api/v1/rounds/2027/regions/20/submit", headers={**cookie, "X-CSRF-Token": "fel"})
    assert r.status_code == 403
    # with the token the request reaches the service (no round 2027 exists here: 404, not 403)
    r = client.post("/api/v1/rounds/2027/regions/20/submit", headers={**cookie, "X-CSRF-Token": csrf})
    assert r.status_code == 404, r.text
    # an ended or unknown session is simply anonymous
    assert client.get("/api/v1/auth/me", headers={"Cookie": "fcatlas_session=okand"}).status_code == 401


def test_login_page_sets_a_fresh_session_id_and_logout_ends_it(client):
    page = client.get("/logga-in")
    token = page.cookies.get("fcatlas_login_csrf") or client.cookies.get("fcatlas_login_csrf")
    assert token and f'value="{token}"' in page.text
    ids = []
    for _ in range(2):
        r = client.post("/logga-in", data={"email": ACCOUNTS["h20"][0], "password": "ett långt lösenord",
                                           "csrf": token}, follow_redirects=False,
                        headers={"Cookie": f"fcatlas_login_csrf={token}"})
        assert r.status_code == 303 and r.headers["location"] == "/region"
        set_cookie = r.headers["set-cookie"]
        assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie.replace("Lax", "lax")
        ids.append(r.cookies["fcatlas_session"])
    assert ids[0] != ids[1]
    region = client.get("/region", headers={"Cookie": f"fcatlas_session={ids[1]}"})
    assert region.status_code == 200 and "Min region" in region.text
    csrf = region.text.split('name="csrf" value="')[1].split('"')[0]
    out = client.post("/logga-ut", data={"csrf": csrf}, headers={"Cookie": f"fcatlas_session={ids[1]}"},
                      follow_redirects=False)
    assert out.status_code == 303
    again = client.get("/region", headers={"Cookie": f"fcatlas_session={ids[1]}"}, follow_redirects=False)
    assert again.status_code == 303 and again.headers["location"] == "/logga-in"


def test_an_unknown_page_address_gives_a_swedish_page_and_the_api_stays_json(client):
    page = client.get("/finns-inte", headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert '<html lang="sv">' in page.text and "Sidan finns inte" in page.text
    api = client.get("/api/v1/finns-inte", headers={"Accept": "text/html"})
    assert api.status_code == 404 and api.json()["fel"]


def test_changes_since_published_names_new_changed_and_removed_units(client, shared_data):
    import datetime as dt

    from fcatlas.accounts.roles import Actor, Level
    from fcatlas.register.store import Register
    from fcatlas.services import rounds

    nat = Actor.national("n@socialstyrelsen.se")
    f20 = Actor.region_user("f", lan_code="20", level=Level.FORETRADARE)
    engine = client.app.state.engine
    with unit_of_work(engine) as s:
        rounds.open_round(s, actor=nat, name=2027, deadline=dt.date(2027, 10, 31))
    url = engine.url.render_as_string(hide_password=False)
    with Register.open(url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="t")
        units = reg.list_units(lan="20")
    with unit_of_work(engine) as s:
        assert {c.kind for c in rounds.changes_since_published(s, actor=nat, lan="20")} == {"ny"}
        rounds.submit(s, actor=f20, name=2027, lan="20")
        rounds.approve(s, actor=nat, name=2027, lan="20")
        rounds.publish(s, actor=nat, name=2027)
    with unit_of_work(engine) as s:
        assert rounds.changes_since_published(s, actor=nat, lan="20") == []
        rounds.close_round(s, actor=nat, name=2027)  # publishing leaves 2027 open (issue 22)
        rounds.open_round(s, actor=nat, name=2028, deadline=dt.date(2028, 10, 31))
    first = units.iloc[0]
    with Register.open(url) as reg:
        reg.update_unit(first["id"], {"status": "nedlagd"}, 1, "t")
    with unit_of_work(engine) as s:
        changes = rounds.changes_since_published(s, actor=nat, lan="20")
        assert [(c.kind, c.unit_id) for c in changes] == [("ändrad", first["id"])]
        from fcatlas.domain import STATUS_LABELS, Status

        assert changes[0].what == f"status: {STATUS_LABELS[Status(first['status'])]} → Nedlagd"
        with pytest.raises(PermissionDeniedError):
            rounds.changes_since_published(s, actor=Actor.region_user("x", lan_code="18", level=Level.FORETRADARE),
                                           lan="20")
