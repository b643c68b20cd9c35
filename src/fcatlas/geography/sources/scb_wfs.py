"""DeSO/RegSO boundaries from SCB's open WFS (``https://geodata.scb.se/geoserver/stat/wfs``).

Features are requested as GeoJSON in SWEREF 99 TM (``srsName=EPSG:3006``), page by page
(``count``/``startIndex``), optionally filtered to one län, cached on disk and written as a
GeoPackage that :func:`fcatlas.geography.sources.boundaries.read_boundaries` and the bundle
builder read. The layer name is a parameter (SCB names layers per division, e.g.
``stat:DeSO_2025``); the code column is found by the same rules as for files.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from pathlib import Path

import geopandas as gpd

from fcatlas.errors import FcatlasError
from fcatlas.geography.codes import validate
from fcatlas.geography.sources.boundaries import CODE_COLUMNS
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
    """Download every feature of ``layer`` (optionally of one län) and write ``out`` (GPKG).

    Paging follows the server, not an assumed page size: a first one-feature request gives
    ``numberMatched`` and the layer's code column; then pages of up to :data:`PAGE` sorted by that
    column (``sortBy``, so pages neither overlap nor skip when the server's order is not stable)
    are requested until ``numberMatched`` features are in hand, whatever page size the server
    caps to. A count that does not match, or a code given twice, is a Swedish error.
    """
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": layer,
        "outputFormat": "application/json",
        "srsName": "EPSG:3006",
    }
    if lan:
        params["cql_filter"] = f"{lan_attribute}='{validate('lan', lan)}'"
    first = _page(http, url, {**params, "count": "1", "startIndex": "0"}, layer)
    matched = _matched(first)
    sort_col = _code_column(first, layer)
    features: list[dict] = []
    while matched is None or len(features) < matched:
        page = _page(http, url, {**params, "count": str(PAGE), "startIndex": str(len(features)),
                                 "sortBy": f"{sort_col} ASC"}, layer)
        batch = page.get("features", [])
        if not batch:
            break
        features.extend(batch)
        if progress:
            progress(len(batch))
        if matched is None and len(batch) < PAGE:
            break  # a server that does not say how many: a short page is all we can go by
    if not features:
        raise FcatlasError(f"lagret {layer!r} gav inga områden" + (f" i län {lan}" if lan else ""))
    _check_complete(features, matched, sort_col, layer)
    gdf = gpd.GeoDataFrame.from_features(features, crs="EPSG:3006")
    out.parent.mkdir(parents=True, exist_ok=True)
    gdf.to_file(out, driver="GPKG", layer=layer.split(":")[-1], engine="pyogrio", VERSION="1.2")
    return gdf


def _page(http: CachedHttp, url: str, params: dict[str, str], layer: str) -> dict:
    page = http.json("GET", url, params)
    if not isinstance(page, dict) or page.get("type") != "FeatureCollection":
        raise FcatlasError(f"SCB:s WFS gav ingen FeatureCollection för lagret {layer!r}")
    return page


def _matched(page: dict) -> int | None:
    """``numberMatched`` (WFS 2.0; GeoServer's GeoJSON also has ``totalFeatures``), None if unknown."""
    for key in ("numberMatched", "totalFeatures"):
        value = page.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _code_column(page: dict, layer: str) -> str:
    """The layer's DeSO/RegSO code attribute (the stable sort key)."""
    feats = page.get("features") or []
    props = (feats[0].get("properties") or {}) if feats else {}
    lower = {k.lower(): k for k in props}
    for level in ("deso", "regso"):
        for cand in CODE_COLUMNS[level]:
            if cand in lower:
                return lower[cand]
    raise FcatlasError(f"lagret {layer!r} har ingen kolumn med DeSO- eller RegSO-kod "
                       f"(fanns: {', '.join(props) or 'inga'})")


def _check_complete(features: list[dict], matched: int | None, col: str, layer: str) -> None:
    codes = [str((f.get("properties") or {}).get(col)) for f in features]
    if matched is not None and len(features) != matched:
        raise FcatlasError(f"SCB:s WFS angav {matched} områden i lagret {layer!r} men gav {len(features)}; "
                           "gränserna sparades inte")
    dup = sorted(c for c, n in Counter(codes).items() if n > 1)
    if dup:
        raise FcatlasError(f"SCB:s WFS gav {', '.join(dup[:5])} på flera sidor i lagret {layer!r} "
                           "(sidorna överlappar); gränserna sparades inte")
