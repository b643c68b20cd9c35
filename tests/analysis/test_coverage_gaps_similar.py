from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fcatlas.analysis import reference as ref
from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from fcatlas.analysis.coverage import coverage_by, nearest, parse_reach
from fcatlas.analysis.gaps import gaps
from fcatlas.analysis.linking import link_units, urbanity
from fcatlas.analysis.similar import FEATURES, feature_table, parse_weights, similar_areas
from fcatlas.errors import CodeError, ConfigError


@pytest.fixture(scope="module")
def result(small):
    return compute_atlas(small.areas, small.units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                         kommun_geom=small.kommun_geom, regso_geom=small.regso_geom, deso_geom=small.deso_geom)


def test_parse_reach():
    assert parse_reach(None) == {"C": 2.0, "B": 5.0, "A": 10.0}
    assert parse_reach("3") == {"C": 3.0, "B": 3.0, "A": 3.0}
    assert parse_reach("a=7") == {"C": 2.0, "B": 5.0, "A": 7.0}
    for bad in ("X=1", "C=abc", "C=-1"):
        with pytest.raises(ConfigError):
            parse_reach(bad)


def test_nearest_brute_force():
    rng = np.random.default_rng(3)
    ax, ay = rng.uniform(0, 1e5, 200), rng.uniform(0, 1e5, 200)
    ax[5] = np.nan
    cx, cy = rng.uniform(0, 1e5, 30), rng.uniform(0, 1e5, 30)
    ids, km = nearest(ax, ay, cx, cy, np.array([f"c{i}" for i in range(30)]))
    for i in range(200):
        if i == 5:
            assert ids[i] is None and np.isnan(km[i])
            continue
        d = [math.hypot(ax[i] - cx[j], ay[i] - cy[j]) for j in range(30)]
        assert ids[i] == f"c{int(np.argmin(d))}"
        assert math.isclose(km[i], min(d) / 1000, rel_tol=1e-12)


def test_urbanity_majority_and_ties():
    key = pd.DataFrame({"deso_code": ["0101A0001", "0101C0002", "0101A0003", "0101B0004", "0101C0005"],
                        "regso_code": ["0101R001", "0101R001", "0101R001", "0101R002", "0101R002"]})
    u = urbanity(pd.Series(["0101R001", "0101R002", "0101R999"]), key)
    assert u.tolist()[:2] == ["A", "C"]
    assert pd.isna(u.iloc[2])
    d2r = dict(zip(key["deso_code"], key["regso_code"], strict=True))
    assert ref.urbanity_class("0101R001", d2r) == "A"
    assert ref.urbanity_class("0101R002", d2r) == "C"


def test_kommun_mismatch_is_flagged(small):
    u = small.units.head(3).copy()
    u["kommun_code"] = "9999"
    linked = link_units(u, small.deso_key, small.kommun_geom, small.regso_geom, small.deso_geom)
    assert linked["kommun_mismatch"].all()
    assert (linked["kommun_code"] == linked["regso_code"].str[:4]).all()
    assert (linked["kommun_code_register"] == "9999").all()


def test_coverage_by_groups(result):
    c = coverage_by(result.areas_all, "omradestyp")
    assert c["children_0_6"].sum() == result.areas_all["children_0_6"].sum()
    for r in c.itertuples():
        sub = result.areas_all.loc[result.areas_all["omradestyp"] == r.omradestyp]
        cov = int(sub.loc[sub["covered"].fillna(False).astype(bool), "children_0_6"].sum())
        assert r.children_0_6_covered == cov
        assert math.isclose(float(r.coverage_share), cov / int(sub["children_0_6"].sum()), abs_tol=1e-4)


def test_coverage_share_unknown_when_no_geometry():
    a = pd.DataFrame({"k": ["x", "x", "y"], "children_0_6": [10, 5, 7],
                      "covered": pd.array([True, pd.NA, pd.NA], dtype="boolean")})
    c = coverage_by(a, "k").set_index("k")
    assert c.at["x", "coverage_share"] == 1.0
    assert c.at["x", "children_0_6_unknown"] == 5
    assert pd.isna(c.at["y", "coverage_share"])


def test_gaps_ranked(result):
    g = gaps(result.areas_all)
    a = result.areas_all
    expected = a.loc[a["exclusion"] & a["covered"].eq(False).fillna(False).astype(bool)]
    assert set(g["regso_code"]) == set(expected["regso_code"])
    ch = g["children_0_6"].astype(int).tolist()
    assert ch == sorted(ch, reverse=True)
    assert g["rank"].tolist() == list(range(1, len(g) + 1))
    assert len(g) > 0


def test_similar_matches_reference_and_explains(result):
    areas = result.areas_all
    target = areas["regso_code"].iloc[7]
    w = {"children_0_6": 2.0, "omradestyp": 1.0, "exclusion": 0.5, "centre": 1.0, "urbanity": 0.0}
    res = similar_areas(areas, target, k=8, weights=w)
    assert len(res) == 8 and target not in set(res["regso_code"])
    raw = feature_table(areas)
    rows = [{"regso_code": c, **{f: raw.at[c, f] for f in FEATURES}} for c in raw.index]
    dist = ref.similar_distances(rows, target, list(FEATURES), w)
    expected = sorted((d, c) for c, d in dist.items() if c != target)[:8]
    assert res["regso_code"].tolist() == [c for _, c in expected]
    for r, (d, _) in zip(res.itertuples(), expected, strict=True):
        assert math.isclose(r.distance, d, abs_tol=1e-3)
        parts = sum(getattr(r, f"d_{f}") ** 2 for f in FEATURES)
        assert math.isclose(math.sqrt(parts), r.distance, abs_tol=1e-3)
    assert (res["d_urbanity"] == 0).all()  # weight 0 → no contribution


