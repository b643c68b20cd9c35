"""The whole atlas analysis in one pure call: link, count, cover, answer, rank.

:func:`compute_atlas` takes plain tables (the bundle's areas, DeSO key, boundaries, and the
register's units) and returns an :class:`AtlasResult`. The analysis always runs on the
whole country (a centre across a county border can be the nearest one); the ``lan`` parameter
only narrows what the result reports.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from fcatlas.analysis import coverage as cov
from fcatlas.analysis import gaps as gaps_mod
from fcatlas.analysis import linking, questions
from fcatlas.domain import CENTRE_CATEGORIES, Category, Status
from fcatlas.errors import ConfigError
from fcatlas.geography.exclusion import ExclusionDefinition, parse_exclusion

CATEGORIES = [c.value for c in Category]

#: Columns of ``areas.csv`` (the contract), in order.
AREAS_CSV_COLUMNS = [
    "regso_code",
    "name",
    "kommun_code",
    "kommun_name",
    "lan_code",
    "omradestyp",
    "population",
    "children_0_6",
    "children_0_6_estimated",
    "n_familjecentral",
    "n_familjecentralsliknande",
    "n_annan_samverkan",
    "nearest_centre_id",
    "nearest_centre_km",
    "covered",
    "coverage_level",
    "exclusion",
]


@dataclass(frozen=True)
class AtlasParams:
    """Parameters of one atlas run (all written to ``summary.json``)."""

    year: int
    exclusion: ExclusionDefinition = field(default_factory=lambda: parse_exclusion(None))
    centre_categories: frozenset[str] = frozenset(c.value for c in CENTRE_CATEGORIES)
    reach_km: Mapping[str, float] = field(default_factory=lambda: dict(cov.DEFAULT_REACH_KM))
    count_statuses: tuple[str, ...] = (Status.I_DRIFT,)
    lan: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "year": self.year,
            "lan": self.lan,
            "exclusion": self.exclusion.to_dict(),
            "centre_categories": sorted(self.centre_categories),
            "centre_status": Status.I_DRIFT.value,
            "unit_count_statuses": list(self.count_statuses),
            "reach_km_by_urbanity": dict(self.reach_km),
            "urbanity_rule": (
                "RegSO:s tätortsklass = vanligaste DeSO-bokstaven (C centralort, B annan tätort, "
                "A landsbygd); lika antal ger den mer tätortsartade"
            ),
            "covered_rule": (
                "en familjecentral i drift (valda kategorier) inom området eller inom räckvidden "
                "från områdets mittpunkt (fågelvägen); okänd (null) där områdesgräns saknas"
            ),
            "distance": "fågelvägen i SWEREF 99 TM (EPSG:3006) från RegSO:s tyngdpunkt",
        }


@dataclass
class AtlasResult:
    params: AtlasParams
    areas_all: pd.DataFrame  # the whole country
    units_all: pd.DataFrame  # every unit, linked
    areas: pd.DataFrame  # in scope (län filter)
    units: pd.DataFrame
    kommuner: pd.DataFrame
    lan: pd.DataFrame
    units_by_level: pd.DataFrame  # question 1: category × status for the scope, each län, each kommun
    coverage_by_omradestyp: pd.DataFrame  # coverage by län and kommun: columns of ``lan`` / ``kommuner``
    gaps: pd.DataFrame
    summary: dict[str, Any]
    timings: dict[str, float] = field(default_factory=dict)

    def areas_csv(self) -> pd.DataFrame:
        """The contract columns of ``areas.csv``."""
        return self.areas[AREAS_CSV_COLUMNS].copy()


def link_and_cover(  # noqa: PLR0913  # the bundle's tables and what a caller kept, one argument each
    areas: pd.DataFrame,
    units: pd.DataFrame,
    deso_key: pd.DataFrame,
    kommun_geom: gpd.GeoDataFrame | None,
    regso_geom: gpd.GeoDataFrame | None,
    deso_geom: gpd.GeoDataFrame | None,
    params: AtlasParams,
    omradestyp_by_year: pd.DataFrame | None = None,
    kommun_names: pd.DataFrame | None = None,
    facts: pd.DataFrame | None = None,
    linked_before: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Stage 1+2: linked units and the area table with counts, exclusion and coverage.
    ``facts``: :func:`fcatlas.analysis.linking.area_facts` of these areas if the caller has them
    (used only when its ``regso_code`` are the areas', in their order); ``linked_before``: units
    linked earlier, whose links are taken again (:func:`fcatlas.analysis.linking.link_units_again`)."""
    a = areas.copy().reset_index(drop=True)
    u = linking.link_units_again(
        units,
        linked_before,
        deso_key,
        kommun_geom,
        regso_geom=regso_geom,
        deso_geom=deso_geom,
        regso_names=a[["regso_code", "name"]],
        kommun_names=kommun_names,
    )
    if facts is None or not np.array_equal(facts["regso_code"].to_numpy(), a["regso_code"].to_numpy()):
        facts = linking.area_facts(a["regso_code"], regso_geom, deso_geom, deso_key)
    for col in ("x", "y", "has_geometry", "urbanity", "urbanity_score"):
        a[col] = facts[col].to_numpy()

    counted = u.loc[u["status"].astype(str).isin(params.count_statuses) & u["regso_code"].notna()]
    by = counted.groupby(["regso_code", counted["category"].astype(str)]).size().unstack(fill_value=0)
    centre_mask = cov.centres_mask(u, params.centre_categories)
    inside = u.loc[centre_mask & u["regso_code"].notna()].groupby("regso_code").size()
    has_geom = a["has_geometry"].to_numpy()
    for c in CATEGORIES:
        vals = a["regso_code"].map(by[c]) if c in by else pd.Series(np.nan, index=a.index)
        col = pd.array(vals.fillna(0).astype("int64"), dtype="Int64")  # type: ignore[call-overload]  # pandas-stubs
        col[~has_geom] = pd.NA
        a[f"n_{c}"] = col
    ins = pd.array(a["regso_code"].map(inside).fillna(0).astype("int64"), dtype="Int64")  # type: ignore[call-overload]
    ins[~has_geom] = pd.NA
    a["n_centres_inside"] = ins

    centres = u.loc[centre_mask & u["located"], ["id", "name", "x", "y"]]
    a = a.join(cov.coverage_columns(a, centres, params.reach_km))
    a["exclusion"] = params.exclusion.mask(a, omradestyp_by_year).to_numpy()
    return a, u


