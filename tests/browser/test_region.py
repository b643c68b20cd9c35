"""A region's list through the pages: import with bad rows → reasons → fix → confirm → submit;
another region sees nothing of it; a handläggare cannot submit; all by visible Swedish labels."""

from __future__ import annotations

import re

from playwright.sync_api import TimeoutError as PlaywrightTimeout

BAD = ("Namn;Kommunkod;Typ;Status\n"
       "Familjecentralen Norr;2080;Familjecentral;i drift\n"
       "Familjecentralen Söder;9999;Familjecentral;i drift\n"
       "Familjecentralen Väster;2080;Okänd typ;i drift\n")
GOOD = ("Namn;Kommunkod;Typ;Status\n"
        "Familjecentralen Norr;2080;Familjecentral;i drift\n"
        "Familjecentralen Söder;2081;Familjecentral;i drift\n"
        "Familjecentralen Väster;2080;Familjecentralsliknande;planerad\n")


def _import(v, path) -> None:
    v.page.get_by_role("link", name="Importera lista").click()
    v.check()
    v.page.get_by_label("Fil").set_input_files(str(path))
    v.page.get_by_role("button", name="Förhandsgranska").click()
    v.check()


def test_region_imports_fixes_confirms_and_submits(visit, tmp_path):
    bad, good = tmp_path / "dalarna_fel.csv", tmp_path / "dalarna.csv"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(GOOD, encoding="utf-8")
    f20 = visit("region")
    f20.login("f20")
    page = f20.page
    assert page.get_by_role("heading", name="Min region").is_visible()
    assert page.locator("main .lead").first.inner_text() == "Region Dalarna"  # the organisation, not the län
    _import(f20, bad)
    rejected = page.locator("#avvisade-rader tbody tr")
    assert rejected.count() == 2
    text = page.locator("#avvisade-rader").inner_text()
    assert "9999" in text and re.search(r"\b3\b", text)  # row 3 named with its bad kommun code
    assert page.get_by_text("1 rad godtas").is_visible()

    page.get_by_role("link", name="Välj en annan fil").click()
    page.get_by_label("Fil").set_input_files(str(good))
    page.get_by_role("button", name="Förhandsgranska").click()
    f20.check()
    assert page.locator("#avvisade-rader").count() == 0 and page.get_by_text("3 rader godtas").is_visible()
    page.get_by_role("button", name="Bekräfta").click()
    f20.check()
    assert page.get_by_text("Listan är sparad i registret.").is_visible()
    assert page.locator("#importkvitto").inner_text().count("3") >= 1  # the receipt's counts (issue 22)
    f20.goto("/region")
    names = page.locator("#regionens-enheter tbody tr td:first-child").all_inner_texts()
    assert sorted(names) == ["Familjecentralen Norr", "Familjecentralen Söder", "Familjecentralen Väster"]

    # a handläggare of the same region sees the list but no submit button, and why
    h20 = visit("handlaggare")
    h20.login("h20")
    assert h20.page.get_by_role("button", name="Skicka in listan").count() == 0
    assert h20.page.get_by_text("det gör regionens företrädare").is_visible()
    assert h20.page.locator("#regionens-enheter tbody tr").count() == 3

    # another region's user sees nothing of it, not even by address
    f18 = visit("annan-region")
    f18.login("f18")
    assert "Familjecentralen Norr" not in f18.page.content()
    f18.goto("/tabell?q=Familjecentralen")
    assert f18.page.locator("#enhetstabell tbody tr[data-id]").count() == 0
    unit_id = page.locator("#regionens-enheter a").first.get_attribute("href")
    f18.page.goto(f18.base + unit_id)
    assert f18.page.get_by_role("heading", name="Sidan finns inte").is_visible()

    # an edit is in the unit's history: who, what and before → after
    page.goto(f20.base + unit_id)
    page.get_by_label("Ort").fill("Ny ort")
    page.get_by_role("button", name="Spara").click()
    page.wait_for_url("**/region?klart=sparad")
    page.goto(f20.base + unit_id)
    f20.check()
    history = page.locator("table", has=page.locator("caption", has_text="Senaste först"))
    first = history.locator("tbody tr").first.inner_text()
    assert "f20@" in first and "ändrad" in first and "Ort: " in first and "→ Ny ort" in first and "locality" not in first
    page.goto(f20.base + "/region")

    page.get_by_role("link", name="Skicka in listan").click()  # through the confirmation (issue 22)
    f20.check()
    page.get_by_role("button", name="Skicka in listan").click()
    f20.check()
    assert page.get_by_text("Listan är inskickad till den nationella nivån.").is_visible()
    f20.goto("/region")
    assert page.locator(".status", has_text="inskickad").is_visible()


def test_import_wizard_with_the_keyboard_alone(visit, tmp_path):
    good = tmp_path / "dalarna.csv"
    good.write_text(GOOD, encoding="utf-8")
    v = visit("tangentbord")
    v.login("h20")
    page = v.page

    def tab_to(predicate: str, limit: int = 40) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(f"(() => {{ const e = document.activeElement; return {predicate}; }})()"):
                return
        raise AssertionError(f"nådde aldrig {predicate} med Tab")

    tab_to("e.textContent.trim() === 'Importera lista'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/region/import")
    v.check()
    tab_to("e.id === 'fil'")
    # Space on the focused file field opens the file chooser; on a loaded machine chromium now and
    # then drops the first key press's chooser, so the key is pressed again (still only the keyboard)
    for attempt in range(3):
        try:
            with page.expect_file_chooser(timeout=10_000) as fc:
                page.keyboard.press("Space")
            break
        except PlaywrightTimeout:
            assert attempt < 2, "filväljaren öppnades aldrig med mellanslag"
            assert page.evaluate("document.activeElement.id") == "fil"
    fc.value.set_files(str(good))
    tab_to("e.textContent.trim() === 'Förhandsgranska'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/region/import")
    page.get_by_text("3 rader godtas").wait_for()
    v.check()
    tab_to("e.textContent.trim() === 'Bekräfta'")
    page.keyboard.press("Enter")
    page.wait_for_url("**/region/import/*/kvitto*")
    v.check()
    v.goto("/region")
    assert page.locator("#regionens-enheter tbody tr").count() == 3


def test_login_refuses_a_wrong_password_and_a_form_without_csrf(visit, server):
    import httpx

    v = visit("inloggning")
    v.goto("/logga-in")
    v.page.get_by_label("E-post").fill("f20@regiondalarna.se")
    v.page.get_by_label("Lösenord").fill("fel lösenord")
    v.page.get_by_role("button", name="Logga in").click()
    v.check()
    assert v.page.locator(".error-summary a", has_text="Fel e-postadress eller lösenord").is_visible()
    # a forged form (no CSRF field) is refused, and so is a logged-in form post without it
    r = httpx.post(server["base"] + "/logga-in", data={"email": "f20@regiondalarna.se", "password": "x"})
    assert r.status_code == 403
    v.login("f20")
    cookies = {c["name"]: c["value"] for c in v.ctx.cookies()}
    cookie = next(c for c in v.ctx.cookies() if c["name"] == "fcatlas_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    r = httpx.post(server["base"] + "/region/skicka-in", cookies=cookies, data={})
    assert r.status_code == 403
    r = httpx.post(server["base"] + "/region/skicka-in", cookies=cookies, data={"csrf": "fel"})
    assert r.status_code == 403
