"""Issue 22 (1, 4): rounds as Socialstyrelsen runs them — publishing leaves the other regions'
lists open; a per-region deadline; closing names who has not submitted; reopening; deadlines in
the past refused (also a grant year's report deadline)."""

from __future__ import annotations

import datetime as dt

import pytest

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.errors import ConflictError
from fcatlas.fmt import today
from fcatlas.register import rounds as round_store
from fcatlas.services import grants, imports, rounds

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f20@regiondalarna.se", lan_code="20", level=Level.FORETRADARE)
F18 = Actor.region_user("f18@regionorebrolan.se", lan_code="18", level=Level.FORETRADARE)
H18 = Actor.region_user("h18@regionorebrolan.se", lan_code="18", level=Level.HANDLAGGARE)
SOON = today() + dt.timedelta(days=60)

OREBRO = ("Namn;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status;Latitud;Longitud\n"
          "Familjecentralen Vivalla;1880;ja;ja;ja;ja;ja;i drift;59.2920;15.1560\n").encode()


def test_issue22_publishing_leaves_other_regions_open_until_the_round_is_closed(reg):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=SOON)
        rounds.submit(s, actor=F20, name=2027, lan="20")
        rounds.approve(s, actor=NAT, name=2027, lan="20")
        assert rounds.publish(s, actor=NAT, name=2027) == ["20"]
    with unit_of_work(eng) as s:  # Örebro had not submitted: it still imports and submits
        p = imports.preview(s, actor=H18, name=2027, lan="18", file_name="orebro.csv", content=OREBRO)
    with unit_of_work(eng) as s:
        assert imports.confirm(s, actor=H18, import_id=p.id).new == 1
    with unit_of_work(eng) as s:
        assert rounds.region_steps(s, actor=F18, lan="18").may_submit
        rounds.submit(s, actor=F18, name=2027, lan="18")
        rounds.approve(s, actor=NAT, name=2027, lan="18")
    with unit_of_work(eng) as s:
        assert {r["lan_code"] for r in round_store.published_rows(s)} == {"20"}  # approved is not public yet
        preview = rounds.close_preview(s, actor=NAT, name=2027)
        assert preview.waiting_for_publication == ["18"]
        with pytest.raises(ConflictError, match="väntar på publicering"):
            rounds.close_round(s, actor=NAT, name=2027)
    with unit_of_work(eng) as s:
        assert rounds.publish(s, actor=NAT, name=2027) == ["18"]
        preview = rounds.close_preview(s, actor=NAT, name=2027)
        assert len(preview.not_submitted) == 19 and "01" in {r.lan_code for r in preview.not_submitted}
        missing = rounds.close_round(s, actor=NAT, name=2027)
        assert len(missing) == 19 and "20" not in missing and "18" not in missing
    with unit_of_work(eng) as s:
        assert {r["lan_code"] for r in round_store.published_rows(s)} == {"18", "20"}
        steps = rounds.region_steps(s, actor=F18, lan="18")
        assert not steps.may_edit and not steps.may_submit and steps.why_not == rounds.NO_OPEN_ROUND
        with pytest.raises(ConflictError, match="stängd"):
            rounds.ensure_may_edit(s, actor=F18, name=2027, lan="18")
        rounds.open_round(s, actor=NAT, name=2028, deadline=SOON)  # the next one opens once closed


