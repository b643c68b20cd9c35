"""The one filtering rule of the public map, table and downloads (``services/selection.py``), on
the demo bundle with a published list of Dalarna."""

from __future__ import annotations

import datetime as dt

import pytest

from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.db import connect, unit_of_work
from fcatlas.services import rounds
from fcatlas.services import selection as sel


@pytest.fixture(scope="module")
def world(tmp_path_factory, demo_bundle):
    from browser.test_public_filters import publish_dalarna  # tests/ is on sys.path

    url = f"sqlite:///{tmp_path_factory.mktemp('urval') / 'r.sqlite'}"
    engine = connect(url)
    with unit_of_work(engine) as s:
        rounds.open_round(s, actor=Actor.national("n"), name=2027, deadline=dt.date(2027, 10, 31))
    engine.dispose()
    units = publish_dalarna(url, demo_bundle)
    engine = connect(url)
    yield engine, demo_bundle, units
    engine.dispose()


def _pick(world, **raw: str) -> sel.Selection:
    engine, bundle, _ = world
    f, problems = sel.parse_filter(raw, years=list(bundle.years))
    assert problems == []
    with unit_of_work(engine) as s:
        return sel.select(s, bundle, actor=ANONYMOUS, f=f)


def test_omradestyp_narrows_units_by_their_area_and_the_areas_alike(world):
    _, bundle, units = world
    for typ in range(1, 6):
        got = _pick(world, lan="20", omradestyp=str(typ))
        assert sorted(got.units["name"]) == sorted(n for n, u in units.items() if u["typ"] == typ)
        assert got.areas is not None and set(got.areas["omradestyp"]) <= {typ}
        assert set(got.units["regso_code"]) <= set(got.areas["regso_code"])  # each unit's area is shown
    by_year = bundle.omradestyp_by_year()
    old = _pick(world, lan="20", omradestyp="3", ar="2022")
    in_2022 = set(by_year.loc[(by_year["year"] == 2022) & (by_year["omradestyp"] == 3), "regso_code"])
    assert old.year == 2022 and set(old.areas["regso_code"]) == in_2022 & set(old.areas["regso_code"])
    assert {n for n, u in units.items() if u["regso"] in in_2022} == set(old.units["name"])


def test_free_text_matches_units_kommun_and_area_names(world):
    _, _, units = world
    one = _pick(world, lan="20", q="NUMMER 2")
    assert list(one.units["name"]) == ["Familjecentralen Nummer 2"]
    assert list(one.areas["regso_code"]) == [units["Familjecentralen Nummer 2"]["regso"]]
    area_name = _pick(world, lan="20").areas.set_index("regso_code").at[units["Familjecentralen Nummer 4"]["regso"], "name"]
    by_area = _pick(world, lan="20", q=area_name.lower())
    assert "Familjecentralen Nummer 4" in set(by_area.units["name"])
    assert _pick(world, kategori="annan_samverkan").areas is None  # no län: no areas
    assert len(_pick(world, lan="20", status="planerad").units) == 1


def test_invalid_values_are_named_and_left_out():
    f, problems = sel.parse_filter({"lan": "99", "kommun": "0180", "omradestyp": "7", "kategori": "x",
                                    "status": "y", "ar": "1999", "q": " Falun "}, years=[2022, 2023])
    assert f == sel.AtlasFilter(kommun="0180", q="Falun")
    assert [p.field for p in problems] == ["lan", "omradestyp", "kategori", "status", "ar"]
    f, problems = sel.parse_filter({"lan": "20", "kommun": "0180"}, years=[2023])
    assert f.kommun is None and "ligger inte i Dalarnas län" in problems[0].message


def test_areas_are_listed_in_swedish_order_with_numbers_by_value(world):
    """"Falun 2" before "Falun 10" (the demo's areas are numbered), kommun by kommun."""
    import re

    got = _pick(world, lan="20").areas
    assert got is not None
    names = list(zip(got["kommun_name"], got["name"], strict=True))
    numbered = [(k, int(m.group(1))) for k, n in names if (m := re.search(r"(\d+)$", str(n)))]
    assert len({n for _, n in numbered}) > 9  # two-digit numbers are there to be ordered
    for kommun in {k for k, _ in numbered}:
        in_order = [n for k, n in numbered if k == kommun]
        assert in_order == sorted(in_order), kommun
