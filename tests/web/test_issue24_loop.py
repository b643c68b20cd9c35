"""Issue 24: on PostgreSQL the light logged-in routes (a unit's change, the region's unit list and
its page) run their service call on the event loop (web.deps.LoopWork: an AsyncSession's greenlet,
psycopg in asyncio mode), never in the thread pool; concurrent reads of a region's list share the
read of the data version; every answer is the same as through threads (SQLite)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from sqlalchemy import event

from fcatlas.register.store import Register
from fcatlas.web.app import create_app
from fcatlas.web.config import WebConfig

from .helpers import ACCOUNTS, PW, page_session


@pytest.fixture
def region(db_url, shared_data, tmp_path):
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
    return create_app(WebConfig(db_url=db_url, access_log=tmp_path / "access.jsonl", cache_ttl_s=0, warm=False))


def _statements(app) -> tuple[list[tuple[str, str, bool]], object]:
    """(thread name, first word, whether it reads the data version) of every statement run on the
    app's database, and the engine listened to."""
    seen: list[tuple[str, str, bool]] = []
    engine = app.state.loop_engine.sync_engine if app.state.loop_engine is not None else app.state.engine

    def listen(*a: object) -> None:
        sql = str(a[2])
        seen.append((threading.current_thread().name, sql.split()[0].upper(), "max(" in sql.lower()))

    event.listen(engine, "before_cursor_execute", listen)
    return seen, (engine, listen)


async def _year(app) -> dict[str, object]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.post("/api/v1/auth/token", json={"email": ACCOUNTS["h20"][0], "password": PW})
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        cookie, _ = page_session(_Client(app), "h20")
        seen, (engine, listen) = _statements(app)
        loop_thread = threading.current_thread().name
        try:
            units = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"]
            first = units[0]
            r = await c.patch(f"/api/v1/units/{first['id']}", json={"name": "Familjecentralen Ny"},
                              headers={**auth, "If-Match": f'"{first["version"]}"'})
            assert r.status_code == 200, r.text
            stale = await c.patch(f"/api/v1/units/{first['id']}", json={"name": "Sen"},
                                  headers={**auth, "If-Match": f'"{first["version"]}"'})
            again = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"]
            page = await c.get("/region", headers=cookie)
            # twenty reads of the list at once, after one more change: all see it
            await c.patch(f"/api/v1/units/{units[1]['id']}", json={"name": "Andra namnet"},
                          headers={**auth, "If-Match": f'"{units[1]["version"]}"'})
            before = len(seen)
            together = await asyncio.gather(*(c.get("/api/v1/units?lan=20", headers=auth) for _ in range(20)))
            versions_read = sum(1 for *_, version in seen[before:] if version)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    return {"seen": seen, "loop_thread": loop_thread, "patched": r.json(), "stale": stale, "again": again,
            "page": page, "together": together, "versions_read": versions_read, "first": first}


class _Client:  # what helpers.page_session needs of a client: the app
    def __init__(self, app) -> None:
        self.app = app


def test_issue24_light_routes_run_on_the_event_loop_on_postgresql_in_threads_on_sqlite(region, db_url):
    out = asyncio.run(_year(region))
    postgresql = db_url.startswith("postgresql")
    assert (region.state.loop_engine is not None) == postgresql
    threads = {name for name, *_ in out["seen"]}
    if postgresql:  # every statement on the loop's own thread: no trip to the thread pool
        assert threads == {out["loop_thread"]}
    else:  # SQLite: the same calls in the thread pool
        assert out["loop_thread"] not in threads
    assert out["patched"]["name"] == "Familjecentralen Ny" and out["patched"]["version"] == out["first"]["version"] + 1
    assert out["stale"].status_code == 412 and "h20@regiondalarna.se" in out["stale"].json()["fel"]
    assert [u["name"] for u in out["again"] if u["id"] == out["first"]["id"]] == ["Familjecentralen Ny"]
    assert out["page"].status_code == 200 and "Min region" in out["page"].text
    bodies = {r.content for r in out["together"]}
    assert len(bodies) == 1 and all(r.status_code == 200 for r in out["together"])
    assert "Andra namnet" in {u["name"] for u in out["together"][0].json()["items"]}
    if postgresql:
        # the twenty shared their reads of the data version: each read serves the requests that
        # arrived before it began (1–3 reads, by how the requests' arrivals interleave with them)
        assert 1 <= out["versions_read"] <= 3


@pytest.mark.postgres
def test_issue24_a_worker_keeps_no_more_connections_than_fcatlas_db_pool(pg_url, tmp_path, monkeypatch):
    from fcatlas.db import forget_engines

    monkeypatch.setenv("FCATLAS_DB_POOL", "7")
    forget_engines()  # as in a new worker: its engines are made by the app
    app = create_app(WebConfig(db_url=pg_url, access_log=tmp_path / "access.jsonl", warm=False))
    threads, loop = app.state.engine.pool.size(), app.state.loop_engine.sync_engine.pool.size()
    assert (threads, loop) == (4, 3)  # 7 in all
