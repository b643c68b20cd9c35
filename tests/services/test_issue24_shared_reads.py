"""Issue 24: a logged-in page after a change of a draft reads its units once and keeps what depends
only on the atlas. The register's rows become a DataFrame in one step (the same columns, types,
order and missing values as before), the map's and the table's units of a län are taken from the
picture's one read, and what a filter selects is the same with the kept parts as computed anew."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor, Level
from fcatlas.db import connect, unit_of_work
from fcatlas.register.models import UNIT_FIELDS, Unit
from fcatlas.register.store import _BOOL_COLUMNS, COLUMNS, Register
from fcatlas.services import gaps, units
from fcatlas.services import selection as sel
from fcatlas.web.cache import Computed

from .test_issue24_draft_atlas import _published_then_draft

DALARNA = Actor.region_user("h20", lan_code="20", level=Level.HANDLAGGARE)
NATIONAL = Actor.national("nat")


def _rows(url: str) -> list[dict]:
    t = Unit.__table__
    with Session(connect(url)) as s:
        return [dict(r._mapping) for r in s.execute(
            select(t.c.id, t.c.last_round.label("round"), *[t.c[f] for f in UNIT_FIELDS], t.c.status_reason))]


def test_issue24_units_rows_become_the_registers_frame(sqlite_url, shared_data):
    with Register.open(sqlite_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
    rows = _rows(sqlite_url)
    odd = [dict(r) for r in reversed(rows)]
    odd[0].update(lat=None, has_mvc=None, kommun_code="9999", note=float("nan"))
    odd[1]["status_date"] = dt.date(2026, 1, 2)
    df = Register._frame(odd)
    assert list(df.columns) == COLUMNS
    want = {c: "boolean" for c in _BOOL_COLUMNS} | {"lat": "float64", "lon": "float64", "round": "int64"}
    assert {c: str(t) for c, t in df.dtypes.items()} == {c: want.get(c, "object") for c in COLUMNS}
    assert str(Register._frame([]).dtypes.to_dict()) == str(df.dtypes.to_dict())  # no rows: the same types
    # sorted by län, kommun, name and id, whatever the rows' order
    keys = list(zip(df["lan_code"], df["kommun_code"], df["name"], df["id"], strict=True))
    assert keys == sorted(keys) and len(df) == len(rows)
    odd_row = df.loc[df["id"] == odd[0]["id"]].iloc[0]
    assert odd_row["kommun_name"] is None and odd_row["note"] is None and pd.isna(odd_row["lat"])
    assert odd_row["mvc"] is pd.NA
    assert df.loc[df["id"] == odd[1]["id"], "status_date"].iloc[0] == dt.date(2026, 1, 2)
    vansbro = df.loc[df["kommun_code"] == "2021"].iloc[0]
    assert (vansbro["kommun_name"], vansbro["lan_name"]) == ("Vansbro", "Dalarnas län")
    text = [c for c in COLUMNS if want.get(c) is None]
    assert all(type(v) is str or v is None or c == "status_date" for c in text for v in df[c])


@pytest.mark.parametrize("actor", [ANONYMOUS, DALARNA, NATIONAL], ids=["allmänheten", "region", "nationell"])
def test_issue24_a_lans_units_from_the_pictures_one_read_are_the_ones_read_alone(actor, sqlite_url, shared_data):
    _published_then_draft(sqlite_url, shared_data)
    memo = Computed()
    with unit_of_work(connect(sqlite_url)) as s:
        for lan, limit, offset in ((None, 10**9, 0), ("20", 10**9, 0), ("20", 4, 3), ("18", 10, 0)):
            alone = units.visible_units(s, actor=actor, lan=lan, limit=limit, offset=offset)
            shared = units.visible_units(s, actor=actor, lan=lan, limit=limit, offset=offset, memo=memo)
            pd.testing.assert_frame_equal(shared.items, alone.items, check_exact=True)
            assert shared.total == alone.total
    assert sum(k[0] == "units" for k in memo._items) == 1  # one read for all of them


FILTERS = [sel.AtlasFilter(lan="20"), sel.AtlasFilter(kommun="2021"), sel.AtlasFilter(lan="20", exclusion=True),
           sel.AtlasFilter(lan="20", omradestyper=(3, 4), status="i_drift"), sel.AtlasFilter(lan="20", q="borl"),
           sel.AtlasFilter(lan="20", reach="saknas"), sel.AtlasFilter(q="falun"), sel.AtlasFilter()]


@pytest.fixture
def draft(sqlite_url, shared_data):
    """Dalarna's list published, then a draft in the open round: the engine and its first unit."""
    _published_then_draft(sqlite_url, shared_data)
    engine = connect(sqlite_url)
    with unit_of_work(engine) as s:
        return engine, units.visible_units(s, actor=DALARNA, lan="20").items.iloc[0]


