"""A unit's history as the region's users and the national level see it (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.errors import NotFoundError
from fcatlas.services import units

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)
F18 = Actor.region_user("f18@regionorebrolan.se", lan_code="18", level=Level.FORETRADARE)


def test_history_lists_the_import_and_each_edit_newest_first_with_before_and_after(reg):
    unit = reg.get_unit(reg.list_units(lan="20").iloc[0]["id"])
    with Session(reg.engine) as s:  # as the web's request session: the service commits its change
        units.update_unit(s, actor=H20, unit_id=unit["id"], changes={"locality": "Ny ort"},
                          expected_version=int(unit["version"]))
    with unit_of_work(reg.engine) as s:
        history = units.unit_history(s, actor=H20, unit_id=unit["id"])
    assert [h.action for h in history] == ["ändrad", "ny (import)"]
    edit, created = history
    assert edit.user == "h20@regiondalarna.se" and created.user == "import@regiondalarna.se"
    assert edit.version == created.version + 1
    assert edit.changes == {"locality": (unit["locality"], "Ny ort")}
    with unit_of_work(reg.engine) as s:  # the national level sees the same history
        assert units.unit_history(s, actor=NAT, unit_id=unit["id"]) == history


def test_history_is_for_the_region_and_the_national_level_only(reg):
    unit_id = reg.list_units(lan="20").iloc[0]["id"]
    with unit_of_work(reg.engine) as s:
        for who in (F18, ANONYMOUS):  # an unpublished unit is not there for them (issue 21.11: 404, not 403)
            with pytest.raises(NotFoundError):
                units.unit_history(s, actor=who, unit_id=unit_id)
        with pytest.raises(NotFoundError):
            units.unit_history(s, actor=NAT, unit_id="finns-inte")


def test_fields_and_values_read_in_swedish():
    assert units.field_label("locality") == "Ort" and units.field_label("has_mvc") == "MVC"
    assert units.field_label("lan_code") == "Länskod"
    assert units.field_value("mvc", True) == "ja" and units.field_value("soc", False) == "nej"
    assert units.field_value("note", None) == "–" and units.field_value("lat", 60.75323708590662) == "60,75324"
    assert units.field_value("status", "i_drift") == "I drift"
    assert units.field_value("category", "familjecentral") == "Familjecentral"
