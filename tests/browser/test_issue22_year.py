"""Issue 22 in Chromium on PostgreSQL — the year on the pages alone: the national level opens the
round on the page (a deadline in the past is refused); Region Dalarna imports a file that lacks one
unit and the preview names it; the confirmation shows the counts; an edit with a too-long address
shows the error summary with the input kept; the företrädare submits through a confirmation and
gets a receipt; the national level returns the list with a comment, then approves and publishes
it, each through a confirmation — and Region Örebro, which had not submitted, still imports and
submits afterwards. axe-core on every page (0 serious or critical)."""

from __future__ import annotations

import datetime as dt

from fcatlas.fmt import today
from fcatlas.register.store import Register

DROPPED = "Familjecentralen Sopranen"
OREBRO = ("Namn;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud\n"
          "Familjecentralen Vivalla;1880;ja;ja;ja;ja;ja;i drift;59.2920;15.1560\n")


def _import(v, path, *, expect_closed: str | None = None) -> None:
    page = v.page
    v.goto("/region")
    page.get_by_role("link", name="Importera lista").click()
    v.check()
    page.get_by_label("Fil").set_input_files(str(path))
    page.get_by_role("button", name="Förhandsgranska").click()
    v.check()
    if expect_closed:  # named before anything is stored
        assert page.locator("#stangs li").all_inner_texts() == [f"{expect_closed} (Borlänge)"]
        page.get_by_label("Bara enheterna i filen: ingenting stängs").check()
        page.get_by_role("button", name="Visa förhandsgranskningen igen").click()
        v.check()
        assert page.locator("#stangs").count() == 0 and expect_closed in page.locator("#lamnas-oppna").inner_text()
        page.get_by_label("Hela listan: enheter som saknas i filen stängs").check()
        page.get_by_role("button", name="Visa förhandsgranskningen igen").click()
        v.check()
        assert page.locator("#stangs li").count() == 1
    page.get_by_role("button", name="Bekräfta").click()
    v.check()
    assert page.get_by_role("heading", name="Listan är sparad").is_visible()


def _submit(v) -> None:
    page = v.page
    v.goto("/region")
    page.get_by_role("link", name="Skicka in listan").click()
    v.check()
    assert page.get_by_role("heading", name="Skicka in listan").is_visible()
    assert "Listan skickas till Socialstyrelsen" in page.locator("main").inner_text()
    page.get_by_role("button", name="Skicka in listan").click()
    v.check()
    assert page.get_by_role("heading", name="Kvitto på inskickad lista").is_visible()


