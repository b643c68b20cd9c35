"""The inventory round end to end through the services, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.errors import CodeError, ConfigError, ConflictError, NotFoundError, PermissionDeniedError
from fcatlas.register import rounds as round_store
from fcatlas.services import rounds

NAT = Actor.national("n@socialstyrelsen.se")
F20 = Actor.region_user("f20@regiondalarna.se", lan_code="20", level=Level.FORETRADARE)
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)
F18 = Actor.region_user("f18@regionorebrolan.se", lan_code="18", level=Level.FORETRADARE)


def _published(reg, lan=None):
    with unit_of_work(reg.engine) as s:
        return round_store.published_rows(s, lan=lan)


def test_the_whole_cycle(reg):
    eng = reg.engine
    n_units = len(reg.list_units(lan="20"))
    assert n_units > 10
    with unit_of_work(eng) as s:
        info = rounds.open_round(s, actor=NAT, name="2027", deadline=dt.date(2027, 10, 31))
    assert info.year == 2027 and info.status == "oppen"
    # a handläggare prepares but cannot submit; another region cannot either
    with unit_of_work(eng) as s:
        rounds.ensure_may_edit(s, actor=H20, name=2027, lan="20")
        for who in (H20, F18, ANONYMOUS, NAT):
            with pytest.raises(PermissionDeniedError):
                rounds.submit(s, actor=who, name=2027, lan="20")
        with pytest.raises(PermissionDeniedError):
            rounds.ensure_may_edit(s, actor=F18, name=2027, lan="20")
    with unit_of_work(eng) as s:
        assert rounds.submit(s, actor=F20, name=2027, lan="20").status == "inskickad"
    with unit_of_work(eng) as s:
        with pytest.raises(ConflictError, match="inskickad och kan inte ändras"):
            rounds.ensure_may_edit(s, actor=H20, name=2027, lan="20")
        with pytest.raises(ConflictError, match="kan inte skicka in"):
            rounds.submit(s, actor=F20, name=2027, lan="20")
        with pytest.raises(ConfigError, match="kommentar"):
            rounds.return_list(s, actor=NAT, name=2027, lan="20", comment="  ")
        with pytest.raises(PermissionDeniedError):
            rounds.approve(s, actor=F20, name=2027, lan="20")
    with unit_of_work(eng) as s:
        st = rounds.return_list(s, actor=NAT, name=2027, lan="20", comment="Rätta adressen för Sopranen")
    assert st.status == "returnerad" and st.comment == "Rätta adressen för Sopranen"
    with unit_of_work(eng) as s:
        rounds.ensure_may_edit(s, actor=H20, name=2027, lan="20")  # editable again
        rounds.submit(s, actor=F20, name=2027, lan="20")
    with unit_of_work(eng) as s:
        rounds.approve(s, actor=NAT, name=2027, lan="20")
    assert _published(reg) == []  # approved is not yet public
    with unit_of_work(eng) as s:
        with pytest.raises(PermissionDeniedError):
            rounds.publish(s, actor=F20, name=2027)
        assert rounds.publish(s, actor=NAT, name=2027) == ["20"]
    pub = _published(reg, lan="20")
    assert len(pub) == n_units and {r["round"] for r in pub} == {2027}
    with unit_of_work(eng) as s:
        steps = [(e["lan_code"], e["action"], e["user"]) for e in round_store.events(s, year=2027)]
    assert steps == [
        (None, "oppnad", NAT.name), ("20", "skicka_in", F20.name), ("20", "returnera", NAT.name),
        ("20", "skicka_in", F20.name), ("20", "godkann", NAT.name), (None, "publicerad", NAT.name),
    ]
    with unit_of_work(eng) as s, pytest.raises(ConflictError, match="publicerad"):
        rounds.ensure_may_edit(s, actor=H20, name=2027, lan="20")


def test_published_picture_is_a_snapshot_not_the_draft(reg):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
        rounds.submit(s, actor=F20, name=2027, lan="20")
        rounds.approve(s, actor=NAT, name=2027, lan="20")
        rounds.publish(s, actor=NAT, name=2027)
        rounds.open_round(s, actor=NAT, name=2028, deadline=dt.date(2028, 10, 31))
    before = {r["id"]: r["name"] for r in _published(reg)}
    uid = next(iter(before))
    unit = reg.get_unit(uid)
    reg.update_unit(uid, {"name": "Utkastets nya namn"}, expected_version=unit["version"], user="h20")
    assert {r["id"]: r["name"] for r in _published(reg)} == before  # the draft stays private
    with unit_of_work(eng) as s:
        rounds.submit(s, actor=F20, name=2028, lan="20")
        rounds.approve(s, actor=NAT, name=2028, lan="20")
        rounds.publish(s, actor=NAT, name=2028)
    assert {r["id"]: r["name"] for r in _published(reg)}[uid] == "Utkastets nya namn"


def test_overview_shows_each_actor_what_it_may_see(reg):
    with unit_of_work(reg.engine) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
        rounds.submit(s, actor=F20, name=2027, lan="20")
        nat = rounds.overview(s, actor=NAT, name=2027)
        assert len(nat.regions) == 21
        assert {r.lan_code: r.label for r in nat.regions}["20"] == "inskickad"
        assert [r.lan_code for r in rounds.overview(s, actor=F18, name=2027).regions] == ["18"]
        assert rounds.overview(s, actor=ANONYMOUS, name=2027).regions == []


def test_round_rules(reg):
    with unit_of_work(reg.engine) as s:
        with pytest.raises(PermissionDeniedError):
            rounds.open_round(s, actor=F20, name=2027, deadline=dt.date(2027, 10, 31))
        with pytest.raises(ConfigError, match="årtal"):
            rounds.open_round(s, actor=NAT, name="hösten", deadline=dt.date(2027, 10, 31))
        with pytest.raises(NotFoundError, match="2030 finns inte"):
            rounds.submit(s, actor=F20, name=2030, lan="20")
        rounds.open_round(s, actor=NAT, name=2027, deadline=dt.date(2027, 10, 31))
        with pytest.raises(ConflictError, match="fortfarande öppen"):
            rounds.open_round(s, actor=NAT, name=2028, deadline=dt.date(2028, 10, 31))
        with pytest.raises(ConflictError, match="ingen region är godkänd"):
            rounds.publish(s, actor=NAT, name=2027)
        # the one reading of a län (geography.codes.lan_code) refuses with a CodeError: 400 / exit 1 as before
        with pytest.raises(CodeError, match="21 län"):
            rounds.submit(s, actor=F20, name=2027, lan="99")
        assert s.execute(text("SELECT count(*) FROM register_round_events")).scalar() == 1
