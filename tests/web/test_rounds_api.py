"""The inventory round through HTTP, each step by the role that may take it."""

from __future__ import annotations

from .helpers import login


def test_round_cycle_over_http(client):
    nat, f20, h20, f18 = (login(client, w) for w in ("nationell", "f20", "h20", "f18"))
    r = client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=f20)
    assert r.status_code == 403 and "får inte öppna" in r.json()["fel"]
    r = client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=nat)
    assert r.status_code == 201 and r.json() == {"name": "2027", "deadline": "2027-10-31", "status": "oppen",
                                                 "published_at": None}
    assert client.post("/api/v1/rounds", json={"name": "2027", "deadline": "2027-10-31"}, headers=nat).status_code == 409
    base = "/api/v1/rounds/2027/regions/20"
    assert client.post(f"{base}/submit", headers=h20).status_code == 403
    assert client.post(f"{base}/submit", headers=f18).status_code == 403
    assert client.post(f"{base}/submit").status_code == 403
    r = client.post(f"{base}/submit", headers=f20)
    assert r.status_code == 200 and r.json()["status"] == "inskickad"
    assert client.post(f"{base}/submit", headers=f20).status_code == 409
    r = client.post(f"{base}/return", json={"comment": " "}, headers=nat)
    assert r.status_code == 422 and r.json()["detaljer"] == [{"falt": "comment", "orsak": "har fel form (se API-beskrivningen)"}]
    r = client.post(f"{base}/return", json={"comment": "Rätta Sopranen"}, headers=nat)
    assert r.json()["status"] == "returnerad" and r.json()["comment"] == "Rätta Sopranen"
    # the region sees its own status and comment; another region sees nothing of it
    mine = client.get("/api/v1/rounds/2027", headers=h20).json()["regions"]
    assert mine == [{**mine[0], "lan_code": "20", "status": "returnerad", "comment": "Rätta Sopranen"}]
    assert [x["lan_code"] for x in client.get("/api/v1/rounds/2027", headers=f18).json()["regions"]] == ["18"]
    assert client.get("/api/v1/rounds/2027").json()["regions"] == []
    assert len(client.get("/api/v1/rounds/2027", headers=nat).json()["regions"]) == 21
    assert client.post(f"{base}/submit", headers=f20).status_code == 200
    assert client.post(f"{base}/approve", headers=f20).status_code == 403
    assert client.post(f"{base}/approve", headers=nat).json()["status"] == "godkand"
    assert client.post("/api/v1/rounds/2027/publish", headers=f20).status_code == 403
    r = client.post("/api/v1/rounds/2027/publish", headers=nat)
    assert r.status_code == 200 and r.json() == {"name": "2027", "lan": ["20"]}
    after = client.get("/api/v1/rounds/2027").json()  # published, and still open for the other regions
    assert after["status"] == "oppen" and after["published_at"] is not None
    assert client.post("/api/v1/rounds/2027/close", headers=f20).status_code == 403
    r = client.post("/api/v1/rounds/2027/close", headers=nat)
    assert r.status_code == 200 and len(r.json()["not_approved"]) == 20
    assert client.get("/api/v1/rounds/2027").json()["status"] == "stangd"


def test_round_errors_are_swedish_json(client):
    nat = login(client, "nationell")
    r = client.post("/api/v1/rounds", json={"name": "2027", "deadline": "31/10"}, headers=nat)
    assert r.status_code == 422 and r.json()["detaljer"][0]["falt"] == "deadline"
    r = client.post("/api/v1/rounds", json={"name": "abcd", "deadline": "2027-10-31"}, headers=nat)
    assert r.status_code == 422 and r.json()["detaljer"][0]["falt"] == "name"
    r = client.post("/api/v1/rounds/2027/regions/99/submit", headers=nat)
    assert r.status_code == 422 and r.json()["detaljer"][0]["falt"] == "lan"
    r = client.get("/api/v1/rounds/2031", headers=nat)
    assert r.status_code == 404 and r.json()["fel"] == "inventeringsomgången 2031 finns inte"
    r = client.post("/api/v1/rounds", content=b"name=2027", headers={**nat, "Content-Type": "text/plain"})
    assert r.status_code == 415 and "JSON" in r.json()["fel"]
