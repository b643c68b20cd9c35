"""Issue 24: a worker of ``fcatlas serve`` takes what it keeps for its life out of the garbage
collector's full passes once it is warm (a full pass over a warm worker's heap stopped every
request in it for about 150 ms); an app made in a process that makes many (the tests) does not."""

from __future__ import annotations

import asyncio
import gc
import re

import httpx

from fcatlas.web.app import create_app, create_served_app
from fcatlas.web.config import WebConfig


async def _warmed(app) -> tuple[int, str]:
    async with app.router.lifespan_context(app):
        if app.state.warming is not None:
            await app.state.warming
        frozen = gc.get_freeze_count()
        transport = httpx.ASGITransport(app=app, client=("127.0.0.9", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
            metrics = (await c.get("/metrics")).text
    return frozen, metrics


def test_issue24_a_served_worker_settles_its_heap_after_the_warm_up(tmp_path, monkeypatch):
    monkeypatch.setenv("FCATLAS_DB", f"sqlite:///{tmp_path / 'db.sqlite'}")
    monkeypatch.setenv("FCATLAS_ACCESS_LOG", str(tmp_path / "access.jsonl"))
    monkeypatch.setenv("FCATLAS_METRICS_FRA", "127.0.0.0/8")
    gc.unfreeze()
    try:
        assert gc.get_freeze_count() == 0
        frozen, metrics = asyncio.run(_warmed(create_served_app()))
        assert frozen > 10_000  # at least the modules' objects
        settled = re.search(r"^fcatlas_heap_settled_objects (\S+)$", metrics, re.M)
        assert settled is not None and float(settled.group(1)) == frozen
    finally:
        gc.unfreeze()
    frozen, _ = asyncio.run(_warmed(create_app(WebConfig(db_url=f"sqlite:///{tmp_path / 'db2.sqlite'}",
                                                         access_log=tmp_path / "a2.jsonl"))))
    assert frozen == 0


def test_issue24_a_served_worker_without_a_warm_up_settles_its_heap_at_start(tmp_path):
    gc.unfreeze()
    try:
        app = create_app(WebConfig(db_url=f"sqlite:///{tmp_path / 'db.sqlite'}", access_log=tmp_path / "a.jsonl",
                                   warm=False), settle=True)
        frozen, _ = asyncio.run(_warmed(app))
        assert frozen > 10_000
    finally:
        gc.unfreeze()
