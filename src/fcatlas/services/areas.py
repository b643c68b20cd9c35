"""The atlas for the web service: the same :func:`fcatlas.services.atlas.run_atlas` as
``fcatlas atlas``, on the units the acting user may see. The functions keep nothing: a face that
answers many requests passes a :class:`fcatlas.services.memo.Memo` (``memo=``), and the result is
remembered under a key of the database, the bundle, the parameters and a fingerprint of the units
it runs on (the result depends on nothing else). So a region's draft atlas is computed again only
when the units it sees change — not when another region changes its draft — and a picture whose
units are the public ones shares the public atlas.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import ANONYMOUS, Actor
from fcatlas.errors import NotFoundError
from fcatlas.services.atlas import AtlasRun, area_facts_of, parse_lan, run_atlas
from fcatlas.services.memo import Memo, database_of, remembered
from fcatlas.services.units import data_version as _data_version
from fcatlas.services.units import picture_rows
from fcatlas.services.units import visibility as _visibility


def _lan_in(bundle: Any, lan: str | None, memo: Memo | None = None) -> str | None:
    """A län code that the bundle has areas for (``NotFoundError`` otherwise)."""
    code = parse_lan(lan)
    if code is None:
        return None
    lans = remembered(memo, lambda: ("lans", str(bundle.path)),  # a bundle does not change while it is open
                      lambda: frozenset(bundle.areas("regso")["lan_code"]))
    if code not in lans:
        raise NotFoundError(f"län {code} har inga områden i datapaketet {bundle.label}")
    return code


def _year_in(bundle: Any, year: int | None) -> int | None:
    """A year the bundle has (``NotFoundError`` naming the years it has otherwise)."""
    if year is not None and int(year) not in bundle.years:
        raise NotFoundError(f"datapaketet har inte året {year}; det har {', '.join(map(str, bundle.years))}")
    return year


def _digest(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A digest of ``columns`` of ``rows`` (in their order): their Python values, which a few
    hundred units give in well under a millisecond."""
    h = hashlib.sha256(repr(columns).encode())
    h.update(repr([tuple(r.get(c) for c in columns) for r in rows]).encode())
    return h.hexdigest()


@dataclass(frozen=True)
class AtlasUnits:
    """The units an atlas runs on: every unit the acting user may see (``rows``, as
    :func:`fcatlas.services.units.picture_rows` gives them), the digest of the columns the
    analysis reads (``analysed``: :data:`fcatlas.analysis.linking.UNIT_COLUMNS`) and of all the
    register's columns (``whole``). ``units``, the DataFrame, is made when an analysis or a
    put-back needs it."""

    rows: list[dict[str, Any]]
    analysed: str
    whole: str

    @functools.cached_property
    def units(self) -> pd.DataFrame:
        from fcatlas.register.store import Register

        return Register._frame(self.rows)

    @property
    def for_analysis(self) -> pd.DataFrame:
        return _analysed_columns(self.units)


def _analysed_columns(units: pd.DataFrame) -> pd.DataFrame:
    return units[[c for c in _unit_columns() if c in units.columns]]


def _unit_columns() -> list[str]:
    from fcatlas.analysis.linking import UNIT_COLUMNS  # (the geo stack: imported when an atlas is run)

    return list(UNIT_COLUMNS)


def atlas_units(session: Session, actor: Actor, memo: Memo | None = None) -> AtlasUnits:
    """The units the atlas of ``actor`` runs on, read and digested once per data version of
    their picture (through ``memo``)."""
    from fcatlas.register.store import COLUMNS

    def read() -> AtlasUnits:
        rows = picture_rows(session, actor=actor, memo=memo)
        return AtlasUnits(rows, _digest(rows, _unit_columns()), _digest(rows, COLUMNS))

    seen = _visibility(actor)
    return remembered(memo, lambda: ("atlas-units", database_of(session), seen, _data_version(session, seen)), read)


def analysed_key(session: Session, bundle: Any, actor: Actor, memo: Memo | None, *params: Any) -> tuple[Any, ...]:
    """A memo key for what follows from the atlas of ``actor``'s picture and ``params`` alone
    (an area's card, the gap list, the four answers, a selection's areas): the database, the
    bundle, the digest of the analysed units (:func:`atlas_units`) and ``params`` — the same while
    a draft's changes leave its units' places, kinds and states as they were."""
    return (database_of(session), str(bundle.path), atlas_units(session, actor, memo).analysed, *params)


