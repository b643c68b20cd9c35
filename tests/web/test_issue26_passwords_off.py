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


def test_issue26_readme_login_file_example_loads(tmp_path, monkeypatch):
    """The operator chapter's example of the login file is read as written."""
    import re

    from fcatlas.web.oidc import load_settings
    from web.ops import ROOT

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```toml\n(.*?)```", text, re.S).group(1)
    (tmp_path / "inloggning.toml").write_text(example, encoding="utf-8")
    monkeypatch.setenv("FCATLAS_OIDC_DALARNA", "hemlig")
    settings = load_settings(tmp_path / "inloggning.toml")
    assert settings.passwords and settings.public_url == "https://fcatlas.example.se"
    dalarna = settings.providers["dalarna"]
    assert (dalarna.client_secret, dalarna.claim, dalarna.contact) == ("hemlig", "email", "IT-avdelningen i Region Dalarna")
    for path in re.findall(r"`(deploy/[^`*]+)`", text):
        assert (ROOT / path).exists(), path