def test_issue22_deadlines_per_region_and_in_the_past(reg):
    eng = reg.engine
    with unit_of_work(eng) as s:
        with pytest.raises(ConflictError, match="har redan passerat"):
            rounds.open_round(s, actor=NAT, name=2027, deadline=today() - dt.timedelta(days=1))
        rounds.open_round(s, actor=NAT, name=2027, deadline=today())  # today is still allowed
    later = today() + dt.timedelta(days=5)
    with unit_of_work(eng) as s:
        # past the deadline (seen from tomorrow) the list is closed for the region …
        with pytest.raises(ConflictError, match="sista dag"):
            round_store.ensure_editable(s, year=2027, lan="20", today=later)
        assert not rounds.region_steps(s, actor=F20, lan="20", today=later).may_submit
        with pytest.raises(ConflictError, match="har redan passerat"):
            rounds.set_deadline(s, actor=NAT, name=2027, lan="20", deadline=today() - dt.timedelta(days=2))
        st = rounds.set_deadline(s, actor=NAT, name=2027, lan="20", deadline=later)
        assert st.deadline == later
    with unit_of_work(eng) as s:  # … until it gets its own later one
        round_store.ensure_editable(s, year=2027, lan="20", today=later)
        row = next(r for r in rounds.overview(s, actor=NAT, name=2027).regions if r.lan_code == "20")
        assert row.deadline == later and row.extended
        with pytest.raises(ConflictError, match="sista dag"):
            round_store.ensure_editable(s, year=2027, lan="18", today=later)


def test_issue22_reopen_a_submitted_or_approved_list(reg):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=SOON)
        rounds.submit(s, actor=F20, name=2027, lan="20")
        rounds.approve(s, actor=NAT, name=2027, lan="20")
        st = rounds.reopen(s, actor=NAT, name=2027, lan="20", comment="Elsborg har flyttat")
        assert st.status == "oppen"
        rounds.ensure_may_edit(s, actor=F20, name=2027, lan="20")
        rounds.submit(s, actor=F20, name=2027, lan="20")
        rounds.approve(s, actor=NAT, name=2027, lan="20")
        rounds.publish(s, actor=NAT, name=2027)
        with pytest.raises(ConflictError, match="publicerad"):
            rounds.reopen(s, actor=NAT, name=2027, lan="20")
        with pytest.raises(ConflictError, match="kan inte återöppna"):
            rounds.reopen(s, actor=NAT, name=2027, lan="18")


def test_issue22_grant_report_deadline_in_the_past_is_refused(reg):
    with unit_of_work(reg.engine) as s, pytest.raises(ConflictError, match="har redan passerat"):
        grants.setup_year(s, actor=NAT, year=2026, total_sek=51_365_000, deadline=today() - dt.timedelta(days=1))


def test_issue24_the_region_view_is_one_query_of_the_current_round_and_the_regions_state(reg):
    """The region's page reads the current round and the region's state in it together: the open
    round (not a region's row of an earlier one), else the latest."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2026, deadline=SOON)
        rounds.submit(s, actor=F20, name=2026, lan="20")
        rounds.close_round(s, actor=NAT, name=2026)
        rounds.open_round(s, actor=NAT, name=2027, deadline=SOON)
        rounds.submit(s, actor=F18, name=2027, lan="18")
    sql: list[str] = []
    listen = lambda *a: sql.append(a[2].split()[0].upper())  # noqa: E731 - the statement's first word
    event.listen(eng, "before_cursor_execute", listen)
    try:
        with Session(eng) as s:
            dalarna, orebro = (rounds.region_view(s, actor=who, lan=lan) for who, lan in ((F20, "20"), (F18, "18")))
    finally:
        event.remove(eng, "before_cursor_execute", listen)
    assert sql == ["SELECT", "SELECT"]  # one each
    assert dalarna.round is not None and dalarna.round.year == 2027
    assert dalarna.state is not None and dalarna.state.status.value == "oppen"  # 2026's submission is not 2027's
    assert dalarna.steps.may_edit and dalarna.steps.may_submit
    assert orebro.state is not None and orebro.state.status.value == "inskickad" and not orebro.steps.may_edit
    with unit_of_work(eng) as s:
        rounds.close_round(s, actor=NAT, name=2027)
    with Session(eng) as s:
        closed = rounds.region_view(s, actor=F18, lan="18")
    assert closed.round is not None and closed.round.year == 2027 and closed.steps.why_not == rounds.NO_OPEN_ROUND
