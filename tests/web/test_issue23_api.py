"""Issue 23: the gaps of the atlas over HTTP (the same list and totals as the sheet *Luckor* and the
summary), "kan inte bedömas" where the reach cannot be judged (Örebro: no boundaries in the bundle),
several områdestyper at once, paging with a count, and growth per published round."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import gaps as gap_service
from fcatlas.services import rounds
from fcatlas.services import selection as sel
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

NAT = Actor.national("n")


def _publish(reg: Register, year: int, lans: tuple[str, ...]) -> None:
    with unit_of_work(reg.engine) as s:
        # a deadline that has not passed (issue 22); the round is closed after it is published
        rounds.open_round(s, actor=NAT, name=year, deadline=dt.date.today() + dt.timedelta(days=60))
        for lan in lans:
            rounds.submit(s, actor=Actor.region_user("f", lan_code=lan, level=Level.FORETRADARE), name=year, lan=lan)
            rounds.approve(s, actor=NAT, name=year, lan=lan)
        rounds.publish(s, actor=NAT, name=year)
        rounds.close_round(s, actor=NAT, name=year)


@pytest.fixture(scope="module")
def world(tmp_path_factory, real_bundle, shared_data):
    """Dalarna's list published in 2026; in 2027 Dalarna again with one more centre, and Örebro län
    with one centre (in Örebro kommun; Örebro's areas have no boundary in the bundle)."""
    base = tmp_path_factory.mktemp("issue23")
    db = base / "r.sqlite"
    orebro = base / "orebro.csv"
    orebro.write_text("Namn;Kommunkod;Typ;Status\nFamiljecentralen Vivalla;1880;Familjecentral;i drift\n",
                      encoding="utf-8")
    extra = base / "dalarna_extra.csv"
    src = (shared_data / "familjecentraler" / "dalarna_2026.csv").read_text(encoding="utf-8-sig")
    extra.write_text(src.rstrip("\n") + "\nFamiljecentralen Ny;Falun;2080;ja;ja;ja;ja;ja;i drift;60.61;15.63;exakt;\n",
                     encoding="utf-8")
    with Register.open(f"sqlite:///{db}") as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
        _publish(reg, 2026, ("20",))
        reg.import_file(extra, round=2027, user="import")
        reg.import_file(orebro, round=2027, user="import")
        _publish(reg, 2027, ("20", "18"))
    app = create_app(WebConfig(db_url=f"sqlite:///{db}", bundle=real_bundle.path, access_log=base / "log"))
    yield TestClient(app), app
    app.state.engine.dispose()


def test_issue23_gaps_equal_the_atlas_luckor_and_summary(world):
    client, _app = world
    body = client.get("/api/v1/gaps?lan=20").json()
    summary = client.get("/api/v1/atlas/summary?lan=20").json()
    codes = [g["regso_code"] for g in body["items"]]
    assert sorted(codes) == summary["exclusion_areas_without_centre"]
    assert body["total"] == len(codes) == body["atlas"]["without_centre"]
    assert body["children_0_6"] == summary["children_0_6_in_exclusion_areas_not_covered"]
    assert sum(g["children_0_6"] for g in body["items"]) == body["children_0_6"]
    assert all(g["reach"] == "nej" and g["reach_reason"] is None for g in body["items"])  # Dalarna: boundaries
    assert all(len(g["similar_with_centre"]) == 3 for g in body["items"])
    # the same list as the atlas workbook's sheet Luckor
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/downloads/atlas.xlsx?lan=20").content), read_only=True)
    rows = list(wb["Luckor"].iter_rows(values_only=True))
    in_sheet = {str(c) for r in rows for c in r if isinstance(c, str) and len(c) == 8 and c[4] == "R"}
    assert in_sheet == set(codes)


def test_issue23_gaps_page_sort_and_kommun(world):
    client, _app = world
    whole = client.get("/api/v1/gaps?lan=20").json()
    p1 = client.get("/api/v1/gaps?lan=20&per_page=4&page=1").json()
    p3 = client.get("/api/v1/gaps?lan=20&per_page=4&page=3").json()
    assert p1["total"] == whole["total"] and p1["pages"] == 3 and len(p1["items"]) == 4
    assert [g["regso_code"] for g in p1["items"] + client.get("/api/v1/gaps?lan=20&per_page=4&page=2").json()["items"]
            + p3["items"]] == [g["regso_code"] for g in whole["items"]]
    far = client.get("/api/v1/gaps?lan=20&sort=avstand").json()["items"]
    assert [g["nearest_centre_km"] for g in far] == sorted((g["nearest_centre_km"] for g in far), reverse=True)
    kommun = whole["items"][0]["kommun_code"]
    mine = client.get(f"/api/v1/gaps?kommun={kommun}").json()
    assert {g["regso_code"] for g in mine["items"]} == {g["regso_code"] for g in whole["items"]
                                                       if g["kommun_code"] == kommun}
    typ1 = client.get("/api/v1/gaps?lan=20&omradestyp=1").json()["items"]
    both = client.get("/api/v1/gaps?lan=20&omradestyp=1&omradestyp=2").json()["items"]
    assert {g["omradestyp"] for g in typ1} <= {1} and len(both) == whole["total"] >= len(typ1)
    assert client.get("/api/v1/gaps?lan=20&per_page=0").status_code == 422


def test_issue23_orebro_reach_is_never_no(world, real_bundle):
    client, app = world
    body = client.get("/api/v1/gaps?lan=18&per_page=500").json()
    assert body["total"] > 0  # kommuner without any centre: the atlas's gaps, at kommun level
    assert {g["reach"] for g in body["items"]} == {"kan inte bedömas"}
    assert all("gräns saknas" in g["reach_reason"] for g in body["items"])
    assert {g["gap_reason"] for g in body["items"]} == {"ingen familjecentral i drift i kommunen"}
    engine = app.state.engine
    with unit_of_work(engine) as s:
        f, _ = sel.parse_filter({"lan": "18", "rackhall": "okand"})
        unknown = sel.select(s, real_bundle, actor=ANONYMOUS, f=f).areas
        answers = gap_service.four_answers(s, real_bundle, actor=ANONYMOUS, lan="18")
    assert unknown is not None and len(unknown) and set(unknown["kommun_code"]) == {"1880"}
    assert answers["centres"] == 1 and answers["without_centre"] == body["total"]


def test_issue23_several_types_exclusion_and_reach_filters(world, real_bundle):
    _client, app = world
    with unit_of_work(app.state.engine) as s:
        def pick(**raw: str) -> sel.Selection:
            f, problems = sel.parse_filter(raw, years=list(real_bundle.years))
            assert problems == []
            return sel.select(s, real_bundle, actor=ANONYMOUS, f=f)

        one, two, both = (pick(lan="20", omradestyp=t).areas for t in ("1", "2", "1,2"))
        assert len(both) == len(one) + len(two) > 0
        excl = pick(lan="20", utanforskap="1").areas
        assert set(excl["regso_code"]) == set(both["regso_code"])  # the atlas's definition: types 1 and 2
        gaps = pick(lan="20", utanforskap="1", rackhall="saknas").areas
        assert len(gaps) == gap_service.gap_list(s, real_bundle, actor=ANONYMOUS, request=gap_service.GapRequest(lan="20")).total
    f, problems = sel.parse_filter({"rackhall": "kanske", "omradestyp": "1,9"})
    assert f.omradestyper == (1,) and [p.field for p in problems] == ["omradestyp", "rackhall"]


def test_issue23_growth_per_published_round(world):
    client, _app = world
    nation = client.get("/api/v1/growth").json()["items"]
    assert [r["round"] for r in nation] == [2026, 2027]
    assert nation[1]["centres"] == nation[0]["centres"] + 2  # Dalarna's new centre and Örebro's
    assert nation[0]["lans"] == ["20"] and nation[1]["lans"] == ["18", "20"]
    dalarna = client.get("/api/v1/growth?lan=20").json()["items"]
    assert dalarna[1]["centres"] == dalarna[0]["centres"] + 1


def test_issue23_units_api_pages_with_a_count(world):
    client, _app = world
    a = client.get("/api/v1/units?lan=20&limit=5").json()
    b = client.get("/api/v1/units?lan=20&limit=5&offset=5").json()
    assert a["total"] == b["total"] > 10 and len(a["items"]) == len(b["items"]) == 5
    assert not {u["id"] for u in a["items"]} & {u["id"] for u in b["items"]}


def test_the_area_and_gap_downloads_speak_swedish(world):
    """/tabell.csv?vad=omraden and /luckor.csv|xlsx: the atlas workbook's Swedish headers, ja/nej,
    the reach answer in words and what it rests on — as the units' download (issue 22)."""
    import csv

    import openpyxl

    client, _app = world
    areas = list(csv.DictReader(io.StringIO(client.get("/tabell.csv?lan=20&vad=omraden").content.decode("utf-8-sig")),
                                delimiter=";"))
    assert areas and {"RegSO-kod", "Område", "Barn 0–6 år", "Utanförskapsområde", "Familjecentral inom räckhåll",
                      "Svaret bygger på"} <= set(areas[0])
    assert not {"regso_code", "reach", "coverage_level", "children_0_6"} & set(areas[0])
    assert {r["Utanförskapsområde"] for r in areas} <= {"ja", "nej"}
    assert {r["Familjecentral inom räckhåll"] for r in areas} <= {"ja", "nej", "kan inte bedömas"}
    assert all(r["Svaret bygger på"].startswith("området") for r in areas)  # Dalarna: boundaries measured
    gaps = list(csv.DictReader(io.StringIO(client.get("/luckor.csv?lan=20").content.decode("utf-8-sig")),
                               delimiter=";"))
    body = client.get("/api/v1/gaps?lan=20&per_page=500").json()
    assert [g["RegSO-kod"] for g in gaps] == [g["regso_code"] for g in body["items"]]
    assert {"Prioritet", "Varför området är en lucka", "Närmaste familjecentral"} <= set(gaps[0])
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/luckor.xlsx?lan=20").content), read_only=True)
    assert wb.sheetnames == ["Luckor"]
    header = next(wb["Luckor"].iter_rows(values_only=True))
    assert "RegSO-kod" in header and "Familjecentral inom räckhåll" in header
