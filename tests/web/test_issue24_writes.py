"""Issue 24 point 1: a unit change in an open round takes the region's list *shared*, so two
edits of one region do not wait for each other (a submission still waits for both, see
tests/web/test_issue21_server.py)."""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.register import rounds as round_store
from fcatlas.register.store import Register
from fcatlas.services import rounds, units

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)


@pytest.mark.postgres
def test_issue24_two_edits_of_one_region_do_not_wait_for_each_other(pg_url, shared_data):
    engine = connect(pg_url)
    with unit_of_work(engine) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
    Register(engine).import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2027, user="import")
    with unit_of_work(engine) as s:
        page = units.visible_units(s, actor=H20, lan="20").items
        round_store.lock_open_list(s, lan="20")  # the region's row in the round (the first change makes it)
    first, second = page.iloc[0], page.iloc[1]
    with Session(engine) as holder:  # an edit under way: the list locked, not yet committed
        round_store.lock_open_list(holder, lan="20")
        done: dict[str, float] = {}

        def edit() -> None:
            t0 = time.perf_counter()
            with Session(engine) as s2:
                units.update_unit(s2, actor=H20, unit_id=second["id"], changes={"note": "samtidigt"},
                                  expected_version=int(second["version"]))
            done["s"] = time.perf_counter() - t0

        t = threading.Thread(target=edit)
        t.start()
        t.join(10)
        assert "s" in done, "the second edit waited for the first one's transaction"
        holder.rollback()
    with unit_of_work(engine) as s:
        after = units.visible_units(s, actor=H20, lan="20").items.set_index("id")
    assert after.loc[second["id"], "version"] == second["version"] + 1
    assert after.loc[first["id"], "version"] == first["version"]
    engine.dispose()