def atlas_for(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None, year: int | None = None,
              exclusion: str | None = None, memo: Memo | None = None) -> AtlasRun:
    """The atlas (of the country, or scoped to one län) on the units ``actor`` may see (the
    published picture for the public), its unit tables with every column of the units.

    It is :func:`atlas_analysed` with the units' other columns (a note, an address, the
    services) put back into its unit tables, remembered under the digest of the whole table. So
    a change of a draft's note or address is in the next answer without computing the atlas again
    — the result is the same as of the analysis on the whole table
    (``tests/services/test_issue24_draft_atlas.py``)."""
    seen = atlas_units(session, actor, memo)
    lan_code, year = _lan_in(bundle, lan, memo), _year_in(bundle, year)
    place = (database_of(session), str(bundle.path), lan_code, year, exclusion)

    def whole() -> AtlasRun:
        run = atlas_analysed(session, bundle, actor=actor, lan=lan, year=year, exclusion=exclusion, memo=memo)
        return _with_columns(run, seen.units)

    return remembered(memo, lambda: ("atlas-of", *place, seen.whole), whole)


def atlas_analysed(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None, year: int | None = None,
                   exclusion: str | None = None, memo: Memo | None = None) -> AtlasRun:
    """The atlas as :func:`atlas_for` computes it, its unit tables with only the columns the
    analysis reads (:data:`~fcatlas.analysis.linking.UNIT_COLUMNS`: where a unit is, what and in
    what state) and those the linking adds — all that the areas, the gaps, the four answers and
    a unit's area depend on. Remembered under the digest of those columns: a change of a draft's
    note does not reach it."""
    lan_code, year = _lan_in(bundle, lan, memo), _year_in(bundle, year)
    seen = atlas_units(session, actor, memo)  # the key's units are the ones computed on

    def analyse() -> AtlasRun:
        if lan_code is not None:  # the country's analysis, scoped: one analysis serves every län
            from fcatlas.analysis.atlas import scoped

            country = atlas_analysed(session, bundle, actor=actor, year=year, exclusion=exclusion, memo=memo)
            return replace(country, result=scoped(country.result, lan_code))
        facts = remembered(memo, lambda: ("area-facts", str(bundle.path), year),  # (the bundle's alone)
                           lambda: area_facts_of(bundle, year))
        before = None
        if memo is not None and _visibility(actor) != "publicerat" and (
                atlas_units(session, ANONYMOUS, memo).analysed != seen.analysed):
            # a draft beside the published picture: only its changed units are linked again (a
            # picture with the same units is this very key: it is being computed now)
            public = atlas_analysed(session, bundle, actor=ANONYMOUS, year=year, exclusion=exclusion, memo=memo)
            before = (public.units, public.result.units_all)
        return run_atlas(bundle, db_url=None, year=year, exclusion=exclusion, units=seen.for_analysis,
                         area_facts=facts, linked_before=before)  # (a new frame: its columns picked)

    return remembered(memo, lambda: ("atlas", database_of(session), str(bundle.path), lan_code, year, exclusion,
                                     seen.analysed), analyse)


def _with_columns(run: AtlasRun, units: pd.DataFrame) -> AtlasRun:
    """``run`` (of the analysed columns of ``units``) with the units' other columns back in its
    unit tables, in the order the analysis of the whole table gives them (its columns, then
    the ones the linking adds)."""
    by_id = units.set_index("id")
    extra = by_id[[c for c in by_id.columns if c not in run.result.units_all.columns]]

    def back(linked: pd.DataFrame) -> pd.DataFrame:
        out = linked.join(extra, on="id")
        return out[list(units.columns) + [c for c in linked.columns if c not in units.columns]]

    result = replace(run.result, units_all=back(run.result.units_all), units=back(run.result.units))
    return replace(run, result=result, units=units)


def summary(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None, year: int | None = None,
            exclusion: str | None = None, memo: Memo | None = None) -> dict[str, Any]:
    """The figures of ``summary.json`` for the country or one län."""
    from fcatlas.outputs.atlas import summary_document

    run = atlas_for(session, bundle, actor=actor, lan=lan, year=year, exclusion=exclusion, memo=memo)
    return summary_document(run.result, bundle.manifest)


