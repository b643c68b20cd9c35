"""The grant pages through HTTP (no browser): a year set up, previewed, compared and decided by the
national level; the report form's field errors; the handläggare drafts but cannot submit; the
företrädare submits; the national level returns and approves; the dashboard lists open and overdue
reports. Every figure shown equals the service's."""

from __future__ import annotations

import re

from fcatlas.register.store import Register

from .helpers import error_summary, page_session
from .test_grants_api import BASIS_CSV


def test_grant_year_and_report_through_the_pages(make_client, demo_bundle, shared_data, db_url):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        units = reg.list_units(lan="20")
    client = make_client(bundle=demo_bundle.path)
    nat, nat_csrf = page_session(client, "nationell")
    f20, f20_csrf = page_session(client, "f20")
    h20, h20_csrf = page_session(client, "h20")

    # the region before any decision; the national pages are not the region's
    r = client.get("/region/statsbidrag", headers=f20)
    assert r.status_code == 200 and "Det finns inget beslut om statsbidrag ännu" in r.text
    assert client.get("/nationell/statsbidrag", headers=f20).status_code == 403
    assert client.get("/region/statsbidrag", follow_redirects=False).headers["location"] == "/logga-in"

    # set up: field errors first, each in the summary linking to its field
    r = client.post("/nationell/statsbidrag", headers=nat, data={
        "csrf": nat_csrf, "ar": "20x6", "totalbelopp": "", "fast_belopp": "815 000", "underlag": "fil"})
    assert r.status_code == 422
    assert [f for f, _ in error_summary(r.text)] == ["ar", "totalbelopp"]
    assert client.post("/nationell/statsbidrag", headers=nat, data={"csrf": "fel", "ar": "2026"}).status_code == 403
    # a bad basis file is refused, naming the file, the row and the column
    r = client.post("/nationell/statsbidrag", headers=nat, data={
        "csrf": nat_csrf, "ar": "2026", "totalbelopp": "51 365 000", "fast_belopp": "815000", "underlag": "fil"},
        files={"underlagsfil": ("u.csv", b"region_code;basis_children\n18;-5\n", "text/csv")})
    assert r.status_code == 422
    (field, message), = error_summary(r.text)
    assert field == "underlagsfil" and "u.csv" in message and "rad 2" in message and "basis_children" in message
    r = client.post("/nationell/statsbidrag", headers=nat, follow_redirects=False, data={
        "csrf": nat_csrf, "ar": "2026", "totalbelopp": "51 365 000", "fast_belopp": "815000", "underlag": "fil"},
        files={"underlagsfil": ("underlag_2026.csv", BASIS_CSV.encode(), "text/csv")})
    assert r.status_code == 303 and r.headers["location"] == "/nationell/statsbidrag/2026?klart=sparad"
    page = client.get("/nationell/statsbidrag/2026", headers=nat)
    assert page.status_code == 200 and "Förhandsvisning av fördelningen" in page.text
    preview = client.get("/api/v1/grants/years/2026/allocation", headers=nat).json()
    orebro = re.search(r'<tr data-lan="18">(.*?)</tr>', page.text, re.S).group(1)  # type: ignore[union-attr]
    assert "1\u00a0500\u00a0000" in orebro and preview["total_sek"] == 51_365_000
    assert 'id="fordelningstabell-summa">51\u00a0365\u00a0000<' in page.text
    # the scenario comparison (GET, nothing stored)
    cmp = client.get("/nationell/statsbidrag/2026", headers=nat,
                     params={"jamfor": "1", "s_typer": ["1", "2"], "s_total": "60 000 000"})
    assert cmp.status_code == 200 and 'id="jamforelse"' in cmp.text
    assert len(re.findall(r'<tr data-lan="\d\d">', cmp.text.split('id="jamforelse"')[1])) == 21
    bad = client.get("/nationell/statsbidrag/2026", headers=nat, params={"jamfor": "1", "s_total": "mycket"})
    assert bad.status_code == 422 and [f for f, _ in error_summary(bad.text)] == ["s-typ-1", "s_total"]
    # "Ändra" fills the form with the prepared year
    form = client.get("/nationell/statsbidrag?ar=2026", headers=nat).text
    assert 'id="totalbelopp" name="totalbelopp" type="text" inputmode="numeric" value="51 365 000"' in form
    # a year from the bundle: the chosen types and their year are kept, and shown again in the form
    year = str(demo_bundle.years[-1])
    r = client.post("/nationell/statsbidrag", headers=nat, follow_redirects=False, data={
        "csrf": nat_csrf, "ar": "2027", "totalbelopp": "60000000", "fast_belopp": "815 000", "underlag": "datapaket",
        "typer": ["1", "2", "3"], "typ_ar": year})
    assert r.status_code == 303, r.text
    assert client.get("/api/v1/grants/years/2027", headers=nat).json()["basis_definition"] == \
        f"områdestyp 1, 2, 3 ({year})"
    form = client.get("/nationell/statsbidrag?ar=2027", headers=nat).text
    assert all(f'id="typ-{t}" name="typer" value="{t}" checked' in form for t in "123")
    assert f'<option value="{year}" selected>' in form.split('id="typ_ar"')[1].split("</select>")[0]
    r = client.post("/nationell/statsbidrag", headers=nat, data={
        "csrf": nat_csrf, "ar": "2027", "totalbelopp": "1", "fast_belopp": "815 000", "underlag": "datapaket",
        "typer": ["1", "2"]})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["totalbelopp"]
    # an address that is no grant year is a Swedish page, not JSON
    for path in ("/nationell/statsbidrag/abc", "/nationell/statsbidrag/1999/uppfoljning"):
        r = client.get(path, headers=nat)
        assert r.status_code == 404 and "Sidan finns inte" in r.text, path
    assert client.get("/region/statsbidrag?ar=x", headers=f20).status_code == 200
    # the region does not see a prepared year
    assert "Det finns inget beslut" in client.get("/region/statsbidrag", headers=f20).text
    # decide
    r = client.post("/nationell/statsbidrag/2026/besluta", headers=nat, data={"csrf": nat_csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert client.post("/nationell/statsbidrag/2026/besluta", headers=f20, data={"csrf": f20_csrf}).status_code == 403
    assert client.post("/nationell/statsbidrag/2026/besluta", headers=nat, data={"csrf": nat_csrf}).status_code == 409

    # the region sees its decision, the annex links and the deadline
    page = client.get("/region/statsbidrag", headers=h20)
    assert page.status_code == 200
    assert "1\u00a0665\u00a0000 kr" in page.text and "31 januari 2027" in page.text
    assert "/api/v1/grants/years/2026/annex.xlsx" in page.text and "/api/v1/grants/years/2026/annex.pdf" in page.text
    # the handläggare: no submit button, and why; a field error; then a draft
    assert "Skicka in återrapporten</button>" not in page.text and "det gör regionens företrädare" in page.text
    form = {"csrf": h20_csrf, "atgard": "spara", "uses_coordinator": "1 000 000", "uses_develop_centres": "665000",
            "uses_new_centres": "", "uses_needs_analysis": "tusen", "fte": "1,5", "role": "",
            "unit_ids": [units["id"].iloc[0]], "unused_sek": "0", "account": "Samordnare anställd från mars."}
    r = client.post("/region/statsbidrag/2026", headers=h20, data=form)
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["uses_needs_analysis"]
    assert 'value="1 000 000"' in r.text  # what was typed is kept
    r = client.post("/region/statsbidrag/2026", headers=h20, data={**form, "uses_needs_analysis": ""})
    assert r.status_code == 422 and error_summary(r.text) == [
        ("role", "Ange vilken roll (t.ex. länssamordnare) bidraget finansierar")]
    r = client.post("/region/statsbidrag/2026", headers=h20, data={**form, "uses_needs_analysis": "", "role": "x",
                                                                    "uses_coordinator": "2 000 000"})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["uses_coordinator"]
    good = {**form, "uses_needs_analysis": "", "role": "Länssamordnare"}
    assert client.post("/region/statsbidrag/2026", headers=h20, data={**good, "atgard": "skicka-in"}).status_code == 403
    assert client.get("/api/v1/grants/years/2026/regions/20/report", headers=h20).json()["status"] == "ej_paborjad"
    r = client.post("/region/statsbidrag/2026", headers=h20, data=good, follow_redirects=False)
    assert r.status_code == 303
    assert client.get("/api/v1/grants/years/2026/regions/20/report", headers=h20).json()["status"] == "utkast"
    # the företrädare submits
    r = client.post("/region/statsbidrag/2026", headers=f20, data={**good, "csrf": f20_csrf, "atgard": "skicka-in"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith("klart=inskickad")
    rep = client.get("/api/v1/grants/years/2026/regions/20/report", headers=f20).json()
    assert rep["status"] == "inskickad" and rep["uses"]["coordinator"] == 1_000_000
    page = client.get("/region/statsbidrag?ar=2026", headers=f20).text
    assert 'id="rapportformular"' not in page and "Inskickad" in page
    assert units["name"].iloc[0] in page.split('id="bidrag-per-enhet"')[1]

    # the national level: dashboard, follow-up, return with a comment (required), approve
    dash = client.get("/nationell", headers=nat).text
    open_rows = dash.split('id="oppna-aterrapporter"')[1].split("</table>")[0]
    assert 'data-lan="20"' in open_rows and "Inskickad" in open_rows and "20 återrapporter är inte påbörjade" in dash
    follow = client.get("/nationell/statsbidrag/2026/uppfoljning", headers=nat)
    assert follow.status_code == 200 and len(re.findall(r'<tr data-lan="\d\d"', follow.text)) == 21
    review = "/nationell/statsbidrag/2026/rapport/20"
    assert client.get(review, headers=f20).status_code == 403
    r = client.post(f"{review}/returnera", headers=nat, data={"csrf": nat_csrf, "kommentar": " "})
    assert r.status_code == 422 and [f for f, _ in error_summary(r.text)] == ["kommentar"]
    r = client.post(f"{review}/returnera", headers=nat, data={"csrf": nat_csrf, "kommentar": "Ange centralerna"},
                    follow_redirects=False)
    assert r.status_code == 303
    page = client.get("/region/statsbidrag", headers=f20).text
    assert "Ange centralerna" in page and 'id="rapportformular"' in page
    client.post("/region/statsbidrag/2026", headers=f20, data={**good, "csrf": f20_csrf, "atgard": "skicka-in"})
    r = client.post(f"{review}/godkann", headers=nat, data={"csrf": nat_csrf}, follow_redirects=False)
    assert r.status_code == 303
    final = client.get(review, headers=nat).text
    assert "Godkänd" in final and "Godkänn återrapporten</button>" not in final
    steps = re.findall(r"<tr><td>[^<]+</td><td>[^<]+</td><td>([^<]+)</td><td>([^<]+)</td>",
                       final.split('id="rapporthistorik"')[1])
    assert steps == [("Ej påbörjad", "n@socialstyrelsen.se"), ("Utkast", "h20@regiondalarna.se"),
                     ("Inskickad", "f20@regiondalarna.se"), ("Returnerad för komplettering", "n@socialstyrelsen.se"),
                     ("Inskickad", "f20@regiondalarna.se"), ("Godkänd", "n@socialstyrelsen.se")]
