"""The four questions of Socialstyrelsen as tables and key figures (pure).

1. Where are centres and centre-like units? → :func:`units_by_category_status`
2. Which kommuner / län lack an operating centre? → :func:`kommun_table`, :func:`lan_table`
3. Which exclusion areas have a centre inside or within reach, and which do not?
4. How many children 0–6 live there, covered and not covered? → :func:`summary`

All functions take the linked units and the area table made by
:func:`fcatlas.analysis.atlas.compute_atlas`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

import pandas as pd

from fcatlas.analysis import coverage as covmod
from fcatlas.domain import Category, Status

CATEGORIES = [c.value for c in Category]
STATUSES = [s.value for s in Status]


def units_by_category_status(units: pd.DataFrame, by: list[str] | None = None) -> pd.DataFrame:
    """Counts of units per category × status (wide: one column per status plus ``total``),
    optionally per ``by`` (e.g. ``["lan_code"]``). Every category and status appears."""
    keys = list(by or [])
    u = units.assign(category=units["category"].astype(str), status=units["status"].astype(str))
    t = u.groupby([*keys, "category", "status"], dropna=False).size().unstack("status", fill_value=0)
    for s in STATUSES:
        if s not in t:
            t[s] = 0
    t = t[STATUSES]
    if not keys:
        t = t.reindex(CATEGORIES, fill_value=0)
    t["total"] = t.sum(axis=1)
    return t.reset_index().astype({s: "int64" for s in [*STATUSES, "total"]})


def units_by_level(units: pd.DataFrame, kommuner: pd.DataFrame, lan: pd.DataFrame) -> pd.DataFrame:
    """Question 1 at every level: units per category × status for the whole scope, each län and
    each kommun (every category on every row, zeros included), long and filterable.

    Columns: ``level`` (``total``, ``lan``, ``kommun``), ``code``, ``name``, ``lan_code``,
    ``category``, one column per status and ``total``. ``kommuner``/``lan`` list the rows wanted
    (``kommun_code, kommun_name, lan_code`` / ``lan_code, lan_name``).
    """
    parts = []
    t = units_by_category_status(units)
    parts.append(t.assign(level="total", code="", name="", lan_code=""))
    for level, key, table, name_col in (("lan", "lan_code", lan, "lan_name"),
                                        ("kommun", "kommun_code", kommuner, "kommun_name")):
        ref = table.drop_duplicates(key).sort_values(key)
        idx = pd.MultiIndex.from_product([ref[key].tolist(), CATEGORIES], names=["code", "category"])
        g = units_by_category_status(units.loc[units[key].notna()], by=[key]).rename(columns={key: "code"})
        g = g.set_index(["code", "category"]).reindex(idx, fill_value=0).reset_index()
        g["name"] = g["code"].map(ref.set_index(key)[name_col])
        g["lan_code"] = g["code"].map(ref.set_index(key)["lan_code"]) if level == "kommun" else g["code"]
        parts.append(g.assign(level=level))
    out = pd.concat(parts, ignore_index=True)
    out.columns.name = None
    cols = ["level", "code", "name", "lan_code", "category", *STATUSES, "total"]
    return out[cols].astype({c: "int64" for c in [*STATUSES, "total"]})


def units_by_category_dict(units: pd.DataFrame) -> dict[str, dict[str, int]]:
    """``{category: {status: n, …, "total": n}}`` for JSON."""
    t = units_by_category_status(units).set_index("category")
    return {c: {k: int(v) for k, v in t.loc[c].items()} for c in t.index}


def reported_lan(units: pd.DataFrame) -> frozenset[str]:
    """The län whose region has reported: any unit in the register, whatever its status
    (a region that reported only planned or closed units has reported; one with no unit at all
    has not — "no report" is kept apart from "reported none")."""
    codes = units["lan_code"] if "lan_code" in units else units["kommun_code"].astype(str).str[:2]
    return frozenset(str(c) for c in codes.dropna())


def kommun_has_centre(
    kommuner: pd.DataFrame, units: pd.DataFrame, centre_categories: frozenset[str] | set[str]
) -> pd.Series:
    """kommun code → whether it has an operating unit of a centre category."""
    cats = {str(c) for c in centre_categories}
    op = units.loc[(units["status"].astype(str) == Status.I_DRIFT.value) & units["category"].astype(str).isin(cats)]
    with_centre = set(op["kommun_code"].dropna().astype(str))
    codes = kommuner["kommun_code"].drop_duplicates().astype(str)
    return pd.Series([c in with_centre for c in codes], index=codes.to_numpy(), dtype=bool)


def kommun_table(
    kommuner: pd.DataFrame,
    units: pd.DataFrame,
    areas: pd.DataFrame,
    centre_categories: frozenset[str] | set[str],
    reported: frozenset[str] | set[str] | None = None,
) -> pd.DataFrame:
    """One row per kommun.

    ``kommuner``: ``kommun_code, kommun_name, lan_code``; ``units``: linked units;
    ``areas``: the area table (``covered``, ``exclusion``, counts).
    Columns: operating units per category, ``n_planned`` (planerad + avsiktsförklaring),
    ``has_centre`` (an operating unit of a centre category), areas, exclusion areas by coverage,
    population and children (all, in exclusion areas, covered / not covered / unknown).
    """
    k = kommuner[["kommun_code", "kommun_name", "lan_code"]].drop_duplicates("kommun_code").copy()
    k = k.set_index("kommun_code")
    op = units.loc[units["status"].astype(str) == Status.I_DRIFT.value]
    for c in CATEGORIES:
        k[f"n_{c}"] = op.loc[op["category"].astype(str) == c].groupby("kommun_code").size()
    planned = units["status"].astype(str).isin([Status.PLANERAD.value, Status.AVSIKTSFORKLARING.value])
    k["n_planned"] = units.loc[planned].groupby("kommun_code").size()
    cats = {str(c) for c in centre_categories}
    k["n_centres"] = op.loc[op["category"].astype(str).isin(cats)].groupby("kommun_code").size()
    for col in [*(f"n_{c}" for c in CATEGORIES), "n_planned", "n_centres"]:
        k[col] = k[col].fillna(0).astype("int64")
    k["has_centre"] = k["n_centres"] > 0
    # has the kommun's region reported at all? (default: yes, when not told)
    k["reported"] = k["lan_code"].astype(str).isin(reported) if reported is not None else True
    k = k.join(_area_aggregates(areas, "kommun_code"))
    return k.reset_index()


_EXCLUSION_RENAME = {
    "children_0_6": "children_0_6_exclusion",
    "children_0_6_covered": "children_0_6_exclusion_covered",
    "children_0_6_not_covered": "children_0_6_exclusion_not_covered",
    "children_0_6_unknown": "children_0_6_exclusion_unknown",
}


def _area_aggregates(areas: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per ``key``: areas, exclusion areas by coverage, population and children (all and in
    exclusion areas) covered / not covered / unknown, and the shares. Indexed by ``key``."""
    a = areas
    cov = a["covered"].astype("boolean")
    exc = a["exclusion"].astype(bool)
    pop = a["population"].astype("Int64").fillna(0).astype("int64")
    t = pd.DataFrame({key: a[key]})
    t["n_regso"] = 1
    t["n_regso_with_geometry"] = a["has_geometry"].astype(int)
    t["n_exclusion_areas"] = exc.astype(int)
    t["n_exclusion_areas_covered"] = (exc & covmod.is_true(cov)).astype(int)
    t["n_exclusion_areas_not_covered"] = (exc & covmod.is_false(cov)).astype(int)
    t["n_exclusion_areas_unknown"] = (exc & cov.isna()).astype(int)
    level = a["coverage_level"] if "coverage_level" in a else pd.Series("omrade", index=a.index)
    t["n_exclusion_areas_not_covered_kommun_level"] = (exc & covmod.is_false(cov) & (level == "kommun")).astype(int)
    t["n_exclusion_areas_no_report"] = (exc & (level == "ingen_rapport")).astype(int)
    t["population"] = pop
    t["population_exclusion"] = pop.where(exc, 0)
    g = t.groupby(key).sum()
    # children: the same aggregation as the coverage tables, for all areas and for exclusion areas
    allc = covmod.coverage_by(a, key).set_index(key)
    exc_c = covmod.coverage_by(a.loc[exc], key).set_index(key)[list(_EXCLUSION_RENAME)].rename(
        columns=_EXCLUSION_RENAME)
    g = g.join(allc.drop(columns="coverage_share")).join(exc_c)
    for col in _EXCLUSION_RENAME.values():
        g[col] = g[col].fillna(0).astype("int64")
    g["coverage_share"] = allc["coverage_share"]
    g["exclusion_population_share"] = covmod.share(g["population_exclusion"], g["population"])
    return g


