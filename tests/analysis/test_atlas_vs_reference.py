"""The fast atlas analysis against the plain-Python reference on synthetic countries."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fcatlas.analysis import reference as ref
from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from fcatlas.domain import CENTRE_CATEGORIES
from synthetic_country import make_instance

CATS = sorted(c.value for c in CENTRE_CATEGORIES)
REACH = {"C": 2.0, "B": 5.0, "A": 10.0}


def _run(inst, **kw):
    params = AtlasParams(year=2023, **kw)
    return compute_atlas(inst.areas, inst.units, inst.deso_key, inst.kommuner, inst.lan, params,
                         kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)


def _reference(inst, reach=REACH, cats=CATS, drop_geometry=()):
    deso_polys = {d: g for d, g in zip(inst.deso_geom["deso_code"], inst.deso_geom.geometry, strict=True)}
    d2r = dict(zip(inst.deso_key["deso_code"], inst.deso_key["regso_code"], strict=True))
    regso_polys = ref.regso_polygons(deso_polys, d2r)
    for code in drop_geometry:
        regso_polys.pop(code, None)
    kommun_polys = dict(zip(inst.kommun_geom["kommun_code"], inst.kommun_geom.geometry, strict=True))
    units = inst.units.to_dict("records")
    linked = ref.link(units, regso_polys, kommun_polys)
    areas = [
        {**r, "omradestyp": None if pd.isna(r["omradestyp"]) else int(r["omradestyp"])}
        for r in inst.areas.to_dict("records")
    ]
    cov = ref.with_kommun_fallback(ref.area_coverage(areas, regso_polys, linked, d2r, cats, reach), linked, cats)
    return linked, areas, cov


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fast_equals_reference(seed):
    inst = make_instance(n_regso=80, n_deso=130, n_units=50, n_kommuner=10, n_lan=3, seed=seed,
                         width=150_000.0, height=200_000.0)
    res = _run(inst)
    linked, areas, cov = _reference(inst)
    # linking
    fast_regso = dict(zip(res.units_all["id"], res.units_all["regso_code"], strict=True))
    assert fast_regso == {u["id"]: u["regso_code"] for u in linked}
    # kommuner without centre, nationally
    expected = ref.kommuner_without_centre(inst.kommuner["kommun_code"], linked, CATS)
    assert res.summary["kommuner_without_centre"] == expected
    # per area: inside, nearest, covered
    a = res.areas_all.set_index("regso_code")
    for code, c in cov.items():
        assert a.at[code, "n_centres_inside"] == c["inside"]
        assert a.at[code, "nearest_centre_id"] == c["nearest_id"]
        assert math.isclose(float(a.at[code, "nearest_centre_km"]), c["nearest_km"], abs_tol=1e-3)
        assert bool(a.at[code, "covered"]) is c["covered"]
    ex = ref.exclusion_summary(areas, cov, [1, 2])
    for key in ("exclusion_areas_without_centre", "children_0_6_in_exclusion_areas",
                "children_0_6_in_exclusion_areas_covered"):
        assert res.summary[key] == ex[key], key
    assert sorted(e["regso_code"] for e in res.summary["exclusion_areas"]) == ex["exclusion_areas"]


def test_areas_without_geometry_are_unknown_not_false(small):
    """Coverage of an area without a boundary is NA, never False; summary counts them."""
    inst = small
    dropped = inst.areas["regso_code"].iloc[::3].tolist()
    keep = ~inst.regso_geom["regso_code"].isin(dropped)
    keep_d = ~inst.deso_key.set_index("deso_code").loc[inst.deso_geom["deso_code"], "regso_code"].isin(dropped).to_numpy()
    res = compute_atlas(inst.areas, inst.units, inst.deso_key, inst.kommuner, inst.lan, AtlasParams(year=2023),
                        kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom[keep],
                        deso_geom=inst.deso_geom[keep_d])
    a = res.areas_all.set_index("regso_code")
    # without a boundary: unknown where the kommun has a centre, missing (kommun level) where not
    has = res.kommuner.set_index("kommun_code")["has_centre"]
    d = a.loc[dropped]
    with_centre = d["kommun_code"].map(has).astype(bool)
    assert d.loc[with_centre, "covered"].isna().all() and (d.loc[with_centre, "coverage_level"] == "okand").all()
    assert (d.loc[~with_centre, "covered"] == False).all()  # noqa: E712
    assert (d.loc[~with_centre, "coverage_level"] == "kommun").all()
    assert with_centre.any()
    assert a.loc[dropped, "nearest_centre_km"].isna().all()
    assert a.loc[dropped, "n_familjecentral"].isna().all()
    others = a.drop(index=dropped)
    assert others["covered"].notna().all()
    assert res.summary["areas_without_geometry"] == len(dropped)
    # units in dropped areas are linked to their kommun only
    lv = res.units_all.set_index("id")["link_level"]
    in_dropped = res.units_all.loc[res.units_all["kommun_code"].notna() & res.units_all["regso_code"].isna(), "id"]
    assert len(in_dropped) > 0
    assert (lv[in_dropped] == "kommun").all()
    # reference agrees where known
    linked, areas, cov = _reference(inst, drop_geometry=dropped)
    for code in dropped:
        assert cov[code]["covered"] is (None if with_centre[code] else False)
    ex = ref.exclusion_summary(areas, cov, [1, 2])
    assert res.summary["exclusion_areas_without_centre"] == ex["exclusion_areas_without_centre"]
    assert (res.summary["children_0_6_in_exclusion_areas_coverage_unknown"]
            == ex["children_0_6_in_exclusion_areas_coverage_unknown"] > 0)
    assert sorted(res.summary["exclusion_areas_coverage_unknown"]) == sorted(
        c for c in ex["exclusion_areas"] if cov[c]["covered"] is None)


def test_reach_and_categories_are_parameters(small):
    base = _run(small)
    wide = _run(small, reach_km={"C": 50.0, "B": 50.0, "A": 50.0})
    assert wide.summary["children_0_6_covered"] > base.summary["children_0_6_covered"]
    linked, areas, cov = _reference(small, reach={"C": 50.0, "B": 50.0, "A": 50.0})
    assert wide.summary["children_0_6_covered"] == sum(
        int(a["children_0_6"]) for a in areas if cov[a["regso_code"]]["covered"])
    only_fc = _run(small, centre_categories=frozenset({"familjecentral"}))
    linked, areas, cov = _reference(small, cats=["familjecentral"])
    assert only_fc.summary["kommuner_without_centre"] == ref.kommuner_without_centre(
        small.kommuner["kommun_code"], linked, ["familjecentral"])
    assert len(only_fc.summary["kommuner_without_centre"]) >= len(base.summary["kommuner_without_centre"])


def test_non_operating_units_do_not_count(small):
    units = small.units.copy()
    units["status"] = "planerad"
    res = compute_atlas(small.areas, units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                        kommun_geom=small.kommun_geom, regso_geom=small.regso_geom, deso_geom=small.deso_geom)
    assert res.summary["kommuner_without_centre"] == sorted(small.kommuner["kommun_code"])
    assert res.summary["lan_without_centre"] == sorted(small.lan["lan_code"])
    assert res.areas_all["nearest_centre_id"].isna().all()
    # known boundaries, no centre anywhere: covered is False (known), not NA
    assert (res.areas_all["covered"] == False).all()  # noqa: E712
    assert res.summary["children_0_6_in_exclusion_areas_covered"] == 0
    assert res.kommuner["n_planned"].sum() == len(units)


def test_lan_scope_filters_report_not_analysis(small):
    full = _run(small)
    lan = small.lan["lan_code"].iloc[1]
    scoped = _run(small, lan=lan)
    assert set(scoped.areas["lan_code"]) == {lan}
    assert set(scoped.units["lan_code"]) <= {lan}
    # the nearest centre may lie in the other län: same values as the national run
    a = full.areas_all.set_index("regso_code")
    s = scoped.areas.set_index("regso_code")
    assert (a.loc[s.index, "nearest_centre_id"] == s["nearest_centre_id"]).all()
    assert scoped.summary["kommuner_without_centre"] == [
        k for k in full.summary["kommuner_without_centre"] if k.startswith(lan)]


def test_lan_all_and_none(small):
    units = small.units.copy()
    units["status"] = "i_drift"
    units["category"] = "familjecentral"
    lan0, lan1 = small.lan["lan_code"].tolist()
    # give every kommun of lan0 a centre: put one unit at each of its RegSO centroids
    rg = small.regso_geom.assign(kommun_code=small.regso_geom["regso_code"].str[:4])
    first = rg.drop_duplicates("kommun_code")
    first = first.loc[first["kommun_code"].str.startswith(lan0)]
    from pyproj import Transformer
    tr = Transformer.from_crs("EPSG:3006", "EPSG:4326", always_xy=True)
    lon, lat = tr.transform(first.geometry.centroid.x.to_numpy(), first.geometry.centroid.y.to_numpy())
    units = pd.DataFrame({"id": [f"X{i}" for i in range(len(first))], "name": "x",
                          "kommun_code": first["kommun_code"].to_numpy(), "category": "familjecentral",
                          "status": "i_drift", "lat": lat, "lon": lon})
    res = compute_atlas(small.areas, units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                        kommun_geom=small.kommun_geom, regso_geom=small.regso_geom, deso_geom=small.deso_geom)
    assert res.summary["lan_all_kommuner_with_centre"] == [lan0]
    # lan1's region has not reported anything: no report, not "no centre" (issue 8.4)
    assert res.summary["lan_without_centre"] == [] and res.summary["lan_no_report"] == [lan1]
    assert res.summary["kommuner_without_centre"] == []
    assert set(res.summary["kommuner_no_report"]) == set(small.kommuner.loc[small.kommuner["lan_code"] == lan1,
                                                                             "kommun_code"])
    # once it reports (even only a planned unit), its kommuner are without a centre
    planned = units.head(1).assign(id="P1", kommun_code=small.kommuner.loc[small.kommuner["lan_code"] == lan1,
                                                                           "kommun_code"].iloc[0],
                                   status="planerad", lat=float("nan"), lon=float("nan"))
    res = compute_atlas(small.areas, pd.concat([units, planned]), small.deso_key, small.kommuner, small.lan,
                        AtlasParams(year=2023), kommun_geom=small.kommun_geom, regso_geom=small.regso_geom,
                        deso_geom=small.deso_geom)
    assert res.summary["lan_without_centre"] == [lan1] and res.summary["lan_no_report"] == []
    assert np.array_equal(res.areas_all.loc[res.areas_all["regso_code"].isin(first["regso_code"]),
                                            "n_centres_inside"].to_numpy(dtype=int), np.ones(len(first), dtype=int))


def test_units_without_coordinates_use_register_kommun(small):
    units = small.units.head(5).copy()
    units.loc[:, "lat"] = np.nan
    units.loc[:, "lon"] = np.nan
    units["status"] = "i_drift"
    units["category"] = "familjecentral"
    res = compute_atlas(small.areas, units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                        kommun_geom=small.kommun_geom, regso_geom=small.regso_geom, deso_geom=small.deso_geom)
    assert (res.units_all["link_level"] == "register").all()
    assert set(res.summary["kommuner_with_centre"]) == set(units["kommun_code"])
    # no position: they cannot be anyone's nearest centre
    assert res.areas_all["nearest_centre_id"].isna().all()


def test_exclusion_definition_is_a_parameter(small, tmp_path):
    from fcatlas.cli.exclusion import exclusion_definition
    from fcatlas.geography.exclusion import parse_exclusion

    codes = small.areas["regso_code"].iloc[:4].tolist()
    f = tmp_path / "lista.txt"
    f.write_text("\n".join(codes), encoding="utf-8")
    res = _run(small, exclusion=exclusion_definition(f"lista:{f}"))
    assert sorted(e["regso_code"] for e in res.summary["exclusion_areas"]) == sorted(codes)
    assert res.summary["parameters"]["exclusion"]["kind"] == "lista"
    t3 = _run(small, exclusion=parse_exclusion("omradestyp:3"))
    assert t3.summary["children_0_6_in_exclusion_areas"] == int(
        small.areas.loc[small.areas["omradestyp"] == 3, "children_0_6"].sum())


def test_issue4_kommun_point_locates_no_area_and_no_centre(small):
    """A unit the register placed "somewhere in the kommun" (precision kommun) counts for its
    kommun but is never inside a RegSO nor anyone's nearest centre."""
    units = small.units.copy()
    units["status"] = "i_drift"
    units["category"] = "familjecentral"
    units["precision"] = "exakt"
    vague = units.index[:8]
    units.loc[vague, "precision"] = "kommun"
    res = compute_atlas(small.areas, units, small.deso_key, small.kommuner, small.lan, AtlasParams(year=2023),
                        kommun_geom=small.kommun_geom, regso_geom=small.regso_geom, deso_geom=small.deso_geom)
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
