"""Issue 24: the atlas is remembered under a fingerprint of the units it runs on, not under the
data version — a region's draft atlas is computed again when its own units change, never
because another region changed its draft; a picture with the public units shares the public
atlas; and an edit is in the next atlas (no stale draft)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.register.store import Register
from fcatlas.services import areas, rounds, units
from fcatlas.web.cache import Computed


class CountingMemo(Computed):
    def __init__(self) -> None:
        super().__init__()
        self.atlases = 0

    def get_or_compute(self, key, compute):
        def counted():
            self.atlases += key[0] == "atlas"
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
    with Session(engine) as s:  # the change commits itself
        units.update_unit(s, actor=dalarna, unit_id=first["id"], changes={"status": "planerad"},
                          expected_version=int(first["version"]))
    # Dalarna's draft changed: its atlas again, with the change; Värmland's and the public's kept
    assert atlas(varmland) is public and atlas(ANONYMOUS) is public
    mine_now = atlas(dalarna)
    assert mine_now is not mine and memo.atlases == before + 1
    status = mine_now.result.units_all.set_index("id").loc[first["id"], "status"]
    assert str(status) == "planerad" and str(mine.result.units_all.set_index("id").loc[first["id"], "status"]) != "planerad"
    # read again without a change: the same atlas
    assert atlas(dalarna) is mine_now and memo.atlases == before + 1
