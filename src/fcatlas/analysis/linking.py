"""Linking units to areas (pure functions on DataFrames/GeoDataFrames, EPSG:3006).

A unit is linked to the finest level the boundaries allow:

* ``deso`` — the point lies in a DeSO polygon (its RegSO follows from the DeSO → RegSO key);
* ``regso`` — no DeSO polygon, but a RegSO polygon holds the point;
* ``kommun`` — only the kommun polygons hold the point (most of Sweden in the shared data), or
  the register placed the unit at a point of its kommun (``precision == "kommun"``: no address,
  no postcode) or of its locality (``precision == "ort"``: a point GeoNames gives to many postal
  codes). Such a point says which kommun, not which area: it is never linked to a DeSO/RegSO
  and never anyone's nearest centre (``located`` is False);
* ``register`` — no usable coordinates (or outside every polygon): the register's kommun code;
* ``none`` — neither.

The level is recorded per unit (``link_level``), so nothing is silently guessed.

Examples
--------
>>> import pandas as pd
>>> pts = to_metric(pd.Series([15.6227411]), pd.Series([60.6209423]))
>>> round(float(pts[0][0])), round(float(pts[1][0]))
(534082, 6720729)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Transformer

from fcatlas.fmt import missing

CRS_METRIC = "EPSG:3006"
LINK_LEVELS = ("deso", "regso", "kommun", "register", "none")
#: Positions that tell the kommun but not the area (see the module docstring).
UNLOCATED_PRECISIONS = ("kommun", "ort")
UNIT_COLUMNS = [
    "id",
    "name",
    "kommun_code",
    "kommun_name",
    "lan_code",
    "category",
    "status",
    "lat",
    "lon",
    "precision",
]


@lru_cache(maxsize=1)
def _transformer() -> Transformer:
    return Transformer.from_crs("EPSG:4326", CRS_METRIC, always_xy=True)


def to_metric(lon: pd.Series, lat: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """WGS 84 lon/lat → SWEREF 99 TM x (easting), y (northing) in metres; NaN stays NaN."""
    lo = pd.to_numeric(lon, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    la = pd.to_numeric(lat, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    x, y = _transformer().transform(lo, la)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    bad = ~np.isfinite(lo) | ~np.isfinite(la)
    x[bad] = np.nan
    y[bad] = np.nan
    return x, y


@lru_cache(maxsize=1)
def _inverse() -> Transformer:
    return Transformer.from_crs(CRS_METRIC, "EPSG:4326", always_xy=True)


def to_wgs84(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """SWEREF 99 TM x, y (metres) → WGS 84 lon, lat (degrees); NaN stays NaN.

    >>> lon, lat = to_wgs84(np.array([534082.0]), np.array([6720729.0]))
    >>> round(float(lon[0]), 4), round(float(lat[0]), 4)
    (15.6227, 60.6209)
    """
    lon, lat = _inverse().transform(np.asarray(x, dtype=float), np.asarray(y, dtype=float))
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    bad = ~np.isfinite(np.asarray(x, dtype=float)) | ~np.isfinite(np.asarray(y, dtype=float))
    lon[bad] = np.nan
    lat[bad] = np.nan
    return lon, lat


def _point_join(x: np.ndarray, y: np.ndarray, polygons: gpd.GeoDataFrame | None, code: str) -> pd.Series:
    """For each point the ``code`` of the polygon holding it (first hit), else NA."""
    out = pd.Series(pd.NA, index=range(len(x)), dtype="object")
    if polygons is None or len(polygons) == 0 or len(x) == 0:
        return out
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return out
    idx = np.flatnonzero(ok)
    pts = gpd.GeoDataFrame(
        {"_i": idx}, geometry=gpd.points_from_xy(x[idx], y[idx]), crs=CRS_METRIC
    )
    polys = polygons[[code, "geometry"]]
    if polys.crs is not None and polys.crs != pts.crs:
        polys = polys.to_crs(CRS_METRIC)
    hit = gpd.sjoin(pts, polys, how="inner", predicate="within")
    hit = hit.drop_duplicates("_i")
    out.loc[hit["_i"].to_numpy()] = hit[code].to_numpy()
    return out


def link_units(
    units: pd.DataFrame,
    deso_key: pd.DataFrame,
    kommun_geom: gpd.GeoDataFrame | None,
    regso_geom: gpd.GeoDataFrame | None = None,
    deso_geom: gpd.GeoDataFrame | None = None,
    regso_names: pd.DataFrame | None = None,
    kommun_names: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Link every unit to DeSO, RegSO, kommun and län.

    Parameters
    ----------
    units : DataFrame
        Register shape: ``id, name, kommun_code, category, status, lat, lon`` (WGS 84), optionally
        ``precision`` (``exakt``, ``adress``, ``postnummer`` or ``kommun``).
    deso_key : DataFrame
        ``deso_code, regso_code`` (the bundle's ``deso`` table).
    kommun_geom, regso_geom, deso_geom : GeoDataFrame, optional
        Boundaries in EPSG:3006 with ``kommun_code`` / ``regso_code`` / ``deso_code``.
    regso_names, kommun_names : DataFrame, optional
        ``regso_code, name`` and ``kommun_code, kommun_name, lan_code`` to add names.

    Returns
    -------
    DataFrame
        ``units`` plus ``x, y`` (metres), ``located`` (a position finer than a kommun point),
        ``deso_code, regso_code`` (NA when unknown),
        ``kommun_code`` (by polygon, else the register's), ``kommun_code_register``,
        ``kommun_mismatch`` (polygon and register disagree), ``lan_code`` and ``link_level``.
    """
    u = units.copy().reset_index(drop=True)
    for col in ("lat", "lon"):
        if col not in u:
            u[col] = np.nan
    x, y = to_metric(u["lon"], u["lat"])
    u["x"] = x
    u["y"] = y
    located = np.isfinite(x) & np.isfinite(y)
    if "precision" in u:
        located &= ~u["precision"].astype(str).isin(UNLOCATED_PRECISIONS).to_numpy()
    u["located"] = located
    lx = np.where(located, x, np.nan)
    ly = np.where(located, y, np.nan)
    reg_kommun = u["kommun_code"].astype("object") if "kommun_code" in u else pd.Series(pd.NA, index=u.index)
    u["kommun_code_register"] = reg_kommun.where(reg_kommun.notna(), pd.NA)

    deso = _point_join(lx, ly, deso_geom, "deso_code")
    key = deso_key.drop_duplicates("deso_code").set_index("deso_code")["regso_code"]
    regso_from_deso = deso.map(key)
    regso_direct = _point_join(lx, ly, regso_geom, "regso_code")
    regso = regso_from_deso.where(regso_from_deso.notna(), regso_direct)
    kommun_poly = _point_join(x, y, kommun_geom, "kommun_code")
    # the finest boundary wins: DeSO/RegSO codes begin with their kommun code
    kommun_fine = regso.where(regso.isna(), regso.astype("object").str[:4])
    kommun = kommun_fine.where(kommun_fine.notna(), kommun_poly)
    kommun = kommun.where(kommun.notna(), u["kommun_code_register"])

    level = np.select(
        [deso.notna().to_numpy(), regso.notna().to_numpy(), kommun_poly.notna().to_numpy(),
         u["kommun_code_register"].notna().to_numpy()],
        ["deso", "regso", "kommun", "register"],
        default="none",
    )
    u["deso_code"] = deso.astype("object")
    u["regso_code"] = regso.astype("object")
    u["kommun_code"] = kommun.astype("object")
    u["lan_code"] = kommun.where(kommun.isna(), kommun.astype("object").str[:2]).astype("object")
    u["link_level"] = level
    both = u["kommun_code_register"].notna() & u["kommun_code"].notna()
    u["kommun_mismatch"] = both & (u["kommun_code_register"] != u["kommun_code"])
    if kommun_names is not None:
        names = kommun_names.drop_duplicates("kommun_code").set_index("kommun_code")
        u["kommun_name"] = u["kommun_code"].map(names["kommun_name"])
    if regso_names is not None:
        rn = regso_names.drop_duplicates("regso_code").set_index("regso_code")["name"]
        u["regso_name"] = u["regso_code"].map(rn)
    return u


