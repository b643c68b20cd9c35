"""A synthetic country for the atlas tests and ``benchmarks/atlas_national.py`` (no files,
deterministic by seed). Test support only, so it lives beside the tests, not in the package:
tests import it as ``synthetic_country`` (pytest puts ``tests/`` on ``sys.path``), the
benchmark adds ``tests/`` to ``sys.path`` itself.

RegSO are grid cells in SWEREF 99 TM, DeSO split cells into strips, kommuner and län are runs of
consecutive cells. The result has exactly the shapes the atlas analysis takes.

>>> inst = make_instance(n_regso=40, n_deso=60, n_units=10, n_kommuner=8, n_lan=2, seed=1)
>>> len(inst.areas), len(inst.deso_key), len(inst.units)
(40, 60, 10)
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

CRS = "EPSG:3006"
LAN_CODES = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18",
             "19", "20", "21", "22", "23", "24", "25"]


@dataclass
class Instance:
    areas: pd.DataFrame
    deso_key: pd.DataFrame
    kommuner: pd.DataFrame
    lan: pd.DataFrame
    units: pd.DataFrame
    regso_geom: gpd.GeoDataFrame
    deso_geom: gpd.GeoDataFrame
    kommun_geom: gpd.GeoDataFrame
    lan_geom: gpd.GeoDataFrame


def make_instance(
    n_regso: int = 3363,
    n_deso: int = 6160,
    n_units: int = 1000,
    n_kommuner: int = 290,
    n_lan: int = 21,
    seed: int = 0,
    x0: float = 300_000.0,
    y0: float = 6_200_000.0,
    width: float = 600_000.0,
    height: float = 1_400_000.0,
) -> Instance:
    """Build a synthetic country; ``n_deso >= n_regso``, ``n_regso >= n_kommuner >= n_lan``."""
    if not (n_deso >= n_regso >= n_kommuner >= n_lan >= 1) or n_lan > len(LAN_CODES):
        raise ValueError("behöver n_deso >= n_regso >= n_kommuner >= n_lan >= 1 och högst 21 län")
    rng = np.random.default_rng(seed)
    cols = int(np.ceil(np.sqrt(n_regso * width / height)))
    rows = int(np.ceil(n_regso / cols))
    cw, ch = width / cols, height / rows
    idx = np.arange(n_regso)
    # snake order so that runs of consecutive cells stay contiguous
    r = idx // cols
    c = np.where(r % 2 == 0, idx % cols, cols - 1 - idx % cols)
    minx, miny = x0 + c * cw, y0 + r * ch
    lan_of_k = np.sort(np.arange(n_kommuner) % n_lan)
    kom_of_r = np.sort(np.arange(n_regso) % n_kommuner)
    lan_codes = [LAN_CODES[i] for i in range(n_lan)]
    kcount: dict[str, int] = {}
    kommun_codes = []
    for kk in range(n_kommuner):
        lc = lan_codes[lan_of_k[kk]]
        kcount[lc] = kcount.get(lc, 0) + 1
        kommun_codes.append(f"{lc}{kcount[lc]:02d}")
    rcount: dict[str, int] = {}
    regso_codes = []
    for i in range(n_regso):
        kc = kommun_codes[kom_of_r[i]]
        rcount[kc] = rcount.get(kc, 0) + 1
        regso_codes.append(f"{kc}R{rcount[kc]:03d}")
    # DeSO per RegSO: 1 each, the remainder spread at random
    n_per = np.ones(n_regso, dtype=int)
    extra = rng.choice(n_regso, size=n_deso - n_regso, replace=True)
    np.add.at(n_per, extra, 1)
    deso_rows, deso_geoms = [], []
    dcount: dict[str, int] = {}
    for i in range(n_regso):
        kc = regso_codes[i][:4]
        strip = cw / n_per[i]
        for j in range(n_per[i]):
            dcount[kc] = dcount.get(kc, 0) + 1
            letter = "ABC"[int(rng.integers(0, 3))]
            deso_rows.append((f"{kc}{letter}{dcount[kc]:04d}", regso_codes[i], kc, kc[:2]))
            deso_geoms.append(shapely.box(minx[i] + j * strip, miny[i], minx[i] + (j + 1) * strip, miny[i] + ch))
    deso_key = pd.DataFrame(deso_rows, columns=["deso_code", "regso_code", "kommun_code", "lan_code"])
    deso_geom = gpd.GeoDataFrame({"deso_code": deso_key["deso_code"]}, geometry=deso_geoms, crs=CRS)
    regso_geom = gpd.GeoDataFrame(
        {"regso_code": regso_codes}, geometry=shapely.box(minx, miny, minx + cw, miny + ch), crs=CRS
    )
    kommun_names = [f"Kommun {kc}" for kc in kommun_codes]
    kommuner = pd.DataFrame(
        {"kommun_code": kommun_codes, "kommun_name": kommun_names, "lan_code": [k[:2] for k in kommun_codes]}
    )
    lan = pd.DataFrame({"lan_code": lan_codes, "lan_name": [f"Län {lc}" for lc in lan_codes]})
    rg = regso_geom.assign(kommun_code=[r_[:4] for r_ in regso_codes])
    kommun_geom = rg.dissolve(by="kommun_code").reset_index()[["kommun_code", "geometry"]]
    kommun_geom = kommun_geom.merge(kommuner, on="kommun_code")
    lan_geom = kommun_geom.dissolve(by="lan_code").reset_index()[["lan_code", "geometry"]].merge(lan, on="lan_code")
    pop = rng.integers(700, 20_000, size=n_regso)
    children = (pop * rng.uniform(0.05, 0.11, size=n_regso)).round().astype(int)
    typ = rng.choice([1, 2, 3, 4, 5], size=n_regso, p=[0.05, 0.09, 0.25, 0.53, 0.08])
    kname = dict(zip(kommun_codes, kommun_names, strict=True))
    lname = dict(zip(lan["lan_code"], lan["lan_name"], strict=True))
    areas = pd.DataFrame(
        {
            "regso_code": regso_codes,
            "name": [f"Område {rc}" for rc in regso_codes],
            "kommun_code": [rc[:4] for rc in regso_codes],
            "kommun_name": [kname[rc[:4]] for rc in regso_codes],
            "lan_code": [rc[:2] for rc in regso_codes],
            "lan_name": [lname[rc[:2]] for rc in regso_codes],
            "year": 2023,
            "omradestyp": pd.array(typ, dtype="Int64"),
            "population": pd.array(pop, dtype="Int64"),
            "children_0_6": pd.array(children, dtype="Int64"),
            "children_0_6_estimated": True,
            "women_16_54": pd.array((pop * 0.22).round().astype(int), dtype="Int64"),
        }
    )
    # units: inside random cells, biased towards populous ones
    cell = rng.choice(n_regso, size=n_units, p=pop / pop.sum())
    ux = minx[cell] + rng.uniform(0.05, 0.95, n_units) * cw
    uy = miny[cell] + rng.uniform(0.05, 0.95, n_units) * ch
    lon, lat = Transformer.from_crs(CRS, "EPSG:4326", always_xy=True).transform(ux, uy)
    cats = rng.choice(["familjecentral", "familjecentralsliknande", "annan_samverkan"], size=n_units,
                      p=[0.6, 0.3, 0.1])
    stat = rng.choice(["i_drift", "planerad", "avsiktsforklaring", "nedlagd"], size=n_units,
                      p=[0.85, 0.07, 0.05, 0.03])
    units = pd.DataFrame(
        {
            "id": [f"U{i:05d}" for i in range(n_units)],
            "name": [f"Familjecentral {i}" for i in range(n_units)],
            "kommun_code": [regso_codes[i][:4] for i in cell],
            "kommun_name": [kname[regso_codes[i][:4]] for i in cell],
            "lan_code": [regso_codes[i][:2] for i in cell],
            "category": cats,
            "status": stat,
            "lat": lat,
            "lon": lon,
            "precision": "exakt",
        }
    )
    return Instance(areas, deso_key, kommuner, lan, units, regso_geom, deso_geom, kommun_geom, lan_geom)
