"""Gaps: exclusion areas without an operating centre inside or within reach (pure).

The priority list a county coordinator starts from: ranked by children 0–6 (most first), then
by distance to the nearest centre (farthest first), then by code. Areas whose coverage is
unknown (no boundary in a kommun that has a centre, or no report from the region) are not gaps; they are listed separately by :func:`unknown_exclusion_areas`.
"""

from __future__ import annotations

import pandas as pd

from fcatlas.analysis.coverage import is_false

GAP_COLUMNS = [
    "rank",
    "regso_code",
    "name",
    "kommun_code",
    "kommun_name",
    "lan_code",
    "omradestyp",
    "children_0_6",
    "children_0_6_estimated",
    "population",
    "urbanity",
    "reach_km",
    "nearest_centre_id",
    "nearest_centre_name",
    "nearest_centre_km",
    "coverage_level",
]


def gaps(areas: pd.DataFrame) -> pd.DataFrame:
    """Ranked exclusion areas with ``covered == False``: no centre within reach of the area, or
    (where the area has no boundary) no operating centre in its kommun — ``coverage_level``
    says which.

    >>> a = pd.DataFrame({"regso_code": ["1", "2", "3"], "exclusion": [True, True, False],
    ...                   "covered": pd.array([False, False, False], dtype="boolean"),
    ...                   "children_0_6": [10, 30, 99], "nearest_centre_km": [5.0, 3.0, 9.0]})
    >>> gaps(a)["regso_code"].tolist()
    ['2', '1']
    """
    g = areas.loc[areas["exclusion"].astype(bool) & is_false(areas["covered"])].copy()
    g["_c"] = g["children_0_6"].astype("Float64").fillna(-1)
    g["_d"] = g["nearest_centre_km"].astype("Float64").fillna(float("inf"))
    g = g.sort_values(["_c", "_d", "regso_code"], ascending=[False, False, True]).drop(columns=["_c", "_d"])
    g.insert(0, "rank", range(1, len(g) + 1))
    return g[[c for c in GAP_COLUMNS if c in g.columns]].reset_index(drop=True)


def unknown_exclusion_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """Exclusion areas whose coverage cannot be judged (no boundary in the bundle)."""
    cov = areas["covered"].astype("boolean")
    u = areas.loc[areas["exclusion"].astype(bool) & cov.isna()]
    return u.sort_values("regso_code").reset_index(drop=True)
