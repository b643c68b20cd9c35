"""Siting (issue 14): optimal vs brute force and greedy, fixed sites, constraints, errors, and the
Dalarna agreement with the atlas's own coverage computation."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fcatlas.analysis import siting
from fcatlas.analysis.siting import (
    Constraints,
    SitingError,
    SitingProblem,
    TargetUnreachableError,
    brute_force,
    evaluate,
    gain_curve,
    maximal_covering,
    p_median,
    set_covering,
)


def line_problem(fixed=("s",)) -> SitingProblem:
    """Five demand points on a line, four candidates; radius 10."""
    return SitingProblem.from_points(
        demand_ids=["a", "b", "c", "d", "e"],
        demand_xy=np.array([[0.0, 0], [10, 0], [30, 0], [50, 0], [60, 0]]),
        weights=[5, 3, 4, 6, 2],
        candidate_ids=["s", "t", "u", "v"],
        candidate_xy=np.array([[0.0, 0], [20, 0], [40, 0], [55, 0]]),
        radius=10.0,
        fixed=list(fixed),
        groups=["k1", "k1", "k2", "k2"],
    )


def test_tiny_instance_known_optimum():
    prob = line_problem()
    # s (fixed) covers a, b (8); t covers b, c; u covers c, d; v covers d, e
    r1 = maximal_covering(prob, 1)
    assert r1.selected == ["u"] and r1.covered_weight == 18 and r1.fixed_weight == 8
    assert r1.status == "optimal" and r1.mip_gap == pytest.approx(0.0, abs=1e-6)
    r2 = maximal_covering(prob, 2)
    assert sorted(r2.selected) == ["u", "v"] or sorted(r2.selected) == ["t", "v"]
    assert r2.covered_weight == 20 == r2.total_weight and r2.share == 1.0
    assert r2.fixed == ["s"] and "s" not in r2.selected
    assert sum(r2.gains) == r2.covered_weight - r2.fixed_weight
    d = r2.to_dict()
    assert list(d) == ["selected", "fixed", "covered_weight", "total_weight", "share", "status", "mip_gap",
                       "seconds", "greedy"]
    assert set(d["greedy"]) >= {"selected", "covered_weight", "share"}


def test_fixed_sites_count_as_covering_but_not_in_p():
    without = maximal_covering(line_problem(fixed=()), 1)
    with_fixed = maximal_covering(line_problem(fixed=("s",)), 1)
    assert without.fixed == [] and with_fixed.fixed == ["s"]
    # without s the best single site is u or v (10 or 8 … u covers c, d = 10)
    assert without.covered_weight == 10
    assert with_fixed.covered_weight == 18


def test_constraints_per_group_excluded_min_distance():
    prob = line_problem(fixed=())
    assert maximal_covering(prob, 2).covered_weight == brute_force(prob, 2) == 18
    one_each = Constraints(max_per_group=1)
    r = maximal_covering(prob, 2, one_each)
    groups = dict(zip(prob.candidate_ids, prob.groups, strict=True))
    assert len({groups[s] for s in r.selected}) == len(r.selected)
    assert r.covered_weight == brute_force(prob, 2, one_each)
    ex = Constraints(excluded=frozenset({"u"}))
    r = maximal_covering(prob, 1, ex)
    assert "u" not in r.selected and r.covered_weight == brute_force(prob, 1, ex)
    far = Constraints(min_distance=25.0)
    r = maximal_covering(prob, 3, far)
    xy = dict(zip(prob.candidate_ids, map(tuple, prob.candidate_xy), strict=True))
    for a, b in itertools.combinations(r.selected, 2):
        assert np.hypot(*(np.subtract(xy[a], xy[b]))) >= 25.0
    assert r.covered_weight == brute_force(prob, 3, far)
    # a new site may not sit closer than the minimum distance to an existing one
    r = maximal_covering(line_problem(fixed=("t",)), 1, Constraints(min_distance=25.0))
    assert r.selected == ["v"]


@st.composite
def instances(draw):
    n = draw(st.integers(1, 12))
    m = draw(st.integers(1, 7))
    seed = draw(st.integers(0, 10_000))
    rng = np.random.default_rng(seed)
    clustered = draw(st.booleans())
    if clustered:
        centres = rng.uniform(0, 100, (2, 2))
        dxy = centres[rng.integers(0, 2, n)] + rng.normal(0, 8, (n, 2))
    else:
        dxy = rng.uniform(0, 100, (n, 2))
    cxy = rng.uniform(0, 100, (m, 2))
    w = rng.integers(0, 20, n).astype(float)
    fixed = rng.random(m) < 0.25
    radius = draw(st.sampled_from([10.0, 25.0, 40.0]))
    groups = rng.integers(0, 3, m).tolist()
    return SitingProblem.from_points([f"d{i}" for i in range(n)], dxy, w, [f"c{j}" for j in range(m)], cxy,
                                     radius, fixed=fixed, groups=groups)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([None, 1]), st.sampled_from([None, 20.0]))
def test_optimal_equals_brute_force_and_beats_greedy(prob, k, dmin):
    cons = Constraints(max_per_group=k, min_distance=dmin)
    n_free = int((~prob.fixed).sum())
    prev = prob.covered_weight(prob.fixed)
    for p in range(0, n_free + 1):
        r = maximal_covering(prob, p, cons)
        assert r.status == "optimal"
        assert r.covered_weight == pytest.approx(brute_force(prob, p, cons))
        assert r.greedy is not None and r.greedy.covered_weight <= r.covered_weight + 1e-9
        assert set(r.fixed) == set(prob.candidate_ids[prob.fixed]) and not set(r.fixed) & set(r.selected)
        assert len(r.selected) <= p
        assert r.covered_weight >= prev - 1e-9  # monotone in p
        assert sum(r.gains) == pytest.approx(r.covered_weight - r.fixed_weight)
        prev = r.covered_weight


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from([0.3, 0.6, 0.9, 1.0]))
def test_set_covering_is_the_fewest_sites(prob, target):
    if prob.total_weight == 0:
        return
    allowed = int((~prob.fixed).sum())
    best_all = brute_force(prob, allowed)
    if best_all + 1e-9 < target * prob.total_weight:
        with pytest.raises(TargetUnreachableError, match="går inte att nå"):
            set_covering(prob, target)
        return
    r = set_covering(prob, target)
    assert r.covered_weight >= target * prob.total_weight - 1e-6
    fewest = next(k for k in range(allowed + 1) if brute_force(prob, k) >= target * prob.total_weight - 1e-9)
    assert len(r.selected) == fewest
    assert r.covered_weight == pytest.approx(brute_force(prob, fewest))


def test_p_median_against_enumeration():
    rng = np.random.default_rng(3)
    dxy = rng.uniform(0, 100, (15, 2))
    cxy = rng.uniform(0, 100, (6, 2))
    w = rng.integers(1, 9, 15).astype(float)
    for fixed in ([], ["c0"]):
        prob = SitingProblem.from_points([f"d{i}" for i in range(15)], dxy, w, [f"c{j}" for j in range(6)], cxy,
                                         0.0, fixed=fixed, keep_distances=np.inf)
        free = [j for j in range(6) if f"c{j}" not in fixed]
        dist = np.hypot(dxy[:, None, 0] - cxy[None, :, 0], dxy[:, None, 1] - cxy[None, :, 1])
        best = min(
            float((w * dist[:, [*combo, *[int(f[1:]) for f in fixed]]].min(axis=1)).sum())
            for combo in itertools.combinations(free, 2)
        )
        r = p_median(prob, 2)
        assert r.status == "optimal" and r.weighted_distance == pytest.approx(best, rel=1e-6)
        assert set(r.fixed) == set(fixed)
        assert r.greedy is not None and r.greedy.weighted_distance >= r.weighted_distance - 1e-6
        assert len(r.greedy.selected) == 2


def test_cost_matrix_constructor_agrees_with_points():
    rng = np.random.default_rng(5)
    dxy = rng.uniform(0, 50, (20, 2))
    cxy = rng.uniform(0, 50, (8, 2))
    w = rng.integers(1, 9, 20)
    d_ids, c_ids = [f"d{i}" for i in range(20)], [f"c{j}" for j in range(8)]
    a = SitingProblem.from_points(d_ids, dxy, w, c_ids, cxy, 12.0, fixed=["c1"])
    dist = np.hypot(dxy[:, None, 0] - cxy[None, :, 0], dxy[:, None, 1] - cxy[None, :, 1])
    costs = pd.DataFrame([(c_ids[j], d_ids[i], dist[i, j]) for i in range(20) for j in range(8)],
                         columns=["candidate", "demand", "distance"])
    b = SitingProblem.from_cost_matrix(d_ids, w, c_ids, costs, 12.0, fixed=["c1"])
    assert a.cover.equals(b.cover)
    for p in (1, 3):
        assert maximal_covering(a, p).covered_weight == maximal_covering(b, p).covered_weight


def test_gain_curve_and_evaluation():
    prob = line_problem()
    curve = gain_curve(prob, 3)
    assert curve["p"].tolist() == [0, 1, 2, 3]
    assert curve["covered_weight"].tolist() == [8, 18, 20, 20]
    assert curve["marginal_gain"].tolist()[1:] == [10, 2, 0]
    ev = evaluate(prob, ["t", "u"])
    assert ev["site"].tolist() == ["t", "u", "(alla)"]
    assert ev["gain_alone"].tolist() == [4, 10, 10]  # t adds c (4); u adds c, d (10)
    assert ev["gain_in_order"].tolist() == [4, 6, 10]
    with pytest.raises(SitingError, match="'zz' finns inte"):
        evaluate(prob, ["zz"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (dict(demand_ids=["a", "a"]), "'a' förekommer mer än en gång"),
        (dict(candidate_ids=["s", "s"]), "'s' förekommer mer än en gång"),
        (dict(demand_xy=np.array([[0.0, np.nan], [1, 1]])), "koordinater saknas"),
        (dict(weights=[1, -2]), "icke-negativt tal"),
        (dict(fixed=["x"]), "'x' finns inte bland kandidaterna"),
        (dict(radius=-1.0), "räckvidden"),
    ],
)
def test_bad_problems_are_swedish_errors(kwargs, message):
    base = dict(demand_ids=["a", "b"], demand_xy=np.array([[0.0, 0], [5, 0]]), weights=[1, 2],
                candidate_ids=["s", "t"], candidate_xy=np.array([[0.0, 0], [5, 0]]), radius=1.0)
    with pytest.raises(SitingError, match=message):
        SitingProblem.from_points(**{**base, **kwargs})


def test_p_too_large_and_empty_demand():
    with pytest.raises(SitingError, match="bara 3 kandidater kan väljas"):
        maximal_covering(line_problem(), 4)
    empty = SitingProblem.from_points([], np.zeros((0, 2)), [], ["s"], np.array([[0.0, 0]]), 1.0)
    with pytest.raises(SitingError, match="ingen efterfrågan"):
        maximal_covering(empty, 1)
    with pytest.raises(TargetUnreachableError, match="högst"):
        set_covering(line_problem(), 1.0, Constraints(excluded=frozenset({"v"})))


# ---------------------------------------------------------------------------------------------
# Dalarna: the siting room and the atlas agree
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dalarna_units(shared_data: Path, tmp_path_factory) -> pd.DataFrame:
    from fcatlas.register.store import Register

    url = f"sqlite:///{tmp_path_factory.mktemp('reg') / 'register.sqlite'}"
    with Register.open(url) as reg:
        reg.import_file(shared_data / "familjecentraler" / "dalarna_2026.csv", user="test")
        return reg.list_units()


def _atlas(bundle, units: pd.DataFrame):
    from fcatlas.analysis.atlas import AtlasParams, compute_atlas

    geoms = {k: bundle.geometries(k) for k in ("kommun", "regso", "deso")}
    y = bundle.check_year(None)
    res = compute_atlas(bundle.areas("regso", year=y), units, bundle.table("deso"), bundle.kommuner(),
                        bundle.lan_table(), AtlasParams(year=y, lan="20"), kommun_geom=geoms["kommun"],
                        regso_geom=geoms["regso"], deso_geom=geoms["deso"],
                        omradestyp_by_year=bundle.omradestyp_by_year())
    return res, geoms


def _as_units(sites: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"id": "ny-" + sites["id"].astype(str), "name": sites["name"], "kommun_code": sites["kommun_code"],
                         "category": "familjecentral", "status": "i_drift", "lat": sites["lat"],
                         "lon": sites["lon"], "precision": "exakt"})


@pytest.mark.slow
@pytest.mark.parametrize("source", ["centroids", "vardcentraler"])
def test_dalarna_chosen_sites_raise_coverage_exactly_as_the_atlas_says(real_bundle, dalarna_units, shared_data,
                                                                       source):
    from fcatlas.analysis import linking
    from fcatlas.analysis.coverage import centres_mask

    before, geoms = _atlas(real_bundle, dalarna_units)
    u = before.units_all
    centres = u.loc[centres_mask(u, before.params.centre_categories) & u["located"]]
    if source == "centroids":
        cand = siting.candidates_from_areas(before.areas_all, "20")
    else:
        from fcatlas.geography.sources.points import read_points

        c = read_points(shared_data / "vardcentraler" / "Utbudspunkter.xlsx", "candidates")
        lon, lat = linking.to_wgs84(c["x"].to_numpy(float), c["y"].to_numpy(float))
        cand = pd.DataFrame({"id": "vc-" + c["id"], "name": c["name"], "kommun_code": pd.NA,
                             "category": "familjecentral", "status": "i_drift", "lat": lat, "lon": lon,
                             "precision": "exakt"})
    cl = linking.link_units(cand, real_bundle.table("deso"), geoms["kommun"], regso_geom=geoms["regso"],
                            deso_geom=geoms["deso"], kommun_names=real_bundle.kommuner())
    demand, unknown = siting.demand_from_areas(before.areas_all, "20")
    assert len(unknown) == 0 and len(demand) == before.summary["exclusion_areas_total"]
    prob = siting.problem_from_atlas(demand, centres, cl)
    s_before = before.summary
    for p in (1, 2, 3):
        r = maximal_covering(prob, p)
        assert r.status == "optimal"
        # the fixed sites reach exactly what the atlas says is covered today
        assert r.fixed_weight == s_before["children_0_6_in_exclusion_areas_covered"]
        assert r.total_weight == s_before["children_0_6_in_exclusion_areas"]
        chosen = cl.set_index("id").loc[r.selected].reset_index()
        after, _ = _atlas(real_bundle, pd.concat([dalarna_units, _as_units(chosen)], ignore_index=True))
        s_after = after.summary
        assert s_after["children_0_6_in_exclusion_areas_covered"] == r.covered_weight
        gain = s_after["children_0_6_in_exclusion_areas_covered"] - s_before["children_0_6_in_exclusion_areas_covered"]
        assert gain == sum(r.gains) > 0
        newly = {c for n in r.newly_covered for c in n}
        assert newly == set(s_before["exclusion_areas_without_centre"]) - set(s_after["exclusion_areas_without_centre"])


def test_time_limit_is_reported_with_the_best_solution_and_its_gap():
    rng = np.random.default_rng(11)
    centres = rng.uniform(0, 200_000, (40, 2))
    dxy = centres[rng.integers(0, 40, 6000)] + rng.normal(0, 3000, (6000, 2))
    cxy = rng.uniform(0, 200_000, (2000, 2))
    prob = SitingProblem.from_points(np.arange(6000), dxy, rng.integers(1, 20, 6000), np.arange(2000), cxy, 4000.0,
                                     fixed=np.arange(10))
    r = maximal_covering(prob, 30, time_limit=1e-3)
    assert r.status == "time_limit"
    assert r.greedy is not None and r.covered_weight >= r.greedy.covered_weight
    assert r.mip_gap is not None and r.mip_gap >= 0
    assert len(r.selected) <= 30 and r.to_dict()["status"] == "time_limit"