def _answer_questions(a: pd.DataFrame, u: pd.DataFrame, kommuner: pd.DataFrame, lan: pd.DataFrame,
                      params: AtlasParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Whether each area is covered (columns added to ``a``), and the kommun and län tables."""
    # only kommuner and län that have areas in the bundle take part (the demo covers a few)
    if len(a):
        kommuner = kommuner.loc[kommuner["kommun_code"].isin(set(a["kommun_code"]))]
        lan = lan.loc[lan["lan_code"].isin(set(a["lan_code"]))]
    # one answer to "is there a centre for this area?" for every output: the area where it has
    # a boundary, else its kommun (no centre in the kommun = missing), and never "missing" for
    # a region that has reported nothing
    reported = questions.reported_lan(u)
    has = questions.kommun_has_centre(kommuner, u, params.centre_categories)
    # unknown (NA) for an area whose kommun is missing from the kommun table, never False
    a["kommun_has_centre"] = a["kommun_code"].map(has).astype("boolean")
    verdict = cov.coverage_verdict(a, has, reported)
    a["covered"] = verdict["covered"]
    a["coverage_level"] = verdict["coverage_level"]
    k_all = questions.kommun_table(kommuner, u, a, params.centre_categories, reported)
    return k_all, questions.lan_table(k_all, lan, a, reported)


def _in_lan(df: pd.DataFrame, lan: str | None) -> pd.DataFrame:
    """The rows of one län (all rows without ``lan``)."""
    if not lan:
        return df
    return df.loc[df["lan_code"] == lan].reset_index(drop=True)


def compute_atlas(  # noqa: PLR0913  # the bundle's tables, one argument each (see Parameters)
    areas: pd.DataFrame,
    units: pd.DataFrame,
    deso_key: pd.DataFrame,
    kommuner: pd.DataFrame,
    lan: pd.DataFrame,
    params: AtlasParams,
    kommun_geom: gpd.GeoDataFrame | None = None,
    regso_geom: gpd.GeoDataFrame | None = None,
    deso_geom: gpd.GeoDataFrame | None = None,
    omradestyp_by_year: pd.DataFrame | None = None,
    on_stage: Callable[[str], None] | None = None,
    area_facts: pd.DataFrame | None = None,
    linked_before: tuple[pd.DataFrame, pd.DataFrame] | None = None,
) -> AtlasResult:
    """Run every analysis of the atlas.

    Parameters
    ----------
    areas : DataFrame
        One row per RegSO for the analysis year (``Bundle.areas("regso", year)``), whole country.
    units : DataFrame
        The register's units (``Register.list_units()`` shape).
    deso_key : DataFrame
        ``deso_code, regso_code`` for every DeSO (urbanity and DeSO → RegSO).
    kommuner, lan : DataFrame
        ``kommun_code, kommun_name, lan_code`` and ``lan_code, lan_name``.
    params : AtlasParams
    kommun_geom, regso_geom, deso_geom : GeoDataFrame, optional
        Boundaries in EPSG:3006.
    omradestyp_by_year : DataFrame, optional
        For exclusion definitions that name their own year.
    on_stage : callable, optional
        Called with a Swedish stage name before each stage (progress bars).
    area_facts : DataFrame, optional
        :func:`fcatlas.analysis.linking.area_facts` of ``areas`` if the caller has them (they
        depend on the bundle only); computed here otherwise.
    linked_before : (DataFrame, DataFrame), optional
        Units of an earlier run on the same bundle and ``units_all`` of it: a unit with the same
        values keeps its link, only the others are linked (a region's draft beside the
        published picture).
    """
    t: dict[str, float] = {}

    def stage(name: str, key: str) -> None:
        t[key] = time.perf_counter()
        if on_stage:
            on_stage(name)

    if params.lan is not None and params.lan not in set(areas["lan_code"]):
        raise ConfigError(f"länet {params.lan!r} har inga områden i datapaketet")
    stage("Kopplar enheter till områden och beräknar täckning", "link_and_cover")
    a, u = link_and_cover(
        areas, units, deso_key, kommun_geom, regso_geom, deso_geom, params, omradestyp_by_year,
        kommun_names=kommuner, facts=area_facts, linked_before=linked_before,
    )
    stage("Besvarar frågorna per kommun och län", "questions")
    k_all, l_all = _answer_questions(a, u, kommuner, lan, params)
    stage("Täckning och luckor", "coverage_gaps")
    return _in_scope(a, u, k_all, l_all, params, t)


def scoped(result: AtlasResult, lan: str | None) -> AtlasResult:
    """``result`` — an atlas of the whole country (``params.lan`` None) — scoped to ``lan``:
    the same result as :func:`compute_atlas` with that ``lan`` on the same inputs (the linking
    and the answers are the country's either way, ``tests/analysis/test_atlas_scoped.py``), from
    the country's tables without analysing again."""
    if result.params.lan is not None:
        raise ValueError("scoped() takes an atlas of the whole country")
    if lan is not None and lan not in set(result.areas_all["lan_code"]):
        raise ConfigError(f"länet {lan!r} har inga områden i datapaketet")
    return _in_scope(result.areas_all, result.units_all, result.kommuner, result.lan,
                     replace(result.params, lan=lan), {"coverage_gaps": time.perf_counter()})


def _in_scope(a: pd.DataFrame, u: pd.DataFrame, k_all: pd.DataFrame, l_all: pd.DataFrame, params: AtlasParams,
              t: dict[str, float]) -> AtlasResult:
    """The result of the country's linked units and answered areas (``a``, ``u``, ``k_all``,
    ``l_all``) in the scope of ``params.lan``: its tables, coverage by områdestyp, gaps and
    summary; ``t``: when each stage began (the timings)."""
    sa, su, sk, sl = (_in_lan(df, params.lan) for df in (a, u, k_all, l_all))
    cov_typ = cov.coverage_by(sa, "omradestyp")
    gp = gaps_mod.gaps(sa)
    summ = questions.summary(sa, su, sk, sl, params.to_dict())
    summ["units_kommun_mismatch"] = sorted(su.loc[su["kommun_mismatch"].astype(bool), "id"].astype(str).tolist())
    summ["units_by_link_level"] = {lv: int((su["link_level"] == lv).sum()) for lv in linking.LINK_LEVELS}
    end = time.perf_counter()
    keys = list(t)
    timings = {k: (t[keys[i + 1]] if i + 1 < len(keys) else end) - t[k] for i, k in enumerate(keys)}
    return AtlasResult(
        params=params,
        areas_all=a,
        units_all=u,
        areas=sa,
        units=su,
        kommuner=sk,
        lan=sl,
        units_by_level=questions.units_by_level(su, sk, sl),
        coverage_by_omradestyp=cov_typ,
        gaps=gp,
        summary=summ,
        timings=timings,
    )
