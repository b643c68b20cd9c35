"""Kommun and län borders for the map: the outline of a kommun's RegSO where the bundle has all
their boundaries, the bundle's own kommun/län boundary otherwise; one line feature each."""

from __future__ import annotations

import pytest
import shapely

from fcatlas.errors import NotFoundError
from fcatlas.geography.borders import border_lines, kommun_polygons
from fcatlas.geography.demo import DEMO_KOMMUNER


def test_a_lan_has_one_border_per_kommun_and_one_for_the_lan(demo_bundle):
    lines = border_lines(demo_bundle, "20")
    kommuner = demo_bundle.kommuner()
    assert list(lines.loc[lines["kind"] == "kommun", "code"]) == sorted(kommuner.loc[kommuner["lan_code"] == "20",
                                                                                     "kommun_code"])
    assert list(lines.loc[lines["kind"] == "lan", "code"]) == ["20"]
    assert set(lines.geometry.geom_type) <= {"LineString", "MultiLineString"}
    # the demo's kommuner have RegSO with boundaries; Dalarna's other kommuner do not, so neither has the län
    source = dict(zip(lines.loc[lines["kind"] == "kommun", "code"], lines.loc[lines["kind"] == "kommun", "source"],
                      strict=True))
    assert {c for c, s in source.items() if s == "regso"} == set(DEMO_KOMMUNER)
    assert lines.loc[lines["kind"] == "lan", "source"].tolist() == ["scb"]


def test_a_kommun_from_regso_is_their_outline(demo_bundle):
    poly = kommun_polygons(demo_bundle, "20").set_index("kommun_code").at["2080", "geometry"]
    regso = demo_bundle.geometries("regso")
    falun = shapely.union_all(regso.loc[regso["regso_code"].str.startswith("2080R")].geometry.values)
    assert poly.symmetric_difference(falun).area < 1.0
    line = border_lines(demo_bundle, "20", tolerance_m=50).set_index("code").at["2080", "geometry"]
    assert line.hausdorff_distance(falun.boundary) <= 60  # simplified for display, by about 50 m


def test_the_country_and_an_unknown_lan(demo_bundle):
    whole = border_lines(demo_bundle)
    assert (whole["kind"] == "kommun").sum() == 290 and (whole["kind"] == "lan").sum() == 21
    with pytest.raises(NotFoundError):
        kommun_polygons(demo_bundle, "99")
