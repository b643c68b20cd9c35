"""Units over HTTP: who sees what (draft vs published), changes with If-Match, ETag."""

from __future__ import annotations

import pytest

from fcatlas.register.store import Register

from .helpers import login


@pytest.fixture
def world(make_client, db_url, shared_data):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
    client = make_client()
    tokens = {w: login(client, w) for w in ("nationell", "f20", "h20", "f18")}
    assert client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"},
                       headers=tokens["nationell"]).status_code == 201
    return client, tokens


def test_drafts_are_seen_only_by_the_region_and_the_national_level(world):
    client, t = world
    assert client.get("/api/v1/units?lan=20").json() == {"items": [], "total": 0}
    assert client.get("/api/v1/units?lan=20", headers=t["f18"]).json()["total"] == 0
    own = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()
    assert own["total"] == 15 and all(u["lan_code"] == "20" and u["version"] >= 1 for u in own["items"])
    assert client.get("/api/v1/units", headers=t["nationell"]).json()["total"] == 15
    page = client.get("/api/v1/units?lan=20&limit=4&offset=12", headers=t["h20"]).json()
    assert page["total"] == 15 and [u["id"] for u in page["items"]] == [u["id"] for u in own["items"][12:]]
    base = "/api/v1/rounds/2027/regions/20"
    client.post(f"{base}/submit", headers=t["f20"])
    client.post(f"{base}/approve", headers=t["nationell"])
    client.post("/api/v1/rounds/2027/publish", headers=t["nationell"])
    public = client.get("/api/v1/units?lan=20").json()
    assert public["total"] == 15
    assert {u["id"] for u in public["items"]} == {u["id"] for u in own["items"]}
    assert set(public["items"][0]) >= {"id", "name", "category", "status", "kommun_code", "lan_code", "lat", "lon",
                                       "precision", "version"}


def test_patch_with_if_match_and_stale_versions(world):
    client, t = world
    unit = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    url = f"/api/v1/units/{unit['id']}"
    v = unit["version"]
    r = client.patch(url, json={"note": "Ny öppettid"}, headers={**t["h20"], "If-Match": f'"{v}"'})
    assert r.status_code == 200 and r.json()["version"] == v + 1
    r = client.patch(url, json={"note": "Min ändring"}, headers={**t["f20"], "If-Match": f'"{v}"'})
    assert r.status_code == 412
    assert "h20@regiondalarna.se" in r.json()["fel"] and f"version {v + 1}" in r.json()["fel"]
    r = client.patch(url, json={"note": "x"}, headers=t["h20"])
    assert r.status_code == 422 and r.json()["detaljer"] == [{"falt": "if-match", "orsak": "saknas"}]
    # a draft unit does not exist to another region or the public: 404, not 403 (issue 21)
    assert client.patch(url, json={"note": "x"}, headers={**t["f18"], "If-Match": f'"{v + 1}"'}).status_code == 404
    assert client.patch(url, json={"note": "x"}, headers={"If-Match": f'"{v + 1}"'}).status_code == 404
    assert client.patch(url, json={"roll": "x"}, headers={**t["h20"], "If-Match": f'"{v + 1}"'}).status_code == 422
    assert client.patch("/api/v1/units/finns-inte", json={"note": "x"},
                        headers={**t["h20"], "If-Match": '"1"'}).status_code == 404
    client.post("/api/v1/rounds/2027/regions/20/submit", headers=t["f20"])
    r = client.patch(url, json={"note": "efter inskick"}, headers={**t["h20"], "If-Match": f'"{v + 1}"'})
    assert r.status_code == 409 and "inskickad" in r.json()["fel"]


def test_markup_in_names_comes_back_as_json_text(world):
    client, t = world
    unit = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    name = '<script>alert("x")</script> & Co'
    r = client.patch(f"/api/v1/units/{unit['id']}", json={"name": name},
                     headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    got = client.get("/api/v1/units?lan=20", headers=t["h20"])
    assert name in [u["name"] for u in got.json()["items"]] and got.headers["content-type"] == "application/json"


def test_etag_and_not_modified(world):
    client, t = world
    r = client.get("/api/v1/units?lan=20", headers=t["h20"])
    tag = r.headers["etag"]
    again = client.get("/api/v1/units?lan=20", headers={**t["h20"], "If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    unit = r.json()["items"][0]
    client.patch(f"/api/v1/units/{unit['id']}", json={"note": "ändrad"},
                 headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert client.get("/api/v1/units?lan=20", headers={**t["h20"], "If-None-Match": tag}).status_code == 200


def test_history_of_a_unit_names_who_changed_what_for_the_region_and_the_national_level(world):
    client, t = world
    unit = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()["items"][0]
    url = f"/api/v1/units/{unit['id']}"
    r = client.patch(url, json={"note": "Ny öppettid"}, headers={**t["h20"], "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200
    with Register.open(str(client.app.state.engine.url)) as reg:
        before = reg.audit(unit["id"]).iloc[-1]["before"]["note"]
    items = client.get(url + "/history", headers=t["f20"]).json()["items"]
    assert [h["action"] for h in items] == ["ändrad", "ny (import)"]
    assert items[0]["user"] == "h20@regiondalarna.se" and items[0]["version"] == unit["version"] + 1
    assert items[0]["changes"] == [{"field": "note", "before": before, "after": "Ny öppettid"}]
    assert client.get(url + "/history", headers=t["nationell"]).json()["items"] == items
    assert client.get(url + "/history", headers=t["f18"]).status_code == 404  # issue 21: 404, not 403
    assert client.get(url + "/history").status_code == 404
    assert client.get("/api/v1/units/finns-inte/history", headers=t["nationell"]).status_code == 404


def test_the_list_narrows_by_kommun_category_and_status_as_the_map_filter(world):
    client, t = world
    own = client.get("/api/v1/units?lan=20&limit=1000", headers=t["h20"]).json()["items"]
    kommun = own[0]["kommun_code"]
    by_kommun = client.get(f"/api/v1/units?kommun={kommun}", headers=t["h20"]).json()
    assert by_kommun["total"] == sum(u["kommun_code"] == kommun for u in own) >= 1
    assert {u["kommun_code"] for u in by_kommun["items"]} == {kommun}
    for field, value in (("category", "familjecentral"), ("status", "i_drift")):
        got = client.get(f"/api/v1/units?lan=20&{field}={value}", headers=t["h20"]).json()
        assert got["total"] == sum(u[field] == value for u in own) >= 1
        assert {u[field] for u in got["items"]} == {value}
    both = client.get(f"/api/v1/units?kommun={kommun}&category=familjecentral&status=i_drift", headers=t["h20"]).json()
    assert both["total"] == sum(u["kommun_code"] == kommun and u["category"] == "familjecentral"
                                and u["status"] == "i_drift" for u in own)
    assert client.get(f"/api/v1/units?kommun={kommun}").json()["total"] == 0  # the public: nothing published yet
    elsewhere = client.get(f"/api/v1/units?lan=18&kommun={kommun}", headers=t["h20"])  # every filter applies
    assert elsewhere.status_code == 200 and elsewhere.json() == {"items": [], "total": 0}
    bad = client.get("/api/v1/units?status=stangd", headers=t["h20"])
    assert bad.status_code == 422 and bad.json()["detaljer"][0]["falt"] == "status"
