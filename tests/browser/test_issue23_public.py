"""Issue 23 in a real browser: the Luckor page lists exactly the atlas's gaps (Dalarna, the real
bundle), Örebro (no boundaries in the bundle) never says "Nej" for reach but "kan inte bedömas",
områdestyp 1 and 2 together, the demo's label on every page and download; axe on every page
(the Visit helper), screenshots with FCATLAS_SCREENSHOTS."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import rounds

from .conftest import Visit, serve
from .test_public_filters import publish_dalarna

NAT = Actor.national("n@socialstyrelsen.se")


@pytest.fixture
def real(tmp_path, real_bundle, shared_data, database_templates, python_m):
    """The real bundle served, Dalarna's list and one Örebro centre published in round 2027."""
    with serve(tmp_path, real_bundle.path, database_templates, python=python_m) as s:
        orebro = tmp_path / "orebro.csv"
        orebro.write_text("Namn;Kommunkod;Typ;Status\nFamiljecentralen Vivalla;1880;Familjecentral;i drift\n",
                          encoding="utf-8")
        with Register.open(s["db"]) as reg:
            reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
            reg.import_file(orebro, round=2027, user="import")
            with unit_of_work(reg.engine) as session:
                for lan in ("20", "18"):
                    rounds.submit(session, actor=Actor.region_user("f", lan_code=lan, level=Level.FORETRADARE),
                                  name=2027, lan=lan)
                    rounds.approve(session, actor=NAT, name=2027, lan=lan)
                rounds.publish(session, actor=NAT, name=2027)
        yield s


@pytest.fixture
def demo(server, demo_bundle):
    """The demo bundle served, Dalarna's list (one unit in each of six areas) published."""
    return {**server, "units": publish_dalarna(server["db"], demo_bundle)}


@pytest.fixture
def real_visit(browser, real):
    opened: list[Visit] = []

    def make(name: str) -> Visit:
        v = Visit(browser, real["base"], name)
        opened.append(v)
        return v

    yield make
    for v in opened:
        v.close()


def _number(text: str) -> int:
    return int(re.sub(r"\D", "", text))


def test_issue23_dalarna_gaps_page_lists_the_atlas_gaps(real, real_visit):
    base = real["base"]
    summary = httpx.get(base + "/api/v1/atlas/summary?lan=20", timeout=60).json()
    v = real_visit("luckor-dalarna")
    v.goto("/luckor?lan=20")
    page = v.page
    listed = page.locator("#luckor tbody tr[data-regso]").evaluate_all("rs => rs.map(r => r.dataset.regso)")
    assert sorted(listed) == summary["exclusion_areas_without_centre"] and len(listed) == 10
    children = _number(page.locator("#antal-barn").inner_text())
    assert children == summary["children_0_6_in_exclusion_areas_not_covered"] == 1687
    assert _number(page.locator("#antal-luckor").inner_text()) == 10
    # sortable: by distance, farthest first
    page.get_by_role("link", name=re.compile("^Närmaste familjecentral")).click()
    v.check()
    assert "sortera=avstand" in page.url
    # the start page's four answers link to the list
    v.goto("/?lan=20")
    answers = page.locator(".answers")
    assert "1 687" in answers.inner_text().replace("\u00a0", " ")
    answers.get_by_role("link", name=re.compile("saknar familjecentral inom räckhåll")).click()
    page.wait_for_url("**/luckor?lan=20")
    # the skip link takes the keyboard past the map to the list
    v.goto("/?lan=20")
    page.locator(".skip-map").focus()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "enheter-rubrik"


def test_issue23_orebro_never_says_no_for_reach(real, real_visit):
    base = real["base"]
    v = real_visit("orebro")
    page = v.page
    v.goto("/tabell?lan=18")
    reach = page.locator("#omradestabell tbody td[data-label='Familjecentral inom räckhåll']").all_inner_texts()
    assert reach and all(t.startswith("Kan inte bedömas") for t in reach)
    code = page.locator("#omradestabell tbody tr[data-regso]").first.get_attribute("data-regso")
    v.goto(f"/omrade/{code}")
    card = page.locator("dl.card").inner_text()
    assert "Kan inte bedömas" in card and "\nNej" not in card.split("Inom räckhåll")[1]
    v.goto("/luckor?lan=18")
    cells = page.locator("#luckor tbody td[data-label='Inom räckhåll']").all_inner_texts()
    assert cells and all(t.startswith("Kan inte bedömas") for t in cells)
    v.goto("/?lan=18")
    assert "saknar gränserna" in page.locator("#karta-tom").inner_text()
    for url in ("/tabell.csv?lan=18&vad=omraden", "/luckor.csv?lan=18"):
        text = httpx.get(base + url, timeout=60).content.decode("utf-8-sig")
        rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
        assert rows and {r["Familjecentral inom räckhåll"] for r in rows} == {"kan inte bedömas"}, (url, text[:600])
        assert all(r["Varför det inte kan bedömas"] for r in rows)


def test_issue23_types_1_and_2_together_and_the_demo_label_everywhere(visit, demo):
    base = demo["base"]
    v = visit("demo")
    page = v.page
    v.goto("/tabell?lan=20")
    page.get_by_label("Områdestyp", exact=True).select_option(["1", "2"])
    page.get_by_role("button", name="Visa").click()
    v.check()
    assert "omradestyp=1" in page.url and "omradestyp=2" in page.url
    types = page.locator("#omradestabell tbody td[data-label='Områdestyp']").all_inner_texts()
    assert {t.strip()[0] for t in types} == {"1", "2"}
    units = page.locator("#enhetstabell tbody tr[data-id]").count()
    assert units == sum(1 for u in demo["units"].values() if u["typ"] in (1, 2))
    unit_id = page.locator("#enhetstabell tbody tr[data-id]").first.get_attribute("data-id")
    area = page.locator("#omradestabell tbody tr[data-regso]").first.get_attribute("data-regso")
    for path in ("/", "/?lan=20&utanforskap=1", "/luckor?lan=20", "/utveckling", "/om-uppgifterna",
                 f"/enhet/{unit_id}", f"/omrade/{area}", "/logga-in"):
        v.goto(path)
        assert page.locator(".synthetic-banner").is_visible(), path
        assert "Syntetiska exempeldata" in page.locator(".synthetic-banner").inner_text()
    for url in ("/tabell.csv?lan=20", "/luckor.csv?lan=20", "/tabell.csv?lan=20&vad=omraden"):
        assert "syntetiska exempeldata" in httpx.get(base + url).content.decode("utf-8-sig"), url
    # growth: the published round in the chart's table
    v.goto("/utveckling?lan=20")
    assert page.locator("#utveckling tbody tr").count() == 1


def test_issue23_small_screen_tables_reflow(visit, demo):
    v = visit("smal")
    page = v.page
    page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/tabell?lan=20", "/luckor?lan=20"):
        page.goto(demo["base"] + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375, path
        # every cell's column name is shown before it (the table reflows into cards)
        label = page.locator("table.reflow tbody td[data-label]").first.evaluate(
            "td => getComputedStyle(td, '::before').content")
        assert label not in ("none", "normal", ""), path
