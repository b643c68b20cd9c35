"""The atlas over HTTP equals ``fcatlas atlas`` on the same data (real bundle, Dalarna's list)."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from fastapi.testclient import TestClient

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import rounds
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig


@pytest.fixture(scope="module")
def published(tmp_path_factory, real_bundle, shared_data):
    """A register with Dalarna's list published, and a client of a service on the real bundle."""
    base = tmp_path_factory.mktemp("atlasapi")
    db = base / "r.sqlite"
    nat = Actor.national("n")
    with Register.open(f"sqlite:///{db}") as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
        with unit_of_work(reg.engine) as s:
            rounds.open_round(s, actor=nat, name=2026, deadline=dt.date.today() + dt.timedelta(days=60))
            rounds.submit(s, actor=Actor.region_user("f", lan_code="20", level=Level.FORETRADARE), name=2026, lan="20")
            rounds.approve(s, actor=nat, name=2026, lan="20")
            rounds.publish(s, actor=nat, name=2026)
    app = create_app(WebConfig(db_url=f"sqlite:///{db}", bundle=real_bundle.path, access_log=base / "log"))
    yield TestClient(app), db, base
    app.state.engine.dispose()


def test_summary_equals_the_cli_summary_json(published, real_bundle, cli):
    client, db, base = published
    r = cli("atlas", "--bundle", str(real_bundle.path), "--db", str(db), "--lan", "20", "--out", str(base / "atlas"),
            "--maps", "none")
    assert r.returncode == 0, r.stderr
    expected = json.loads((base / "atlas" / "summary.json").read_text(encoding="utf-8"))
    for key in ("created", "files"):
        expected.pop(key)
    got = client.get("/api/v1/atlas/summary?lan=20")
    assert got.status_code == 200
    assert got.json() == expected
    whole = client.get("/api/v1/atlas/summary").json()
    assert whole != got.json() and set(whole) == set(got.json())


def test_areas_geojson_of_a_lan_is_small_and_has_the_areas_properties(published, cli, real_bundle):
    client, _db, _base = published
    r = client.get("/api/v1/areas?lan=20&format=geojson", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert r.headers.get("content-encoding") == "gzip"
    doc = r.json()
    with_shape = [f for f in doc["features"] if f["geometry"] is not None]
    assert len(doc["features"]) == 119 and len(with_shape) == 119
    assert len(gzip.compress(r.content)) < 1_000_000
    ref = cli("areas", "--bundle", str(real_bundle.path), "--lan", "20", "--format", "json")
    rows = {row["regso_code"]: row for row in json.loads(ref.stdout)}
    assert {f["id"]: f["properties"] for f in doc["features"]} == rows
    lon, lat = with_shape[0]["geometry"]["coordinates"][0][0][:2] if with_shape[0]["geometry"]["type"] == "Polygon" \
        else with_shape[0]["geometry"]["coordinates"][0][0][0][:2]
    assert 12 < lon < 17 and 59 < lat < 63
    again = client.get("/api/v1/areas?lan=20", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_borders_of_a_lan_have_one_line_per_kommun_and_the_lan(published, real_bundle):
    client, _db, _base = published
    r = client.get("/api/v1/borders?lan=20&format=geojson", headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/geo+json"
    assert r.headers.get("content-encoding") == "gzip" and int(r.headers["content-length"]) < 1_000_000
    features = r.json()["features"]
    kommuner = real_bundle.kommuner()
    expected = sorted(kommuner.loc[kommuner["lan_code"] == "20", "kommun_code"])
    assert len(expected) == 15
    by_kind = {kind: [f for f in features if f["properties"]["kind"] == kind] for kind in ("kommun", "lan")}
    assert sorted(f["properties"]["code"] for f in by_kind["kommun"]) == expected
    assert len(by_kind["kommun"]) + len(by_kind["lan"]) == len(features)
    assert [f["properties"]["code"] for f in by_kind["lan"]] == ["20"]
    names = dict(zip(kommuner["kommun_code"], kommuner["kommun_name"], strict=True))
    assert all(f["properties"]["name"] == names[f["properties"]["code"]] for f in by_kind["kommun"])
    # the real bundle has every RegSO boundary of Dalarna: the lines are the outlines of its RegSO
    assert {f["properties"]["source"] for f in features} == {"regso"}
    for f in features:
        assert f["geometry"]["type"] in ("LineString", "MultiLineString")
        lines = f["geometry"]["coordinates"] if f["geometry"]["type"] == "MultiLineString" else [f["geometry"]["coordinates"]]
        assert all(12 < lon < 17 and 59 < lat < 63 for line in lines for lon, lat in line)
    again = client.get("/api/v1/borders?lan=20", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    whole = client.get("/api/v1/borders").json()["features"]
    assert sum(f["properties"]["kind"] == "kommun" for f in whole) == 290
    assert sum(f["properties"]["kind"] == "lan" for f in whole) == 21


def test_gaps_and_similar(published, real_bundle):
    client, _db, base = published
    gaps = client.get("/api/v1/gaps?lan=20").json()["items"]
    assert gaps and all(g["lan_code"] == "20" for g in gaps)
    assert [g["rank"] for g in gaps] == list(range(1, len(gaps) + 1))
    assert [g["children_0_6"] for g in gaps] == sorted((g["children_0_6"] for g in gaps), reverse=True)
    # the Dalarna golden figure: 15 exclusion areas, 5 within reach, so 10 gaps
    assert len(gaps) == 10
    code = gaps[0]["regso_code"]
    sim = client.get(f"/api/v1/areas/{code}/similar?k=5").json()["items"]
    assert len(sim) == 5 and code not in [s["regso_code"] for s in sim]
    assert client.get("/api/v1/areas/9999R999/similar").status_code == 404


def test_without_a_bundle_the_atlas_is_503(make_client):
    client = make_client()
    r = client.get("/api/v1/atlas/summary")
    assert r.status_code == 503 and "datapaket" in r.json()["fel"]
