"""The per-worker answer caches: a change made through a worker is seen by its next request, a
change made elsewhere within the configured bound, and a cached answer is the route's answer."""

from __future__ import annotations

import datetime as dt
import math
import time

import pytest
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import accounts, rounds
from fcatlas.services import units as unit_service

from .helpers import ACCOUNTS, login, page_session

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f", lan_code="20", level=Level.FORETRADARE)


@pytest.fixture
def dalarna(db_url, shared_data):
    """Dalarna's list imported in round 2027, not yet published."""
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        with unit_of_work(reg.engine) as s:
            rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
    return db_url


def _publish_over_http(client, t) -> None:
    base = "/api/v1/rounds/2027/regions/20"
    assert client.post(f"{base}/submit", headers=t["f20"]).status_code == 200
    assert client.post(f"{base}/approve", headers=t["nationell"]).status_code == 200
    assert client.post("/api/v1/rounds/2027/publish", headers=t["nationell"]).status_code == 200


def test_a_publish_through_the_worker_is_seen_by_its_next_anonymous_read(dalarna, make_client):
    client = make_client(cache_ttl_s=3600)  # only a write through this worker can make it read again
    t = {w: login(client, w) for w in ("nationell", "f20", "h20")}
    assert client.get("/api/v1/units?lan=20").json()["total"] == 0
    assert client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["total"] == 15  # not the public answer
    _publish_over_http(client, t)
    public = client.get("/api/v1/units?lan=20")
    assert public.status_code == 200 and public.json()["total"] == 15


def test_a_change_behind_the_workers_back_is_seen_within_the_ttl(dalarna, make_client):
    worker = make_client(cache_ttl_s=0.5)
    assert worker.get("/api/v1/units?lan=20").json()["total"] == 0
    engine = worker.app.state.engine
    with unit_of_work(engine) as s:  # as another worker (or the CLI) would
        rounds.submit(s, actor=F20, name=2027, lan="20")
        rounds.approve(s, actor=NAT, name=2027, lan="20")
        rounds.publish(s, actor=NAT, name=2027)
    time.sleep(0.6)
    assert worker.get("/api/v1/units?lan=20").json()["total"] == 15


def test_two_workers_one_changes_the_other_follows_within_the_ttl(dalarna, make_client):
    one, other = make_client(cache_ttl_s=0.5), make_client(cache_ttl_s=0.5)
    t = {w: login(one, w) for w in ("nationell", "f20", "h20")}
    unit = other.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    r = one.patch(f"/api/v1/units/{unit['id']}", json={"note": "ändrad"},
                  headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200
    assert one.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]["version"] == unit["version"] + 1
    time.sleep(0.6)
    assert other.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]["version"] == unit["version"] + 1


def test_a_regions_draft_is_never_behind_another_workers_change(dalarna, make_client):
    """A user's own picture is read for every request: right after a change through another worker
    (however long the TTL) the next read has the new version, so an edit starts from it."""
    one, other = make_client(cache_ttl_s=3600), make_client(cache_ttl_s=3600)
    t = {w: login(one, w) for w in ("f20", "h20")}
    unit = other.get("/api/v1/units?lan=20", headers=t["f20"]).json()["items"][0]
    url, v = f"/api/v1/units/{unit['id']}", unit["version"]
    assert one.patch(url, json={"note": "ändrad"}, headers={**t["h20"], "If-Match": f'"{v}"'}).status_code == 200
    again = other.get("/api/v1/units?lan=20", headers=t["f20"]).json()["items"][0]
    assert again["id"] == unit["id"] and again["version"] == v + 1
    ok = other.patch(url, json={"note": "min"}, headers={**t["f20"], "If-Match": f'"{again["version"]}"'})
    assert ok.status_code == 200
    assert other.get("/api/v1/units?lan=20").json()["total"] == 0  # the public picture: nothing published


