"""The public pages after a round is published: every filter narrows the map's units and areas and
the table alike (one rule, :mod:`fcatlas.services.selection`), the area card shows the API's
figures and is reached from the map by click and by keyboard, the unit card says what makes its
category, and the names checked from outside are there."""

from __future__ import annotations

import httpx
import pytest

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.services import imports, rounds


def _points(bundle) -> dict[str, tuple[float, float, int]]:
    """A point inside each of Dalarna's areas (WGS 84) and the area's latest områdestyp."""
    geo = bundle.geometries("regso")
    areas = bundle.areas("regso", lan="20").set_index("regso_code")
    geo = geo.loc[geo["regso_code"].isin(areas.index)].copy()
    pts = geo.set_geometry(geo.geometry.representative_point()).to_crs(4326)
    return {c: (round(p.y, 6), round(p.x, 6), int(areas.at[c, "omradestyp"]))
            for c, p in zip(pts["regso_code"], pts.geometry, strict=True) if areas.at[c, "omradestyp"] > 0}


def publish_dalarna(db_url: str, bundle) -> dict[str, dict[str, object]]:
    """Dalarna's list, one unit in each of six areas of different types (both categories that
    count as centres and one other), imported, submitted, approved and published like a region and
    the national level would; returns the units by name."""
    pts = _points(bundle)
    chosen: list[str] = []
    for typ in (1, 2, 3, 4, 5, 1):
        code = next(c for c, (_, _, t) in sorted(pts.items()) if t == typ and c not in chosen)
        chosen.append(code)
    kinds = ["Familjecentral", "Familjecentralsliknande", "Familjecentral", "Annan samverkan", "Familjecentral",
             "Familjecentral"]
    statuses = ["i drift", "i drift", "planerad", "i drift", "i drift", "i drift"]
    lines = ["Namn;Kommunkod;Typ;Status;Latitud;Longitud;MVC;BVC;ÖF;SOC;Samlokaliserad"]
    units: dict[str, dict[str, object]] = {}
    for i, (code, kind, status) in enumerate(zip(chosen, kinds, statuses, strict=True)):
        lat, lon, typ = pts[code]
        name = f"Familjecentralen Nummer {i + 1}"
        flags = "ja;ja;ja;ja;ja" if kind == "Familjecentral" else ("nej;ja;ja;nej;ja" if kind.endswith("liknande")
                                                                  else "ja;ja;nej;nej;nej")
        lines.append(f"{name};{code[:4]};{kind};{status};{lat};{lon};{flags}")
        units[name] = {"regso": code, "typ": typ, "kind": kind}
    engine = connect(db_url)
    nat = Actor.national("n@socialstyrelsen.se")
    f20 = Actor.region_user("f20@regiondalarna.se", lan_code="20", level=Level.FORETRADARE)
    with unit_of_work(engine) as s:
        p = imports.preview(s, actor=f20, name=2027, lan="20", file_name="dalarna.csv",
                            content=("\n".join(lines) + "\n").encode("utf-8"))
        assert not p.rejected, p.rejected
        pid = p.id
    with unit_of_work(engine) as s:
        imports.confirm(s, actor=f20, import_id=pid)
    with unit_of_work(engine) as s:
        rounds.submit(s, actor=f20, name=2027, lan="20")
        rounds.approve(s, actor=nat, name=2027, lan="20")
        rounds.publish(s, actor=nat, name=2027)
    engine.dispose()
    return units


@pytest.fixture
def published(server, demo_bundle):
    return {**server, "units": publish_dalarna(server["db"], demo_bundle), "bundle": demo_bundle}


def _map_state(page) -> tuple[set[str], set[str]]:
    """The units and the areas the map draws (its markers' data and its area paths)."""
    units = set(page.evaluate(
        "JSON.parse(document.getElementById('enheter').textContent).features.map(f => f.properties.id)"))
    assert page.locator(".unit-marker").count() == len(units)
    areas = set(page.locator("#karta path[data-regso]").evaluate_all("ps => ps.map(p => p.dataset.regso)"))
    return units, areas


