"""The gaps, for the public: per nation, län or kommun, the exclusion areas without a centre
within reach and the children 0–6 living there — the atlas's own list (the sheet *Luckor*,
:func:`fcatlas.analysis.gaps.gaps` on the same run), so its totals equal the atlas summary for the
same selection. Each gap carries the answer to "is a centre within reach?" as a person should read
it (:func:`fcatlas.analysis.coverage.reach_answer`: "kan inte bedömas" with the reason where the
area's boundary is missing) and a few similar areas that do have a centre within reach.

Also the four questions as key figures for a selection (:func:`four_answers`), the start page's
figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.analysis.coverage import reach_answer
from fcatlas.domain import CENTRE_CATEGORIES, OMRADESTYP_LABELS, Status
from fcatlas.errors import ConfigError, NotFoundError
from fcatlas.services.memo import Memo, remembered

#: the sort keys of the list (URL value → columns); the default is the atlas's rank
SORTS: dict[str, list[str]] = {
    "rang": ["rank"],
    "barn": ["children_0_6", "rank"],
    "avstand": ["nearest_centre_km", "rank"],
    "namn": ["name", "rank"],
    "kommun": ["kommun_name", "name"],
    "typ": ["omradestyp", "rank"],
}
MAX_PER_PAGE = 500

#: the columns of a download of the list (machine-readable names, as the API's keys)
DOWNLOAD_COLUMNS = [
    "rank", "regso_code", "name", "kommun_code", "kommun_name", "lan_code", "omradestyp", "omradestyp_label",
    "children_0_6", "children_0_6_estimated", "reach_km", "nearest_centre_id", "nearest_centre_name",
    "nearest_centre_km", "reach", "reach_reason", "gap_reason", "similar_with_centre",
]
GAP_REASONS = {
    "omrade": "ingen familjecentral i drift i området eller inom räckhåll",
    "kommun": "ingen familjecentral i drift i kommunen",
}


@dataclass(frozen=True)
class GapList:
    """One page of the gap list and the totals of the whole list.

    ``items`` is the page (the atlas's gap columns plus ``omradestyp_label``, ``reach``,
    ``reach_reason``, ``gap_reason`` and ``similar_with_centre``); ``total`` and
    ``children_0_6`` count the whole list; ``atlas`` holds the atlas summary's figures for the same
    selection (``exclusion_areas``, ``without_centre``, ``children_without_centre``,
    ``coverage_unknown``, ``children_coverage_unknown``)."""

    items: pd.DataFrame
    total: int
    children_0_6: int
    children_0_6_estimated: bool
    page: int
    per_page: int
    atlas: dict[str, int] = field(default_factory=dict)
    synthetic: bool = False
    year: int | None = None

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def number(self) -> int:
        return self.page

    @property
    def start(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def stop(self) -> int:
        return min(self.total, self.page * self.per_page)


def _scope(areas: pd.DataFrame, lan: str | None, kommun: str | None) -> pd.DataFrame:
    if kommun:
        return areas.loc[areas["kommun_code"] == kommun]
    if lan:
        return areas.loc[areas["lan_code"] == lan]
    return areas


def _atlas_figures(scope_areas: pd.DataFrame) -> dict[str, int]:
    """The atlas summary's figures for questions 3 and 4 over ``scope_areas`` (the same function
    as ``summary.json``: :func:`fcatlas.analysis.questions.scope_totals`)."""
    from fcatlas.analysis.questions import scope_totals

    t = scope_totals(scope_areas)

    def n(key: str) -> int:
        v = t.get(key, 0)
        return 0 if v is None or pd.isna(v) else int(v)

    return {"exclusion_areas": n("n_exclusion_areas"), "covered": n("n_exclusion_areas_covered"),
            "without_centre": n("n_exclusion_areas_not_covered"),
            "without_centre_kommun_level": n("n_exclusion_areas_not_covered_kommun_level"),
            "coverage_unknown": n("n_exclusion_areas_unknown"),
            "children_in_exclusion_areas": n("children_0_6_exclusion"),
            "children_without_centre": n("children_0_6_exclusion_not_covered"),
            "children_coverage_unknown": n("children_0_6_exclusion_unknown")}


def _run(session: Session, bundle: Any, actor: Actor, year: int | None, memo: Memo | None = None) -> Any:
    from fcatlas.services.areas import atlas_analysed

    return atlas_analysed(session, bundle, actor=actor, year=year, memo=memo)


def _check(bundle: Any, lan: str | None, kommun: str | None,
           memo: Memo | None = None) -> tuple[str | None, str | None]:
    from fcatlas.services.areas import _lan_in

    if kommun and lan and kommun[:2] != lan:
        raise NotFoundError(f"kommunen {kommun} ligger inte i län {lan}")
    if kommun and kommun not in set(bundle.areas("regso")["kommun_code"].astype(str)):
        raise NotFoundError(f"kommunen {kommun} har inga områden i datapaketet {bundle.label}")
    return _lan_in(bundle, lan or (kommun[:2] if kommun else None), memo), kommun or None


def has_areas(bundle: Any, lan: str | None, memo: Memo | None = None) -> bool:
    """Whether the bundle has areas for ``lan`` (the nation: always)."""
    from fcatlas.services.areas import _lan_in

    try:
        _lan_in(bundle, lan, memo)
    except NotFoundError:
        return False
    return True


def all_gaps(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None, kommun: str | None = None,
             year: int | None = None, omradestyper: tuple[int, ...] = (), memo: Memo | None = None) -> pd.DataFrame:
    """The whole gap list of the selection (the atlas's rank order), with the answer columns —
    what a download holds."""
    lan, kommun = _check(bundle, lan, kommun, memo)
    run = _run(session, bundle, actor, year, memo)
    g = _scope(run.result.gaps, lan, kommun)
    if omradestyper:
        g = g.loc[g["omradestyp"].isin(list(omradestyper))]
    return _answers(g.reset_index(drop=True))


def _answers(g: pd.DataFrame) -> pd.DataFrame:
    g = g.copy()
    answers = [reach_answer(c, lv) for c, lv in zip([False] * len(g), g["coverage_level"], strict=True)]
    g["reach"] = [a for a, _ in answers]
    g["reach_reason"] = [r for _, r in answers]
    g["gap_reason"] = g["coverage_level"].map(GAP_REASONS)
    g["omradestyp_label"] = g["omradestyp"].map(lambda t: OMRADESTYP_LABELS.get(int(t)) if pd.notna(t) else None)
    g["children_0_6_estimated"] = g["children_0_6_estimated"].fillna(False).astype(bool)
    return g


@dataclass(frozen=True)
class GapRequest:
    """Which gaps, in which order, which page: ``lan``/``kommun`` (neither: the nation),
    ``omradestyper`` (none: every exclusion area), ``sort`` (:data:`SORTS`; ``barn`` and
    ``avstand`` most first unless ``descending`` is False), ``similar_k`` similar areas with a
    centre per gap."""

    lan: str | None = None
    kommun: str | None = None
    year: int | None = None
    omradestyper: tuple[int, ...] = ()
    sort: str = "rang"
    descending: bool | None = None
    page: int = 1
    per_page: int = 50
    similar_k: int = 3


def _order(g: pd.DataFrame, sort: str, descending: bool | None) -> pd.DataFrame:
    desc = sort in ("barn", "avstand") if descending is None else descending
    cols = SORTS[sort]
    if sort in ("namn", "kommun"):
        from fcatlas.fmt import sort_key

        return g.sort_values(cols, ascending=[not desc, True], key=lambda s: s.map(sort_key))
    return g.sort_values(cols, ascending=[not desc] + [True] * (len(cols) - 1), na_position="last")


def gap_list(session: Session, bundle: Any, *, actor: Actor, request: GapRequest, memo: Memo | None = None) -> GapList:
    """One page of the gap list of the nation, a län or a kommun (the atlas's *Luckor* for the
    same selection), each gap with a few similar areas that have a centre within reach. Anyone may
    read it (the units counted are those ``actor`` may see)."""
    from fcatlas.services.areas import analysed_key

    r = request
    if r.sort not in SORTS:
        raise ConfigError(f"sorteringen {r.sort!r} finns inte; välj {', '.join(SORTS)}")
    if not 1 <= r.per_page <= MAX_PER_PAGE or r.page < 1:
        raise ConfigError(f"sidan ska vara minst 1 och sidstorleken 1–{MAX_PER_PAGE}")
    _check(bundle, r.lan, r.kommun, memo)  # (a place the bundle lacks: refused before any key)
    # the same analysed units give the same list (a draft's note changes nothing in it)
    return remembered(memo, lambda: ("gap-list", *analysed_key(session, bundle, actor, memo, r)),
                      lambda: _gap_list(session, bundle, actor, r, memo))


def _gap_list(session: Session, bundle: Any, actor: Actor, r: GapRequest, memo: Memo | None) -> GapList:
    g = all_gaps(session, bundle, actor=actor, lan=r.lan, kommun=r.kommun, year=r.year, omradestyper=r.omradestyper,
                 memo=memo)
    run = _run(session, bundle, actor, r.year, memo)
    lan_c, kommun_c = _check(bundle, r.lan, r.kommun, memo)
    start = (r.page - 1) * r.per_page
    items = _order(g, r.sort, r.descending).iloc[start:start + r.per_page].copy()
    similar = _similar_with_centre(run.result.areas_all, list(items["regso_code"]), r.similar_k)
    items["similar_with_centre"] = pd.Series(similar, index=items.index, dtype=object)
    years = run.result.areas_all["year"] if "year" in run.result.areas_all else pd.Series(dtype="int64")
    return GapList(items=items.reset_index(drop=True), total=len(g),
                   children_0_6=int(g["children_0_6"].astype("Int64").fillna(0).sum()),
                   children_0_6_estimated=bool(g["children_0_6_estimated"].any()), page=r.page, per_page=r.per_page,
                   atlas=_atlas_figures(_scope(run.result.areas_all, lan_c, kommun_c)),
                   synthetic=bool((bundle.manifest or {}).get("synthetic")),
                   year=int(years.max()) if len(years) else None)


def _similar_with_centre(areas: pd.DataFrame, codes: list[str], k: int) -> list[list[dict[str, Any]]]:
    """For each of ``codes``: the ``k`` most similar areas (:mod:`fcatlas.analysis.similar`'s
    features, standardised once) whose centre answer is yes."""
    from fcatlas.analysis.similar import FEATURES, feature_table, standardise

    if not codes or k < 1:
        return [[] for _ in codes]
    z = standardise(feature_table(areas))[list(FEATURES)]
    covered = areas["covered"].astype("boolean").fillna(False).to_numpy(dtype=bool)
    pool = z.to_numpy()[covered]
    info = areas.loc[covered, ["regso_code", "name", "kommun_name"]].reset_index(drop=True)
    out: list[list[dict[str, Any]]] = []
    for code in codes:
        if not len(pool):
            out.append([])
            continue
        d = np.sqrt(((pool - z.loc[code].to_numpy()) ** 2).sum(axis=1))
        best = np.argsort(d, kind="stable")[:k]
        out.append([{"regso_code": str(info.at[i, "regso_code"]), "name": str(info.at[i, "name"]),
                     "kommun_name": str(info.at[i, "kommun_name"])} for i in best])
    return out


def four_answers(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None,
                 kommun: str | None = None, year: int | None = None, memo: Memo | None = None) -> dict[str, Any]:
    """Socialstyrelsen's four questions as key figures for the nation, a län or a kommun: operating
    centres (the centre categories), exclusion areas, those without a centre within reach (and
    those that cannot be judged) and the children 0–6 living in them — the atlas's figures."""
    from fcatlas.services.areas import analysed_key

    lan_c, kommun_c = _check(bundle, lan, kommun, memo)
    run = _run(session, bundle, actor, year, memo)

    def answer() -> dict[str, Any]:
        u = _scope(run.result.units_all, lan_c, kommun_c)
        cats = {c.value for c in CENTRE_CATEGORIES}
        operating = u.loc[(u["status"].astype(str) == Status.I_DRIFT.value) & u["category"].astype(str).isin(cats)]
        a = _scope(run.result.areas_all, lan_c, kommun_c)
        return {"centres": len(operating), "reported": bool(len(u)), **_atlas_figures(a),
                "children_0_6_estimated": bool(a["children_0_6_estimated"].fillna(False).astype(bool).any())}

    # the same analysed units give the same answers (a draft's note changes none of them)
    return dict(remembered(memo, lambda: ("four-answers", *analysed_key(session, bundle, actor, memo, year, lan_c,
                                                                        kommun_c)), answer))
