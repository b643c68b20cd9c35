"""Issue 22 (3): add one unit, and edit every field an import sets, through the import's rules."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.errors import PermissionDeniedError
from fcatlas.fmt import today
from fcatlas.services import rounds, units

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)
H18 = Actor.region_user("h18@regionorebrolan.se", lan_code="18", level=Level.HANDLAGGARE)
NEW = {"name": "Familjecentralen Smedjebacken", "kommun_code": "2061", "category": "familjecentral",
       "mvc": "ja", "bvc": "ja", "of": "ja", "soc": "ja", "co_located": "ja", "status": "planerad",
       "status_date": "2027-08", "lat": "60,1403", "lon": "15,4125", "address": "Köpmansgatan 8"}


def test_issue22_add_a_unit_through_the_import_rules(reg):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=today() + dt.timedelta(days=30))
    with unit_of_work(eng) as s:
        with pytest.raises(units.InvalidChangeError) as exc:
            units.add_unit(s, actor=H20, lan="20", values={**NEW, "address": "x" * 201})
        assert exc.value.field == "address" and "201 tecken" in str(exc.value)
        with pytest.raises(units.InvalidChangeError) as exc:
            units.add_unit(s, actor=H20, lan="20", values={**NEW, "lat": "59,2", "lon": "18,0"})
        assert exc.value.field == "lat"
        with pytest.raises(units.InvalidChangeError) as exc:
            units.add_unit(s, actor=H20, lan="20", values={**NEW, "kommun_code": "1880", "lat": "59,2920", "lon": "15,1560"})
        assert exc.value.field == "kommun_code"
        with pytest.raises(PermissionDeniedError):
            units.add_unit(s, actor=H18, lan="20", values=NEW)
    with unit_of_work(eng) as s:
        new = units.add_unit(s, actor=H20, lan="20", values=NEW)
    stored = reg.get_unit(new.unit_id)
    assert (stored["status"], stored["status_date"], stored["precision"]) == ("planerad", "2027-08", "exakt")
    assert stored["category"] == "familjecentral" and stored["address"] == "Köpmansgatan 8"
    with unit_of_work(eng) as s:
        assert units.unit_history(s, actor=H20, unit_id=new.unit_id)[0].action == "ny (import)"
        with pytest.raises(units.InvalidChangeError, match="finns redan"):
            units.add_unit(s, actor=H20, lan="20", values=NEW)


def test_issue22_edit_every_field_an_import_sets(reg):
    eng = reg.engine
    u = next(u for _, u in reg.list_units(lan="20").iterrows() if u["name"] == "Familjecentral Britsarvet")
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=today() + dt.timedelta(days=30))
    version = int(reg.get_unit(u["id"])["version"])
    with Session(eng) as s:
        new = units.update_unit(s, actor=H20, unit_id=u["id"], expected_version=version, changes={
            "soc": "nej", "status": "nedlagd", "status_date": "2027-06-30", "lat": "60,6180", "lon": "15,6250",
            "precision": "postnummer"})
    assert new["category"] == "familjecentralsliknande" and new["soc"] is False
    assert (new["status"], new["status_date"], new["precision"]) == ("nedlagd", "2027-06-30", "postnummer")
    with Session(eng) as s, pytest.raises(units.InvalidChangeError) as exc:
        units.update_unit(s, actor=H20, unit_id=u["id"], expected_version=new["version"],
                          changes={"precision": "ungefär"})
    assert exc.value.field == "precision"
