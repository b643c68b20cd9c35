"""Issue 22 through HTTP (no browser): adding a unit through the form (a rule broken: the field's
message, the error summary and what was typed kept, never JSON; then added), the import preview's
choice of mode, the import's and the submission's receipts, and the templates to start from."""

from __future__ import annotations

import datetime as dt

import pytest

from fcatlas.accounts.roles import Actor
from fcatlas.db import unit_of_work
from fcatlas.fmt import today
from fcatlas.register.store import Register
from fcatlas.services import rounds

from .helpers import error_summary, page_session

NEW = {"name": "Familjecentralen Smedjebacken", "kommun_code": "2061", "category": "familjecentral",
       "mvc": "ja", "bvc": "ja", "of": "ja", "soc": "ja", "co_located": "ja", "status": "planerad",
       "status_date": "2027-08", "lat": "60,1403", "lon": "15,4125"}


@pytest.fixture
def year(make_client, demo_bundle, shared_data, db_url):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
    client = make_client(bundle=demo_bundle.path)
    with unit_of_work(client.app.state.engine) as s:
        rounds.open_round(s, actor=Actor.national("n"), name=2027, deadline=today() + dt.timedelta(days=30))
    return client


def test_issue22_add_a_unit_on_the_page(year, db_url):
    headers, csrf = page_session(year, "h20")
    r = year.post("/region/enheter/ny", headers=headers, data={"csrf": csrf, **NEW, "address": "x" * 201})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html")
    assert error_summary(r.text) == [("address", "Adressen får vara högst 200 tecken")]
    assert 'value="Familjecentralen Smedjebacken"' in r.text and "x" * 201 in r.text  # what was typed is kept
    r = year.post("/region/enheter/ny", headers=headers, data={"csrf": csrf, **NEW, "lat": "59,2", "lon": "18,0"})
    assert r.status_code == 422 and error_summary(r.text)[0][0] == "lat"
    r = year.post("/region/enheter/ny", headers=headers, data={"csrf": csrf, **NEW, "mvc": ""})
    assert r.status_code == 422 and error_summary(r.text)[0][0] == "mvc"  # all four, or none
    r = year.post("/region/enheter/ny", headers=headers, data={"csrf": csrf, **NEW}, follow_redirects=False)
    assert r.status_code == 303
    with Register.open(db_url) as reg:
        added = reg.list_units(lan="20").set_index("name").loc["Familjecentralen Smedjebacken"]
    assert (added["status"], added["status_date"], added["precision"]) == ("planerad", "2027-08", "exakt")


def test_issue22_preview_mode_receipts_and_starting_files(year, shared_data):
    headers, csrf = page_session(year, "h20")
    lines = (shared_data / "familjecentraler" / "dalarna_2026.csv").read_text(encoding="utf-8-sig").splitlines()
    content = "\n".join(x for x in lines if not x.startswith("Familjecentral Elsborg")).encode()
    r = year.post("/region/import", headers=headers, data={"csrf": csrf},
                  files={"fil": ("dalarna_2027.csv", content, "text/csv")})
    assert r.status_code == 200 and "Familjecentral Elsborg (Falun)" in r.text.split('id="stangs"', 1)[1]
    import_id = r.text.split("/region/import/", 1)[1].split("/", 1)[0]
    r = year.post(f"/region/import/{import_id}/lage", headers=headers, data={"csrf": csrf, "lage": "delvis"})
    assert r.status_code == 200 and 'id="stangs"' not in r.text and 'id="lamnas-oppna"' in r.text
    r = year.post(f"/region/import/{import_id}/bekrafta", headers=headers, data={"csrf": csrf},
                  follow_redirects=False)
    assert r.status_code == 303 and "stangda=0" in r.headers["location"]  # bara enheterna i filen
    receipt = year.get(r.headers["location"], headers=headers).text
    assert "Stängda enheter" in receipt and 'href="/region#regionens-enheter"' in receipt

    template = year.get("/region/mall.csv", headers=headers)
    assert template.content.decode("utf-8-sig").startswith("Id;Namn;Kommunkod")
    start = year.get("/region/lista.csv", headers=headers).content.decode("utf-8-sig")
    assert "Familjecentral Elsborg" in start and ";ja;" in start

    f_headers, f_csrf = page_session(year, "f20")
    assert "Skicka in listan" in year.get("/region/skicka-in", headers=f_headers).text
    r = year.post("/region/skicka-in", headers=f_headers, data={"csrf": f_csrf}, follow_redirects=False)
    assert r.headers["location"] == "/region/kvitto"
    receipt = year.get("/region/kvitto", headers=f_headers).text
    assert "f20@regiondalarna.se" in receipt and "Kvitto på inskickad lista" in receipt
    # the list is submitted: the region's page offers no step the server would refuse
    page = year.get("/region", headers=headers).text
    assert 'href="/region/import"' not in page and 'href="/region/skicka-in"' not in page