def test_patch_then_get_on_the_same_worker_sees_the_new_version(dalarna, make_client):
    client = make_client(cache_ttl_s=3600)
    t = {w: login(client, w) for w in ("nationell", "h20")}
    before = client.get("/api/v1/units?lan=20", headers=t["h20"])
    unit = before.json()["items"][0]
    r = client.patch(f"/api/v1/units/{unit['id']}", json={"name": "Nytt namn"},
                     headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200
    for who in ("h20", "nationell"):
        after = client.get("/api/v1/units?lan=20", headers=t[who]).json()["items"]
        mine = next(u for u in after if u["id"] == unit["id"])
        assert mine["version"] == unit["version"] + 1 and mine["name"] == "Nytt namn"
    assert client.get("/api/v1/units?lan=20", headers={**t["h20"], "If-None-Match": before.headers["etag"]}
                      ).status_code == 200


def test_a_change_of_one_unit_keeps_the_public_answers_but_a_round_step_does_not(dalarna, make_client):
    """A unit's draft never shows in the published picture: after a PATCH the worker reads the
    version again for the logged-in pictures only; after a round's step for every picture."""
    client = make_client(cache_ttl_s=3600)
    t = {w: login(client, w) for w in ("nationell", "f20", "h20")}
    versions = client.app.state.versions
    assert client.get("/api/v1/units?lan=20").json()["total"] == 0
    public = versions.fresh_public()
    assert public is not None
    unit = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    r = client.patch(f"/api/v1/units/{unit['id']}", json={"note": "ändrad"},
                     headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200
    assert versions.fresh() is None and versions.fresh_public() == public  # drafts read again, public kept
    assert client.get("/api/v1/units?lan=20").json()["total"] == 0  # and still right
    _publish_over_http(client, t)
    assert versions.fresh_public() is None  # a round's step: the public picture is read again
    assert client.get("/api/v1/units?lan=20").json()["total"] == 15


def test_cached_public_answers_are_the_routes_answers(dalarna, make_client, real_bundle):
    client = make_client(cache_ttl_s=3600, bundle=real_bundle.path)
    t = {w: login(client, w) for w in ("nationell", "f20")}
    _publish_over_http(client, t)
    fresh = make_client(cache_ttl_s=0, bundle=real_bundle.path)
    for url in ("/api/v1/atlas/summary?lan=20", "/api/v1/units?lan=20", "/api/v1/gaps?lan=20",
                "/api/v1/areas?lan=20&format=geojson", "/api/v1/areas/2081R004/similar?k=3"):
        first = client.get(url, headers={"Accept-Encoding": "gzip"})
        again = client.get(url, headers={"Accept-Encoding": "gzip"})
        plain = client.get(url, headers={"Accept-Encoding": "identity"})
        assert first.status_code == again.status_code == plain.status_code == 200, url
        assert first.json() == again.json() == plain.json() == fresh.get(url).json(), url
        assert first.headers["etag"] == again.headers["etag"] == plain.headers["etag"], url
        assert first.headers["content-type"] == plain.headers["content-type"], url
        assert "content-encoding" not in plain.headers, url
        if len(plain.content) >= 1024:
            assert again.headers["content-encoding"] == "gzip", url
        not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
        assert not_modified.status_code == 304 and not_modified.content == b"", url
        assert not_modified.headers["etag"] == first.headers["etag"], url
    # errors are never cached and keep their JSON
    for _ in range(2):
        r = client.get("/api/v1/areas/9999R999/similar")
        assert r.status_code == 404 and "fel" in r.json()


def _clean(v):
    return None if isinstance(v, float) and math.isnan(v) else v


def test_unit_rows_equal_the_dataframe_page(dalarna, make_client):
    """The API's list is built without pandas; it must equal the DataFrame path for every picture."""
    client = make_client()
    t = {w: login(client, w) for w in ("nationell", "f20", "h20")}
    _publish_over_http(client, t)
    with unit_of_work(client.app.state.engine) as s:
        rounds.close_round(s, actor=NAT, name=2027)  # publishing leaves 2027 open (issue 22)
        rounds.open_round(s, actor=NAT, name=2028, deadline=dt.date(2028, 10, 31))
    unit = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    assert client.patch(f"/api/v1/units/{unit['id']}", json={"name": "Ändrat utkast"},
                        headers={**t["h20"], "If-Match": f'"{unit["version"]}"'}).status_code == 200
    actors = [ANONYMOUS, NAT, F20, Actor.region_user("x", lan_code="18", level=Level.FORETRADARE)]
    with Session(client.app.state.engine) as s:
        for actor in actors:
            for lan in (None, "20", "18"):
                for limit, offset in ((1000, 0), (4, 3), (5, 100)):
                    page = unit_service._visible_units(s, actor=actor, lan=lan, limit=limit, offset=offset)
                    want = [{k: _clean(v) for k, v in row.items()} for row in page.items.to_dict(orient="records")]
                    got, total = unit_service.visible_unit_rows(s, actor=actor, lan=lan, limit=limit, offset=offset)
                    assert (got, total) == (want, page.total), (actor.name, lan, limit, offset)
                    assert [list(r) for r in got] == [list(r) for r in want]
    names = {u["name"] for u in client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"]}
    assert "Ändrat utkast" in names
    assert "Ändrat utkast" not in {u["name"] for u in client.get("/api/v1/units?lan=20").json()["items"]}


# -- the acting user remembered per worker (KnownActors) ----------------------------------------
def test_a_logout_through_the_worker_ends_the_login_at_once_however_long_the_ttl(dalarna, make_client):
    client = make_client(cache_ttl_s=3600)
    cookie, csrf = page_session(client, "h20")
    assert client.get("/api/v1/units?lan=20", headers=cookie).json()["total"] == 15  # the region's draft
    assert client.get("/api/v1/units?lan=20", headers=cookie).json()["total"] == 15  # now from memory
    assert client.post("/logga-ut", data={"csrf": csrf}, headers=cookie, follow_redirects=False).status_code == 303
    assert client.get("/api/v1/units?lan=20", headers=cookie).json()["total"] == 0  # anonymous again
    assert client.get("/api/v1/auth/me", headers=cookie).status_code == 401


def test_an_account_disabled_behind_the_workers_back_is_refused_within_the_ttl(dalarna, make_client):
    worker = make_client(cache_ttl_s=0.5)
    token = login(worker, "h20")
    assert worker.get("/api/v1/units?lan=20", headers=token).status_code == 200
    with unit_of_work(worker.app.state.engine) as s:  # as the CLI (or another worker) would
        accounts.disable_user(s, actor=NAT, email=ACCOUNTS["h20"][0])
    time.sleep(0.6)
    refused = worker.get("/api/v1/units?lan=20", headers=token)
    assert refused.status_code == 401 and refused.json()["fel"]


def test_with_ttl_zero_a_revoked_token_is_refused_by_the_next_request(dalarna, make_client):
    worker = make_client(cache_ttl_s=0)
    token = login(worker, "h20")
    assert worker.get("/api/v1/units?lan=20", headers=token).status_code == 200
    with unit_of_work(worker.app.state.engine) as s:
        assert accounts.revoke_tokens(s, actor=NAT, email=ACCOUNTS["h20"][0]) == 1
    assert worker.get("/api/v1/units?lan=20", headers=token).status_code == 401
    assert not worker.app.state.actors._items  # nothing is kept when the ttl is 0


def test_known_actors_keep_only_a_digest_of_the_secret(dalarna, make_client):
    worker = make_client(cache_ttl_s=3600)
    token = login(worker, "f20")
    secret = token["Authorization"].split()[1]
    assert worker.get("/api/v1/units?lan=20", headers=token).status_code == 200
    kept = worker.app.state.actors._items
    assert len(kept) == 1 and all(secret.encode() not in key for key in kept)
    assert all(secret not in repr(value) for value in kept.values())


def test_a_look_up_under_way_when_the_memory_is_cleared_is_not_kept():
    from fcatlas.web.deps import MAX_ACTOR_TTL_S, KnownActors

    known = KnownActors(3600)
    assert known.ttl_s == MAX_ACTOR_TTL_S  # a long data TTL does not keep credentials longer
    started = known.begin()
    known.clear()  # e.g. a logout handled while another request was looking the cookie up
    known.put("session", "sid", started, F20, "csrf")
    assert known.get("session", "sid") is None
    known.put("session", "sid", known.begin(), F20, "csrf")
    assert known.get("session", "sid") == (F20, "csrf") and known.get("token", "sid") is None
    old = (known._generation, time.monotonic() - MAX_ACTOR_TTL_S)  # counted from the look-up's start
    known.put("token", "t", old, F20)
    assert known.get("token", "t") is None
