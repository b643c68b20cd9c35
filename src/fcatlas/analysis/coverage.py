"""Nearest operating centre, "covered" and the share of children within reach (pure).

Definition of *covered* (a documented default, every part a parameter):

* only units with status ``i_drift`` and a category in the chosen centre categories count
  (default :data:`fcatlas.domain.CENTRE_CATEGORIES`: familjecentral + familjecentralsliknande);
* an area is covered when such a centre lies **inside** it, or when the straight-line distance
  from the area's centroid to the nearest such centre is at most the reach for the area's
  urbanity: **2 km** where most DeSO are ``C`` (the kommun's central locality), **5 km** for
  ``B`` (another locality) and **10 km** for ``A`` (mainly rural) — :data:`DEFAULT_REACH_KM`;
  an area whose class is unknown (none of its DeSO in the key) gets the largest reach;
* an area without a known boundary has no centroid: its distance and coverage are **unknown
  (NA)**, never False.

Examples
--------
>>> import numpy as np
>>> ids, km = nearest(np.array([0.0]), np.array([0.0]), np.array([3000.0, 100.0]),
...                   np.array([4000.0, 0.0]), np.array(["a", "b"]))
>>> ids[0], round(float(km[0]), 3)
('b', 0.1)
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from fcatlas.domain import Status
from fcatlas.errors import ConfigError

#: Reach in km by urbanity class (DeSO letter C / B / A).
DEFAULT_REACH_KM: dict[str, float] = {"C": 2.0, "B": 5.0, "A": 10.0}


def parse_reach(spec: str | float | Mapping[str, float] | None) -> dict[str, float]:
    """Parse a reach: one number for all (``"3"``) or per class (``"C=2,B=5,A=10"``).

    >>> parse_reach("C=1.5,A=8")
    {'C': 1.5, 'B': 5.0, 'A': 8.0}
    >>> parse_reach(4)
    {'C': 4.0, 'B': 4.0, 'A': 4.0}
    """
    out = dict(DEFAULT_REACH_KM)
    if spec is None or spec == "":
        return out
    items: list[tuple[str, float | str]]
    if isinstance(spec, Mapping):
        items = list(spec.items())
    elif isinstance(spec, int | float):
        items = [(k, spec) for k in out]
    else:
        text = str(spec).strip()
        if "=" not in text:
            items = [(k, text) for k in out]
        else:
            items = []
            for part in text.split(","):
                key, _, value = part.partition("=")
                items.append((key.strip().upper(), value.strip()))
    for k, v in items:
        if k not in out:
            raise ConfigError(f"okänd tätortsklass {k!r} i räckvidden; använd C, B och A (t.ex. 'C=2,B=5,A=10')")
        try:
            km = float(v)
        except (TypeError, ValueError):
            raise ConfigError(f"räckvidden {v!r} för {k} är inget tal (km)") from None
        if not np.isfinite(km) or km < 0:
            raise ConfigError(f"räckvidden för {k} ska vara ett icke-negativt antal km, fick {v!r}")
        out[k] = km
    return out


def nearest(
    ax: np.ndarray, ay: np.ndarray, cx: np.ndarray, cy: np.ndarray, cids: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (id, km) for every area point; NaN/None where the area point is NaN
    or there is no centre at all. Uses a k-d tree (O(n log m))."""
    n = len(ax)
    ids = np.full(n, None, dtype=object)
    km = np.full(n, np.nan)
    ok = np.isfinite(ax) & np.isfinite(ay)
    cok = np.isfinite(cx) & np.isfinite(cy)
    if not ok.any() or not cok.any():
        return ids, km
    tree = cKDTree(np.column_stack([cx[cok], cy[cok]]))
    d, j = tree.query(np.column_stack([ax[ok], ay[ok]]), k=1)
    ids[ok] = np.asarray(cids)[cok][j]
    km[ok] = d / 1000.0
    return ids, km


