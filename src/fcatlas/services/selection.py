"""One filtering rule for the public map, the table, their downloads and the API: which units and
which areas (RegSO) a filter selects.

The filter's fields and what they narrow:

* ``lan`` and ``kommun`` narrow units and areas (a kommun implies its län);
* ``omradestyper`` (one or several of 1–5) narrows the areas to those types and the units to those
  lying in an area of one of them; ``year`` says which year's områdestyp (and population) counts
  — the bundle's latest by default — so it narrows the units only together with an area filter;
* ``exclusion`` ("områden med stort utanförskap") keeps the areas the atlas counts as exclusion
  areas (its definition, :func:`fcatlas.geography.exclusion.parse_exclusion`'s default: områdestyp
  1 and 2) and the units in them;
* ``reach`` keeps the areas whose answer to "is a centre within reach?" is ``saknas`` (no: the
  atlas's ``covered`` is False), ``finns`` (yes) or ``okand`` (cannot be judged), and the units in
  them — the same answer as the atlas (:func:`fcatlas.analysis.coverage.coverage_verdict`);
* ``category`` and ``status`` narrow the units (an area has neither);
* ``q`` (free text, case-insensitive) keeps the units whose name, kommun, locality or area name
  contains it, and the areas whose name or kommun contains it or that hold a unit it keeps.

Areas are selected when a län or kommun is chosen (a whole country's boundaries are too heavy for
one page). Units and areas come from the same atlas run, so the map and the table agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, STATUS_LABELS
from fcatlas.fmt import sort_key
from fcatlas.services.memo import Memo, remembered

#: the filter's fields in the URL (Swedish, as the pages' query strings)
URL_FIELDS = {"lan": "lan", "kommun": "kommun", "omradestyp": "omradestyp", "category": "kategori",
              "status": "status", "year": "ar", "q": "q", "exclusion": "utanforskap", "reach": "rackhall"}
#: the values of the reach filter (URL) → the atlas's ``covered``
REACH_CHOICES = {"saknas": "saknar familjecentral inom räckhåll", "finns": "har familjecentral inom räckhåll",
                 "okand": "kan inte bedömas"}


@dataclass(frozen=True)
class AtlasFilter:
    """A checked filter (``None`` = not narrowed)."""

    lan: str | None = None
    kommun: str | None = None
    omradestyper: tuple[int, ...] = ()
    category: str | None = None
    status: str | None = None
    year: int | None = None
    q: str | None = None
    exclusion: bool = False
    reach: str | None = None

    @property
    def lan_code(self) -> str | None:
        """The län the filter is within (given, or the kommun's)."""
        return self.lan or (self.kommun[:2] if self.kommun else None)

    @property
    def by_area(self) -> bool:
        """Whether the filter narrows by the units' areas (type, exclusion or reach)."""
        return bool(self.omradestyper) or self.exclusion or self.reach is not None

    @property
    def needs_areas(self) -> bool:
        return self.by_area or self.q is not None or self.lan_code is not None


@dataclass(frozen=True)
class FilterProblem:
    """A value of the filter that cannot be used: the URL field and a Swedish reason."""

    field: str
    message: str


def _all(raw: Mapping[str, str], name: str) -> list[str]:
    """Every value of ``name`` in a query string (repeated, or comma-separated)."""
    getlist = getattr(raw, "getlist", None)
    values = [str(v) for v in getlist(name)] if getlist is not None else [str(raw.get(name) or "")]
    return [p.strip()[:100] for v in values for p in v.split(",") if p.strip()][:10]


def parse_filter(raw: Mapping[str, str], *, years: list[int] | None = None) -> tuple[AtlasFilter, list[FilterProblem]]:
    """The filter of a query string (fields named as in :data:`URL_FIELDS`; ``omradestyp`` may be
    repeated or comma-separated). A value that is not valid is left out of the filter and named
    in the returned problems (the page shows them).

    >>> parse_filter({"omradestyp": "1,2", "utanforskap": "1", "rackhall": "saknas"})[0].omradestyper
    (1, 2)
    """
    problems: list[FilterProblem] = []
    values: dict[str, Any] = {}

    def get(key: str) -> str:
        return str(raw.get(URL_FIELDS[key]) or "").strip()[:100]

    _place(get, values, problems)
    _types(_all(raw, URL_FIELDS["omradestyp"]), values, problems)
    _choices(get, values, problems)
    if v := get("year"):
        if years is not None and v.isdigit() and int(v) in years:
            values["year"] = int(v)
        elif not years:
            problems.append(FilterProblem("ar", "Årgång kan inte väljas: tjänsten har inget datapaket."))
        else:
            problems.append(FilterProblem("ar", f"Datapaketet har inte årgången {v!r}; det har "
                                                f"{', '.join(map(str, years))}."))
    if v := get("q"):
        values["q"] = v
    return AtlasFilter(**values), problems


def _place(get: Callable[[str], str], values: dict[str, Any], problems: list[FilterProblem]) -> None:
    """The län and the kommun of the filter (a kommun must lie in the chosen län)."""
    from fcatlas.geography.admin import lan_names

    lans, kommuner = lan_names(), _kommun_lans()
    if v := get("lan"):
        if v in lans:
            values["lan"] = v
        else:
            problems.append(FilterProblem("lan", f"Länet {v!r} finns inte; välj ett av Sveriges 21 län."))
    if v := get("kommun"):
        if v not in kommuner:
            problems.append(FilterProblem("kommun", f"Kommunen {v!r} finns inte; välj en kommun i listan."))
        elif values.get("lan") and kommuner[v] != values["lan"]:
            problems.append(FilterProblem("kommun", f"Kommunen {v} ligger inte i {lans[values['lan']]}; "
                                                    "välj en kommun i länet eller ett annat län."))
        else:
            values["kommun"] = v


@functools.cache
def _kommun_lans() -> dict[str, str]:
    """Kommun code → its län's code (read once)."""
    from fcatlas.geography.admin import kommun_table

    t = kommun_table()
    return dict(zip(t["kommun_code"].astype(str), t["lan_code"].astype(str), strict=True))


def _choices(get: Callable[[str], str], values: dict[str, Any], problems: list[FilterProblem]) -> None:
    """Category, status, exclusion and reach: each one of a fixed list."""
    if v := get("exclusion"):
        values["exclusion"] = v.lower() in {"1", "ja", "true", "on"}
    if v := get("reach"):
        if v in REACH_CHOICES:
            values["reach"] = v
        else:
            problems.append(FilterProblem("rackhall", f"Räckhåll {v!r} går inte att välja; välj "
                                                      f"{', '.join(REACH_CHOICES)}."))
    if v := get("category"):
        if v in {c.value for c in CATEGORY_LABELS}:
            values["category"] = v
        else:
            problems.append(FilterProblem("kategori", f"Kategorin {v!r} finns inte; välj en kategori i listan."))
    if v := get("status"):
        if v in {s.value for s in STATUS_LABELS}:
            values["status"] = v
        else:
            problems.append(FilterProblem("status", f"Statusen {v!r} finns inte; välj en status i listan."))


def _types(raw: list[str], values: dict[str, Any], problems: list[FilterProblem]) -> None:
    """Områdestyper: each 1–5, several at once."""
    types: set[int] = set()
    for v in raw:
        if v.isdigit() and int(v) in OMRADESTYP_LABELS:
            types.add(int(v))
        else:
            problems.append(FilterProblem("omradestyp", f"Områdestypen {v!r} finns inte; välj 1–5."))
    if types:
        values["omradestyper"] = tuple(sorted(types))


@dataclass(frozen=True)
class Selection:
    """What a filter selects: the units as rows (``rows``: the register's public columns,
    ``version``, and ``regso_code``, ``regso_name`` and the area's ``omradestyp`` when a bundle is
    there; shared, not to be changed) and the areas (the atlas's area table) — ``None`` when no
    län or kommun is chosen or there is no bundle. ``units`` is the rows as a DataFrame, made when
    asked for (a download). ``areas_key`` names the areas for a cache (they are the same while it
    is), ``None`` when they depend on the units' free text."""

    rows: list[dict[str, Any]]
    areas: pd.DataFrame | None
    year: int | None
    problems: list[FilterProblem] = field(default_factory=list)
    areas_key: tuple[Any, ...] | None = None
    frame: Callable[[], pd.DataFrame] | None = field(default=None, compare=False, repr=False)

    @functools.cached_property
    def units(self) -> pd.DataFrame:
        if self.frame is not None:
            return self.frame()
        from fcatlas.services.units import units_frame

        return units_frame(self.rows)


def _has(value: Any, q: str) -> bool:
    """Whether ``value`` (text, a number or missing) contains ``q``, case-insensitively."""
    return value is not None and q in str(value).lower()


def _matches(r: Mapping[str, Any], q: str, columns: tuple[str, ...]) -> bool:
    return any(_has(r.get(c), q) for c in columns)


def _contains(series: pd.Series, q: str) -> pd.Series:
    return series.fillna("").astype(str).str.lower().str.contains(q.lower(), regex=False)


def select(session: Session, bundle: Any, *, actor: Actor, f: AtlasFilter, memo: Memo | None = None) -> Selection:
    """The units ``actor`` may see and the areas that ``f`` selects (the rule in the module's
    docstring). ``bundle`` may be ``None``: then units have no area, and a områdestyp filter keeps
    none of them.

    The units are the picture's rows (:func:`fcatlas.services.units.picture_rows`, read once per
    data version through ``memo``), filtered without a DataFrame. What depends only on the atlas
    — each unit's area, the areas a filter keeps — is remembered under the digest of the units'
    analysed columns (:func:`fcatlas.services.areas.atlas_analysed`): after a change of a draft's
    note only the units are read again."""
    from fcatlas.services.units import picture_rows

    lan = f.lan_code
    wanted = {k: v for k, v in (("lan_code", lan), ("kommun_code", f.kommun), ("category", f.category),
                                ("status", f.status)) if v}
    rows = [r for r in picture_rows(session, actor=actor, memo=memo) if all(r[k] == v for k, v in wanted.items())]
    q = f.q.lower() if f.q else None
    if bundle is None or not f.needs_areas:
        if f.by_area:
            rows = []
        if q:
            rows = [r for r in rows if _matches(r, q, ("name", "kommun_name", "locality"))]
        return Selection(rows, None, f.year)
    from fcatlas.services.areas import analysed_key, atlas_analysed

    run = atlas_analysed(session, bundle, actor=actor, year=f.year, memo=memo)
    # (a key only with a memo: it reads the units' digest)
    analysed = ("selection", *analysed_key(session, bundle, actor, memo, f.year)) if memo is not None else ()
    all_areas = run.result.areas_all
    year = f.year if f.year is not None or not len(all_areas) else remembered(
        memo, lambda: (*analysed, "year"), lambda: int(all_areas["year"].max()))
    link = remembered(memo, lambda: (*analysed, "unit-areas"), lambda: _unit_areas(run))
    none = {"regso_code": None, "regso_name": None, "omradestyp": None}
    rows = [r | link.get(r["id"], none) for r in rows]
    if f.by_area:
        kept = remembered(memo, lambda: (*analysed, "kept", f.omradestyper, f.exclusion, f.reach),
                          lambda: frozenset(area_filter(all_areas, f)["regso_code"]))
        rows = [r for r in rows if r["regso_code"] in kept]
    if q:
        rows = [r for r in rows if _matches(r, q, ("name", "kommun_name", "locality", "regso_name"))]

    def frame() -> pd.DataFrame:
        from fcatlas.services.units import units_frame

        units = units_frame(rows)
        return units.merge(_unit_area_table(run), on="id", how="left")

    if lan is None:
        return Selection(rows, None, year, frame=frame)
    if q:  # the areas that hold a unit the text keeps: they depend on the units
        return Selection(rows, _areas_of(all_areas, f, rows), year, frame=frame)
    key = (*analysed, "areas", lan, f.kommun, f.omradestyper, f.exclusion, f.reach) if analysed else None
    return Selection(rows, remembered(memo, lambda: key, lambda: _areas_of(all_areas, f, rows)), year,
                     areas_key=key, frame=frame)


def _unit_area_table(run: Any) -> pd.DataFrame:
    """Each linked unit's area: ``id``, ``regso_code``, ``regso_name`` and the area's ``omradestyp``."""
    link: pd.DataFrame = run.result.units_all[["id", "regso_code", "regso_name"]].drop_duplicates("id")
    return link.merge(run.result.areas_all[["regso_code", "omradestyp"]], on="regso_code", how="left")


def _unit_areas(run: Any) -> dict[str, dict[str, Any]]:
    """:func:`_unit_area_table` by unit id, missing values as ``None``."""
    out = {}
    for r in _unit_area_table(run).to_dict("records"):
        typ = r["omradestyp"]
        out[str(r["id"])] = {"regso_code": None if pd.isna(r["regso_code"]) else str(r["regso_code"]),
                             "regso_name": None if pd.isna(r["regso_name"]) else str(r["regso_name"]),
                             "omradestyp": None if pd.isna(typ) else int(typ)}
    return out


def _areas_of(all_areas: pd.DataFrame, f: AtlasFilter, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """The areas of ``f``'s län (or kommun) that it keeps, by kommun and name (``rows``: the
    selected units, for the free text)."""
    areas = all_areas.loc[all_areas["lan_code"] == f.lan_code]
    if f.kommun:
        areas = areas.loc[areas["kommun_code"] == f.kommun]
    if f.by_area:
        areas = area_filter(areas, f)
    if f.q:
        held = {r["regso_code"] for r in rows if r["regso_code"] is not None}
        areas = areas.loc[_contains(areas["name"], f.q) | _contains(areas["kommun_name"], f.q)
                          | areas["regso_code"].isin(held)]
    return areas.sort_values(["kommun_name", "name", "regso_code"],
                             key=lambda s: s.map(sort_key)).reset_index(drop=True)


def area_filter(areas: pd.DataFrame, f: AtlasFilter) -> pd.DataFrame:
    """The rows of the atlas's area table that ``f``'s områdestyper, exclusion and reach keep."""
    keep = pd.Series(True, index=areas.index)
    if f.omradestyper:
        keep &= areas["omradestyp"].isin(list(f.omradestyper))
    if f.exclusion:
        keep &= areas["exclusion"].astype(bool)
    if f.reach is not None:
        cov = areas["covered"].astype("boolean")
        keep &= {"saknas": cov.eq(False), "finns": cov.eq(True), "okand": cov.isna()}[f.reach].fillna(False)
    return areas.loc[keep.astype(bool)]


def unit_area(session: Session, bundle: Any, *, actor: Actor, unit_id: str,
              memo: Memo | None = None) -> dict[str, Any] | None:
    """The area (RegSO code and name) a visible unit lies in, as the atlas links it, or ``None``."""
    if bundle is None:
        return None
    from fcatlas.services.areas import atlas_analysed

    link = atlas_analysed(session, bundle, actor=actor, memo=memo).result.units_all
    hit = link.loc[link["id"] == unit_id]
    if hit.empty or pd.isna(hit["regso_code"].iloc[0]):
        return None
    return {"regso_code": str(hit["regso_code"].iloc[0]), "name": str(hit["regso_name"].iloc[0]),
            "link_level": str(hit["link_level"].iloc[0])}
