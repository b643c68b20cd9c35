"""Plain-Python reference computations of the atlas, for tests (slow, obvious, independent).

No pandas grouping, no spatial index, no k-d tree: loops over dicts, shapely's
``Polygon.contains`` for point-in-polygon, ``shapely.union_all`` to build RegSO from DeSO,
``Polygon.centroid`` and :func:`math.hypot` for distances. The fast implementation in
:mod:`fcatlas.analysis.atlas` is tested against this module.

Inputs are lists of dicts and ``{code: shapely geometry}`` maps in EPSG:3006; unit coordinates
are projected from WGS 84 with pyproj (the only shared dependency).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

import shapely
from pyproj import Transformer
from shapely.geometry import Point

_TO_METRIC = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True)
OPERATING = "i_drift"


def project(lon: float | None, lat: float | None) -> tuple[float, float] | None:
    if lon is None or lat is None or lon != lon or lat != lat:
        return None
    x, y = _TO_METRIC.transform(float(lon), float(lat))
    return float(x), float(y)


def regso_polygons(deso_polygons: Mapping[str, Any], deso_to_regso: Mapping[str, str]) -> dict[str, Any]:
    """RegSO polygons as the union of their DeSO polygons."""
    parts: dict[str, list[Any]] = {}
    for d, geom in deso_polygons.items():
        parts.setdefault(deso_to_regso[d], []).append(geom)
    return {r: shapely.union_all(g) for r, g in parts.items()}


def urbanity_class(regso: str, deso_to_regso: Mapping[str, str]) -> str | None:
    counts = {"C": 0, "B": 0, "A": 0}
    for d, r in deso_to_regso.items():
        if r == regso:
            counts[d[4]] += 1
    if sum(counts.values()) == 0:
        return None
    best = None
    for letter in ("C", "B", "A"):  # ties → the more urban letter
        if best is None or counts[letter] > counts[best]:
            best = letter
    return best


def link(
    units: Iterable[Mapping[str, Any]],
    regso_polys: Mapping[str, Any],
    kommun_polys: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Each unit with ``xy``, ``regso_code`` and ``kommun_code`` (RegSO, else kommun polygon,
    else the register's kommun code). A unit with ``precision == "kommun"`` gets ``xy = None``
    and no RegSO: its point only tells the kommun."""
    out = []
    for u in units:
        row = dict(u)
        xy = project(u.get("lon"), u.get("lat"))
        # a point the register set to "somewhere in the kommun" locates no area and no centre
        located = xy is not None and u.get("precision") not in ("kommun", "ort")
        row["xy"] = xy if located else None
        row["regso_code"] = None
        kommun = None
        if xy is not None:
            p = Point(xy)
            for code, poly in regso_polys.items() if located else ():
                if poly.contains(p):
                    row["regso_code"] = code
                    kommun = code[:4]
                    break
            if kommun is None and kommun_polys:
                for code, poly in kommun_polys.items():
                    if poly.contains(p):
                        kommun = code
                        break
        if kommun is None:
            kommun = u.get("kommun_code")
        row["kommun_code"] = kommun
        out.append(row)
    return out


def is_centre(u: Mapping[str, Any], categories: Iterable[str]) -> bool:
    return u["status"] == OPERATING and u["category"] in set(categories)


def reported_lan(linked_units: Iterable[Mapping[str, Any]]) -> set[str]:
    """Län with any unit at all (whatever its status)."""
    out = set()
    for u in linked_units:
        if u.get("kommun_code"):
            out.add(str(u["kommun_code"])[:2])
    return out


def kommuner_without_centre(
    kommun_codes: Iterable[str], linked_units: Iterable[Mapping[str, Any]], categories: Iterable[str]
) -> list[str]:
    """Kommuner without an operating centre, in regions that have reported (any unit)."""
    cats = list(categories)
    linked_units = list(linked_units)
    reported = reported_lan(linked_units)
    with_centre = set()
    for u in linked_units:
        if is_centre(u, cats):
            with_centre.add(u["kommun_code"])
    return sorted(k for k in kommun_codes if k not in with_centre and k[:2] in reported)


