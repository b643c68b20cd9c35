"""The tables of the needs and situation analysis (behovs- och lägesanalys), pure.

:func:`report_tables` takes an :class:`~fcatlas.analysis.atlas.AtlasResult` (the same result
``fcatlas atlas`` writes to ``summary.json``) plus a few plain tables (områdestyp per year, the
areas of every bundle year, the register's round-to-round diff, the grant follow-up) and
returns every table of the report. Nothing here reads files or databases, and nothing here
writes conclusions: only counts, sums and shares of the data given.

The report groups by kommun when it is about one län, and by län for the national overview
(``group`` = ``kommun`` or ``lan``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from fcatlas.analysis import coverage as covmod
from fcatlas.analysis.atlas import AtlasResult
from fcatlas.analysis.similar import FEATURES, feature_table, parse_weights, standardise
from fcatlas.domain import GOVERNANCE_FIELDS, GOVERNANCE_LABELS, GOVERNANCE_NATIONAL, Category, Status

CATEGORIES = [c.value for c in Category]
#: How many similar areas with a centre within reach are shown per gap area.
SIMILAR_PER_GAP = 3


@dataclass
class ReportTables:
    """Everything the report shows, as plain tables (rendering is in ``outputs/report``)."""

    scope: str  # "lan" or "national"
    lan_code: str | None
    group: str  # "kommun" or "lan"
    year: int
    years: list[int]
    summary: dict[str, Any]
    by_group: pd.DataFrame  # one row per kommun (län report) or län (national): units, children, coverage
    units: pd.DataFrame  # the units in scope (län report) with kommun, category, status
    without_centre: pd.DataFrame  # code, name of kommuner without an operating centre
    rounds: list[int]
    round_changes: pd.DataFrame | None  # register diff previous → latest round (in scope)
    omradestyp_counts: pd.DataFrame  # group code, name, year, n_typ_1..5, n_typ_unknown
    type_changes: pd.DataFrame  # areas whose områdestyp changed between consecutive years
    children_by_year: pd.DataFrame  # group code, name, year, children_0_6, children_0_6_exclusion, estimated
    coverage_by_type: pd.DataFrame  # group × områdestyp coverage (and the scope's total per type)
    gaps: pd.DataFrame
    similar: dict[str, pd.DataFrame]  # gap regso_code → similar areas with a centre within reach
    governance: pd.DataFrame  # indicator rows: ja, nej, okänt, share of known, national figure
    governance_units: pd.DataFrame  # the centres with their six answers
    governance_base: int  # number of centres the governance table counts
    grants: pd.DataFrame | None  # per grant year (län report: that region; national: all)
    extra: dict[str, Any] = field(default_factory=dict)


def _group_names(result: AtlasResult, group: str) -> pd.DataFrame:
    if group == "kommun":
        return result.kommuner[["kommun_code", "kommun_name"]].rename(columns={"kommun_code": "code",
                                                                               "kommun_name": "name"})
    return result.lan[["lan_code", "lan_name"]].rename(columns={"lan_code": "code", "lan_name": "name"})


def by_group_table(result: AtlasResult, group: str) -> pd.DataFrame:
    """The kommun table (län report) or län table (national) of the atlas, renamed to
    ``code, name`` and sorted by code. Every number is the atlas's own."""
    t = result.kommuner if group == "kommun" else result.lan
    key, name = (f"{group}_code", f"{group}_name")
    out = t.rename(columns={key: "code", name: "name"}).sort_values("code").reset_index(drop=True)
    return out


