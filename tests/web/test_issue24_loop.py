"""Issue 24: on PostgreSQL the light logged-in routes (a unit's change, the region's unit list and
its page) run their service call on the event loop, to its end (web.deps.LoopWork), never in the
thread pool — unless a lock held elsewhere makes it wait: then in a thread, while the loop serves
the others; every answer is the same as through threads (SQLite)."""

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


def _statements(app) -> tuple[list[tuple[str, str, bool, bool]], object]:
    """(thread name, first word, whether it reads the data version, whether it reads the
    accounts) of every statement run on the app's database (either engine: who is logged in is
    looked up too), and what to stop."""
    seen: list[tuple[str, str, bool, bool]] = []
    engines = [e for e in (app.state.loop_engine, app.state.engine) if e is not None]

    def listen(*a: object) -> None:
        sql = str(a[2])
        seen.append((threading.current_thread().name, sql.split()[0].upper(), "max(" in sql.lower(),
                     "accounts_" in sql))

    for engine in engines:
        event.listen(engine, "before_cursor_execute", listen)
    return seen, (engines, listen)


async def logged_in(c: httpx.AsyncClient, app) -> tuple[dict[str, str], dict[str, str]]:
    """Region Dalarna's handläggare: a token's header and a login session's cookie header."""
    r = await c.post("/api/v1/auth/token", json={"email": ACCOUNTS["h20"][0], "password": PW})
    cookie, _ = page_session(_Client(app), "h20")
    return {"Authorization": f"Bearer {r.json()['access_token']}"}, cookie


async def _year(app) -> dict[str, object]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        auth, cookie = await logged_in(c, app)
        seen, (engines, listen) = _statements(app)
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
            versions_read = sum(1 for _, _, version, _ in seen[before:] if version)
        finally:
            for engine in engines:
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
    if postgresql:  # every statement on the loop's own thread, who is logged in looked up too
        assert threads == {out["loop_thread"]}
        assert any(accounts for *_, accounts in out["seen"])  # the look-ups of the token and the cookie
    else:  # SQLite: the same calls in the thread pool
        assert out["loop_thread"] not in threads
    assert out["patched"]["name"] == "Familjecentralen Ny" and out["patched"]["version"] == out["first"]["version"] + 1
    assert out["stale"].status_code == 412 and "h20@regiondalarna.se" in out["stale"].json()["fel"]
    assert [u["name"] for u in out["again"] if u["id"] == out["first"]["id"]] == ["Familjecentralen Ny"]
    assert out["page"].status_code == 200 and "Min region" in out["page"].text
    bodies = {r.content for r in out["together"]}
    assert len(bodies) == 1 and all(r.status_code == 200 for r in out["together"])
    assert "Andra namnet" in {u["name"] for u in out["together"][0].json()["items"]}
    if postgresql:  # run to its end on the loop, each request reads the version once
        assert out["versions_read"] == 20


@pytest.mark.postgres
def test_issue24_a_worker_keeps_no_more_connections_than_fcatlas_db_pool(pg_url, tmp_path, monkeypatch):
    from fcatlas.db import forget_engines

    monkeypatch.setenv("FCATLAS_DB_POOL", "7")
    forget_engines()  # as in a new worker: its engines are made by the app
    app = create_app(WebConfig(db_url=pg_url, access_log=tmp_path / "access.jsonl", warm=False))
    threads, loop = app.state.engine.pool.size(), app.state.loop_engine.pool.size()
    assert (threads, loop) == (6, 1)  # 7 in all


async def _patch_while_locked(app) -> dict[str, object]:
    """A PATCH while another transaction holds the unit's row, and a read of the region's list
    meanwhile: (what each answered, in which order they finished, the threads of the UPDATEs)."""
    from sqlalchemy import text

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        r = await c.post("/api/v1/auth/token", json={"email": ACCOUNTS["h20"][0], "password": PW})
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        first = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"][0]
        seen, engines, listen = [], [], []
        for engine in (app.state.loop_engine, app.state.engine):
            def log(*a: object, _e=engine) -> None:
                if str(a[2]).lstrip().upper().startswith(("UPDATE", "WITH")):
                    seen.append((threading.current_thread().name, _e is app.state.loop_engine))
            event.listen(engine, "before_cursor_execute", log)
            engines.append(engine)
            listen.append(log)
        done: list[str] = []
        holder = app.state.engine.connect()
        try:
            # were the loop held up by the wait, nothing would let go: the server ends the holder
            holder.execute(text("SET idle_in_transaction_session_timeout = '20s'"))
            holder.execute(text("SELECT 1 FROM register_units WHERE id = :id FOR UPDATE"), {"id": first["id"]})

            async def patch() -> httpx.Response:
                r = await c.patch(f"/api/v1/units/{first['id']}", json={"name": "Familjecentralen som väntade"},
                                  headers={**auth, "If-Match": f'"{first["version"]}"'})
                done.append("patch")
                return r

            async def read_then_release() -> httpx.Response:
                while not seen:  # the PATCH has tried on the loop and waits in a thread now
                    await asyncio.sleep(0.01)
                r = await c.get("/api/v1/units?lan=20", headers=auth)
                done.append("read")
                holder.commit()
                return r

            patched, read = await asyncio.wait_for(asyncio.gather(patch(), read_then_release()), 30)
        finally:
            holder.close()
            for engine, log in zip(engines, listen, strict=True):
                event.remove(engine, "before_cursor_execute", log)
    return {"patched": patched, "read": read, "done": done, "updates": seen, "first": first}


def test_issue24_a_change_that_waits_for_a_lock_waits_in_a_thread_not_on_the_loop(region, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite: the change runs in a thread anyway")
    loop_thread = threading.current_thread().name
    out = asyncio.run(_patch_while_locked(region))
    # the change tried on the loop, gave up the lock wait, then waited in a thread ...
    assert out["updates"][0] == (loop_thread, True)
    assert out["updates"][-1][0] != loop_thread and out["updates"][-1][1] is False
    # ... while the loop answered the list, and it saved once the lock was let go
    assert out["done"] == ["read", "patch"] and out["read"].status_code == 200
    assert out["patched"].status_code == 200, out["patched"].text
    assert out["patched"].json()["version"] == out["first"]["version"] + 1
    assert out["patched"].json()["name"] == "Familjecentralen som väntade"
