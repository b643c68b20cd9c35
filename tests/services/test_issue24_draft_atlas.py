"""Issue 24: the atlas is remembered under a fingerprint of the units it runs on, not under the
data version — a region's draft atlas is analysed again when its own units' places, kinds or
states change, never because another region changed its draft nor for a note; a picture with the
public units shares the public atlas; an edit is in the next atlas (no stale draft); and the
answer is the analysis of the whole units table."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import areas, rounds, units
from fcatlas.services.atlas import run_atlas
from fcatlas.web.cache import Computed


class CountingMemo(Computed):
    def __init__(self) -> None:
        super().__init__()
        self.atlases = 0

    def get_or_compute(self, key, compute):
        def counted():
            # an analysis: of the country (a län's atlas is the country's scoped; the putting
            # back of columns is no analysis either)
            self.atlases += key[0] == "atlas" and key[3] is None
            return compute()

        return super().get_or_compute(key, counted)


def _published_then_draft(url: str, shared_data) -> None:
    """Dalarna's list published in round 2026, a draft again in the open round 2027."""
    nat = Actor.national("test")
    with Register.open(url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
    with unit_of_work(connect(url)) as s:
        rounds.open_round(s, actor=nat, name=2026, deadline=dt.date.today() + dt.timedelta(days=30))
        rounds.submit(s, actor=Actor.region_user("f", lan_code="20", level=Level.FORETRADARE), name=2026, lan="20")
        rounds.approve(s, actor=nat, name=2026, lan="20")
        rounds.publish(s, actor=nat, name=2026)
        rounds.close_round(s, actor=nat, name=2026)
        rounds.open_round(s, actor=nat, name=2027, deadline=dt.date.today() + dt.timedelta(days=30))


def test_issue24_a_draft_atlas_is_computed_again_only_when_its_own_units_change(sqlite_url, shared_data, real_bundle):
    _published_then_draft(sqlite_url, shared_data)
    dalarna = Actor.region_user("h20", lan_code="20", level=Level.HANDLAGGARE)
    varmland = Actor.region_user("h17", lan_code="17", level=Level.HANDLAGGARE)  # no units of its own
    memo = CountingMemo()
    engine = connect(sqlite_url)

    def atlas(actor):
        with unit_of_work(engine) as s:
            return areas.atlas_for(s, real_bundle, actor=actor, lan="20", memo=memo)

    public, mine, theirs = atlas(ANONYMOUS), atlas(dalarna), atlas(varmland)
    # Värmland sees the public units (no draft of its own): the public atlas, not a copy of it
    assert theirs is public
    before = memo.atlases
    with unit_of_work(engine) as s:
        first = units.visible_units(s, actor=dalarna, lan="20").items.iloc[0]
    version = int(first["version"])

    def change(**changes):
        nonlocal version
        with Session(engine) as s:  # the change commits itself
            units.update_unit(s, actor=dalarna, unit_id=first["id"], changes=changes, expected_version=version)
        version += 1

    def status(run) -> tuple[str, str]:
        row = run.result.units_all.set_index("id").loc[first["id"]]
        return str(row["status"]), str(row["note"])

    change(note="Ny anteckning")
    # a note: in the next answer, no analysis again
    noted = atlas(dalarna)
    assert status(noted)[1] == "Ny anteckning" and memo.atlases == before
    assert noted.result.areas_all is mine.result.areas_all
    change(status="planerad")
    # the state changed: Dalarna's atlas analysed again, with the change; Värmland's and the public's kept
    assert atlas(varmland) is public and atlas(ANONYMOUS) is public
    mine_now = atlas(dalarna)
    assert memo.atlases == before + 1
    assert status(mine_now) == ("planerad", "Ny anteckning") and status(mine)[0] != "planerad"
    # read again without a change: the same atlas
    assert atlas(dalarna) is mine_now and memo.atlases == before + 1


def test_issue24_the_atlas_of_the_analysed_columns_is_the_atlas_of_the_whole_table(sqlite_url, shared_data,
                                                                                  real_bundle):
    _published_then_draft(sqlite_url, shared_data)
    dalarna = Actor.region_user("h20", lan_code="20", level=Level.HANDLAGGARE)
    engine = connect(sqlite_url)
    with Session(engine) as s:
        first = units.visible_units(s, actor=dalarna, lan="20").items.iloc[0]
        units.update_unit(s, actor=dalarna, unit_id=first["id"], changes={"note": "Utkast", "address": "Ny väg 1"},
                          expected_version=int(first["version"]))
    for actor in (ANONYMOUS, dalarna):
        with unit_of_work(engine) as s:
            mine = areas.atlas_for(s, real_bundle, actor=actor, lan="20", memo=Computed())
            whole = run_atlas(real_bundle, db_url=None, lan="20",
                              units=units.visible_units(s, actor=actor, limit=10**9).items.drop(columns=["version"]))
        pd.testing.assert_frame_equal(mine.units, whole.units)
        for f in dataclasses.fields(whole.result):
            ours, theirs = getattr(mine.result, f.name), getattr(whole.result, f.name)
            if isinstance(theirs, pd.DataFrame):
                pd.testing.assert_frame_equal(ours, theirs, obj=f.name)
            elif f.name != "timings":
                assert ours == theirs, f.name
    assert "Ny väg 1" in set(mine.result.units_all["address"])
