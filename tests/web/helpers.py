"""Accounts and login for the web tests."""

from __future__ import annotations

from fastapi.testclient import TestClient

PW = "ett långt lösenord"
ACCOUNTS = {
    "nationell": ("n@socialstyrelsen.se", "nationell", None, None),
    "f20": ("f20@regiondalarna.se", "region", "20", "foretradare"),
    "h20": ("h20@regiondalarna.se", "region", "20", "handlaggare"),
    "f18": ("f18@regionorebrolan.se", "region", "18", "foretradare"),
}


def login(client: TestClient, who: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", json={"email": ACCOUNTS[who][0], "password": PW})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}