def _table_state(page) -> tuple[set[str], set[str]]:
    units = set(page.locator("#enhetstabell tbody tr[data-id]").evaluate_all("rs => rs.map(r => r.dataset.id)"))
    areas = set(page.locator("#omradestabell tbody tr[data-regso]").evaluate_all("rs => rs.map(r => r.dataset.regso)"))
    return units, areas


def test_filter_by_lan_and_omradestyp_map_and_table_show_the_same_units_and_areas(visit, published):
    base, units = published["base"], published["units"]
    v = visit("filter")
    v.goto("/")
    page = v.page
    page.get_by_label("Län").select_option("20")
    page.get_by_label("Områdestyp").select_option("1")
    page.get_by_role("button", name="Visa").click()
    v.check()
    assert "lan=20" in page.url and "omradestyp=1" in page.url  # the URL holds the filter
    map_units, map_areas = _map_state(page)
    page.get_by_role("link", name="Visa urvalet som lista").click()
    v.check()
    table_units, table_areas = _table_state(page)
    assert map_units == table_units and map_areas == table_areas
    # and they are the right ones: the units lying in a type-1 area, the type-1 areas of the API's layer
    assert sorted(page.locator("#enhetstabell tbody tr[data-id] td:first-child a").all_inner_texts()) == sorted(
        n for n, u in units.items() if u["typ"] == 1)
    layer = httpx.get(base + "/api/v1/areas?lan=20&format=geojson").json()
    assert table_areas == {f["properties"]["regso_code"] for f in layer["features"]
                           if f["properties"]["omradestyp"] == 1 and f["geometry"]}
    assert len(table_units) == 2 and len(table_areas) >= 2

    # every other filter narrows both views alike: kommun, category, status, year, free text
    one = next(iter(units.values()))
    kommun = str(one["regso"])[:4]
    for query in (f"lan=20&kommun={kommun}", "lan=20&kategori=familjecentral", "lan=20&status=planerad",
                  "lan=20&ar=2022&omradestyp=3", "lan=20&q=nummer+2", "q=falun&lan=20", "kategori=annan_samverkan"):
        v.goto("/?" + query)
        m = _map_state(page)
        v.goto("/tabell?" + query)
        t = _table_state(page)
        assert m == t, query
    v.goto("/tabell?lan=20&status=planerad")
    assert page.locator("#enhetstabell tbody tr[data-id]").all_inner_texts()[0].startswith("Familjecentralen Nummer 3")
    v.goto("/tabell?lan=20&q=nummer+2")
    names = page.locator("#enhetstabell tbody tr[data-id] td:first-child a").all_inner_texts()
    assert names == ["Familjecentralen Nummer 2"]
    assert _table_state(page)[1] == {units["Familjecentralen Nummer 2"]["regso"]}  # the area holding it
    # the year: the type of 2022 counts, so the units are those in areas that were type 3 in 2022
    by_year = published["bundle"].omradestyp_by_year()
    in_2022 = set(by_year.loc[(by_year["year"] == 2022) & (by_year["omradestyp"] == 3), "regso_code"])
    v.goto("/tabell?lan=20&ar=2022&omradestyp=3")
    assert set(page.locator("#enhetstabell tbody tr[data-id] td:first-child a").all_inner_texts()) == {
        n for n, u in units.items() if u["regso"] in in_2022}
    # the downloads are the same selection
    csv = httpx.get(base + "/tabell.csv?lan=20&omradestyp=1").content.decode("utf-8-sig")
    assert sorted(line.split(";")[1] for line in csv.splitlines()[1:]) == sorted(
        n for n, u in units.items() if u["typ"] == 1)
    # a value that is not valid is named in an error summary linking to its field
    v.goto("/tabell?lan=99&omradestyp=7")
    summary = page.locator(".error-summary")
    assert "Länet '99' finns inte" in summary.inner_text() and "Områdestypen '7' finns inte" in summary.inner_text()
    summary.get_by_role("link", name="Områdestypen '7' finns inte; välj 1–5.").click()
    assert page.evaluate("document.activeElement.id") == "omradestyp"


