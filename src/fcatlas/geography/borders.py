"""Kommun and län borders as lines, for drawing over the areas on a map.

A kommun's border is the outline of its RegSO dissolved when the bundle has a boundary for every
RegSO of the kommun (so the line follows the areas drawn on the map exactly); otherwise it is the
bundle's own kommun boundary (SCB's, generalised). A län is likewise the dissolved outline of its
kommuner when all of them came from RegSO, else the bundle's län boundary.
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from fcatlas.errors import NotFoundError

#: where a border's line comes from
SOURCE_REGSO = "regso"
SOURCE_SCB = "scb"

COLUMNS = ["kind", "code", "name", "lan_code", "source", "geometry"]


def _dissolve(polygons: Any) -> Any:
    parts = list(polygons)
    if shapely.coverage_is_valid(parts):
        return shapely.coverage_union_all(parts)
    return shapely.union_all(parts)


def _simplify(polygons: list[Any], tolerance_m: float) -> list[Any]:
    """Polygons simplified by ``tolerance_m``: as one coverage (shared edges stay identical, so
    a border between two kommuner is one line) when they form one, else each on its own."""
    if tolerance_m <= 0 or not polygons:
        return polygons
    if shapely.coverage_is_valid(polygons):
        return list(shapely.coverage_simplify(polygons, tolerance_m))
    return list(shapely.simplify(polygons, tolerance_m, preserve_topology=True))


def kommun_polygons(bundle: Any, lan: str | None = None) -> gpd.GeoDataFrame:
    """The kommuner of ``lan`` (or of the country): ``kommun_code``, ``kommun_name``,
    ``lan_code``, ``source`` and the polygon (EPSG:3006)."""
    kommuner = bundle.geometries("kommun")
    if lan is not None:
        kommuner = kommuner.loc[kommuner["lan_code"] == lan]
        if kommuner.empty:
            raise NotFoundError(f"län {lan} har inga kommuner i datapaketet {bundle.label}")
    regso = bundle.geometries("regso")
    keys = bundle.areas("regso")[["regso_code", "kommun_code"]]
    if lan is not None:
        keys = keys.loc[keys["kommun_code"].isin(kommuner["kommun_code"])]
    shaped = keys.merge(regso, on="regso_code", how="left")
    dissolved: dict[str, Any] = {}
    for code, group in shaped.groupby("kommun_code", sort=True):
        if group["geometry"].notna().all():
            dissolved[str(code)] = _dissolve(group["geometry"].values)
    out = kommuner[["kommun_code", "kommun_name", "lan_code"]].copy()
    out["source"] = [SOURCE_REGSO if c in dissolved else SOURCE_SCB for c in out["kommun_code"]]
    geometry = [dissolved.get(c, g) for c, g in zip(out["kommun_code"], kommuner.geometry, strict=True)]
    return gpd.GeoDataFrame(out, geometry=geometry, crs=kommuner.crs).reset_index(drop=True)


def border_lines(bundle: Any, lan: str | None = None, *, tolerance_m: float = 50.0) -> gpd.GeoDataFrame:
    """One row per kommun of ``lan`` (or of the country) and one per län, in that order:
    ``kind`` ("kommun" or "lan"), ``code``, ``name``, ``lan_code``, ``source`` ("regso": the
    outline of the bundle's RegSO; "scb": the bundle's kommun/län boundary) and the border as
    (multi)lines, simplified by ``tolerance_m`` for display, in EPSG:3006."""
    kom = kommun_polygons(bundle, lan)
    lans = bundle.geometries("lan")
    if lan is not None:
        lans = lans.loc[lans["lan_code"] == lan]
    lan_rows = []
    for row in lans.itertuples(index=False):
        mine = kom.loc[kom["lan_code"] == row.lan_code]
        from_regso = not mine.empty and bool((mine["source"] == SOURCE_REGSO).all())
        shape = _dissolve(mine.geometry.values) if from_regso else row.geometry
        lan_rows.append({"kind": "lan", "code": row.lan_code, "name": row.lan_name, "lan_code": row.lan_code,
                         "source": SOURCE_REGSO if from_regso else SOURCE_SCB, "geometry": shape})
    kom_rows = pd.DataFrame({"kind": "kommun", "code": kom["kommun_code"], "name": kom["kommun_name"],
                             "lan_code": kom["lan_code"], "source": kom["source"], "geometry": kom.geometry.values})
    rows = pd.concat([kom_rows, pd.DataFrame(lan_rows, columns=COLUMNS)], ignore_index=True)
    geometry: list[Any] = list(rows["geometry"])
    for kind in ("kommun", "lan"):
        for source in (SOURCE_REGSO, SOURCE_SCB):
            at = [i for i in range(len(rows)) if rows.at[i, "kind"] == kind and rows.at[i, "source"] == source]
            for i, g in zip(at, _simplify([geometry[i] for i in at], tolerance_m), strict=True):
                geometry[i] = g
    lines = shapely.boundary(geometry)
    return gpd.GeoDataFrame(rows.drop(columns="geometry"), geometry=list(lines), crs=kom.crs)