def scope_totals(areas: pd.DataFrame) -> pd.Series:
    """The area aggregates of :func:`kommun_table` summed over all ``areas`` (one scope)."""
    if not len(areas):
        return _area_aggregates(areas.assign(_scope=pd.Series(dtype="object")), "_scope").sum()
    return _area_aggregates(areas.assign(_scope="all"), "_scope").iloc[0]


def lan_table(
    kommun_tab: pd.DataFrame, lan: pd.DataFrame, areas: pd.DataFrame,
    reported: frozenset[str] | set[str] | None = None,
) -> pd.DataFrame:
    """One row per län: kommuner with / without an operating centre, ``all_kommuner_with_centre``,
    ``no_kommun_with_centre`` (only for län whose region has ``reported``), and the same area
    aggregates as the kommun table."""
    lt = lan[["lan_code", "lan_name"]].drop_duplicates("lan_code").set_index("lan_code")
    lt["reported"] = lt.index.astype(str).isin(reported) if reported is not None else True
    g = kommun_tab.groupby("lan_code")
    lt["n_kommuner"] = g.size()
    lt["n_kommuner_with_centre"] = g["has_centre"].sum()
    for c in CATEGORIES:
        lt[f"n_{c}"] = g[f"n_{c}"].sum()
    lt["n_planned"] = g["n_planned"].sum()
    for col in ["n_kommuner", "n_kommuner_with_centre", *(f"n_{c}" for c in CATEGORIES), "n_planned"]:
        lt[col] = lt[col].fillna(0).astype("int64")
    lt["n_kommuner_without_centre"] = lt["n_kommuner"] - lt["n_kommuner_with_centre"]
    lt["all_kommuner_with_centre"] = (lt["n_kommuner"] > 0) & (lt["n_kommuner_without_centre"] == 0)
    lt["no_kommun_with_centre"] = (lt["n_kommuner"] > 0) & (lt["n_kommuner_with_centre"] == 0) & lt["reported"]
    lt = lt.join(_area_aggregates(areas, "lan_code"))
    return lt.reset_index()


