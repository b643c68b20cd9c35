"""The state grant through the pages, by visible Swedish labels: the national level sets up a year
from an uploaded basis file, previews the allocation, compares a scenario and decides; the region's
handläggare drafts the report but cannot submit it; the företrädare submits it after a field error
seen in the error summary; the national level finds it on the dashboard (open and overdue lists)
and in the follow-up overview, and approves it. axe-core runs on every page visited."""

from __future__ import annotations

import datetime as dt
import re

import httpx
from sqlalchemy import text

from fcatlas.db import connect
from fcatlas.register.store import Register
from web.test_grants_api import BASIS_CSV  # tests/ is on sys.path (rootdir-relative packages)


def test_grant_year_decided_and_report_submitted_through_the_pages(visit, server, shared_data, tmp_path):
    with Register.open(server["db"]) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        first_unit = sorted(reg.list_units(lan="20")["name"])[0]
    basis = tmp_path / "underlag_2026.csv"
    basis.write_text(BASIS_CSV, encoding="utf-8")
    past = (dt.date.today() - dt.timedelta(days=3)).isoformat()  # refused, then set behind the pages' back

    # -- the national level sets up the year -----------------------------------------------------
    nat = visit("statsbidrag-nationell")
    nat.login("nationell")
    page = nat.page
    page.get_by_role("link", name="Statsbidrag", exact=True).first.click()
    nat.check()
    assert page.get_by_role("heading", name="Statsbidrag", exact=True).is_visible()
    page.get_by_label("Bidragsår", exact=True).fill("2026")
    page.get_by_label("Totalbelopp (kr)").fill("51 365 tusen")
    page.get_by_label("Sista dag för återrapporten").fill(past)
    page.get_by_label("Ladda upp en underlagsfil").check()
    page.get_by_label("Underlagsfil (CSV)").set_input_files(str(basis))
    page.get_by_role("button", name="Spara bidragsåret").click()
    nat.check()
    summary = page.locator("#felsammanfattning")
    assert summary.get_by_role("link", name=re.compile("årets totalbelopp i hela kronor")).is_visible()
    page.get_by_label("Totalbelopp (kr)").fill("51 365 000")
    page.get_by_label("Underlagsfil (CSV)").set_input_files(str(basis))
    page.get_by_role("button", name="Spara bidragsåret").click()
    nat.check()
    # a report deadline that has passed is refused (issue 22): every report would be late at once
    assert "har redan passerat" in page.locator("#felsammanfattning").inner_text()
    page.get_by_label("Sista dag för återrapporten").fill((dt.date.today() + dt.timedelta(days=30)).isoformat())
    page.get_by_label("Underlagsfil (CSV)").set_input_files(str(basis))
    page.get_by_role("button", name="Spara bidragsåret").click()
    nat.check()
    assert page.get_by_text("Bidragsåret är sparat.").is_visible()
    assert page.get_by_role("heading", name="Statsbidrag 2026").is_visible()
    orebro = page.locator("#fordelningstabell tr[data-lan='18']")
    assert "1\u00a0500\u00a0000" in orebro.inner_text()
    assert page.locator("#fordelningstabell-summa").inner_text() == "51\u00a0365\u00a0000"
    # a scenario from the bundle, nothing stored
    page.get_by_role("button", name="Jämför").click()
    nat.check()
    assert page.locator("#jamforelse tbody tr").count() == 21
    page.get_by_role("link", name="Besluta fördelningen för 2026").click()  # the confirmation (issue 22)
    nat.check()
    assert page.get_by_role("heading", name="Besluta statsbidraget för 2026").is_visible()
    page.get_by_role("button", name="Besluta fördelningen för 2026").click()
    nat.check()
    assert page.get_by_text("Fördelningen är beslutad.").is_visible()
    # the deadline then passes (set in the database: the pages refuse a past deadline)
    engine = connect(server["db"])
    with engine.begin() as conn:
        conn.execute(text("UPDATE grant_reports SET deadline = :d"), {"d": dt.date.fromisoformat(past)})
    engine.dispose()
    assert page.get_by_role("link", name="Ladda ner bilagan (PDF)").is_visible()
    xlsx = page.get_by_role("link", name="Ladda ner bilagan (Excel)").get_attribute("href")
    assert httpx.get(server["base"] + str(xlsx)).status_code == 200

    # -- the region's handläggare drafts, but cannot submit ----------------------------------------
    h20 = visit("statsbidrag-handlaggare")
    h20.login("h20")
    h20.page.get_by_role("link", name="Statsbidrag", exact=True).first.click()
    h20.check()
    hp = h20.page
    assert "1\u00a0665\u00a0000 kr" in hp.locator("#beslutet").inner_text()
    assert hp.get_by_role("button", name="Skicka in återrapporten").count() == 0
    assert hp.get_by_text("det gör regionens företrädare").is_visible()
    hp.get_by_label("Länssamordnare eller processutvecklare (kr)").fill("1 000 000")
    hp.get_by_role("button", name="Spara utkast").click()
    h20.check()
    assert hp.get_by_text("Återrapporten är sparad som utkast.").is_visible()
    assert hp.locator(".status", has_text="Utkast").is_visible()

    # -- the företrädare completes it: a field error first, then submitted -------------------------
    f20 = visit("statsbidrag-foretradare")
    f20.login("f20")
    f20.page.get_by_role("link", name="Statsbidrag", exact=True).first.click()
    f20.check()
    fp = f20.page
    assert fp.get_by_label("Länssamordnare eller processutvecklare (kr)").input_value() == "1 000 000"
    fp.get_by_label("Vidareutveckling av befintliga familjecentraler i sådana områden (kr)").fill("665 000")
    fp.get_by_label("Årsarbetskrafter som bidraget finansierar").fill("1,5")
    fp.get_by_label(first_unit, exact=True).check()
    fp.get_by_label("Ej använt belopp att återbetala (kr)").fill("0")
    fp.get_by_label("Redovisning").fill("Länssamordnare anställd från mars.")
    fp.get_by_role("button", name="Skicka in återrapporten").click()
    f20.check()
    link = fp.locator("#felsammanfattning").get_by_role("link", name=re.compile("ange vilken roll", re.I))
    assert link.is_visible() and link.get_attribute("href") == "#role"
    assert fp.get_by_label("Roll", exact=True).get_attribute("aria-invalid") == "true"
    assert fp.get_by_label("Vidareutveckling av befintliga familjecentraler i sådana områden (kr)").input_value() \
        == "665 000"  # what was typed is kept
    link.click()
    fp.get_by_label("Roll", exact=True).fill("Länssamordnare")
    fp.get_by_role("button", name="Skicka in återrapporten").click()
    f20.check()
    assert fp.get_by_text("Återrapporten är inskickad till den nationella nivån.").is_visible()
    assert fp.locator(".status", has_text="Inskickad").first.is_visible()
    assert fp.locator("#rapportformular").count() == 0
    assert first_unit in fp.locator("#bidrag-per-enhet").inner_text()
    history = fp.locator("#rapporthistorik tbody tr").all_inner_texts()
    assert [h.split("\t")[2] for h in history] == ["Ej påbörjad", "Utkast", "Inskickad"]

    # -- the national level: dashboard, follow-up, approval ----------------------------------------
    nat.goto("/nationell")
    open_rows = page.locator("#oppna-aterrapporter tbody tr")
    assert open_rows.count() == 1 and "Inskickad" in open_rows.first.inner_text()
    assert "Dalarna" in open_rows.first.inner_text()
    overdue = page.locator("#forsenade tbody tr")
    assert overdue.count() == 21  # 20 not in by the (past) deadline, Dalarna's in late
    assert "inskickad för sent" in page.locator("#forsenade tr[data-lan='20']").inner_text()
    page.get_by_role("link", name="Statsbidrag", exact=True).first.click()
    nat.check()
    page.get_by_role("link", name="Uppföljning 2026").click()
    nat.check()
    assert page.locator("#aterrapporter tbody tr").count() == 21
    page.get_by_role("link", name=re.compile("Granska återrapporten från Region Dalarna 2026")).click()
    nat.check()
    assert page.get_by_text("Länssamordnare anställd från mars.").is_visible()
    # returned with a comment (required: an empty one is an error in the summary) ...
    page.get_by_role("button", name="Returnera för komplettering").click()
    nat.check()
    assert page.locator("#felsammanfattning").get_by_role("link", name="Skriv vad regionen ska komplettera")\
        .is_visible()
    page.get_by_label("Kommentar till regionen").fill("Beskriv vad samordnaren har gjort.")
    page.get_by_role("button", name="Returnera för komplettering").click()
    nat.check()
    assert page.get_by_text("Återrapporten från Region Dalarna är returnerad med din kommentar.").is_visible()
    # ... the företrädare sees the comment, completes and submits again ...
    f20.goto("/region/statsbidrag")
    assert "Beskriv vad samordnaren har gjort." in fp.locator(".notice").first.inner_text()
    fp.get_by_label("Redovisning").fill("Länssamordnare anställd från mars; har startat två nätverk.")
    fp.get_by_role("button", name="Skicka in återrapporten").click()
    f20.check()
    assert fp.get_by_text("Återrapporten är inskickad till den nationella nivån.").is_visible()
    # ... and the national level approves it
    nat.goto("/nationell/statsbidrag/2026/uppfoljning")
    page.get_by_role("link", name=re.compile("Granska återrapporten från Region Dalarna 2026")).click()
    nat.check()
    assert "har startat två nätverk" in page.locator("#rapporten").inner_text()
    page.get_by_role("button", name="Godkänn återrapporten").click()
    nat.check()
    assert page.get_by_text("Återrapporten från Region Dalarna är godkänd.").is_visible()
    assert "Godkänd" in page.locator("#aterrapporter tr[data-lan='20']").inner_text()
