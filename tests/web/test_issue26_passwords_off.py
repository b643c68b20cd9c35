"""Issue 26.5: with ``losenord = false`` in the login file, passwords are switched off: the login
page leads to the organisations' providers and a password is refused on the page and the API."""

from __future__ import annotations

from .helpers import ACCOUNTS, PW


def test_issue26_passwords_can_be_switched_off(make_client, tmp_path, monkeypatch):
    path = tmp_path / "oidc.toml"
    path.write_text("""
[inloggning]
losenord = false

[[leverantor]]
id = "dalarna"
namn = "Region Dalarna"
issuer = "https://login.example.invalid/dalarna"
client_id = "fcatlas"
client_secret = "x"
""", encoding="utf-8")
    monkeypatch.setenv("FCATLAS_OIDC_FIL", str(path))
    c = make_client()
    r = c.get("/logga-in", follow_redirects=False)
    assert (r.status_code, r.headers["location"]) == (303, "/oidc/logga-in")
    page = c.get("/oidc/logga-in")
    assert page.status_code == 200 and 'href="/oidc/dalarna/logga-in"' in page.text
    assert "Logga in med e-post och lösenord" not in page.text
    r = c.post("/api/v1/auth/token", json={"email": ACCOUNTS["f20"][0], "password": PW})
    assert r.status_code == 403 and "lösenord är avstängd" in r.json()["fel"]
    assert c.post("/logga-in", data={"email": ACCOUNTS["f20"][0], "password": PW}).status_code == 403


def test_issue26_passwords_stay_by_default(make_client):
    c = make_client()
    assert c.get("/logga-in").status_code == 200
    assert c.post("/api/v1/auth/token", json={"email": ACCOUNTS["f20"][0], "password": PW}).status_code == 200