def test_similar_filters_and_errors(result):
    areas = result.areas_all
    target = areas["regso_code"].iloc[0]
    lan = areas["lan_code"].iloc[-1]
    res = similar_areas(areas, target, k=5, within_lan=lan)
    assert set(res["lan_code"]) == {lan}
    with pytest.raises(CodeError):
        similar_areas(areas, "9999R999")
    with pytest.raises(ConfigError):
        parse_weights("foo=1")
    with pytest.raises(ConfigError):
        parse_weights("children_0_6=-1")
    with pytest.raises(ConfigError):
        parse_weights({f: 0 for f in FEATURES})


def _no_boundaries(small, units):
    """As with the shared files outside Dalarna: no RegSO/DeSO boundary at all."""
    empty_r = small.regso_geom.iloc[0:0]
    empty_d = small.deso_geom.iloc[0:0]
    return compute_atlas(small.areas, units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                         kommun_geom=small.kommun_geom, regso_geom=empty_r, deso_geom=empty_d)


def test_issue8_without_boundaries_the_kommun_answers(small):
    """Outside Dalarna every exclusion area was 'okänd', Luckor empty and 'inom räckhåll 0'."""
    lan0, lan1 = small.lan["lan_code"].tolist()
    k0 = small.kommuner.loc[small.kommuner["lan_code"] == lan0, "kommun_code"].tolist()
    units = small.units.loc[small.units["kommun_code"].isin(k0[:2])].copy()  # lan1 has not reported
    units["status"], units["category"] = "i_drift", "familjecentral"
    units = pd.concat([units, units.head(1).assign(id="planned", kommun_code=k0[2], status="planerad")])
    res = _no_boundaries(small, units)
    a = res.areas_all
    exc = a["exclusion"].astype(bool)
    in_centre_kommun = a["kommun_code"].isin(k0[:2])
    no_centre = a["lan_code"].eq(lan0) & ~in_centre_kommun
    assert (a.loc[in_centre_kommun, "coverage_level"] == "okand").all() and a.loc[in_centre_kommun, "covered"].isna().all()
    assert (a.loc[no_centre, "coverage_level"] == "kommun").all()
    assert (a.loc[no_centre, "covered"] == False).all()  # noqa: E712
    assert (a.loc[a["lan_code"] == lan1, "coverage_level"] == "ingen_rapport").all()
    assert a.loc[a["lan_code"] == lan1, "covered"].isna().all()
    # the gaps are the exclusion areas of kommuner without a centre, and say so
    g = res.gaps
    assert set(g["regso_code"]) == set(a.loc[exc & no_centre, "regso_code"]) and len(g) > 0
    assert set(g["coverage_level"]) == {"kommun"}
    s = res.summary
    assert s["exclusion_areas_without_centre_kommun_level"] == sorted(g["regso_code"])
    assert s["children_0_6_in_exclusion_areas_not_covered"] == int(a.loc[exc & no_centre, "children_0_6"].sum()) > 0
    # "no report from the region" is kept apart from "reported none"
    assert not set(s["kommuner_without_centre"]) & set(small.kommuner.loc[small.kommuner["lan_code"] == lan1,
                                                                          "kommun_code"])
    assert set(s["kommuner_without_centre"]) == set(k0[2:]) and s["lan_no_report"] == [lan1]
    assert set(s["exclusion_areas_no_report"]) == set(a.loc[exc & (a["lan_code"] == lan1), "regso_code"])


def test_issue8_similar_uses_the_atlas_answer(small):
    """similar said 'familjecentral inom räckhåll 1' for an area the atlas calls unknown."""
    lan0 = small.lan["lan_code"].iloc[0]
    k0 = small.kommuner.loc[small.kommuner["lan_code"] == lan0, "kommun_code"].tolist()
    units = small.units.loc[small.units["kommun_code"].isin(k0[:2])].assign(status="i_drift",
                                                                           category="familjecentral")
    res = _no_boundaries(small, units)
    a = res.areas_all.set_index("regso_code")
    f = feature_table(res.areas_all)
    unknown = a.index[a["covered"].isna()]
    missing = a.index[a["covered"] == False]  # noqa: E712
    assert len(unknown) and len(missing)
    assert f.loc[unknown, "centre"].isna().all()  # unknown stays unknown, never "1"
    assert (f.loc[missing, "centre"] == 0).all()
    out = similar_areas(res.areas_all, unknown[0], k=3)
    assert out.attrs["target"]["centre"] is None and out.attrs["target"]["coverage_level"] == "okand"
    assert set(out["coverage_level"]) <= {"okand", "kommun", "ingen_rapport", "omrade"}