def with_kommun_fallback(
    coverage: Mapping[str, Mapping[str, Any]],
    linked_units: list[Mapping[str, Any]],
    categories: Iterable[str],
) -> dict[str, dict[str, Any]]:
    """Coverage where an area has no polygon: False when its kommun has no operating centre,
    else unknown (None); unknown too (unless covered) when its region has no unit at all."""
    cats = list(categories)
    with_centre = {u["kommun_code"] for u in linked_units if is_centre(u, cats)}
    reported = reported_lan(linked_units)
    out: dict[str, dict[str, Any]] = {}
    for code, c in coverage.items():
        row = dict(c)
        if row["covered"] is None and code[:4] not in with_centre:
            row["covered"] = False
        if code[:2] not in reported and row["covered"] is not True:
            row["covered"] = None
        out[code] = row
    return out


def area_coverage(
    areas: Iterable[Mapping[str, Any]],
    regso_polys: Mapping[str, Any],
    linked_units: list[Mapping[str, Any]],
    deso_to_regso: Mapping[str, str],
    categories: Iterable[str],
    reach_km: Mapping[str, float],
) -> dict[str, dict[str, Any]]:
    """Per RegSO: ``inside`` (operating centres inside), ``nearest_id``, ``nearest_km``,
    ``covered`` (None where the area has no polygon)."""
    cats = list(categories)
    centres = [u for u in linked_units if is_centre(u, cats) and u["xy"] is not None]
    out: dict[str, dict[str, Any]] = {}
    for a in areas:
        code = a["regso_code"]
        poly = regso_polys.get(code)
        if poly is None:
            out[code] = {"inside": None, "nearest_id": None, "nearest_km": None, "covered": None}
            continue
        inside = 0
        for u in centres:
            if u["regso_code"] == code:
                inside += 1
        c = poly.centroid
        best_id, best_km = None, None
        for u in centres:
            d = math.hypot(u["xy"][0] - c.x, u["xy"][1] - c.y) / 1000.0
            if best_km is None or d < best_km:
                best_id, best_km = u["id"], d
        letter = urbanity_class(code, deso_to_regso)
        reach = reach_km[letter] if letter else max(reach_km.values())
        covered = inside > 0 or (best_km is not None and best_km <= reach + 1e-9)
        out[code] = {"inside": inside, "nearest_id": best_id, "nearest_km": best_km, "covered": covered}
    return out


def exclusion_summary(
    areas: Iterable[Mapping[str, Any]],
    coverage: Mapping[str, Mapping[str, Any]],
    exclusion_types: Iterable[int],
) -> dict[str, Any]:
    """Exclusion areas (by områdestyp), their children, covered and not."""
    types = set(exclusion_types)
    codes, without, children, children_cov, children_unknown = [], [], 0, 0, 0
    for a in areas:
        if a.get("omradestyp") is None or int(a["omradestyp"]) not in types:
            continue
        codes.append(a["regso_code"])
        ch = int(a["children_0_6"] or 0)
        children += ch
        cov = coverage[a["regso_code"]]["covered"]
        if cov is None:
            children_unknown += ch
        elif cov:
            children_cov += ch
        else:
            without.append(a["regso_code"])
    return {
        "exclusion_areas": sorted(codes),
        "exclusion_areas_without_centre": sorted(without),
        "children_0_6_in_exclusion_areas": children,
        "children_0_6_in_exclusion_areas_covered": children_cov,
        "children_0_6_in_exclusion_areas_coverage_unknown": children_unknown,
    }


def similar_distances(
    rows: list[Mapping[str, Any]], target: str, features: list[str], weights: Mapping[str, float]
) -> dict[str, float]:
    """Weighted Euclidean distance on z-scores (population std, NaN → mean), plain loops.
    ``rows`` hold ``regso_code`` and the raw feature values."""
    stats = {}
    for f in features:
        vals = [r[f] for r in rows if r[f] is not None and r[f] == r[f]]
        m = sum(vals) / len(vals) if vals else 0.0
        var = sum((v - m) ** 2 for v in vals) / len(vals) if vals else 0.0
        stats[f] = (m, math.sqrt(var))

    def z(r: Mapping[str, Any], f: str) -> float:
        m, s = stats[f]
        v = r[f]
        if v is None or v != v or s == 0:
            return 0.0
        return float((v - m) / s)

    t = next(r for r in rows if r["regso_code"] == target)
    out = {}
    for r in rows:
        tot = 0.0
        for f in features:
            tot += weights[f] * (z(r, f) - z(t, f)) ** 2
        out[str(r["regso_code"])] = math.sqrt(tot)
    return out