def omradestyp_counts(areas_by_year: Mapping[int, pd.DataFrame], scope: pd.Index | set[str], group: str,
                      names: pd.DataFrame) -> pd.DataFrame:
    """RegSO per områdestyp (1–5, and unknown) per group and bundle year, for the areas in ``scope``."""
    rows = []
    key = f"{group}_code"
    for y in sorted(areas_by_year):
        a = areas_by_year[y]
        a = a.loc[a["regso_code"].isin(scope)]
        typ = a["omradestyp"].astype("Float64")
        t = pd.DataFrame({"code": a[key].to_numpy()})
        for k in range(1, 6):
            t[f"n_typ_{k}"] = (typ == k).fillna(False).astype(int).to_numpy()
        t["n_typ_unknown"] = typ.isna().astype(int).to_numpy()
        t["n_regso"] = 1
        g = t.groupby("code").sum().reset_index()
        g.insert(1, "year", int(y))
        rows.append(g)
    cols = ["code", "year", *(f"n_typ_{k}" for k in range(1, 6)), "n_typ_unknown", "n_regso"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out = out.merge(names, on="code", how="left")
    return out[["code", "name", *cols[1:]]].sort_values(["code", "year"]).reset_index(drop=True)


def type_changes(omradestyp_by_year: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    """Areas of ``areas`` (in scope) whose områdestyp differs between consecutive years.

    Columns: ``regso_code, name, kommun_code, kommun_name, lan_code, year_from, type_from,
    year_to, type_to``. An area without a type in one of the years is not a change."""
    cols = ["regso_code", "name", "kommun_code", "kommun_name", "lan_code", "year_from", "type_from",
            "year_to", "type_to"]
    t = omradestyp_by_year.loc[omradestyp_by_year["regso_code"].isin(set(areas["regso_code"]))]
    years = sorted(int(y) for y in t["year"].unique())
    wide = t.pivot_table(index="regso_code", columns="year", values="omradestyp", aggfunc="first")
    parts = []
    for a, b in zip(years, years[1:], strict=False):
        if a not in wide or b not in wide:
            continue
        d = wide[[a, b]].dropna()
        d = d.loc[d[a] != d[b]]
        parts.append(pd.DataFrame({"regso_code": d.index, "year_from": a, "type_from": d[a].astype(int).to_numpy(),
                                   "year_to": b, "type_to": d[b].astype(int).to_numpy()}))
    if not parts:
        return pd.DataFrame(columns=cols)
    ch = pd.concat(parts, ignore_index=True)
    info = areas[["regso_code", "name", "kommun_code", "kommun_name", "lan_code"]].drop_duplicates("regso_code")
    ch = ch.merge(info, on="regso_code", how="left")
    return ch[cols].sort_values(["kommun_code", "regso_code", "year_from"]).reset_index(drop=True)


def children_by_year(areas_by_year: Mapping[int, pd.DataFrame], scope: set[str], group: str,
                     names: pd.DataFrame, result: AtlasResult,
                     omradestyp_by_year: pd.DataFrame | None) -> pd.DataFrame:
    """Children 0–6 per group and year: all and in exclusion areas (the run's definition applied to
    each year's områdestyp, or the definition's own year when it names one), with
    ``estimated`` where any count in the group is an estimate."""
    key = f"{group}_code"
    rows = []
    excl = result.params.exclusion
    for y in sorted(areas_by_year):
        a = areas_by_year[y]
        a = a.loc[a["regso_code"].isin(scope)]
        exc = excl.mask(a, omradestyp_by_year).to_numpy()
        c = a["children_0_6"].astype("Int64").fillna(0).astype("int64").to_numpy()
        est = a["children_0_6_estimated"].astype("boolean").fillna(False).astype(bool).to_numpy()
        missing = a["children_0_6"].isna().to_numpy()
        t = pd.DataFrame({"code": a[key].to_numpy(), "children_0_6": c, "children_0_6_exclusion": c * exc,
                          "estimated": est, "missing": missing, "n_exclusion_areas": exc.astype(int)})
        g = t.groupby("code").agg(children_0_6=("children_0_6", "sum"),
                                  children_0_6_exclusion=("children_0_6_exclusion", "sum"),
                                  n_exclusion_areas=("n_exclusion_areas", "sum"),
                                  estimated=("estimated", "any"), missing=("missing", "any")).reset_index()
        g.insert(1, "year", int(y))
        rows.append(g)
    cols = ["code", "year", "children_0_6", "children_0_6_exclusion", "n_exclusion_areas", "estimated", "missing"]
    out = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=cols)
    out = out.merge(names, on="code", how="left")
    return out[["code", "name", *cols[1:]]].sort_values(["code", "year"]).reset_index(drop=True)


def coverage_by_type(result: AtlasResult, group: str) -> pd.DataFrame:
    """Children within reach per group × områdestyp, and per områdestyp for the whole scope
    (``code`` = ``""``), with :func:`fcatlas.analysis.coverage.coverage_by`."""
    a = result.areas.assign(omradestyp=result.areas["omradestyp"].astype("Int64"))
    per = covmod.coverage_by(a, [f"{group}_code", "omradestyp"]).rename(columns={f"{group}_code": "code"})
    tot = covmod.coverage_by(a, "omradestyp").assign(code="")
    out = pd.concat([per, tot], ignore_index=True)
    return out.sort_values(["code", "omradestyp"]).reset_index(drop=True)


def similar_with_centre(result: AtlasResult, gaps: pd.DataFrame, k: int = SIMILAR_PER_GAP) -> dict[str, pd.DataFrame]:
    """For each gap area, the ``k`` most similar areas in other kommuner anywhere in Sweden that
    have an operating centre inside or within reach.

    The same features, standardisation, weights and tie order as
    :func:`~fcatlas.analysis.similar.similar_areas` on the whole country (the tests check
    that they agree); the features are standardised once for all gaps.
    """
    a = result.areas_all
    out: dict[str, pd.DataFrame] = {}
    if not len(gaps):
        return out
    w = parse_weights(None)
    raw = feature_table(a)
    z = standardise(raw)[list(FEATURES)].to_numpy(dtype=float)
    sw = np.sqrt(np.array([w[f] for f in FEATURES]))
    codes = a["regso_code"].astype(str).to_numpy()
    pos = {c: i for i, c in enumerate(codes)}
    covered = covmod.is_true(a["covered"]).to_numpy()
    kommun = a["kommun_code"].astype(str).to_numpy()
    info = a[["regso_code", "name", "kommun_code", "kommun_name", "lan_code"]].reset_index(drop=True)
    for code, gap_kommun in zip(gaps["regso_code"].astype(str), gaps["kommun_code"].astype(str), strict=True):
        i = pos[code]
        diff = np.abs(z - z[i]) * sw
        dist = np.round(np.sqrt((diff**2).sum(axis=1)), 4)
        cand = np.flatnonzero(covered & (kommun != gap_kommun) & (codes != code))
        order = cand[np.lexsort((codes[cand], dist[cand]))][:k]
        s = info.iloc[order].reset_index(drop=True)
        s.insert(0, "rank", range(1, len(s) + 1))
        s["distance"] = dist[order]
        for j, f in enumerate(FEATURES):
            s[f] = raw[f].to_numpy()[order]
            s[f"d_{f}"] = np.round(diff[order, j], 4)
        # every candidate differs from the gap by having a centre: the distance in the other features
        rest = np.array([j for j, f in enumerate(FEATURES) if f != "centre"], dtype=np.int64)
        s["distance_without_centre"] = np.round(np.sqrt((diff[np.ix_(order, rest)] ** 2).sum(axis=1)), 4)
        out[code] = s
    return out


def governance_tables(units: pd.DataFrame, centre_categories: frozenset[str]) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """The six governance facts of the operating centres: per indicator ``n_yes, n_no,
    n_unknown, share_yes`` (of those known; NA when none is known) and the national figure;
    and the centres with their answers. A register without the columns gives all unknown."""
    u = units.loc[(units["status"].astype(str) == Status.I_DRIFT.value)
                  & units["category"].astype(str).isin(centre_categories)].copy()
    for f in GOVERNANCE_FIELDS:
        if f not in u:
            u[f] = pd.NA
        u[f] = u[f].astype("boolean")
    rows = []
    for f in GOVERNANCE_FIELDS:
        v = u[f]
        yes, no = int(covmod.is_true(v).sum()), int(covmod.is_false(v).sum())
        unknown = int(v.isna().sum())
        known = yes + no
        text, nat = GOVERNANCE_NATIONAL[f]
        rows.append({"field": f, "label": GOVERNANCE_LABELS[f], "n_yes": yes, "n_no": no, "n_unknown": unknown,
                     "share_yes": round(yes / known, 4) if known else None, "national_text": text,
                     "national_share": nat})
    cols = ["id", "name", "kommun_code", "kommun_name", "category", *GOVERNANCE_FIELDS]
    gu = u[[c for c in cols if c in u]].sort_values(["kommun_code", "name"]).reset_index(drop=True)
    return pd.DataFrame(rows), gu, len(u)


def report_tables(
    result: AtlasResult,
    *,
    areas_by_year: Mapping[int, pd.DataFrame],
    omradestyp_by_year: pd.DataFrame,
    rounds: list[int] | None = None,
    round_changes: pd.DataFrame | None = None,
    grants: pd.DataFrame | None = None,
) -> ReportTables:
    """Assemble every table of the report from one atlas result.

    ``areas_by_year``: the bundle's RegSO table for every year (``Bundle.areas("regso", y)``);
    ``round_changes``: ``Register.diff(previous, latest)`` (any scope; filtered here);
    ``grants``: the follow-up reports (``GrantStore.frame()`` shape), any scope.
    """
    lan = result.params.lan
    group = "kommun" if lan else "lan"
    names = _group_names(result, group)
    scope = set(result.areas["regso_code"])
    by = by_group_table(result, group)
    u = result.units
    units_tab = u.copy()
    if "kommun_name" not in units_tab:
        units_tab["kommun_name"] = None
    without = by.loc[~by["has_centre"], ["code", "name"]] if group == "kommun" else \
        by.loc[by["n_kommuner_without_centre"] > 0, ["code", "name", "n_kommuner_without_centre", "n_kommuner"]]
    changes = None
    if round_changes is not None:
        changes = round_changes
        if lan:
            changes = changes.loc[changes["lan_code"] == lan]
        changes = changes.reset_index(drop=True)
    gap = result.gaps
    gov, gov_units, gov_base = governance_tables(u, result.params.centre_categories)
    g = None
    if grants is not None:
        g = grants.loc[grants["region_code"] == lan] if lan else grants
        g = g.reset_index(drop=True)
    years = sorted(int(y) for y in areas_by_year)
    return ReportTables(
        scope="lan" if lan else "national",
        lan_code=lan,
        group=group,
        year=result.params.year,
        years=years,
        summary=result.summary,
        by_group=by,
        units=units_tab,
        without_centre=without.reset_index(drop=True),
        rounds=sorted(rounds or []),
        round_changes=changes,
        omradestyp_counts=omradestyp_counts(areas_by_year, scope, group, names),
        type_changes=type_changes(omradestyp_by_year, result.areas),
        children_by_year=children_by_year(areas_by_year, scope, group, names, result, omradestyp_by_year),
        coverage_by_type=coverage_by_type(result, group),
        gaps=gap,
        similar=similar_with_centre(result, gap),
        governance=gov,
        governance_units=gov_units,
        governance_base=gov_base,
        grants=g,
    )
