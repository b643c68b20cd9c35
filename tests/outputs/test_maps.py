"""Map images: files in three formats, print resolution, legend text, colours actually drawn."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from synthetic_country import make_instance


@pytest.fixture(scope="module")
def setup():
    inst = make_instance(n_regso=60, n_deso=90, n_units=30, n_kommuner=8, n_lan=2, seed=5,
                         width=200_000.0, height=300_000.0)
    units = inst.units.copy()
    units["status"] = "i_drift"
    res = compute_atlas(inst.areas, units, inst.deso_key, inst.kommuner, inst.lan, AtlasParams(year=2023),
                        kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)
    geoms = {"kommun": inst.kommun_geom, "lan": inst.lan_geom, "regso": inst.regso_geom}
    return inst, res, geoms


def _rgb(hexcol: str) -> tuple[int, int, int]:
    return tuple(int(hexcol[i:i + 2], 16) for i in (1, 3, 5))


def _n_colours(img: np.ndarray) -> int:
    packed = (img[..., 0].astype(np.uint32) << 16) | (img[..., 1].astype(np.uint32) << 8) | img[..., 2]
    return len(np.unique(packed))


def _has_colour(img: np.ndarray, hexcol: str, tol: int = 6, min_pixels: int = 30) -> bool:
    target = np.array(_rgb(hexcol))
    close = (np.abs(img[..., :3].astype(int) - target) <= tol).all(axis=-1)
    return int(close.sum()) >= min_pixels


@pytest.mark.parametrize("synthetic", [False, True])
def test_lan_map(setup, tmp_path, synthetic):
    from fcatlas.outputs.atlas import map_layers
    from fcatlas.outputs.maps import OMRADESTYP_COLOURS, UNIT_STYLE, draw_map

    inst, res, geoms = setup
    lan = inst.lan["lan_code"].iloc[0]
    layers = map_layers(res, geoms, lan, {"label": "test", "synthetic": synthetic})
    files = draw_map(layers, tmp_path / "lan", dpi=200)
    assert sorted(p.suffix for p in files) == [".pdf", ".png", ".svg"]
    png = Image.open(tmp_path / "lan.png")
    dpi = png.info.get("dpi", (0, 0))
    assert round(dpi[0]) >= 200
    assert png.width >= 2000 and png.height >= 1500
    img = np.asarray(png.convert("RGB"))
    assert _n_colours(img) > 50  # not a blank canvas
    types = set(res.areas.loc[res.areas["lan_code"] == lan, "omradestyp"].dropna().astype(int))
    for t in types:
        assert _has_colour(img, OMRADESTYP_COLOURS[t]), f"områdestyp {t} syns inte"
    cats = set(res.units.loc[res.units["lan_code"] == lan, "category"])
    for c in cats:
        assert _has_colour(img, UNIT_STYLE[c]["color"], min_pixels=10), c
    assert _has_colour(img, "#cc0000", tol=10, min_pixels=200) is synthetic
    svg = (tmp_path / "lan.svg").read_text(encoding="utf-8")
    ET.fromstring(svg)  # well-formed
    for text in ("Familjecentral (i drift)", "RegSO efter områdestyp", "km",
                 "Källor", "Kommungräns", "Utanförskapsområde"):
        assert text in svg, text
    assert ("SYNTETISKA EXEMPELDATA" in svg) is synthetic
    assert (tmp_path / "lan.pdf").read_bytes()[:4] == b"%PDF"


def test_national_map_colours_kommuner_by_share(setup, tmp_path):
    from fcatlas.outputs.atlas import map_layers
    from fcatlas.outputs.maps import draw_map

    inst, res, geoms = setup
    layers = map_layers(res, geoms, None, {"label": "test"})
    assert layers.regso is None
    draw_map(layers, tmp_path / "sverige", formats=("png", "svg"))
    svg = (tmp_path / "sverige.svg").read_text(encoding="utf-8")
    assert "andel av folkmängden" in svg and "Rikskarta" in svg
    img = np.asarray(Image.open(tmp_path / "sverige.png").convert("RGB"))
    assert _n_colours(img) > 50


def test_issue8_units_sharing_a_point_are_drawn_side_by_side_with_a_count(setup, tmp_path):
    """Five Örebro units on one GeoNames point stacked into two symbols."""
    from dataclasses import replace

    from fcatlas.outputs.atlas import map_layers
    from fcatlas.outputs.maps import draw_map, spread_shared_points

    inst, res, geoms = setup
    lan = inst.lan["lan_code"].iloc[0]
    layers = map_layers(res, geoms, lan, {"label": "test"})
    u = layers.units.copy()
    idx = u.index[u["x"].notna()][:3]
    u.loc[idx, ["x", "y"]] = [float(u.at[idx[0], "x"]), float(u.at[idx[0], "y"])]
    moved, groups = spread_shared_points(u, 500.0)
    assert groups == [(float(u.at[idx[0], "x"]), float(u.at[idx[0], "y"]), 3)]
    assert moved.loc[idx, "x"].nunique() == 3 and moved.loc[idx, "y"].nunique() == 1
    others = u.index.difference(idx)
    assert (moved.loc[others, "x"] == u.loc[others, "x"]).all()  # units with their own point stay
    draw_map(replace(layers, units=u), tmp_path / "delad", formats=("svg",))
    assert "3 enheter" in (tmp_path / "delad.svg").read_text(encoding="utf-8")
