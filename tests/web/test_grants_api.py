"""The whole grant year through HTTP, on SQLite and PostgreSQL: set up → preview (the README's
Örebro example from a basis file) → scenario → decide → region 20 sees its decision and downloads
the annex → report drafted, submit refused for the handläggare, submitted by the företrädare →
returned → resubmitted → approved; region 18 never sees region 20's draft; the overdue list."""

from __future__ import annotations

import io

import openpyxl

from fcatlas.register.store import Register

from .helpers import login

#: the README's invented basis (section 4): 137,000 children, 2,740 (2 %) in Örebro län
README_BASIS = {
    "01": 29800, "03": 5500, "04": 5900, "05": 6500, "06": 4000, "07": 3700, "08": 2500, "09": 470, "10": 1550,
    "12": 26000, "13": 2600, "14": 22700, "17": 3600, "18": 2740, "19": 5200, "20": 3400, "21": 4650,
    "22": 3500, "23": 630, "24": 1460, "25": 600,
}
BASIS_CSV = "region_code;basis_children\n" + "".join(f"{k};{v}\n" for k, v in README_BASIS.items())
Y = "/api/v1/grants/years/2026"


def test_the_whole_grant_year_over_http(make_client, demo_bundle, shared_data, db_url):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        unit = reg.list_units(lan="20")["id"].iloc[0]
    client = make_client(bundle=demo_bundle.path)
    t = {w: login(client, w) for w in ("nationell", "f20", "h20", "f18")}

    # set up: only the national level, basis from a file
    body = {"total_sek": 51_365_000, "basis": "fil"}
    assert client.put(Y, json=body, headers=t["f20"]).status_code == 403
    r = client.put(Y, json=body, headers=t["nationell"])
    assert r.status_code == 200 and r.json()["basis_kind"] == "ingen", r.text
    assert client.get(f"{Y}/allocation", headers=t["nationell"]).status_code == 409  # no basis yet
    files = {"file": ("underlag_2026.csv", BASIS_CSV.encode(), "text/csv")}
    assert client.post(f"{Y}/basis", files=files, headers=t["h20"]).status_code == 403
    r = client.post(f"{Y}/basis", files=files, headers=t["nationell"])
    assert r.status_code == 200 and r.json()["basis_source"] == "fil underlag_2026.csv", r.text
    bad = client.post(f"{Y}/basis", files={"file": ("u.csv", b"region_code;basis_children\n18;-5\n")},
                      headers=t["nationell"])
    assert bad.status_code == 409 and bad.json()["detaljer"][0]["kolumn"] == "basis_children"
    assert bad.json()["detaljer"][0]["rad"] == 2 and bad.json()["detaljer"][0]["fil"] == "u.csv"

    # preview: parts sum exactly; Örebro 815,000 + 685,000 = 1,500,000 kr; nothing public yet
    prev = client.get(f"{Y}/allocation", headers=t["nationell"]).json()
    assert prev["decided"] is False and prev["total_sek"] == 51_365_000
    assert sum(x["total_sek"] for x in prev["regions"]) == 51_365_000
    orebro = next(x for x in prev["regions"] if x["region_code"] == "18")
    assert (orebro["fixed_sek"], orebro["variable_sek"], orebro["total_sek"]) == (815_000, 685_000, 1_500_000)
    for who in (None, "f20", "f18"):
        h = t[who] if who else {}
        assert client.get(f"{Y}/allocation", headers=h).status_code == 404
        assert client.get("/api/v1/grants/years", headers=h).json() == []
    # scenario comparison against the bundle (nothing stored)
    cmp = client.get(f"{Y}/compare", params={"exclusion": "omradestyp:1,2"}, headers=t["nationell"])
    assert cmp.status_code == 200, cmp.text
    rows = cmp.json()["regions"]
    assert len(rows) == 21 and sum(x["total_a_sek"] for x in rows) == sum(x["total_b_sek"] for x in rows) == 51_365_000
    assert all(x["change_sek"] == x["total_b_sek"] - x["total_a_sek"] for x in rows)
    assert client.get(f"{Y}/compare", params={"exclusion": "omradestyp:1,2"}, headers=t["f20"]).status_code == 403
    assert client.get(f"{Y}/allocation", headers=t["nationell"]).json() == prev

    # decide; the decision is public and final
    assert client.post(f"{Y}/decide", headers=t["f20"]).status_code == 403
    dec = client.post(f"{Y}/decide", headers=t["nationell"])
    assert dec.status_code == 200 and dec.json()["decided"] is True
    assert [x["total_sek"] for x in dec.json()["regions"]] == [x["total_sek"] for x in prev["regions"]]
    assert client.post(f"{Y}/decide", headers=t["nationell"]).status_code == 409
    assert client.put(Y, json=body, headers=t["nationell"]).status_code == 409
    r = client.get(f"{Y}/regions/20/decision", headers=t["f20"])
    assert r.status_code == 200 and r.json()["region"]["total_sek"] == 815_000 + 850_000
    assert r.json()["report_deadline"] == "2027-01-31"
    assert client.get(f"{Y}/regions/18/decision").json()["region"]["total_sek"] == 1_500_000
    xlsx = client.get(f"{Y}/annex.xlsx", headers=t["f20"])
    assert xlsx.status_code == 200 and "beslutsbilaga" in xlsx.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    rows = list(wb["2026"].iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Länskod")
    data = {r[0]: r for r in rows[head + 1: head + 22]}
    assert (data["18"][4], data["18"][5], data["18"][6]) == (815_000, 685_000, 1_500_000)
    assert sum(r[6] for r in data.values()) == 51_365_000
    pdf = client.get(f"{Y}/annex.pdf", headers=t["f20"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")

    # the report: drafted by the handläggare, never seen by region 18
    rep = f"{Y}/regions/20/report"
    draft = {"uses": {"coordinator": 1_000_000, "develop_centres": 665_000}, "fte": 1.5, "role": "Länssamordnare",
             "unit_ids": [unit], "unused_sek": 0, "account": "Samordnare anställd från mars."}
    assert client.put(rep, json=draft, headers=t["f18"]).status_code == 404  # another region's draft (issue 21)
    bad = client.put(rep, json={**draft, "uses": {"coordinator": 2_000_000}}, headers=t["h20"])
    assert bad.status_code == 409 and {d["kolumn"] for d in bad.json()["detaljer"]} >= {"uses"}
    r = client.put(rep, json=draft, headers=t["h20"])
    assert r.status_code == 200 and r.json()["status"] == "utkast" and r.json()["problems"] == []
    assert r.json()["amount_received_sek"] == 1_665_000
    seen_by_other = [client.get(rep, headers=t["f18"]).status_code, client.get(rep).status_code]
    assert [x["region_code"] for x in client.get("/api/v1/grants/reports", headers=t["f18"]).json()] == ["18"]
    r = client.post(f"{rep}/submit", headers=t["h20"])
    assert r.status_code == 403 and "företrädare" in r.json()["fel"]
    steps = [("submit", "f20", None, "inskickad"), ("return", "nationell", {"comment": "Ange vilka centraler"},
                                                    "returnerad"),
             ("submit", "f20", None, "inskickad"), ("approve", "nationell", None, "godkand")]
    for step, who, payload, status in steps:
        seen_by_other += [client.get(rep, headers=t["f18"]).status_code, client.get(rep).status_code]
        r = client.post(f"{rep}/{step}", json=payload, headers=t[who])
        assert r.status_code == 200 and r.json()["status"] == status, (step, r.text)
        if step == "submit":
            assert client.put(rep, json=draft, headers=t["h20"]).status_code == 409
    assert seen_by_other == [404] * 10
    final = client.get(rep, headers=t["f20"]).json()
    assert [(h["to_status"], h["user"]) for h in final["history"]] == [
        ("ej_paborjad", "n@socialstyrelsen.se"), ("utkast", "h20@regiondalarna.se"),
        ("inskickad", "f20@regiondalarna.se"), ("returnerad", "n@socialstyrelsen.se"),
        ("inskickad", "f20@regiondalarna.se"), ("godkand", "n@socialstyrelsen.se")]
    # approved: public, without the persons
    public = client.get(rep)
    assert public.status_code == 200 and all(h["user"] is None for h in public.json()["history"])

    # overdue: every other region with an amount has not reported by 15 February 2027
    assert client.get("/api/v1/grants/overdue", headers=t["f20"]).status_code == 403
    od = client.get("/api/v1/grants/overdue", params={"today": "2027-02-15"}, headers=t["nationell"]).json()
    assert sorted(x["region_code"] for x in od) == sorted(set(README_BASIS) - {"20"})
    assert {x["days_late"] for x in od} == {15}


def test_setup_from_the_bundle_and_upload_rules(make_client, demo_bundle):
    client = make_client(bundle=demo_bundle.path, max_upload_bytes=2000)
    t = login(client, "nationell")
    r = client.put(Y, json={"total_sek": 60_000_000, "exclusion": "omradestyp:1,2"}, headers=t)
    assert r.status_code == 200 and r.json()["basis_kind"] == "datapaket", r.text
    alloc = client.get(f"{Y}/allocation", headers=t).json()
    assert alloc["total_sek"] == sum(x["total_sek"] for x in alloc["regions"]) == 60_000_000
    r = client.put(Y, json={"total_sek": 1, "exclusion": "omradestyp:1,2"}, headers=t)
    assert r.status_code == 409 and "räcker inte" in r.json()["fel"]
    r = client.put(Y, json={"total_sek": 60_000_000, "data_year": 2001}, headers=t)
    assert r.status_code == 404 and "finns inte i datapaketet" in r.json()["fel"]
    assert client.put(Y, json={"total_sek": 1, "okänt": 1}, headers=t).status_code == 422
    r = client.put(Y, json={"total_sek": 60_000_000, "exclusion": "lista:/etc/passwd"}, headers=t)
    assert r.status_code == 422
    assert client.post(f"{Y}/basis", files={"file": ("u.pdf", b"%PDF")}, headers=t).status_code == 415
    big = client.post(f"{Y}/basis", files={"file": ("u.csv", BASIS_CSV.encode() * 20)}, headers=t)
    assert big.status_code == 413
    assert client.get("/api/v1/grants/years/2030/annex.pdf").status_code == 404
    assert client.get(f"{Y}/annex.xlsx", headers=t).status_code == 409  # not decided yet
