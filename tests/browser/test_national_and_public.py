"""The national level returns a list with a comment, the region fixes and resubmits, the list is
approved and published, and the public map and table then show the new units — the same ones."""

from __future__ import annotations

from fcatlas.geography.admin import REGION_NAMES

FIRST = ("Namn;Kommunkod;Typ;Status;Latitud;Longitud\n"
         "Familjecentralen Tallen;2080;Familjecentral;i drift;60.61;15.63\n"
         "Familjecentralen Björken;2080;Familjecentralsliknande;i drift;60.60;15.60\n")
FIXED = FIRST + "Familjecentralen Eken;2081;Annan samverkan;planerad;60.48;15.43\n"


def _import_and_submit(v, path) -> None:
    v.page.get_by_role("link", name="Importera lista").click()
    v.page.get_by_label("Fil").set_input_files(str(path))
    v.page.get_by_role("button", name="Förhandsgranska").click()
    v.check()
    v.page.get_by_role("button", name="Bekräfta").click()
    v.check()
    v.goto("/region")
    v.page.get_by_role("link", name="Skicka in listan").click()  # through the confirmation (issue 22)
    v.check()
    v.page.get_by_role("button", name="Skicka in listan").click()
    v.check()


def test_return_resubmit_approve_publish_then_public(visit, tmp_path):
    first, fixed = tmp_path / "forsta.csv", tmp_path / "rattad.csv"
    first.write_text(FIRST, encoding="utf-8")
    fixed.write_text(FIXED, encoding="utf-8")
    public = visit("publik")
    public.goto("/tabell?lan=20")
    assert public.page.locator("#enhetstabell tbody tr[data-id]").count() == 0  # nothing published yet

    region = visit("region")
    region.login("f20")
    _import_and_submit(region, first)

    nat = visit("nationell")
    nat.login("nationell")
    page = nat.page
    row = page.locator("#regionstatus tr[data-lan='20']")
    assert "inskickad" in row.inner_text()
    assert "öppen" in page.locator("#regionstatus tr[data-lan='18']").inner_text()
    assert page.locator("#regionstatus tbody tr").count() == 21
    # the regions as organisations, not their län
    assert row.locator("th").inner_text() == "Region Dalarna"
    assert page.locator("#regionstatus tr[data-lan='14'] th").inner_text() == "Västra Götalandsregionen"
    assert page.locator("#regionstatus th[scope='row']").all_inner_texts() == list(REGION_NAMES.values())
    row.get_by_role("link", name="Granska").click()
    nat.check()
    assert page.get_by_role("heading", name="Granska Region Dalarna").is_visible()
    page.get_by_role("button", name="Returnera listan").click()  # empty comment: error summary
    nat.check()
    summary = page.locator(".error-summary a", has_text="Skriv vad regionen ska rätta")
    summary.click()
    assert page.evaluate("document.activeElement.id") == "kommentar"
    page.get_by_label("Kommentar till regionen").fill("Enheten i Gagnef saknas.")
    page.get_by_role("button", name="Returnera listan").click()
    nat.check()
    assert "returnerad" in page.locator("#regionstatus tr[data-lan='20']").inner_text()

    region.goto("/region")
    assert region.page.get_by_text("Enheten i Gagnef saknas.").is_visible()
    _import_and_submit(region, fixed)

    nat.goto("/nationell/region/20")
    changes = page.locator("#andringar-tabell tbody tr").all_inner_texts()
    assert len(changes) == 3 and all(c.startswith("Ny") for c in changes)  # nothing published before
    page.get_by_role("link", name="Godkänn listan").click()
    nat.check()
    page.get_by_role("button", name="Godkänn listan").click()
    nat.check()
    page.get_by_role("link", name="Publicera de godkända listorna").click()
    nat.check()
    page.get_by_role("button", name="Publicera de godkända listorna").click()
    nat.check()
    assert page.get_by_text("De godkända listorna är publicerade").is_visible()

    # the public: the table and the map show the same three units of Dalarna
    public.goto("/tabell?lan=20")
    table_ids = set(public.page.locator("#enhetstabell tbody tr[data-id]").evaluate_all(
        "rows => rows.map(r => r.dataset.id)"))
    assert len(table_ids) == 3
    public.page.get_by_role("link", name="kartvyn", exact=True).click()
    public.check()
    map_ids = set(public.page.evaluate(
        "JSON.parse(document.getElementById('enheter').textContent).features.map(f => f.properties.id)"))
    assert map_ids == table_ids
    assert public.page.locator(".unit-marker").count() == 3  # drawn by Leaflet
    assert public.page.locator("#karta path.leaflet-interactive, #karta svg path").count() > 0  # borders
    # the filter is held in the URL: category narrows both views alike
    public.page.get_by_label("Kategori").select_option("familjecentral")
    public.page.get_by_role("button", name="Visa").click()
    public.check()
    assert "kategori=familjecentral" in public.page.url and "lan=20" in public.page.url
    assert public.page.locator(".unit-marker").count() == 1
    public.page.get_by_role("link", name="Visa urvalet som lista").click()
    public.check()
    assert public.page.locator("#enhetstabell tbody tr[data-id]").all_inner_texts()[0].startswith("Familjecentralen Tallen")
    # sortable, and the unit card
    public.page.get_by_role("link", name="Namn").click()
    assert "ordning=fallande" in public.page.url
    public.page.get_by_role("link", name="Familjecentralen Tallen").click()
    public.check()
    assert public.page.get_by_role("heading", name="Familjecentralen Tallen").is_visible()
    public.goto("/om-uppgifterna")
    assert public.page.get_by_text("syntetiska exempeldata").is_visible()


