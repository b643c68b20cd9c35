"""Issue 24: a logged-in map, table, gap-list or area page is tried on the event loop to its end when what it
needs is computed (web.deps.warm_first): after a change of a draft's note it reads the data
version and the picture's rows there; when its atlas must be computed (a unit moved or changed
state) it is made in the thread pool instead. The answer is the same either way and shows the
change (no stale draft)."""

from __future__ import annotations

import asyncio
import threading

import httpx
import pytest
from sqlalchemy import event

from fcatlas.register.store import Register
from fcatlas.web.app import create_app
from fcatlas.web.cache import ColdCache, Computed, WarmOnly
from fcatlas.web.config import WebConfig

from .test_issue24_loop import _statements, logged_in


@pytest.fixture
def region(db_url, shared_data, real_bundle, tmp_path):
    """Dalarna's list a draft in round 2027, a service with the real bundle (no warm-up)."""
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
    return create_app(WebConfig(db_url=db_url, bundle=real_bundle.path, access_log=tmp_path / "access.jsonl",
                                cache_ttl_s=0, warm=False))


def test_issue24_warm_only_answers_what_is_computed_and_computes_only_light_keys():
    memo = Computed()
    memo.get_or_compute(("atlas", 1), lambda: "atlasen")
    warm = WarmOnly(memo)
    assert warm.get_or_compute(("atlas", 1), lambda: pytest.fail("computed again")) == "atlasen"
    assert warm.get_or_compute(("unit-rows", 2), lambda: ["rader"]) == ["rader"]  # light: computed
    assert memo.lookup(("unit-rows", 2)) == (True, ["rader"])  # and kept for the threads too
    with pytest.raises(ColdCache):
        warm.get_or_compute(("atlas", 2), lambda: pytest.fail("an atlas on the loop"))
    assert memo.lookup(("atlas", 2)) == (False, None)


async def _pages(app) -> dict[str, object]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as c:
        auth, cookie = await logged_in(c, app)
        loop_thread = threading.current_thread().name
        first = (await c.get("/api/v1/units?lan=20", headers=auth)).json()["items"][0]
        cold = await c.get("/?lan=20", headers=cookie)  # the draft's atlas computed: in a thread
        await c.get("/luckor?lan=20", headers=cookie)  # and its gap list, and an area's card
        await c.get("/omrade/2021R001", headers=cookie)
        out: dict[str, object] = {"loop_thread": loop_thread, "cold": cold}
        seen, (engines, listen) = _statements(app)
        try:
            version = first["version"]
            steps = (("note", {"note": "Öppet på lördagar"}),
                     ("renamed", {"name": "Familjecentralen Nytt namn", "status": "planerad"}),
                     ("back", {"name": first["name"], "status": first["status"]}))
            for step, changes in steps:
                r = await c.patch(f"/api/v1/units/{first['id']}", json=changes,
                                  headers={**auth, "If-Match": f'"{version}"'})
                assert r.status_code == 200, r.text
                version = r.json()["version"]
                before = len(seen)
                map_page = await c.get("/?lan=20", headers=cookie)
                table_page = await c.get("/tabell?lan=20", headers=cookie)
                gaps_page = await c.get("/luckor?lan=20", headers=cookie)
                card = await c.get("/omrade/2021R001", headers=cookie)
                out[step] = (map_page, table_page, seen[before:], gaps_page, card)
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", listen)
    return out


def test_issue24_a_warm_page_is_made_on_the_loop_a_cold_one_in_a_thread(region, db_url):
    out = asyncio.run(_pages(region))
    assert out["cold"].status_code == 200
    loop_thread = out["loop_thread"]

    def threads(reads):  # the threads of the page's own statements (not who is logged in)
        return {name for name, kind, _, accounts in reads if kind == "SELECT" and not accounts}

    for step in ("note", "renamed", "back"):
        assert all(page.status_code == 200 for page in (*out[step][:2], *out[step][3:])), step
    # the new name and state are in both pages at once (no stale draft), and gone when changed back
    assert all("Familjecentralen Nytt namn" in page.text for page in out["renamed"][:2])
    assert not any("Familjecentralen Nytt namn" in page.text for page in out["back"][:2])
    if db_url.startswith("postgresql"):
        # a note: the same atlas; the four pages made on the loop, the map reading the data
        # version and the rows, the table, the gap list and the card the version alone
        assert threads(out["note"][2]) == {loop_thread}
        assert sum(1 for *_, version, _ in out["note"][2] if version) == 4
        # a new name and state: the atlas analysed again, in a thread (the loop tried first)
        assert threads(out["renamed"][2]) - {loop_thread}
        # back as before: that atlas is remembered, so on the loop again
        assert threads(out["back"][2]) == {loop_thread}
    else:  # SQLite: pages in the thread pool as before
        assert loop_thread not in threads(out["note"][2])


def test_issue24_many_small_results_never_push_out_an_atlas():
    memo = Computed(max_items=10)
    memo.get_or_compute(("atlas", "allmänheten"), lambda: "atlasen")
    for regso in range(500):  # a visitor going through every area's card
        memo.get_or_compute(("area-card", regso), lambda: "kortet")
    assert memo.lookup(("atlas", "allmänheten")) == (True, "atlasen")
    assert sum(k[0] == "area-card" for k in memo._items) == 10  # the newest ten cards
    assert memo.lookup(("area-card", 499)) == (True, "kortet") and memo.lookup(("area-card", 0))[0] is False
    for digest in range(Computed.KIND_LIMITS["atlas"] + 5):  # the large kind has its own bound
        memo.get_or_compute(("atlas", digest), lambda: "en annan atlas")
    assert sum(k[0] == "atlas" for k in memo._items) == Computed.KIND_LIMITS["atlas"]
    assert memo.lookup(("atlas", "allmänheten"))[0] is False  # the least recently used atlas went first
