"""Issue 24 point 0 and 3: the public picture never depends on drafts (a draft edit changes
neither the public answers' version nor their ETag, and recomputes no public atlas), and the
public pages are answered like the API's anonymous reads: once per published version and query."""

from __future__ import annotations

import datetime as dt

import pytest

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import areas, rounds
from fcatlas.services.units import data_version

from .helpers import login, page_session

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f", lan_code="20", level=Level.FORETRADARE)


@pytest.fixture
def published(db_url, shared_data, make_client, demo_bundle):
    """Dalarna's list published in round 2027, round 2028 open: a client on the demo bundle."""
    with Register.open(db_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
        with unit_of_work(reg.engine) as s:
            rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
            rounds.submit(s, actor=F20, name=2027, lan="20")
            rounds.approve(s, actor=NAT, name=2027, lan="20")
            rounds.publish(s, actor=NAT, name=2027)
            rounds.close_round(s, actor=NAT, name=2027)  # publishing leaves the round open (issue 22)
            rounds.open_round(s, actor=NAT, name=2028, deadline=dt.date(2028, 10, 31))
    return make_client(bundle=demo_bundle.path)


def _public_version(client) -> tuple[int, ...]:
    with unit_of_work(client.app.state.engine) as s:
        return data_version(s, "publicerat")


def test_issue24_a_draft_edit_leaves_the_public_picture_alone(published):
    client, memo = published, published.app.state.memo
    bundle = client.app.state.bundle
    urls = ["/api/v1/atlas/summary?lan=20", "/api/v1/units?lan=20", "/?lan=20", "/tabell?lan=20"]
    before = {u: client.get(u) for u in urls}
    assert all(r.status_code == 200 and r.headers.get("etag") for r in before.values())
    with unit_of_work(client.app.state.engine) as s:
        atlas = areas.atlas_for(s, bundle, actor=ANONYMOUS, lan="20", memo=memo)
    version, computed = _public_version(client), memo.computations

    t = login(client, "h20")
    unit = client.get("/api/v1/units?lan=20", headers=t).json()["items"][0]
    r = client.patch(f"/api/v1/units/{unit['id']}", json={"note": "utkast"},
                     headers={**t, "If-Match": f'"{unit["version"]}"'})
    assert r.status_code == 200, r.text
    assert client.get("/api/v1/units?lan=20", headers=t).json()["items"][0]["version"] == unit["version"] + 1

    assert _public_version(client) == version
    for u, old in before.items():
        again = client.get(u, headers={"If-None-Match": old.headers["etag"]})
        assert again.status_code == 304, u
    with unit_of_work(client.app.state.engine) as s:  # the same public atlas, not computed again
        assert areas.atlas_for(s, bundle, actor=ANONYMOUS, lan="20", memo=memo) is atlas
    assert memo.computations == computed


def test_issue24_anonymous_pages_are_answered_once_per_version_and_query(published):
    client, memo = published, published.app.state.memo
    first = client.get("/tabell?lan=20")
    assert first.status_code == 200 and first.headers["etag"]
    computed = memo.computations
    again = client.get("/tabell?lan=20")
    assert again.text == first.text and again.headers["etag"] == first.headers["etag"]
    assert memo.computations == computed  # not rendered again
    other = client.get("/tabell?lan=20&kategori=familjecentral")
    assert other.status_code == 200 and other.headers["etag"] != first.headers["etag"]
    # a logged-in visitor gets the page for their own picture, never the cached public one
    cookie, _ = page_session(client, "h20")
    mine = client.get("/tabell?lan=20", headers=cookie)
    assert mine.status_code == 200 and "set-cookie" not in {k.lower() for k in mine.headers}
    assert "Logga ut" in mine.text and "Logga ut" not in first.text
