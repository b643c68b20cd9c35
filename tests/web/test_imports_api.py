"""The whole inventory cycle through HTTP: open → import with bad rows → fix → confirm → submit →
return → resubmit → approve → publish; the other region never sees the draft."""

from __future__ import annotations

import io
import zipfile

from fcatlas.services import imports

from .helpers import login

BAD_ROWS = "\nFamiljecentralen Fel;Falun;9999;ja;ja;ja;ja;ja;i drift\nFamiljecentralen Vivalla;Örebro;1880;ja;ja;ja;ja;ja;i drift\n"


def _dalarna(shared_data) -> str:
    return (shared_data / "familjecentraler" / "dalarna_2026.csv").read_text(encoding="utf-8")


def test_the_whole_cycle_over_http(client, shared_data):
    t = {w: login(client, w) for w in ("nationell", "f20", "h20", "f18")}
    client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=t["nationell"])
    good = _dalarna(shared_data)
    header = good.splitlines()[0]
    assert header.count(";") >= 7, header  # the rows below follow the file's own columns
    bad = good.rstrip("\n") + BAD_ROWS
    url = "/api/v1/rounds/2027/regions/20/imports"
    r = client.post(url, files={"file": ("dalarna_2027.csv", bad.encode("utf-8"), "text/csv")}, headers=t["h20"])
    assert r.status_code == 201, r.text
    prev = r.json()
    assert prev["accepted"] == 15
    reasons = " | ".join(x["reason"] for x in prev["rejected"])
    assert "9999" in reasons and "inte i region 20" in reasons
    assert {x["row"] for x in prev["rejected"]} == {17, 18}
    # a preview stores nothing
    assert client.get("/api/v1/units?lan=20", headers=t["nationell"]).json()["total"] == 0
    # fixed file, previewed and confirmed
    r = client.post(url, files={"file": ("dalarna_2027.csv", good.encode("utf-8"), "text/csv")}, headers=t["h20"])
    fixed = r.json()
    assert fixed["rejected"] == [] and fixed["accepted"] == 15
    assert client.post(f"/api/v1/imports/{fixed['id']}/confirm", headers=t["f18"]).status_code == 404
    r = client.post(f"/api/v1/imports/{fixed['id']}/confirm", headers=t["h20"])
    assert r.status_code == 200 and r.json()["new"] == 15
    assert client.post(f"/api/v1/imports/{fixed['id']}/confirm", headers=t["h20"]).status_code == 409
    seen_by_other = []
    steps = [("submit", "f20", None), ("return", "nationell", {"comment": "Ange statusdatum"}),
             ("submit", "f20", None), ("approve", "nationell", None)]
    for step, who, body in steps:
        seen_by_other.append(client.get("/api/v1/units?lan=20", headers=t["f18"]).json()["total"])
        seen_by_other.append(client.get("/api/v1/units?lan=20").json()["total"])
        r = client.post(f"/api/v1/rounds/2027/regions/20/{step}", json=body, headers=t[who])
        assert r.status_code == 200, (step, r.text)
    assert seen_by_other == [0] * 8
    assert client.post("/api/v1/rounds/2027/publish", headers=t["nationell"]).status_code == 200
    public = client.get("/api/v1/units?lan=20").json()
    draft = client.get("/api/v1/units?lan=20", headers=t["h20"]).json()
    assert public["total"] == 15 and [u["id"] for u in public["items"]] == [u["id"] for u in draft["items"]]
    assert client.get("/api/v1/units?lan=20", headers=t["f18"]).json()["total"] == 15


def test_upload_rules(make_client, monkeypatch):
    client = make_client(max_upload_bytes=4000)
    t = {w: login(client, w) for w in ("nationell", "h20", "f18")}
    client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=t["nationell"])
    url = "/api/v1/rounds/2027/regions/20/imports"
    csv = b"Namn;Kommunkod;Typ\nFamiljecentralen Norr;2080;Familjecentral\n"
    assert client.post(url, files={"file": ("a.csv", csv)}, headers=t["f18"]).status_code == 403
    assert client.post(url, files={"file": ("a.csv", csv)}).status_code == 401  # anonymous: refused before reading (issue 21)
    r = client.post(url, files={"file": ("lista.pdf", b"%PDF-1.4")}, headers=t["h20"])
    assert r.status_code == 415 and "varken CSV eller Excel" in r.json()["fel"]
    r = client.post(url, files={"file": ("stor.csv", csv * 200)}, headers=t["h20"])
    assert r.status_code == 413 and "större än" in r.json()["fel"]
    monkeypatch.setattr(imports, "MAX_XLSX_UNPACKED", 1024 * 1024)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (2 * 1024 * 1024))
    assert len(buf.getvalue()) < 4000
    r = client.post(url, files={"file": ("bomb.xlsx", buf.getvalue())}, headers=t["h20"])
    assert r.status_code == 413 and "packas upp" in r.json()["fel"]
    r = client.post(url, headers=t["h20"])
    assert r.status_code == 422 and r.json()["detaljer"][0]["falt"] == "file"
