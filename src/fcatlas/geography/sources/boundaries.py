"""DeSO/RegSO boundaries from SCB's GeoPackage files (EPSG:3006, SWEREF 99 TM).

SCB publishes ``DeSO_2018_v2.gpkg`` / ``DeSO_2025.gpkg`` (and RegSO files); regions publish
extracts of them (Region Dalarna's ``deso_dalarna.gpkg``). RegSO polygons are built by
dissolving DeSO on the DeSO→RegSO key when no RegSO file is at hand.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from fcatlas.errors import InputFileError, Problem, UnmatchedRowsError
from fcatlas.geography.codes import DESO_RE, REGSO_RE

CRS = "EPSG:3006"
CODE_COLUMNS = {"deso": ("deso", "deso_code", "desokod", "deso_2018", "deso_2025"),
                 "regso": ("regso", "regso_code", "regsokod", "regsokod_2020", "regso_2025")}


def read_boundaries(path: Path, level: str = "deso", layer: str | None = None) -> gpd.GeoDataFrame:
    """Read DeSO (or RegSO) polygons: ``<level>_code, geometry`` in EPSG:3006.

    The file must be a GeoPackage (or any OGR-readable file) in SWEREF 99 TM; another CRS is an
    error rather than a silent reprojection, since SCB publishes these files in EPSG:3006 and a
    different CRS means the file is not what it claims to be. Geometries must be polygons or
    multipolygons. A file with several layers is read from the one layer that has polygons and a
    code column; when that is not exactly one layer, ``layer`` must name it.
    """
    if not path.exists():
        raise InputFileError(path, "filen finns inte")
    try:
        import pyogrio

        layers = pyogrio.list_layers(path)
    except Exception as exc:
        raise InputFileError(path, f"går inte att läsa som GeoPackage ({type(exc).__name__}: {exc})") from exc
    if len(layers) == 0:
        raise InputFileError(path, "GeoPackage utan lager")
    if layer is None:
        layer = _pick_layer(path, [(str(n), str(t)) for n, t in layers], level)
    try:
        gdf = gpd.read_file(path, layer=layer)
    except Exception as exc:
        raise InputFileError(path, f"lagret {layer!r} går inte att läsa ({exc})") from exc
    if gdf.empty:
        raise InputFileError(path, f"lagret {layer!r} är tomt")
    if gdf.crs is None:
        raise InputFileError(path, "koordinatsystem saknas; väntat EPSG:3006 (SWEREF 99 TM)")
    epsg = gdf.crs.to_epsg()
    if epsg != 3006:
        raise InputFileError(
            path, f"fel koordinatsystem EPSG:{epsg} ({gdf.crs.name}); väntat EPSG:3006 (SWEREF 99 TM)"
        )
    cols = {c.lower(): c for c in gdf.columns}
    col = next((cols[c] for c in CODE_COLUMNS[level] if c in cols), None)
    if col is None:
        raise InputFileError(
            path,
            f"kolumn med {level.upper()}-kod saknas (väntat en av {', '.join(CODE_COLUMNS[level])}); "
            f"fanns: {', '.join(c for c in gdf.columns if c != 'geometry')}",
        )
    rx = DESO_RE if level == "deso" else REGSO_RE
    codes = gdf[col].astype(str).str.strip()
    problems = [
        Problem(str(path), i + 1, col, f"{c!r} är ingen giltig {level.upper()}-kod")
        for i, c in enumerate(codes)
        if not rx.match(c)
    ]
    dup = codes[codes.duplicated()]
    problems += [Problem(str(path), int(i) + 1, col, f"{c} förekommer flera gånger") for i, c in dup.items()]
    empty = gdf.geometry.isna() | gdf.geometry.is_empty
    problems += [Problem(str(path), int(i) + 1, "geometry", "geometri saknas") for i in gdf.index[empty]]
    kinds = gdf.geometry.geom_type
    wrong = ~empty & ~kinds.isin(["Polygon", "MultiPolygon"])
    problems += [
        Problem(str(path), int(i) + 1, "geometry", f"geometrin är {kinds[i]}, väntat Polygon eller MultiPolygon")
        for i in gdf.index[wrong]
    ]
    if problems:
        raise UnmatchedRowsError(path, problems)
    out = gpd.GeoDataFrame({f"{level}_code": codes.values}, geometry=gdf.geometry.values, crs=CRS)
    return out.sort_values(f"{level}_code").reset_index(drop=True)


def _pick_layer(path: Path, layers: list[tuple[str, str]], level: str) -> str:
    """The one layer of ``layers`` (name, geometry type) holding ``level`` polygons with a code column."""
    if len(layers) == 1:
        return layers[0][0]
    fits = []
    for name, kind in layers:
        if "polygon" not in kind.lower():
            continue
        cols = {c.lower() for c in gpd.read_file(path, layer=name, rows=0).columns}
        if cols & set(CODE_COLUMNS[level]):
            fits.append(name)
    if len(fits) == 1:
        return fits[0]
    listed = ", ".join(f"{n} ({t})" for n, t in layers)
    why = "inget av dem" if not fits else f"{len(fits)} av dem"
    raise InputFileError(
        path,
        f"GeoPackage med {len(layers)} lager: {listed}; {why} har {level.upper()}-polygoner med en kodkolumn "
        f"({', '.join(CODE_COLUMNS[level])}); spara det lager som ska användas som en egen fil",
    )


def check_against_key(path: Path, deso: gpd.GeoDataFrame, key: pd.DataFrame) -> None:
    """Every DeSO in the boundary file must be in the key (same vintage)."""
    unknown = sorted(set(deso["deso_code"]) - set(key["deso_code"]))
    if unknown:
        shown = ", ".join(unknown[:10]) + (" …" if len(unknown) > 10 else "")
        raise InputFileError(
            path,
            f"{len(unknown)} DeSO-koder finns inte i kopplingstabellen (annan indelning?): {shown}",
            column="deso",
        )


def dissolve_regso(deso: gpd.GeoDataFrame, key: pd.DataFrame) -> gpd.GeoDataFrame:
    """RegSO polygons as the union of their DeSO. Only RegSO whose DeSO are *all* present are
    built (a RegSO from part of its DeSO would be wrong)."""
    k = key[["deso_code", "regso_code"]]
    merged = deso.merge(k, on="deso_code", how="left")
    have = merged.groupby("regso_code")["deso_code"].nunique()
    need = k.groupby("regso_code")["deso_code"].nunique()
    complete = have.index[have.values == need.reindex(have.index).values]
    merged = merged.loc[merged["regso_code"].isin(complete)]
    out = merged.dissolve(by="regso_code", as_index=False)[["regso_code", "geometry"]]
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS).sort_values("regso_code").reset_index(drop=True)