def link_units_again(
    units: pd.DataFrame,
    before: tuple[pd.DataFrame, pd.DataFrame] | None,
    deso_key: pd.DataFrame,
    kommun_geom: gpd.GeoDataFrame | None,
    **boundaries: Any,
) -> pd.DataFrame:
    """:func:`link_units` of ``units``, where ``before`` — ``(earlier units, link_units of them
    with the same boundaries and names)`` — already has a unit with the same values in every
    column: that row is taken and only the others are linked (a region's draft beside the
    published picture: its changed units alone). The same rows, values and types as linking all
    (``tests/analysis/test_atlas_scoped.py``)."""
    if before is None or not len(units):
        return link_units(units, deso_key, kommun_geom, **boundaries)
    earlier, linked = before
    if list(earlier.columns) != list(units.columns) or len(earlier) != len(linked):
        return link_units(units, deso_key, kommun_geom, **boundaries)
    at = {_row_key(r): i for i, r in enumerate(earlier.itertuples(index=False, name=None))}
    found = [at.get(_row_key(r)) for r in units.itertuples(index=False, name=None)]
    new = [i for i, j in enumerate(found) if j is None]
    if len(new) == len(units):
        return link_units(units, deso_key, kommun_geom, **boundaries)
    kept = linked.iloc[[j for j in found if j is not None]]
    parts = [kept.set_axis([i for i, j in enumerate(found) if j is not None])]
    if new:
        fresh = link_units(units.iloc[new], deso_key, kommun_geom, **boundaries)
        parts.append(fresh.set_axis(new))
    out = pd.concat(parts).sort_index() if len(parts) > 1 else parts[0].sort_index()
    out = out[list(linked.columns)].reset_index(drop=True)
    try:
        for col, dtype in linked.dtypes.items():  # the types of linking them all (a part may lack values)
            if out[col].dtype != dtype:
                out[col] = out[col].astype(dtype)
    except (TypeError, ValueError):  # values the earlier types cannot hold: link them all
        return link_units(units, deso_key, kommun_geom, **boundaries)
    return out