def test_stale_edit_shows_who_saved_first_and_both_versions(visit, tmp_path):
    first = tmp_path / "forsta.csv"
    first.write_text(FIRST, encoding="utf-8")
    a = visit("redigera")
    a.login("f20")
    a.page.get_by_role("link", name="Importera lista").click()
    a.page.get_by_label("Fil").set_input_files(str(first))
    a.page.get_by_role("button", name="Förhandsgranska").click()
    a.page.get_by_role("button", name="Bekräfta").click()
    a.check()
    a.goto("/region")
    b = visit("redigera-samtidigt")
    b.login("h20")
    a.page.get_by_role("link", name="Familjecentralen Björken").click()
    b.page.get_by_role("link", name="Familjecentralen Björken").click()
    b.check()
    b.page.get_by_label("Anmärkning").fill("Öppet tisdagar")
    b.page.get_by_role("button", name="Spara").click()
    assert b.page.get_by_text("Ändringen är sparad.").is_visible()
    a.page.get_by_label("Anmärkning").fill("Stängt i juli")
    a.page.get_by_role("button", name="Spara").click()
    a.check()
    text = a.page.locator(".error-summary").inner_text()
    assert "h20@regiondalarna.se" in text  # who saved last (and when)
    both = a.page.locator("table", has_text="Din version").inner_text()
    assert "Stängt i juli" in both and "Öppet tisdagar" in both


def test_area_layer_filter_and_area_card_agree_with_the_api(visit, server):
    import httpx

    v = visit("omraden")
    v.goto("/?lan=20")
    page = v.page
    api = httpx.get(server["base"] + "/api/v1/areas?lan=20&format=geojson").json()
    drawn = [f for f in api["features"] if f["geometry"]]
    assert int(page.locator("#karta").get_attribute("data-omraden")) == len(api["features"])
    assert page.locator("#karta path.leaflet-interactive").count() == len(drawn)
    # filter by områdestyp: the map draws exactly the areas of that type, the list names the same
    typ = next(f["properties"]["omradestyp"] for f in drawn if f["properties"]["omradestyp"])
    page.get_by_label("Områdestyp").select_option(str(typ))
    page.get_by_role("button", name="Visa").click()
    v.check()
    assert f"omradestyp={typ}" in page.url
    want = {f["properties"]["regso_code"] for f in drawn if f["properties"]["omradestyp"] == typ}
    assert page.locator("#karta path.leaflet-interactive").count() == len(want)
    page.locator("details.areas summary").click()
    links = page.locator("details.areas a").evaluate_all("as => as.map(a => a.getAttribute('href').split('/').pop())")
    assert set(links) >= want
    # the area card, reached by keyboard from the list, shows the API's figures
    code = sorted(want)[0]
    page.locator(f"details.areas a[href='/omrade/{code}']").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/omrade/{code}")
    v.check()
    props = next(f["properties"] for f in api["features"] if f["properties"]["regso_code"] == code)
    card = page.locator("dl.card").inner_text()
    assert f"Områdestyp\n{props['omradestyp']} – " in card
    assert "Folkmängd\n" + f"{props['population']:,}".replace(",", "\u00a0") in card
    similar = httpx.get(server["base"] + f"/api/v1/areas/{code}/similar").json()
    rows = similar if isinstance(similar, list) else similar.get("areas") or similar.get("items") or similar.get("similar")
    names = page.locator("ol li a").all_inner_texts()
    assert len(names) == 5 and names == [r["name"] for r in rows][:5]
