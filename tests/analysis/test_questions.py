"""The four questions (fcatlas.analysis.questions): units by level, kommun and län tables, totals."""

from __future__ import annotations

import pandas as pd
import pytest

from fcatlas.analysis import coverage as covmod
from fcatlas.analysis import questions
from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from fcatlas.analysis.similar import feature_table


def _run(inst, units=None, kommuner=None, **kw):
    return compute_atlas(inst.areas, inst.units if units is None else units, inst.deso_key,
                         inst.kommuner if kommuner is None else kommuner, inst.lan, AtlasParams(year=2023, **kw),
                         kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)


@pytest.fixture(scope="module")
def result(small):
    return _run(small)


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
