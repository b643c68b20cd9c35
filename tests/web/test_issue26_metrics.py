"""Issue 26.4: ``/metrics`` in Prometheus's text format (parsed with prometheus_client's own
parser), readable only from ``FCATLAS_METRICS_FRA``; ``/healthz`` and ``/readyz``."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

from .helpers import ACCOUNTS


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def _value(samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def open_metrics(monkeypatch):
    monkeypatch.setenv("FCATLAS_METRICS_FRA", "127.0.0.0/8, ::1")


def _client(db_url, tmp_path) -> TestClient:
    cfg = WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl", cache_ttl_s=0)
    return TestClient(create_app(cfg), raise_server_exceptions=False, client=("127.0.0.9", 50000))


def test_issue26_metrics_parse_with_the_prometheus_parser(open_metrics, make_client, db_url, tmp_path):
    c = _client(db_url, tmp_path)
    try:
        for _ in range(3):
            assert c.get("/healthz").status_code in (200, 503)
        assert c.get("/readyz").status_code == 200
        assert c.get("/finns/inte").status_code == 404
        for _ in range(2):
            assert c.post("/api/v1/auth/token", json={"email": ACCOUNTS["f20"][0], "password": "fel"}).status_code == 401
        c.cookies.set("fcatlas_login_csrf", "a")
        assert c.post("/logga-in", data={"email": "x@y.se", "password": "p", "csrf": "a"}).status_code == 401
        for _ in range(3):
            c.get("/api/v1/units")
        r = c.get("/metrics")
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/plain; version=")
        s = _samples(r.text)
        assert _value(s, "fcatlas_http_requests_total", route="/healthz", method="GET", status="503") == 3
        assert _value(s, "fcatlas_http_requests_total", route="/readyz", method="GET", status="200") == 1
        # a path that is no route is counted without its path (the series stay bounded)
        assert _value(s, "fcatlas_http_requests_total", route="okänd", method="GET", status="404") == 1
        assert _value(s, "fcatlas_http_request_duration_seconds_count", route="/healthz", method="GET") == 3
        assert _value(s, "fcatlas_login_failures_total", route="/api/v1/auth/token") == 2
        assert _value(s, "fcatlas_login_failures_total", route="/logga-in") == 1
        assert any(k[0] == "fcatlas_db_pool_connections" for k in s)
        hits = _value(s, "fcatlas_cache_hits_total", cache="publika_svar")
        misses = _value(s, "fcatlas_cache_misses_total", cache="publika_svar")
        assert hits >= 2 and misses >= 1
        # /healthz answers 503 without a bundle: counted as errors of its route, and only there
        assert _value(s, "fcatlas_http_errors_total", route="/healthz") == 3
        assert sum(v for k, v in s.items() if k[0] == "fcatlas_http_errors_total") == 3
    finally:
        c.app.state.engine.dispose()


def test_issue26_metrics_refused_to_other_addresses(monkeypatch, make_client, db_url, tmp_path):
    monkeypatch.setenv("FCATLAS_METRICS_FRA", "10.1.2.0/24")
    c = _client(db_url, tmp_path)
    try:
        r = c.get("/metrics")
        assert r.status_code == 403
        assert "fcatlas_http_requests" not in r.text
    finally:
        c.app.state.engine.dispose()


def test_issue26_readyz_says_database_and_schema(client):
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ok", "databas": True, "schema": "aktuellt"}
    assert client.get("/healthz").json()["databas"] is True


def test_issue26_readyz_refuses_an_old_schema_with_the_command(client):
    from sqlalchemy import text

    from fcatlas.db import _revisions, schema_heads

    older = next(r for r in _revisions() if r not in schema_heads())
    with client.app.state.engine.begin() as conn:
        conn.execute(text("DELETE FROM alembic_version"))
        conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": older})
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.json() == {"status": "fel", "databas": True, "schema": "gammalt", "atgard": "kör 'fcatlas db upgrade'"}


def test_issue24_the_access_log_tells_a_logged_in_request_from_the_publics(make_client, db_url, tmp_path):
    import json

    from .helpers import login

    c = _client(db_url, tmp_path)
    try:
        token = login(c, "h20")
        c.get("/api/v1/units?lan=20")
        c.get("/api/v1/units?lan=20", headers=token)
        c.cookies.set("fcatlas_session", "ett-pahittat-id")  # carried, not checked: the log says it came
        c.get("/tabell?lan=20")
    finally:
        c.close()
    lines = [json.loads(x) for x in (tmp_path / "access.jsonl").read_text(encoding="utf-8").splitlines()]
    seen = [(x["sokvag"], x["inloggad"]) for x in lines if x["sokvag"] in ("/api/v1/units", "/tabell")]
    assert seen == [("/api/v1/units", False), ("/api/v1/units", True), ("/tabell", True)]
