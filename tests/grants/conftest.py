"""A small real bundle (the on-disk format of fcatlas.geography.bundle) for the grant tests."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from fcatlas.geography import admin
from fcatlas.geography.bundle import FORMAT_VERSION, MANIFEST, TABLES, sha256

# regso_code, lan, omradestyp 2022, omradestyp 2023, children 2022, children 2023, estimated
AREAS = [
    ("1880R001", "18", 1, 1, 400, 410, True),
    ("1880R002", "18", 2, 3, 300, 290, True),
    ("1880R003", "18", 4, 4, 900, 905, True),
    ("2080R001", "20", 1, 1, 500, 520, True),
    ("2080R002", "20", 3, 2, 700, 680, True),
    ("0180R001", "01", 2, 2, 2000, 2100, False),
    ("0180R002", "01", 5, 5, 3000, 3050, False),
    ("0980R001", "09", 3, 3, 100, 100, False),
]


def write_bundle(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    lan = admin.lan()
    kom = admin.kommuner()
    regso = pd.DataFrame(
        {
            "regso_code": [a[0] for a in AREAS],
            "name": [f"Område {a[0][-3:]}" for a in AREAS],
            "kommun_code": [a[0][:4] for a in AREAS],
            "kommun_name": [admin.kommun_name(a[0][:4]) for a in AREAS],
            "lan_code": [a[1] for a in AREAS],
            "lan_name": [admin.lan_name(a[1]) for a in AREAS],
        }
    )
    years = []
    for a in AREAS:
        for y, t, ch in ((2022, a[2], a[4]), (2023, a[3], a[5])):
            years.append(
                {
                    "regso_code": a[0], "year": y, "omradestyp": t, "population": ch * 12,
                    "children_0_6": ch, "children_0_6_estimated": a[6], "women_16_54": ch * 3,
                }
            )
    ry = pd.DataFrame(years)
    for c in ("omradestyp", "population", "children_0_6", "women_16_54"):
        ry[c] = ry[c].astype("Int64")
    empty_deso = pd.DataFrame({"deso_code": pd.Series([], dtype=str), "regso_code": pd.Series([], dtype=str),
                               "kommun_code": pd.Series([], dtype=str), "lan_code": pd.Series([], dtype=str)})
    dy = pd.DataFrame({c: pd.Series([], dtype=t) for c, t in [
        ("deso_code", str), ("year", "int64"), ("population", "Int64"), ("children_0_6", "Int64"),
        ("children_0_6_estimated", bool), ("women_16_54", "Int64")]})
    tables = {
        "lan": lan, "kommun": kom, "regso": regso, "deso": empty_deso, "regso_years": ry,
        "deso_years": dy,
        "regso_geom": gpd.GeoDataFrame({"regso_code": []}, geometry=gpd.GeoSeries([], crs=3006)),
        "deso_geom": gpd.GeoDataFrame({"deso_code": []}, geometry=gpd.GeoSeries([], crs=3006)),
    }
    info = {}
    for name in TABLES:
        f = path / f"{name}.parquet"
        tables[name].to_parquet(f)
        info[name] = {"file": f.name, "sha256": sha256(f), "rows": len(tables[name])}
    manifest = {"format_version": FORMAT_VERSION, "label": "testpaket", "tables": info,
                "years": {"omradestyp": [2022, 2023]}, "synthetic": False}
    (path / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_bundle(tmp_path_factory.mktemp("bundle") / "paket")
