"""Downloads of the published register and the atlas Excel file."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import openpyxl

from .test_atlas_api import published  # noqa: F401  (module fixture: Dalarna published on the real bundle)


def test_register_downloads_in_four_formats(published):  # noqa: F811
    client, _db, base = published
    csv = client.get("/api/v1/downloads/register.csv?lan=20")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert 'filename="familjecentraler_20.csv"' in csv.headers["content-disposition"]
    assert len(csv.text.strip().splitlines()) == 1 + 15
    wb = openpyxl.load_workbook(io.BytesIO(client.get("/api/v1/downloads/register.xlsx").content))
    assert wb["Enheter"].max_row == 1 + 15
    gj = json.loads(client.get("/api/v1/downloads/register.geojson?lan=20").content)
    assert len(gj["features"]) == 15
    gpkg = client.get("/api/v1/downloads/register.gpkg?lan=20")
    assert gpkg.content[:16] == b"SQLite format 3\x00"
    (base / "dl.gpkg").write_bytes(gpkg.content)
    layer = gpd.read_file(base / "dl.gpkg", layer="familjecentraler")
    assert len(layer) == 15 and layer.crs.to_epsg() == 3006
    assert set(layer["id"]) == {f["properties"]["id"] for f in gj["features"]}
    assert client.get("/api/v1/downloads/register.pdf").status_code == 422


def test_atlas_excel_download(published):  # noqa: F811
    client, _db, _base = published
    r = client.get("/api/v1/downloads/atlas.xlsx?lan=20")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert "Nyckeltal" in wb.sheetnames and "Luckor" in wb.sheetnames