def test_area_card_equals_the_api_and_opens_from_the_map_by_click_and_keyboard(visit, published):
    base = published["base"]
    gaps = httpx.get(base + "/api/v1/gaps?lan=20").json()["items"]
    assert gaps, "the demo has exclusion areas without a centre"
    gap = gaps[0]
    code = gap["regso_code"]
    v = visit("omradeskort")
    v.goto("/?lan=20")
    page = v.page
    # keyboard: the area is a link on the map; Enter opens its card
    area = page.locator(f"#karta path[data-regso='{code}']")
    assert area.get_attribute("tabindex") == "0" and area.get_attribute("role") == "link"
    area.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/omrade/{code}")
    v.check()
    card = page.locator("dl.card").inner_text()
    layers = {y: httpx.get(base + f"/api/v1/areas?lan=20&year={y}&format=geojson").json() for y in (2022, 2023)}
    props = {y: next(f["properties"] for f in layers[y]["features"] if f["properties"]["regso_code"] == code)
             for y in layers}
    latest = props[2023]
    nb = "\u00a0"
    assert f"Områdestyp\n{latest['omradestyp']} – " in card
    assert "Folkmängd\n" + f"{latest['population']:,}".replace(",", nb) in card
    children = f"{latest['children_0_6']:,}".replace(",", nb) + (" (uppskattat)" if latest["children_0_6_estimated"] else "")
    assert f"Barn 0–6 år\n{children}\n" in card + "\n"
    assert "Utanförskapet är stort\nJa" in card and "Inom räckhåll\nNej" in card  # a gap: exclusion, not covered
    km = f"{gap['nearest_centre_km']:.1f}".replace(".", ",")
    assert f"Närmaste familjecentral\n{gap['nearest_centre_name']}, {km} km" in card
    rows = page.locator("table", has_text="Områdestyp för varje år").locator("tbody tr").all_inner_texts()
    assert [r.split("\t")[0] for r in rows] == ["2022", "2023"]
    assert [r.split("\t")[1].strip().split(" ")[0] for r in rows] == [str(props[2022]["omradestyp"]),
                                                                     str(props[2023]["omradestyp"])]
    similar = httpx.get(base + f"/api/v1/areas/{code}/similar").json()["items"]
    links = page.locator("ol li a")
    assert links.all_inner_texts() == [s["name"] for s in similar][:5]
    assert links.evaluate_all("as => as.map(a => a.getAttribute('href'))") == [f"/omrade/{s['regso_code']}"
                                                                               for s in similar][:5]
    # click: the area's popup on the map links to the same card
    v.goto("/?lan=20")
    page.locator(f"#karta path[data-regso='{code}']").click(force=True)
    page.locator(".leaflet-popup").get_by_role("link", name="Områdeskort").click()
    page.wait_for_url(f"**/omrade/{code}")
    v.check()
    # a covered area (a unit inside): within reach, the nearest centre is that unit
    name, unit = next((n, u) for n, u in published["units"].items() if u["kind"] == "Familjecentral")
    v.goto(f"/omrade/{unit['regso']}")
    card = page.locator("dl.card").inner_text()
    assert "Inom räckhåll\nJa" in card and f"Närmaste familjecentral\n{name}, " in card


def test_unit_card_names_what_makes_the_category_and_the_area(visit, published):
    v = visit("enhetskort")
    v.goto("/tabell?lan=20&kategori=familjecentralsliknande")
    page = v.page
    page.get_by_role("link", name="Familjecentralen Nummer 2").click()
    v.check()
    card = page.locator("#enhetskort").inner_text()
    unit = published["units"]["Familjecentralen Nummer 2"]
    assert "Kategori\n Familjecentralsliknande verksamhet" in card
    assert "Här finns barnhälsovård (BVC) och öppen förskola (ÖF), samlokaliserade." in card
    assert "Status\nI drift" in card and "Kommun\n" in card
    assert f"({unit['regso']})" in card and "Lägets precision\nexakt" in card
    page.get_by_role("link", name=page.locator("#enhetskort a").first.inner_text()).click()
    page.wait_for_url(f"**/omrade/{unit['regso']}")
    v.check()
