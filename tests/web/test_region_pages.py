"""The region's unit edit page through HTTP (no browser): a change that breaks a rule of the
register is refused with the import's reason on the field it is about, and a saved change is in
the unit's history."""

from __future__ import annotations

import pandas as pd
import pytest
from sqlalchemy import func, select

from fcatlas.db import unit_of_work
from fcatlas.fmt import swedish_time
from fcatlas.register.models import AuditEntry
from fcatlas.register.store import Register

from .helpers import error_summary, page_session


@pytest.fixture
def edit(make_client, demo_bundle, shared_data, db_url):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        unit = reg.get_unit(reg.list_units(lan="20").iloc[0]["id"])
    client = make_client(bundle=demo_bundle.path)
    headers, csrf = page_session(client, "h20")

    def post(**changes: str):
        form = {"csrf": csrf, "version": str(unit["version"]), "name": unit["name"], "status": unit["status"],
                "address": unit["address"] or "", "locality": unit["locality"] or "", "note": unit["note"] or ""}
        return client.post(f"/region/enheter/{unit['id']}", headers=headers, data={**form, **changes},
                           follow_redirects=False)

    return client, headers, unit, post


@pytest.mark.parametrize(("changes", "field", "reason"), [
    ({"name": "  "}, "name", "Namn: namn saknas"),
    ({"status": "påhittad"}, "status", "Status: "),
    ({"address": "Storgatan\x01 1"}, "address", "Adress: fältet innehåller otillåtna styrtecken"),
])
def test_a_rule_of_the_register_is_shown_on_its_field(edit, db_url, changes, field, reason):
    client, headers, unit, post = edit
    r = post(**changes)
    assert r.status_code == 422
    (got_field, message), = error_summary(r.text)
    assert got_field == field and message.startswith(reason)
    with Register.open(db_url) as reg:
        assert reg.get_unit(unit["id"])["version"] == unit["version"]


def test_a_saved_change_is_in_the_units_history(edit, db_url):
    client, headers, unit, post = edit
    r = post(locality="Ny ort")
    assert r.status_code == 303 and r.headers["location"] == "/region?klart=sparad"
    page = client.get(f"/region/enheter/{unit['id']}", headers=headers).text
    history = page.split('id="historik"', 1)[1]
    first_row = history.split("<tbody>", 1)[1].split("</tr>", 1)[0]
    assert "h20@" in first_row and "ändrad" in first_row and "Ort: " in first_row and "Ny ort" in first_row
    with unit_of_work(client.app.state.engine) as s:  # when, in Swedish time (the database keeps UTC)
        at = pd.Timestamp(s.scalar(select(func.max(AuditEntry.at)).where(AuditEntry.unit_id == unit["id"])))
    local = (at if at.tzinfo else at.tz_localize("UTC")).tz_convert("Europe/Stockholm")
    assert f"<td>{swedish_time(local.to_pydatetime())}</td>" in first_row  # one way of writing times (issue 22)


def test_without_an_open_round_the_region_page_says_so_once_and_what_comes_next(edit):
    client, headers, _, _ = edit
    html = client.get("/region", headers=headers).text
    assert html.count("Ingen inventeringsomgång är öppen just nu.") == 1
    assert "Listan kan lämnas när den nationella nivån öppnar nästa inventeringsomgång" in html
    assert 'href="/region/import"' not in html  # no step is offered that the server would refuse