def within_reach(km: np.ndarray, reach_km: np.ndarray | float) -> np.ndarray:
    """The one comparison behind "within reach": a known distance (km) at most the reach (km).

    >>> within_reach(np.array([2.0, 2.0000001, np.nan]), 2.0).tolist()
    [True, False, False]
    """
    km = np.asarray(km, dtype=float)
    within: np.ndarray = np.isfinite(km) & (km <= np.asarray(reach_km, dtype=float) + 1e-9)
    return within


def reach_pairs(
    ax: np.ndarray, ay: np.ndarray, reach_km: np.ndarray, px: np.ndarray, py: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (area, point) pair where the point is within the area's reach of its centroid.

    Returns ``(area positions, point positions, km)``; areas or points with NaN coordinates take
    part in no pair. The same rule as :func:`coverage_columns` (a k-d tree ball query instead of
    only the nearest point), so a set of points added as centres covers exactly these areas
    (plus the areas the points lie inside).

    >>> i, j, km = reach_pairs(np.array([0.0, 0.0]), np.array([0.0, 9000.0]), np.array([2.0, 2.0]),
    ...                        np.array([1500.0]), np.array([0.0]))
    >>> i.tolist(), j.tolist(), km.tolist()
    ([0], [0], [1.5])
    """
    ax, ay, px, py = (np.asarray(v, dtype=float) for v in (ax, ay, px, py))
    r = np.asarray(reach_km, dtype=float)
    aok = np.flatnonzero(np.isfinite(ax) & np.isfinite(ay) & np.isfinite(r))
    pok = np.flatnonzero(np.isfinite(px) & np.isfinite(py))
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if not len(aok) or not len(pok):
        return empty
    at = cKDTree(np.column_stack([ax[aok], ay[aok]]))
    pt = cKDTree(np.column_stack([px[pok], py[pok]]))
    pairs = at.sparse_distance_matrix(pt, float(r[aok].max()) * 1000.0 + 1.0, output_type="ndarray")
    i = aok[pairs["i"]]
    j = pok[pairs["j"]]
    km = pairs["v"] / 1000.0
    keep = within_reach(km, r[i])
    return i[keep].astype(np.int64), j[keep].astype(np.int64), km[keep]


def centres_mask(
    units: pd.DataFrame, categories: frozenset[str] | set[str], statuses: tuple[str, ...] = (Status.I_DRIFT,)
) -> pd.Series:
    """Boolean Series: units that count as operating centres."""
    cats = {str(c) for c in categories}
    return units["category"].astype(str).isin(cats) & units["status"].astype(str).isin(statuses)


def coverage_columns(
    areas: pd.DataFrame,
    centres: pd.DataFrame,
    reach_km: Mapping[str, float],
) -> pd.DataFrame:
    """Per area: ``nearest_centre_id``, ``nearest_centre_name``, ``nearest_centre_km``,
    ``reach_km`` and ``covered`` (nullable boolean).

    ``areas`` needs ``x, y, has_geometry, urbanity, n_centres_inside`` (nullable);
    ``centres`` needs ``id, name, x, y``.
    """
    ax = areas["x"].to_numpy(dtype=float, na_value=np.nan)
    ay = areas["y"].to_numpy(dtype=float, na_value=np.nan)
    cx = centres["x"].to_numpy(dtype=float, na_value=np.nan) if len(centres) else np.array([])
    cy = centres["y"].to_numpy(dtype=float, na_value=np.nan) if len(centres) else np.array([])
    cids = centres["id"].to_numpy(dtype=object) if len(centres) else np.array([], dtype=object)
    ids, km = nearest(ax, ay, cx, cy, cids)
    names = centres.drop_duplicates("id").set_index("id")["name"] if len(centres) else pd.Series(dtype=object)
    out = pd.DataFrame(index=areas.index)
    out["nearest_centre_id"] = pd.Series(ids, index=areas.index, dtype="object")
    out["nearest_centre_name"] = out["nearest_centre_id"].map(names).astype("object")
    out["nearest_centre_km"] = pd.Series(km, index=areas.index).round(3).astype("Float64")
    reach = areas["urbanity"].map(dict(reach_km)).astype(float)
    reach = reach.fillna(max(reach_km.values()) if reach_km else 0.0)
    out["reach_km"] = reach
    has_geom = areas["has_geometry"].astype(bool).to_numpy()
    inside = areas["n_centres_inside"].fillna(0).astype(int).to_numpy() > 0
    within = within_reach(km, reach.to_numpy())
    covered = pd.array(inside | within, dtype="boolean")
    covered[~has_geom] = pd.NA
    out["covered"] = covered
    return out


def is_true(s: pd.Series) -> pd.Series:
    """Plain bool mask of a nullable boolean: True only where the value is known True (NA → False).

    >>> is_true(pd.Series([True, False, None], dtype="boolean")).tolist()
    [True, False, False]
    """
    return s.astype("boolean").fillna(False).astype(bool)


def is_false(s: pd.Series) -> pd.Series:
    """Plain bool mask of a nullable boolean: True only where the value is known False (NA → False).

    >>> is_false(pd.Series([True, False, None], dtype="boolean")).tolist()
    [False, True, False]
    """
    return (~s.astype("boolean")).fillna(False).astype(bool)


def share(part: pd.Series, whole: pd.Series) -> pd.Series:
    """``part / whole`` rounded to 4 decimals; NA where ``whole`` is 0 (undefined, not 0 %)."""
    w = whole.astype(float)
    return (part / w.where(w > 0)).round(4).astype("Float64")


def coverage_by(
    areas: pd.DataFrame, by: str | list[str], children: str = "children_0_6"
) -> pd.DataFrame:
    """Children within reach of an operating centre, grouped by ``by``.

    Columns: ``children_0_6`` (all), ``children_0_6_known`` (areas with a boundary),
    ``children_0_6_covered``, ``children_0_6_not_covered``, ``children_0_6_unknown`` and
    ``coverage_share`` = covered / known (NA when nothing is known). Areas need ``covered``;
    an area whose coverage is unknown (NA) counts as unknown, never as not covered.

    >>> a = pd.DataFrame({"k": ["x", "x", "y"], "children_0_6": [10, 5, 7],
    ...                   "covered": pd.array([True, None, False], dtype="boolean")})
    >>> coverage_by(a, "k")[["k", "children_0_6_covered", "children_0_6_unknown", "coverage_share"]]
       k  children_0_6_covered  children_0_6_unknown  coverage_share
    0  x                    10                     5             1.0
    1  y                     0                     0             0.0
    """
    keys = [by] if isinstance(by, str) else list(by)
    c = areas[children].astype("Int64").fillna(0).astype("int64")
    cov = areas["covered"].astype("boolean")
    t = pd.DataFrame({k: areas[k] for k in keys})
    t["children_0_6"] = c
    t["children_0_6_known"] = c.where(cov.notna(), 0)
    t["children_0_6_covered"] = c.where(is_true(cov), 0)
    t["children_0_6_not_covered"] = c.where(is_false(cov), 0)
    t["children_0_6_unknown"] = c.where(cov.isna(), 0)
    g = t.groupby(keys, dropna=False).sum().reset_index()
    g["coverage_share"] = share(g["children_0_6_covered"], g["children_0_6_known"])
    return g


#: What an area's coverage answer rests on (``coverage_level``), and its Swedish label.
COVERAGE_LEVEL_LABELS: dict[str, str] = {
    "omrade": "området (avstånd från områdets mitt)",
    "kommun": "kommunen (ingen familjecentral i drift i kommunen; områdesgräns saknas)",
    "okand": "okänd (områdesgräns saknas och kommunen har familjecentral)",
    "ingen_rapport": "okänd (regionen har inte rapporterat några enheter)",
}


#: "Is a centre within reach of this area?" for a person: the answer and, where it cannot be
#: judged, why — by the atlas's ``coverage_level``. A kommun-level "no" (no boundary, no centre
#: in the kommun) says nothing about reach: a centre across the kommun border may be near.
REACH_UNKNOWN_REASONS: dict[str, str] = {
    "kommun": "områdets gräns saknas i datapaketet och kommunen har ingen familjecentral i drift; "
              "en familjecentral i en grannkommun kan ändå ligga inom räckhåll",
    "okand": "områdets gräns saknas i datapaketet, så avståndet kan inte mätas "
             "(kommunen har familjecentral i drift)",
    "ingen_rapport": "regionen har inte rapporterat sina familjecentraler",
}
REACH_YES, REACH_NO, REACH_UNKNOWN = "ja", "nej", "kan inte bedömas"


def reach_answer(covered: object, coverage_level: object) -> tuple[str, str | None]:
    """The answer to "is a centre within reach?" (``ja``, ``nej`` or ``kan inte bedömas``) and,
    for the last, the reason — "nej" only where the area's own boundary was measured.

    >>> reach_answer(False, "omrade"), reach_answer(False, "kommun")[0], reach_answer(None, "okand")[0]
    (('nej', None), 'kan inte bedömas', 'kan inte bedömas')
    """
    level = coverage_level if isinstance(coverage_level, str) else "omrade"
    known = isinstance(covered, (bool, np.bool_))
    if known and bool(covered):
        return REACH_YES, None
    if known and level == "omrade":
        return REACH_NO, None
    return REACH_UNKNOWN, REACH_UNKNOWN_REASONS.get(level, "områdets gräns saknas i datapaketet")


def coverage_verdict(
    areas: pd.DataFrame, kommun_has_centre: pd.Series, reported_lan: set[str] | frozenset[str]
) -> pd.DataFrame:
    """The one answer to "is there a centre for this area?" that every output uses.

    ``areas`` has ``covered`` (area level: NA without a boundary), ``has_geometry``,
    ``kommun_code`` and ``lan_code``; ``kommun_has_centre`` maps kommun code → bool;
    ``reported_lan`` are the län whose region has any unit in the register. Returns
    ``covered`` (nullable boolean) and ``coverage_level`` (see :data:`COVERAGE_LEVEL_LABELS`):

    * a boundary: the area-level answer (``omrade``);
    * no boundary, and the kommun has no operating centre: certainly missing (``False``,
      ``kommun``) — no centre in the kommun means none in the area;
    * no boundary, the kommun has a centre: unknown (``NA``, ``okand``);
    * the region has reported nothing: unknown (``NA``, ``ingen_rapport``) — "no report" is
      not "none" — unless a centre of another region is known to be within reach.

    >>> a = pd.DataFrame({"covered": pd.array([True, None, None, False], dtype="boolean"),
    ...                   "has_geometry": [True, False, False, True],
    ...                   "kommun_code": ["2080", "2080", "2081", "1880"], "lan_code": ["20", "20", "20", "18"]})
    >>> v = coverage_verdict(a, pd.Series({"2080": True, "2081": False, "1880": False}), {"20"})
    >>> v["covered"].tolist(), v["coverage_level"].tolist()
    ([True, <NA>, False, <NA>], ['omrade', 'okand', 'kommun', 'ingen_rapport'])
    """
    covered = areas["covered"].astype("boolean").copy()
    has_geom = areas["has_geometry"].astype(bool)
    kommun_centre = areas["kommun_code"].map(kommun_has_centre).astype("boolean")
    reported = areas["lan_code"].astype(str).isin({str(x) for x in reported_lan})
    level = pd.Series("omrade", index=areas.index, dtype=object)
    no_geom = ~has_geom
    missing_k = no_geom & is_false(kommun_centre)
    covered[missing_k] = False
    level[missing_k] = "kommun"
    level[no_geom & ~missing_k] = "okand"
    covered[no_geom & ~missing_k] = pd.NA  # type: ignore[call-overload]  # pandas-stubs: no NA for "boolean"
    no_report = ~reported & ~is_true(covered)
    covered[no_report] = pd.NA  # type: ignore[call-overload]  # as above
    level[no_report] = "ingen_rapport"
    return pd.DataFrame({"covered": covered, "coverage_level": level}, index=areas.index)