def gaps(session: Session, bundle: Any, *, actor: Actor, lan: str | None = None, year: int | None = None,
         exclusion: str | None = None, memo: Memo | None = None) -> pd.DataFrame:
    """The ranked gap list (exclusion areas without a centre within reach)."""
    run = atlas_analysed(session, bundle, actor=actor, year=year, exclusion=exclusion, memo=memo)
    g = run.result.gaps
    lan_code = _lan_in(bundle, lan, memo)
    return g if lan_code is None else g.loc[g["lan_code"] == lan_code].reset_index(drop=True)


def similar(session: Session, bundle: Any, *, actor: Actor, regso: str, k: int = 5,
            year: int | None = None, memo: Memo | None = None) -> pd.DataFrame:
    """The ``k`` RegSO most like ``regso`` (as ``fcatlas similar``)."""
    from fcatlas.analysis.similar import similar_areas

    run = atlas_analysed(session, bundle, actor=actor, year=year, memo=memo)

    def compute() -> pd.DataFrame:
        if regso not in set(run.result.areas_all["regso_code"]):
            raise NotFoundError(f"RegSO {regso} finns inte i datapaketet")
        return similar_areas(run.result.areas_all, regso, k=k)

    year_ = _year_in(bundle, year)
    return remembered(memo, lambda: ("similar", *analysed_key(session, bundle, actor, memo, year_, regso, k)), compute)


def mapped_lans(bundle: Any) -> list[str]:
    """The län that have RegSO boundaries in the bundle (those the start page draws)."""
    return list(bundle.manifest.get("geometry", {}).get("lan_with_regso_geometry") or [])


def warm(session: Session, bundle: Any, *, memo: Memo) -> None:
    """Compute ahead what the public asks for first: the published atlas of the country and of
    each län with RegSO boundaries in the bundle, and those län's area layers."""
    from fcatlas.outputs.atlas import summary_document  # noqa: F401 - its import is slow: done now

    atlas_for(session, bundle, actor=ANONYMOUS, memo=memo)
    for lan in mapped_lans(bundle):
        try:
            atlas_for(session, bundle, actor=ANONYMOUS, lan=lan, memo=memo)
            areas_geojson(bundle, lan=lan, memo=memo)
        except NotFoundError:
            continue


@dataclass(frozen=True)
class Layer:
    """A GeoJSON layer ready to send: the body, the same gzip-compressed, and its ETag."""

    body: bytes
    gzipped: bytes
    etag: str


def areas_geojson(bundle: Any, *, lan: str | None, year: int | None = None, tolerance_m: float = 50.0,
                  memo: Memo | None = None) -> Layer:
    """RegSO of the country or a län as GeoJSON (WGS 84, simplified by ``tolerance_m`` for display,
    coordinates to 5 decimals ≈ 1 m), with the properties of ``fcatlas areas``. Areas without a
    boundary are included with a null geometry (the layer depends only on the bundle)."""
    lan_code, year = _lan_in(bundle, lan, memo), _year_in(bundle, year)
    return remembered(memo, lambda: ("areas-geojson", str(bundle.path), lan_code, year, tolerance_m),
                      lambda: _areas_layer(bundle, lan_code, year, tolerance_m))


def _areas_layer(bundle: Any, lan_code: str | None, year: int | None, tolerance_m: float) -> Layer:
    import geopandas as gpd
    import shapely

    areas = bundle.areas("regso", year=year, lan=lan_code)
    geo = bundle.geometries("regso")
    geo = geo.loc[geo["regso_code"].isin(areas["regso_code"])]
    simple = gpd.GeoSeries(shapely.simplify(geo.geometry.values, tolerance_m, preserve_topology=True),
                           crs=geo.crs).to_crs("EPSG:4326")
    simple = gpd.GeoSeries(shapely.set_precision(simple.values, 1e-5), crs="EPSG:4326")
    shapes = dict(zip(geo["regso_code"], simple, strict=True))
    features = []
    for row in json.loads(areas.to_json(orient="records", force_ascii=False)):
        g = shapes.get(row["regso_code"])
        features.append({"type": "Feature", "id": row["regso_code"],
                         "geometry": None if g is None or g.is_empty else shapely.geometry.mapping(g),
                         "properties": row})
    doc = {"type": "FeatureCollection", "features": features,
           "fcatlas": {"bundle": bundle.manifest.get("label"), "synthetic": bool(bundle.manifest.get("synthetic")),
                       "simplified_m": tolerance_m}}
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    layer = Layer(body, gzip.compress(body, compresslevel=6), '"' + hashlib.sha256(body).hexdigest()[:32] + '"')
    return layer