def exclusion_areas(areas: pd.DataFrame) -> pd.DataFrame:
    """The exclusion areas with their children and coverage, sorted by kommun and code."""
    cols = [
        "regso_code", "name", "kommun_code", "kommun_name", "omradestyp", "children_0_6",
        "n_centres_inside", "nearest_centre_id", "nearest_centre_name", "nearest_centre_km", "covered",
        "coverage_level",
    ]
    if "coverage_level" not in areas:
        areas = areas.assign(coverage_level="omrade")
    e = areas.loc[areas["exclusion"].astype(bool), cols]
    return e.sort_values(["kommun_code", "regso_code"]).reset_index(drop=True)


def _int(v: object) -> int:
    return int(v) if pd.notna(v) else 0  # type: ignore[call-overload]


def summary(
    areas: pd.DataFrame,
    units: pd.DataFrame,
    kommun_tab: pd.DataFrame,
    lan_tab: pd.DataFrame,
    parameters: dict[str, object],
) -> dict[str, Any]:
    """The key figures of ``summary.json`` for the areas/units/kommuner/län given (already
    filtered to the scope of the run)."""
    tot = scope_totals(areas)
    e_areas = exclusion_areas(areas)
    e_cov = e_areas["covered"].astype("boolean")
    e_level = e_areas["coverage_level"]
    rep = kommun_tab["reported"].astype(bool) if "reported" in kommun_tab else pd.Series(True, index=kommun_tab.index)
    lrep = lan_tab["reported"].astype(bool) if "reported" in lan_tab else pd.Series(True, index=lan_tab.index)
    return {
        "units_total": len(units),
        "units_by_category": units_by_category_dict(units),
        "kommuner_total": len(kommun_tab),
        "kommuner_with_centre": sorted(kommun_tab.loc[kommun_tab["has_centre"], "kommun_code"].tolist()),
        "kommuner_without_centre": sorted(kommun_tab.loc[~kommun_tab["has_centre"] & rep, "kommun_code"].tolist()),
        "kommuner_no_report": sorted(kommun_tab.loc[~rep, "kommun_code"].tolist()),
        "lan_no_report": sorted(lan_tab.loc[~lrep, "lan_code"].tolist()),
        "lan_all_kommuner_with_centre": sorted(
            lan_tab.loc[lan_tab["all_kommuner_with_centre"], "lan_code"].tolist()
        ),
        "lan_without_centre": sorted(lan_tab.loc[lan_tab["no_kommun_with_centre"], "lan_code"].tolist()),
        "areas_total": len(areas),
        "areas_without_geometry": int((~areas["has_geometry"].astype(bool)).sum()),
        "exclusion_areas_total": _int(tot["n_exclusion_areas"]),
        "exclusion_areas_covered": _int(tot["n_exclusion_areas_covered"]),
        "exclusion_areas_without_centre": sorted(e_areas.loc[covmod.is_false(e_cov), "regso_code"].tolist()),
        "exclusion_areas_without_centre_kommun_level": sorted(
            e_areas.loc[covmod.is_false(e_cov) & (e_level == "kommun"), "regso_code"].tolist()),
        "exclusion_areas_coverage_unknown": sorted(e_areas.loc[e_cov.isna(), "regso_code"].tolist()),
        "exclusion_areas_no_report": sorted(e_areas.loc[e_level == "ingen_rapport", "regso_code"].tolist()),
        "children_0_6_total": _int(tot["children_0_6"]),
        "children_0_6_estimated": bool(areas["children_0_6_estimated"].fillna(False).astype(bool).any()),
        "children_0_6_in_exclusion_areas": _int(tot["children_0_6_exclusion"]),
        "children_0_6_in_exclusion_areas_covered": _int(tot["children_0_6_exclusion_covered"]),
        "children_0_6_in_exclusion_areas_not_covered": _int(tot["children_0_6_exclusion_not_covered"]),
        "children_0_6_in_exclusion_areas_coverage_unknown": _int(tot["children_0_6_exclusion_unknown"]),
        "children_0_6_covered": _int(tot["children_0_6_covered"]),
        "children_0_6_coverage_known": _int(tot["children_0_6_known"]),
        "exclusion_areas": [
            {
                "regso_code": r.regso_code,
                "name": r.name,
                "kommun_code": r.kommun_code,
                "omradestyp": None if pd.isna(r.omradestyp) else int(r.omradestyp),
                "children_0_6": _int(r.children_0_6),
                "nearest_centre_id": None if pd.isna(r.nearest_centre_id) else str(r.nearest_centre_id),
                "nearest_centre_km": None if pd.isna(r.nearest_centre_km) else float(r.nearest_centre_km),
                "covered": None if pd.isna(r.covered) else bool(r.covered),
                "coverage_level": r.coverage_level,
            }
            for r in cast(Iterable[Any], e_areas.itertuples(index=False))
        ],
        "parameters": parameters,
    }
