"""Issue 25: the register's GeoPackage has its yes/no columns as Integer(Boolean) and is a
GeoPackage version that GDAL 3.6 (Debian 12) reads without a warning — checked with the system's
own ``ogrinfo`` (gdal-bin), not the GDAL bundled with pyogrio."""

import sqlite3
import subprocess

import pandas as pd

from fcatlas.outputs.register_export import units_to_gpkg

BOOLS = ["mvc", "bvc", "of", "soc", "co_located"]


def _units() -> pd.DataFrame:
    return pd.DataFrame({
        "id": ["0114-001", "2080-002"],
        "name": ["Familjecentralen Väsby", "=Falun"],
        "kommun_code": ["0114", "2080"],
        "mvc": pd.array([True, False], dtype="boolean"),
        "bvc": pd.array([True, None], dtype="boolean"),
        "of": pd.array([False, True], dtype="boolean"),
        "soc": pd.array([True, True], dtype="boolean"),
        "co_located": pd.array([True, False], dtype="boolean"),
        "lat": [59.52, 60.6], "lon": [17.91, 15.63],
    })


def test_issue25_booleans_are_integer_boolean_and_gdal_36_reads_without_warning(tmp_path):
    path = units_to_gpkg(_units(), tmp_path / "familjecentraler.gpkg")
    r = subprocess.run(["ogrinfo", "-so", str(path), "familjecentraler"], capture_output=True, text=True, check=True)
    out = r.stdout + r.stderr
    for col in BOOLS:
        assert f"{col}: Integer(Boolean)" in out, out
    assert "kommun_code: String" in out  # codes stay text: '0114' keeps its zero
    assert "Warning" not in out and "partially supported" not in out
    con = sqlite3.connect(path)
    try:
        assert con.execute("PRAGMA user_version").fetchone()[0] == 10200  # GeoPackage 1.2
        rows = con.execute("SELECT kommun_code, mvc, bvc, of FROM familjecentraler ORDER BY id").fetchall()
    finally:
        con.close()
    assert rows == [("0114", 1, 1, 0), ("2080", 0, None, 1)]
