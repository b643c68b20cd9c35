"""Regression tests from the review of the atlas (issue 4)."""

from __future__ import annotations

import doctest
import importlib

import pandas as pd
import pytest

from fcatlas.analysis import coverage as covmod
from fcatlas.analysis import questions
from fcatlas.analysis import reference as ref
from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from fcatlas.analysis.similar import feature_table

CATS = ["familjecentral", "familjecentralsliknande"]


def _run(inst, units=None, kommuner=None, **kw):
    return compute_atlas(inst.areas, inst.units if units is None else units, inst.deso_key,
                         inst.kommuner if kommuner is None else kommuner, inst.lan, AtlasParams(year=2023, **kw),
                         kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)


@pytest.fixture(scope="module")
def result(small):
    return _run(small)


@pytest.mark.parametrize("name", ["linking", "coverage", "gaps", "similar", "questions", "atlas", "reference"])
def test_issue4_doctests_of_analysis_run(name):
    """The examples in the docstrings were never executed by the test suite."""
    mod = importlib.import_module(f"fcatlas.analysis.{name}")
    res = doctest.testmod(mod, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.failed == 0
    if name in ("linking", "coverage", "gaps", "similar"):
        assert res.attempted > 0


def test_issue4_kommun_point_locates_no_area_and_no_centre(small):
    """A unit the register placed "somewhere in the kommun" (precision kommun) counts for its
    kommun but is never inside a RegSO nor anyone's nearest centre."""
    units = small.units.copy()
    units["status"] = "i_drift"
    units["category"] = "familjecentral"
    units["precision"] = "exakt"
    vague = units.index[:8]
    units.loc[vague, "precision"] = "kommun"
    res = _run(small, units=units)
    u = res.units_all.set_index("id")
    ids = units.loc[vague, "id"]
    assert u.loc[ids, "regso_code"].isna().all()
    assert (u.loc[ids, "link_level"] == "kommun").all()
    assert not u.loc[ids, "located"].any()
    assert u.loc[ids, "kommun_code"].tolist() == units.loc[vague, "kommun_code"].tolist()
    assert not set(res.areas_all["nearest_centre_id"].dropna()) & set(ids)
    assert set(units.loc[vague, "kommun_code"]) <= set(res.summary["kommuner_with_centre"])
    # the plain-Python reference agrees, area by area
    deso_polys = dict(zip(small.deso_geom["deso_code"], small.deso_geom.geometry, strict=True))
    d2r = dict(zip(small.deso_key["deso_code"], small.deso_key["regso_code"], strict=True))
    regso_polys = ref.regso_polygons(deso_polys, d2r)
    kommun_polys = dict(zip(small.kommun_geom["kommun_code"], small.kommun_geom.geometry, strict=True))
    linked = ref.link(units.to_dict("records"), regso_polys, kommun_polys)
    cov = ref.area_coverage(small.areas.to_dict("records"), regso_polys, linked, d2r, CATS,
                            {"C": 2.0, "B": 5.0, "A": 10.0})
    a = res.areas_all.set_index("regso_code")
    for code, c in cov.items():
        assert a.at[code, "nearest_centre_id"] == c["nearest_id"]
        assert a.at[code, "n_centres_inside"] == c["inside"]
        assert bool(a.at[code, "covered"]) is c["covered"]


def test_issue4_units_by_level_category_status(small, result):
    """Question 1 per län and per kommun: every category on every row, counts by hand."""
    t = result.units_by_level
    n_k, n_l = len(small.kommuner), len(small.lan)
    assert len(t) == 3 * (1 + n_l + n_k)
    for level in ("total", "lan", "kommun"):
        assert t.loc[t["level"] == level, "total"].sum() == len(small.units)
    k = small.kommuner["kommun_code"].iloc[2]
    row = t.loc[(t["level"] == "kommun") & (t["code"] == k) & (t["category"] == "familjecentral")].iloc[0]
    u = result.units_all
    by_hand = sum(1 for r in u.itertuples() if r.kommun_code == k and r.category == "familjecentral"
                  and r.status == "i_drift")
    assert row["i_drift"] == by_hand
    assert row["lan_code"] == k[:2] and row["name"] == f"Kommun {k}"


def test_issue4_kommun_and_lan_tables_agree_with_coverage_by(result):
    """One aggregation of children by coverage serves the kommun/län tables and the coverage tables."""
    for table, key in ((result.kommuner, "kommun_code"), (result.lan, "lan_code")):
        c = covmod.coverage_by(result.areas, key).set_index(key)
        t = table.set_index(key)
        for col in ("children_0_6", "children_0_6_covered", "children_0_6_known", "coverage_share"):
            assert t[col].tolist() == c.loc[t.index, col].tolist(), (key, col)
        exc = result.areas.loc[result.areas["exclusion"]]
        by_hand = exc.loc[covmod.is_false(exc["covered"])].groupby(key)["children_0_6"].sum()
        assert t["children_0_6_exclusion_not_covered"].to_dict() == {
            k: int(by_hand.get(k, 0)) for k in t.index}
    s = result.summary
    assert s["children_0_6_in_exclusion_areas"] == result.kommuner["children_0_6_exclusion"].sum()
    assert s["children_0_6_in_exclusion_areas_not_covered"] == result.lan["children_0_6_exclusion_not_covered"].sum()


def test_issue4_scope_totals_without_areas_or_exclusion(result):
    empty = questions.scope_totals(result.areas.iloc[0:0])
    assert int(empty["children_0_6"]) == 0 and int(empty["children_0_6_exclusion"]) == 0
    none_excl = result.areas.assign(exclusion=False)
    t = questions.scope_totals(none_excl)
    assert int(t["children_0_6_exclusion"]) == 0 and int(t["n_exclusion_areas"]) == 0
    assert int(t["children_0_6"]) == int(result.areas["children_0_6"].sum())


def test_issue4_missing_kommun_is_unknown_not_without_centre(small):
    """An area whose kommun is missing from the kommun table: centre presence unknown, not False."""
    gone = small.kommuner["kommun_code"].iloc[0]
    res = _run(small, kommuner=small.kommuner.loc[small.kommuner["kommun_code"] != gone])
    a = res.areas_all
    assert a.loc[a["kommun_code"] == gone, "kommun_has_centre"].isna().all()
    assert a.loc[a["kommun_code"] != gone, "kommun_has_centre"].notna().all()
    assert gone not in res.summary["kommuner_without_centre"]
    # with the area's boundary gone too, the similarity feature is unknown (the mean), not 0
    f = feature_table(a.assign(covered=pd.array([pd.NA] * len(a), dtype="boolean")))
    assert f.loc[a.loc[a["kommun_code"] == gone, "regso_code"], "centre"].isna().all()