def _row_key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row's values with every kind of missing value as ``None`` (NaN is not equal to itself)."""
    return tuple(None if missing(v) else v for v in row)


def area_centroids(
    regso_codes: pd.Series,
    regso_geom: gpd.GeoDataFrame | None,
    deso_geom: gpd.GeoDataFrame | None = None,
    deso_key: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Centroid (x, y in EPSG:3006) of each RegSO; NaN where no boundary is known.

    RegSO polygons are used where present; otherwise the union of the area's DeSO polygons.
    Returns a DataFrame indexed like ``regso_codes`` with ``x, y, has_geometry``.
    """
    codes = pd.Series(regso_codes).reset_index(drop=True)
    xs = pd.Series(np.nan, index=codes.index)
    ys = pd.Series(np.nan, index=codes.index)
    known: dict[str, tuple[float, float]] = {}
    if deso_geom is not None and deso_key is not None and len(deso_geom):
        g = deso_geom[["deso_code", "geometry"]].merge(
            deso_key[["deso_code", "regso_code"]], on="deso_code", how="inner"
        )
        if len(g):
            d = g.dissolve(by="regso_code")
            c = d.geometry.centroid
            known.update({k: (p.x, p.y) for k, p in zip(d.index, c, strict=True)})
    if regso_geom is not None and len(regso_geom):
        c = regso_geom.geometry.centroid
        known.update({k: (p.x, p.y) for k, p in zip(regso_geom["regso_code"], c, strict=True)})
    if known:
        kx = pd.Series({k: v[0] for k, v in known.items()})
        ky = pd.Series({k: v[1] for k, v in known.items()})
        xs = codes.map(kx).astype(float)
        ys = codes.map(ky).astype(float)
    return pd.DataFrame({"x": xs.to_numpy(), "y": ys.to_numpy(), "has_geometry": xs.notna().to_numpy()})


def area_facts(
    regso_codes: pd.Series,
    regso_geom: gpd.GeoDataFrame | None,
    deso_geom: gpd.GeoDataFrame | None,
    deso_key: pd.DataFrame,
) -> pd.DataFrame:
    """What the atlas knows of each RegSO from the boundaries and the DeSO key alone — the same
    for every register: ``regso_code``, ``x, y, has_geometry`` (:func:`area_centroids`),
    ``urbanity`` and ``urbanity_score``, in the order of ``regso_codes``. A caller that runs many
    atlases on one bundle computes them once (the web service: per bundle and year)."""
    codes = pd.Series(regso_codes).reset_index(drop=True)
    cen = area_centroids(codes, regso_geom, deso_geom, deso_key)
    return pd.DataFrame({"regso_code": codes.to_numpy(), "x": cen["x"].to_numpy(), "y": cen["y"].to_numpy(),
                         "has_geometry": cen["has_geometry"].to_numpy(),
                         "urbanity": urbanity(codes, deso_key).to_numpy(),
                         "urbanity_score": urbanity_score(codes, deso_key).to_numpy()})


def urbanity(regso_codes: pd.Series, deso_key: pd.DataFrame) -> pd.Series:
    """Urbanity class of each RegSO from its DeSO letters: ``C``, ``B`` or ``A``.

    SCB's DeSO letter says where most residents live: ``C`` in the kommun's central locality,
    ``B`` in another locality (tätort), ``A`` mainly outside localities. A RegSO takes the most
    common letter among its DeSO; ties go to the more urban letter. NA when the key lacks it.
    """
    k = _letters(deso_key)
    counts = k.groupby(["regso_code", "letter"]).size().unstack(fill_value=0)
    for col in ("A", "B", "C"):
        if col not in counts:
            counts[col] = 0
    counts = counts[["C", "B", "A"]]  # idxmax takes the first max → more urban wins ties
    cls = counts.idxmax(axis=1)
    return pd.Series(regso_codes).map(cls).astype("object")


#: Urbanity score of a DeSO letter (used as a feature of similar areas).
URBANITY_SCORE = {"C": 1.0, "B": 0.5, "A": 0.0}


def urbanity_score(regso_codes: pd.Series, deso_key: pd.DataFrame) -> pd.Series:
    """Mean of :data:`URBANITY_SCORE` over each RegSO's DeSO (C = 1, B = 0.5, A = 0); NaN when
    the key lacks the RegSO."""
    k = _letters(deso_key)
    score = k["letter"].map(URBANITY_SCORE).groupby(k["regso_code"]).mean()
    return pd.Series(regso_codes).map(score).astype(float)


def _letters(deso_key: pd.DataFrame) -> pd.DataFrame:
    """``deso_code, regso_code, letter`` (SCB's DeSO letter A/B/C, the fifth character)."""
    k = deso_key[["deso_code", "regso_code"]].copy()
    k["letter"] = k["deso_code"].astype(str).str[4]
    return k
