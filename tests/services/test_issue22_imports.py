"""Issue 22 (2): an import tells before it changes — the preview names every unit it closes and
every field it changes from what to what; ``hela listan`` vs ``bara enheterna i filen``; an empty
cell never erases what was entered on the web unless asked to; the receipt counts."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor, Level
from fcatlas.db import unit_of_work
from fcatlas.fmt import today
from fcatlas.services import imports, rounds, units

NAT = Actor.national("n@socialstyrelsen.se")
H20 = Actor.region_user("h20@regiondalarna.se", lan_code="20", level=Level.HANDLAGGARE)


def _file(shared_data, drop: str | None = None) -> bytes:
    lines = (shared_data / "familjecentraler" / "dalarna_2026.csv").read_text(encoding="utf-8-sig").splitlines()
    return ("\n".join(line for line in lines if not (drop and line.startswith(drop))) + "\n").encode()


def test_issue22_preview_names_closures_changes_and_keeps_web_values(reg, shared_data):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=today() + dt.timedelta(days=30))
    britsarvet = next(u for _, u in reg.list_units(lan="20").iterrows() if u["name"] == "Familjecentral Britsarvet")
    with Session(eng) as s:  # entered on the web: an address and a town the file does not have
        units.update_unit(s, actor=H20, unit_id=britsarvet["id"], expected_version=int(reg.get_unit(britsarvet["id"])["version"]),
                          changes={"address": "Britsarvsvägen 1", "locality": "Falun"})
    missing = "Familjecentralen Sopranen"
    content = _file(shared_data, drop=missing).replace(b"Familjecentral Elsborg;Falun;2080;ja;ja;ja;ja;ja;i drift",
                                                      b"Familjecentral Elsborg;Falun;2080;ja;ja;ja;ja;ja;planerad")
    with unit_of_work(eng) as s:
        p = imports.preview(s, actor=H20, name=2027, lan="20", file_name="dalarna.csv", content=content)
    assert [c["name"] for c in p.closed] == [missing]  # named, before anything is stored
    elsborg = next(c for c in p.changed if c.name == "Familjecentral Elsborg")
    assert [(f.field, f.before, f.after) for f in elsborg.changes] == [("status", "i_drift", "planerad")]
    kept = next(c for c in p.changed if c.name == "Familjecentral Britsarvet")
    assert not kept.changes and {f.field for f in kept.kept} == {"address", "locality"}
    assert p.n_changed == 1 and p.new == [] and not p.partial
    assert reg.get_unit(elsborg.unit_id)["status"] == "i_drift"  # nothing stored yet

    with unit_of_work(eng) as s:  # bara enheterna i filen: nothing closed, the missing one named as left open
        p2 = imports.show_preview(s, actor=H20, import_id=p.id, partial=True)
    assert p2.partial and p2.closed == [] and [c["name"] for c in p2.left_open] == [missing]
    with unit_of_work(eng) as s:
        p3 = imports.show_preview(s, actor=H20, import_id=p.id, partial=False)
    assert [c["name"] for c in p3.closed] == [missing]
    with unit_of_work(eng) as s:
        c = imports.confirm(s, actor=H20, import_id=p.id)
    assert (c.new, c.changed, c.closed) == (0, 1, 1) and c.unchanged == c.accepted - 1
    assert c.round == 2027 and c.lan_code == "20" and c.user == H20.name and c.at is not None
    stored = reg.get_unit(britsarvet["id"])
    assert (stored["address"], stored["locality"]) == ("Britsarvsvägen 1", "Falun")  # kept

    # asked to: empty cells empty the fields
    with unit_of_work(eng) as s:
        p4 = imports.preview(s, actor=H20, name=2027, lan="20", file_name="dalarna.csv", content=content,
                             erase_blanks=True)
    brits = next(c for c in p4.changed if c.name == "Familjecentral Britsarvet")
    assert {(f.field, f.before, f.after) for f in brits.changes} >= {("address", "Britsarvsvägen 1", None)}
    with unit_of_work(eng) as s:
        imports.confirm(s, actor=H20, import_id=p4.id)
    assert reg.get_unit(britsarvet["id"])["address"] is None


def test_issue22_web_coordinates_survive_a_file_without_them(reg, shared_data):
    eng = reg.engine
    with unit_of_work(eng) as s:
        rounds.open_round(s, actor=NAT, name=2027, deadline=today() + dt.timedelta(days=30))
    u = next(u for _, u in reg.list_units(lan="20").iterrows() if u["name"] == "Familjecentral Britsarvet")
    with Session(eng) as s:
        units.update_unit(s, actor=H20, unit_id=u["id"], expected_version=int(reg.get_unit(u["id"])["version"]),
                          changes={"lat": "60,6180", "lon": "15,6250"})
    text = "Namn;Kommunkod;MVC;BVC;Öppen förskola;Socialtjänst;Samlokaliserad;Status\n" \
           "Familjecentral Britsarvet;2080;ja;ja;ja;ja;ja;i drift\n"
    with unit_of_work(eng) as s:
        p = imports.preview(s, actor=H20, name=2027, lan="20", file_name="del.csv", content=text.encode(),
                            partial=True)
    change = next(c for c in p.changed if c.unit_id == u["id"])
    assert "lat" in {f.field for f in change.kept} and "lat" not in {f.field for f in change.changes}