def test_issue22_the_year_on_the_pages(pg_visit, pg_web, shared_data, tmp_path):
    dalarna = shared_data / "familjecentraler" / "dalarna_2026.csv"
    with Register.open(pg_web["db"]) as reg:  # last year's list is in the register
        reg.import_file(dalarna, round=2026, user="import@regiondalarna.se")
    lacking = tmp_path / "dalarna_2027.csv"
    lacking.write_text("".join(line for line in dalarna.read_text(encoding="utf-8-sig").splitlines(keepends=True)
                               if not line.startswith(DROPPED)), encoding="utf-8")
    orebro = tmp_path / "orebro_2027.csv"
    orebro.write_text(OREBRO, encoding="utf-8")

    # -- Socialstyrelsen opens the round on the page -------------------------------------------------
    nat = pg_visit("ar-nationell")
    nat.login("nationell")
    page = nat.page
    assert page.get_by_role("heading", name="Öppna en inventeringsomgång").is_visible()
    page.get_by_label("Omgångens år").fill("2027")
    page.get_by_label("Sista dag för regionernas listor").fill((today() - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Öppna omgången").click()
    nat.check()
    assert "har redan passerat" in page.locator("#felsammanfattning").inner_text()
    assert page.get_by_label("Omgångens år").input_value() == "2027"  # what was typed is kept
    deadline = today() + dt.timedelta(days=60)
    page.get_by_label("Sista dag för regionernas listor").fill(deadline.isoformat())
    page.get_by_role("button", name="Öppna omgången").click()
    nat.check()
    assert page.get_by_text("Inventeringsomgången är öppnad.").is_visible()
    assert page.locator("#regionstatus tbody tr").count() == 21

    # -- Region Dalarna: an import that lacks one unit, the preview names it, the receipt counts ------
    h20 = pg_visit("ar-handlaggare")
    h20.login("h20")
    _import(h20, lacking, expect_closed=DROPPED)
    receipt = dict(zip(h20.page.locator("#importkvitto dt").all_inner_texts(),
                       h20.page.locator("#importkvitto dd").all_inner_texts(), strict=True))
    assert receipt["Stängda enheter"] == "1" and receipt["Nya enheter"] == "0"
    assert int(receipt["Oförändrade enheter"]) + int(receipt["Ändrade enheter"]) == 14

    # an edit with a too-long address: the error summary, the field's message, the input kept
    h20.goto("/region")
    h20.page.locator("#regionens-enheter").get_by_role("link", name="Familjecentral Britsarvet").click()
    h20.check()
    long_address = "Britsarvsvägen " + "1" * 200
    h20.page.get_by_label("Adress").fill(long_address)
    h20.page.get_by_role("button", name="Spara").click()
    h20.check()
    summary = h20.page.locator("#felsammanfattning")
    assert summary.get_by_role("link", name="Adressen får vara högst 200 tecken").is_visible()
    assert h20.page.get_by_label("Adress").input_value() == long_address
    assert "detail" not in h20.page.content()  # a page, never JSON
    h20.goto("/region/enheter/ny")  # the add-unit form (looked at, not used here)

    # -- the företrädare submits through a confirmation and gets a receipt ---------------------------
    f20 = pg_visit("ar-foretradare")
    f20.login("f20")
    _submit(f20)
    assert "f20@regiondalarna.se" in f20.page.locator("#kvitto").inner_text()

    # -- Socialstyrelsen returns with a comment --------------------------------------------------------
    nat.goto("/nationell/region/20")
    page.get_by_label("Kommentar till regionen").fill("Ange statusdatum för Smedjebacken.")
    page.get_by_role("button", name="Returnera listan").click()
    nat.check()
    assert "returnerad" in page.locator("#regionstatus tr[data-lan='20']").inner_text()
    f20.goto("/region")
    assert f20.page.get_by_text("Ange statusdatum för Smedjebacken.").is_visible()
    _submit(f20)

    # -- approve and publish, each through a confirmation ----------------------------------------------
    nat.goto("/nationell/region/20")
    assert page.locator("#sedan-retur").is_visible()  # what changed since the return
    page.get_by_role("link", name="Godkänn listan").click()
    nat.check()
    assert page.get_by_role("heading", name="Godkänn listan från Region Dalarna").is_visible()
    page.get_by_role("button", name="Godkänn listan").click()
    nat.check()
    assert "godkänd" in page.locator("#regionstatus tr[data-lan='20']").inner_text()
    page.get_by_role("link", name="Publicera de godkända listorna").click()
    nat.check()
    assert page.locator("#namngivna-lista").inner_text() == "Region Dalarna"
    page.get_by_role("button", name="Publicera de godkända listorna").click()
    nat.check()
    assert page.get_by_text("Övriga regioners listor är fortfarande öppna.").is_visible()
    nat.goto("/nationell/stang")  # the close confirmation names who has not submitted (not closed here)
    assert "Region Örebro län" in page.locator("#namngivna-lista").inner_text()

    # -- Region Örebro had not submitted: it still imports and submits ---------------------------------
    f18 = pg_visit("ar-orebro")
    f18.login("f18")
    _import(f18, orebro)
    _submit(f18)
    nat.goto("/nationell")
    assert "inskickad" in page.locator("#regionstatus tr[data-lan='18']").inner_text()
