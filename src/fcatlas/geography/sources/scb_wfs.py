"""DeSO/RegSO boundaries from SCB's open WFS (``https://geodata.scb.se/geoserver/stat/wfs``).

Features are requested as GeoJSON in SWEREF 99 TM (``srsName=EPSG:3006``), page by page
(``count``/``startIndex``), optionally filtered to one län, cached on disk and written as a
GeoPackage that :func:`fcatlas.geography.sources.boundaries.read_boundaries` and the bundle
builder read. The layer name is a parameter (SCB names layers per division, e.g.
``stat:DeSO_2025``); the code column is found by the same rules as for files.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import geopandas as gpd

from fcatlas.errors import FcatlasError
from fcatlas.geography.codes import validate
from fcatlas.geography.sources.http import CachedHttp

WFS_URL = "https://geodata.scb.se/geoserver/stat/wfs"
PAGE = 2000


def fetch_boundaries(
    http: CachedHttp,
    layer: str,
    out: Path,
    lan: str | None = None,
    url: str = WFS_URL,
    lan_attribute: str = "lanskod",
    progress: Callable[[int], None] | None = None,
) -> gpd.GeoDataFrame:
    """Download every feature of ``layer`` (optionally of one län) and write ``out`` (GPKG)."""
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": layer,
        "outputFormat": "application/json",
        "srsName": "EPSG:3006",
        "count": str(PAGE),
    }
    if lan:
        params["cql_filter"] = f"{lan_attribute}='{validate('lan', lan)}'"
    features: list[dict] = []
    start = 0
    while True:
        page = http.json("GET", url, {**params, "startIndex": str(start)})
        if not isinstance(page, dict) or page.get("type") != "FeatureCollection":
            raise FcatlasError(f"SCB:s WFS gav ingen FeatureCollection för lagret {layer!r}")
        batch = page.get("features", [])
        features.extend(batch)
        if progress:
            progress(len(batch))
        if len(batch) < PAGE:
            break
        start += PAGE
    if not features:
        raise FcatlasError(f"lagret {layer!r} gav inga områden" + (f" i län {lan}" if lan else ""))
    gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:3006")
    out.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(out, driver="GPKG", layer=layer.split(":")[-1])
    return gdf
