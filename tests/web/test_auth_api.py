"""Logging in over HTTP: tokens, one answer for every failure, throttling, Swedish JSON errors."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text

from .helpers import ACCOUNTS, PW, login


def test_token_then_me(client):
    r = client.post("/api/v1/auth/token", json={"email": "F20@RegionDalarna.se", "password": PW})
    assert r.status_code == 200
    body = r.json()
    assert body["token_type"] == "bearer" and len(body["access_token"]) >= 40
    me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.json() == {"email": "f20@regiondalarna.se", "roll": "region", "lan_code": "20", "niva": "foretradare"}


def test_unknown_account_and_wrong_password_get_the_same_answer(client):
    a = client.post("/api/v1/auth/token", json={"email": "ingen@x.se", "password": PW})
    b = client.post("/api/v1/auth/token", json={"email": ACCOUNTS["f20"][0], "password": "fel lösenord 123"})
    assert a.status_code == b.status_code == 401
    assert a.json() == b.json() == {"fel": "fel e-postadress eller lösenord", "detaljer": []}


@pytest.mark.parametrize(("body", "field", "reason"), [
    ({"email": "a@b.se"}, "password", "saknas"),
    ({"email": "a@b.se", "password": "x", "roll": "nationell"}, "roll", "okänt fält"),
    ({"email": 5, "password": "x"}, "email", "ska vara text"),
])
def test_strict_request_models_answer_422_in_swedish(client, body, field, reason):
    r = client.post("/api/v1/auth/token", json=body)
    assert r.status_code == 422
    assert r.json()["fel"] == "begäran har ogiltiga uppgifter"
    assert {"falt": field, "orsak": reason} in r.json()["detaljer"]


def test_throttled_after_too_many_failures_with_retry_after(make_client):
    client = make_client(login_per_account=3, login_per_address=100)
    for _ in range(3):
        assert client.post("/api/v1/auth/token", json={"email": ACCOUNTS["h20"][0], "password": "fel lösenord 1"}).status_code == 401
    r = client.post("/api/v1/auth/token", json={"email": ACCOUNTS["h20"][0], "password": PW})
    assert r.status_code == 429 and "för många misslyckade" in r.json()["fel"]
    assert r.headers["retry-after"] == "900"
    # another account from the same address is not locked
    assert client.post("/api/v1/auth/token", json={"email": ACCOUNTS["f20"][0], "password": PW}).status_code == 200


def test_bad_or_unknown_bearer_is_401_not_anonymous(client):
    for header in ("Bearer fel-nyckel", "Basic abc", "Bearer "):
        r = client.get("/api/v1/auth/me", headers={"Authorization": header})
        assert r.status_code == 401 and r.json()["fel"], header
    assert client.get("/api/v1/auth/me").status_code == 401


def test_passwords_and_tokens_never_stored_or_logged_in_clear(client, db_url, tmp_path):
    headers = login(client, "nationell")
    token = headers["Authorization"].split()[1]
    client.post("/api/v1/auth/token", json={"email": ACCOUNTS["f18"][0], "password": "hemligt-fel-123"})
    log = (tmp_path / "access.jsonl").read_text(encoding="utf-8")
    lines = [json.loads(line) for line in log.splitlines()]
    assert {(x["metod"], x["sokvag"], x["status"]) for x in lines} >= {("POST", "/api/v1/auth/token", 200),
                                                                      ("POST", "/api/v1/auth/token", 401)}
    assert token not in log and PW not in log and "hemligt-fel-123" not in log
    eng = create_engine(db_url)
    with eng.connect() as c:
        dump = " ".join(str(v) for table in ("accounts_users", "accounts_tokens", "accounts_login_failures")
                        for row in c.execute(text(f"SELECT * FROM {table}")) for v in row)
    eng.dispose()
    assert token not in dump and PW not in dump and "hemligt-fel-123" not in dump


def test_unknown_path_and_method_are_json_in_swedish(client):
    r = client.get("/api/v1/finns-inte")
    assert r.status_code == 404 and r.json() == {"fel": "finns inte", "detaljer": []}
    r = client.get("/api/v1/auth/token")
    assert r.status_code == 405 and r.json()["fel"] == "metoden är inte tillåten här"


def test_healthz_reports_database_and_bundle(make_client, demo_bundle):
    assert make_client().get("/healthz").json() == {"status": "fel", "databas": True, "datapaket": None}
    r = make_client(bundle=demo_bundle.path).get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok" and r.json()["datapaket"]["syntetiskt"] is True


def test_openapi_is_served_with_swedish_descriptions(client):
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert spec["paths"]["/api/v1/auth/token"]["post"]["summary"] == "Logga in och få en nyckel"
    assert "familjecentraler" in spec["info"]["description"]
