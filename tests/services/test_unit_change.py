"""Changing a unit: what is written, and how little (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor, Level
from fcatlas.errors import ConflictError, StaleVersionError
from fcatlas.register.models import AuditEntry, Unit
from fcatlas.register.store import Register
from fcatlas.services import units

H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)


def _audits(reg: Register, unit_id: str) -> int:
    with Session(reg.engine) as s:
        return int(s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.unit_id == unit_id)) or 0)


def test_a_change_is_the_read_and_one_write_with_its_audit_entry(reg):
    unit = reg.get_unit(reg.list_units(lan="20").iloc[0]["id"])
    before = _audits(reg, unit["id"])
    sql: list[str] = []
    listen = lambda *a: sql.append(a[2].split()[0].upper())  # noqa: E731 - the statement's first word
    event.listen(reg.engine, "before_cursor_execute", listen)
    try:
        with Session(reg.engine) as s:  # as the web's request session
            new = units.update_unit(s, actor=H20, unit_id=unit["id"], changes={"locality": "Ny ort"},
                                    expected_version=int(unit["version"]))
    finally:
        event.remove(reg.engine, "before_cursor_execute", listen)
    assert new["version"] == int(unit["version"]) + 1 and new["locality"] == "Ny ort"
    assert _audits(reg, unit["id"]) == before + 1
    if reg.engine.dialect.name == "postgresql":
        # two round trips in autocommit: the read, then the UPDATE and its audit entry in one WITH
        assert sql == ["SELECT", "WITH"]
    else:
        assert sql == ["SELECT", "INSERT", "UPDATE"]


def test_issue24_in_an_open_round_a_change_is_still_two_statements_on_postgresql(reg):
    """The list's open-check and its shared lock against a submission are part of the change's
    statement once the region has done something in the round (its first change creates the
    region's row in its own transaction)."""
    import datetime as dt

    from fcatlas.db import unit_of_work
    from fcatlas.services import rounds

    with unit_of_work(reg.engine) as s:
        rounds.open_round(s, actor=Actor.national("n@socialstyrelsen.se"), name=2027,
                          deadline=dt.date.today() + dt.timedelta(days=30))
    first, second = (reg.get_unit(i) for i in reg.list_units(lan="20")["id"].iloc[:2])
    with Session(reg.engine) as s:
        units.update_unit(s, actor=H20, unit_id=first["id"], changes={"note": "först"},
                          expected_version=int(first["version"]))
    sql: list[str] = []
    listen = lambda *a: sql.append(a[2].split()[0].upper())  # noqa: E731 - the statement's first word
    event.listen(reg.engine, "before_cursor_execute", listen)
    try:
        with Session(reg.engine) as s:
            new = units.update_unit(s, actor=H20, unit_id=second["id"], changes={"locality": "Ny ort"},
                                    expected_version=int(second["version"]))
    finally:
        event.remove(reg.engine, "before_cursor_execute", listen)
    assert new["locality"] == "Ny ort" and new["version"] == int(second["version"]) + 1
    if reg.engine.dialect.name == "postgresql":
        assert sql == ["SELECT", "WITH"]
    else:  # SQLite: the list locked open in the change's transaction
        assert sql[0] == "SELECT" and sql[-2:] == ["INSERT", "UPDATE"]
    with Session(reg.engine) as s:
        rounds.submit(s, actor=Actor.region_user("f20@regiondalarna.se", lan_code="20", level=Level.FORETRADARE),
                      name=2027, lan="20")
        s.commit()
    with Session(reg.engine) as s, pytest.raises(ConflictError) as refused:
        units.update_unit(s, actor=H20, unit_id=second["id"], changes={"locality": "Sen"},
                          expected_version=int(new["version"]))
    assert not isinstance(refused.value, StaleVersionError)  # 409: the list is submitted, not a stale version
    assert reg.get_unit(second["id"])["locality"] == "Ny ort"


def test_an_update_that_loses_the_race_writes_no_audit_entry(reg):
    unit = reg.get_unit(reg.list_units(lan="20").iloc[0]["id"])
    v = int(unit["version"])
    reg.update_unit(unit["id"], {"locality": "Först"}, v, "annan@regiondalarna.se")
    before = _audits(reg, unit["id"])
    with Session(reg.engine) as s, pytest.raises(ConflictError):
        # what a change that read version v just before the other one was saved then does
        stale = dict(s.execute(select(Unit.__table__).where(Unit.id == unit["id"])).one()._mapping) | {"version": v}
        Register(s).update_unit(unit["id"], {"locality": "Sen"}, v, "h20@regiondalarna.se", current=stale)
    assert _audits(reg, unit["id"]) == before
    assert reg.get_unit(unit["id"])["locality"] == "Först"
    with Session(reg.engine) as s, pytest.raises(StaleVersionError) as err:
        units.update_unit(s, actor=H20, unit_id=unit["id"], changes={"locality": "Sen"}, expected_version=v)
    assert "annan@regiondalarna.se" in str(err.value) and f"version {v + 1}" in str(err.value)


def test_issue24_a_stale_version_is_refused_after_one_statement_naming_who_saved(reg):
    """A 412 found when the unit is read (someone saved since the client read it) costs the read
    only: who saved last and when are read with the unit (index on the unit's audit entries)."""
    unit = reg.get_unit(reg.list_units(lan="20").iloc[0]["id"])
    v = int(unit["version"])
    for i in range(3):
        reg.update_unit(unit["id"], {"note": f"ändring {i}"}, v + i, f"annan{i}@regiondalarna.se")
    sql: list[str] = []
    listen = lambda *a: sql.append(a[2].split()[0].upper())  # noqa: E731 - the statement's first word
    event.listen(reg.engine, "before_cursor_execute", listen)
    try:
        with Session(reg.engine) as s, pytest.raises(StaleVersionError) as err:
            units.update_unit(s, actor=H20, unit_id=unit["id"], changes={"note": "sen"}, expected_version=v)
    finally:
        event.remove(reg.engine, "before_cursor_execute", listen)
    assert sql == ["SELECT"]
    assert err.value.current_version == v + 3
    assert "senast sparad av annan2@regiondalarna.se" in str(err.value) and f"version {v + 3}" in str(err.value)
    assert reg.get_unit(unit["id"])["note"] == "ändring 2"