def test_issue24_the_kept_parts_of_a_selection_give_what_is_computed_anew(draft, real_bundle):
    engine, first = draft
    memo = Computed()
    version = int(first["version"])

    def change(**changes):
        nonlocal version
        with Session(engine) as s:
            units.update_unit(s, actor=DALARNA, unit_id=first["id"], changes=changes, expected_version=version)
        version += 1

    def both(f):
        with unit_of_work(engine) as s:
            return (sel.select(s, real_bundle, actor=DALARNA, f=f, memo=memo),
                    sel.select(s, real_bundle, actor=DALARNA, f=f))

    def same(kept, anew):
        assert kept.rows == anew.rows
        pd.testing.assert_frame_equal(kept.units, anew.units, check_exact=True)
        if anew.areas is None:
            assert kept.areas is None
        else:
            pd.testing.assert_frame_equal(kept.areas, anew.areas, check_exact=True)
        assert kept.year == anew.year

    before = {f: both(f)[0] for f in FILTERS}
    change(note="Ny anteckning")
    for f in FILTERS:
        kept, anew = both(f)
        same(kept, anew)
        assert {r["note"] for r in kept.rows if r["id"] == first["id"]} <= {"Ny anteckning"}
        if f.q is None and f.lan_code is not None:  # the areas kept: a note changes no area
            assert kept.areas is before[f].areas
    assert "Ny anteckning" in set(both(FILTERS[0])[0].units["note"])
    change(status="nedlagd", lat=60.52, lon=14.25)  # moved and closed: the areas are computed again
    for f in FILTERS:
        same(*both(f))
    moved = both(FILTERS[0])[0]
    assert moved.units.set_index("id").loc[first["id"], "status"] == "nedlagd"
    assert moved.areas is not before[FILTERS[0]].areas


def test_issue24_the_four_answers_are_kept_while_only_a_note_changes(draft, real_bundle):
    engine, first = draft
    memo = Computed()
    with unit_of_work(engine) as s:
        kept = gaps.four_answers(s, real_bundle, actor=DALARNA, lan="20", memo=memo)
        assert kept == gaps.four_answers(s, real_bundle, actor=DALARNA, lan="20")
    with Session(engine) as s:
        units.update_unit(s, actor=DALARNA, unit_id=first["id"], changes={"status": "i_drift", "category":
                                                                           "familjecentral"},
                          expected_version=int(first["version"]))
    with unit_of_work(engine) as s:
        now = gaps.four_answers(s, real_bundle, actor=DALARNA, lan="20", memo=memo)
        assert now == gaps.four_answers(s, real_bundle, actor=DALARNA, lan="20")
    operating = first["status"] == "i_drift" and first["category"] == "familjecentral"
    assert now["centres"] == kept["centres"] + (0 if operating else 1)


@pytest.mark.parametrize("desc", [False, True], ids=["stigande", "fallande"])
def test_issue24_the_tables_rows_sort_as_the_dataframe_did(desc, sqlite_url, shared_data):
    from fcatlas.fmt import sort_key
    from fcatlas.web.pages.public import SORTABLE, sort_rows

    with Register.open(sqlite_url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", round=2026, user="import")
    with unit_of_work(connect(sqlite_url)) as s:
        rows, _ = units.visible_unit_rows(s, actor=NATIONAL, limit=10**9)
    rows = rows + [dict(rows[0], id="x-kopia"), dict(rows[1], name=rows[2]["name"], id="x-samma-namn")]  # ties
    df = pd.DataFrame(rows, dtype=object)
    for col in SORTABLE.values():
        want = df.sort_values([col, "name"], ascending=[not desc, True], key=lambda s: s.map(sort_key))
        assert [r["id"] for r in sort_rows(rows, col, desc=desc)] == list(want["id"]), col
    # a missing value last either way (pandas would have sorted it as the text "nan")
    gap = [*rows, dict(rows[1], kommun_name=None, id="x-utan-kommun")]
    assert sort_rows(gap, "kommun_name", desc=desc)[-1]["id"] == "x-utan-kommun"


def test_issue24_a_page_holds_one_data_version_for_all_its_parts(sqlite_url, shared_data, real_bundle):
    from sqlalchemy import event

    _published_then_draft(sqlite_url, shared_data)
    engine = connect(sqlite_url)
    memo = Computed()
    reads: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: reads.append(a[2]))
    with Session(engine) as page:
        units.hold_data_version(page)
        held = units.data_version(page)
        first = units.visible_units(page, actor=DALARNA, lan="20").items.iloc[0]
        with Session(engine) as other:  # a change committed while the page is made
            units.update_unit(other, actor=DALARNA, unit_id=first["id"], changes={"note": "Under tiden"},
                              expected_version=int(first["version"]))
        reads.clear()
        sel.select(page, real_bundle, actor=DALARNA, f=sel.AtlasFilter(lan="20"), memo=memo)
        assert units.data_version(page) == held
        assert not [q for q in reads if "max(register_round_events.id)" in q]  # every key of the page from the held version
    with Session(engine) as next_page:  # the next request sees the change
        assert units.data_version(next_page) != held
        units.hold_data_version(next_page)
        picked = sel.select(next_page, real_bundle, actor=DALARNA, f=sel.AtlasFilter(lan="20"), memo=memo)
        assert {r["note"] for r in picked.rows if r["id"] == first["id"]} == {"Under tiden"}


def test_issue24_the_gap_list_is_kept_while_only_a_note_changes(draft, real_bundle):
    engine, first = draft
    memo = Computed()
    req = gaps.GapRequest(lan="20", sort="barn")

    def listed(**changes):
        if changes:
            with Session(engine) as s:
                now = units.visible_units(s, actor=DALARNA, lan="20").items.set_index("id").loc[first["id"]]
                units.update_unit(s, actor=DALARNA, unit_id=first["id"], changes=changes,
                                  expected_version=int(now["version"]))
        with unit_of_work(engine) as s:
            kept = gaps.gap_list(s, real_bundle, actor=DALARNA, request=req, memo=memo)
            anew = gaps.gap_list(s, real_bundle, actor=DALARNA, request=req)
        pd.testing.assert_frame_equal(kept.items, anew.items)
        assert (kept.total, kept.atlas, kept.children_0_6) == (anew.total, anew.atlas, anew.children_0_6)
        return kept

    before = listed()
    assert listed(note="Ny anteckning") is before  # a note: the same list, not computed again
    assert listed(status="nedlagd") is not before  # a state: computed again (and equal to anew)
