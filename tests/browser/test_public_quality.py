"""The names checked from outside, found by their accessible names (as a checker with Playwright
would, without ``exact``: each must match one element only), and the public pages' quality: a
skip link, visible focus, no sideways scrolling at 360 px or at 200 % zoom, and axe-core (in
:class:`Visit`) in every state reached — filters applied, an error summary, a popup open, cards."""

from __future__ import annotations

import pytest

from .test_public_filters import publish_dalarna

NAV = ("Karta", "Tabell", "Om uppgifterna", "Logga in")


def test_names_checked_from_outside(visit, server, tmp_path):
    v = visit("namn")
    page = v.page
    for path in ("/", "/tabell?lan=20", "/om-uppgifterna", "/logga-in"):
        v.goto(path)
        for name in NAV:  # one link each on every public page (exact: the map's skip link says "kartan")
            assert page.get_by_role("link", name=name, exact=True).count() == 1, (path, name)
    page.get_by_role("link", name="Logga in").click()
    page.get_by_label("E-post").fill("f20@regiondalarna.se")
    page.get_by_label("Lösenord").fill("ett långt lösenord")
    page.get_by_role("button", name="Logga in").click()
    v.check()
    assert page.get_by_role("heading", name="Min region").is_visible()
    assert "(Region Dalarna, " in page.locator(".who").inner_text()  # the region as an organisation, not the län
    page.get_by_role("link", name="Importera lista").click()
    v.check()
    assert page.get_by_label("Fil").count() == 1
    assert page.locator("main button").first.inner_text() == "Förhandsgranska"  # (the file field is the only other)
    assert page.get_by_role("button", name="Förhandsgranska").count() == 1


def _no_sideways_scroll(page, width: int) -> None:
    over = page.evaluate("""() => {
        const w = document.documentElement.clientWidth;
        return [...document.querySelectorAll('body *')].filter(e => {
            if (e.closest('.table-wrap, .leaflet-container')) return false;  // scroll inside on purpose
            const r = e.getBoundingClientRect(); return r.width > 0 && r.right > w + 1;
        }).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
    }""")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, (page.url, over)
    assert over == [], (page.url, over)


@pytest.mark.parametrize("width, height", [(360, 740), (640, 450)], ids=["360px", "zoom200"])
def test_public_pages_fit_narrow_screens_and_200_percent_zoom(visit, server, demo_bundle, width, height):
    publish_dalarna(server["db"], demo_bundle)
    v = visit(f"smal-{width}")
    page = v.page
    v.goto("/?lan=20")
    code = page.locator("#omradeslista li[data-regso]").first.get_attribute("data-regso")
    unit = page.locator(".unit-list a[href^='/enhet/']").first.get_attribute("href")
    page.set_viewport_size({"width": width, "height": height})  # 200 % zoom of 1280 × 900 = 640 × 450 CSS px
    for path in ("/", "/?lan=20&omradestyp=1", "/tabell?lan=20", "/tabell?lan=99", f"/omrade/{code}", unit,
                 "/om-uppgifterna", "/logga-in"):
        page.goto(server["base"] + path)
        page.wait_for_load_state("load")
        _no_sideways_scroll(page, width)


def test_skip_link_focus_and_axe_in_every_state(visit, server, demo_bundle):
    publish_dalarna(server["db"], demo_bundle)
    v = visit("tillstand")
    page = v.page
    v.goto("/")
    # the skip link is the first stop and moves focus to the content
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Hoppa till innehållet"
    assert page.evaluate("document.activeElement.getBoundingClientRect().left") >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "innehall"

    def focus_style(selector: str) -> tuple[str, str]:
        page.locator(selector).first.focus()
        return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [s.outlineStyle + ' ' + s.outlineWidth, s.boxShadow]; }""")

    for sel in ("#lan", "#q", ".filters button", ".nav a"):
        outline, shadow = focus_style(sel)
        assert not outline.startswith("none") or shadow != "none", (sel, outline, shadow)
    # filters applied, then an error summary, then a popup open on the map: axe in each state
    page.get_by_label("Län").select_option("20")
    page.get_by_label("Kategori").select_option("familjecentral")
    page.get_by_role("button", name="Visa").click()
    v.check()
    page.locator(".unit-marker").first.click()
    page.locator(".leaflet-popup").wait_for()
    # faded in (polled from here: wait_for_function evaluates a string, which the pages' CSP forbids)
    for _ in range(100):
        if page.evaluate("getComputedStyle(document.querySelector('.leaflet-popup')).opacity") == "1":
            break
        page.wait_for_timeout(50)
    else:
        raise AssertionError("kartans ruta tonades aldrig in")
    v.check()
    area = page.locator("#karta path[data-regso]").first
    area.focus()
    assert page.evaluate("getComputedStyle(document.activeElement).strokeWidth") == "6px"  # visible focus on the map
    page.locator("#omradeslista summary").click()
    v.check()
    v.goto("/tabell?lan=20&omradestyp=9&ar=1999")
    assert page.locator(".error-summary li").count() == 2
    v.goto("/tabell?lan=20&q=nummer&sortera=kommun&ordning=fallande")
    page.locator("#enhetstabell a[href^='/enhet/']").first.click()
    v.check()
    page.locator("#enhetskort a[href^='/omrade/']").click()
    v.check()
    assert len(v.checked) >= 8


def test_map_draws_kommun_and_lan_borders_under_the_units(visit, server, demo_bundle):
    publish_dalarna(server["db"], demo_bundle)
    kommuner = demo_bundle.kommuner()
    in_dalarna = int((kommuner["lan_code"] == "20").sum())
    v = visit("granser")
    page = v.page
    v.goto("/?lan=20")  # (axe runs in every goto)
    legend = page.locator(".legend")
    assert legend.get_by_text("Kommungräns").is_visible() and legend.get_by_text("Länsgräns").is_visible()
    karta = page.locator("#karta")
    assert karta.get_attribute("data-kommungranser") == str(in_dalarna)
    assert karta.get_attribute("data-lansgranser") == "1"
    assert page.locator("#karta path.grans-kommun").count() == in_dalarna
    assert page.locator("#karta path.grans-lan").count() == 1
    # lines over the areas, under the units, and not clickable
    z = page.evaluate("""() => ['.leaflet-overlay-pane', '.leaflet-granser-pane', '.leaflet-marker-pane']
        .map(s => Number(getComputedStyle(document.querySelector('#karta ' + s)).zIndex))""")
    assert z[0] < z[1] < z[2]
    assert page.locator("#karta path.grans.leaflet-interactive").count() == 0
    assert page.evaluate("getComputedStyle(document.querySelector('#karta path.grans-kommun')).pointerEvents") == "none"
    assert page.locator("#karta path.grans-kommun").first.get_attribute("stroke-dasharray") == "6 4"
    # the whole country: the 21 län and every kommun
    v.goto("/")
    assert karta.get_attribute("data-lansgranser") == "21"
    assert karta.get_attribute("data-kommungranser") == str(len(kommuner))
