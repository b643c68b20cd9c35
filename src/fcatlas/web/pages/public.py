"""Public pages: the map (start page), the table with downloads, unit card, about the data, and
the static files."""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, STATUS_LABELS, Category, Status
from fcatlas.fmt import missing, sort_key
from fcatlas.services import downloads
from fcatlas.services import selection as sel
from fcatlas.services import units as unit_service
from fcatlas.services.memo import remembered
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import ActorDep, SessionDep, warm_first
from fcatlas.web.pages.common import HERE, VENDOR, node_modules, render

router = APIRouter(include_in_schema=False)

CATEGORY_COLOURS = {"familjecentral": "#0072B2", "familjecentralsliknande": "#009E73", "annan_samverkan": "#CC79A7"}
CATEGORY_SHAPES = {"familjecentral": "cirkel", "familjecentralsliknande": "triangel", "annan_samverkan": "romb"}
OMRADESTYP_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#ffffbf", 4: "#abd9e9", 5: "#2c7bb6"}
SORTABLE = {"namn": "name", "kommun": "kommun_name", "lan": "lan_name", "kategori": "category", "status": "status"}
TABLE_COLUMNS = ["id", "name", "kommun_code", "kommun_name", "lan_code", "lan_name", "category", "status", "mvc",
                 "bvc", "of", "soc", "co_located", "address", "locality", "lat", "lon", "precision"]

#: the register's service flags as the domain's service codes
CODES = {"mvc": "MVC", "bvc": "BVC", "of": "ÖF", "soc": "SOC"}
#: Socialstyrelsen's definitions (as on "Om uppgifterna"), shown on the unit card
CATEGORY_DEFINITIONS = {
    "familjecentral": "mödrahälsovård (MVC), barnhälsovård (BVC), öppen förskola (ÖF) och socialtjänst (SOC) "
                      "samlokaliserade",
    "familjecentralsliknande": "barnhälsovård (BVC) samlokaliserad med minst öppen förskola (ÖF) eller "
                               "socialtjänst (SOC)",
    "annan_samverkan": "samverkan mellan minst två av MVC, BVC, ÖF och SOC utan samlokalisering enligt ovan",
}
#: where a unit's position comes from
PRECISION_LABELS = {"exakt": "exakt (koordinater i listan)", "adress": "adress", "postnummer": "postnummer",
                    "ort": "ort", "kommun": "kommun (kommunens mitt)"}
#: the area columns a download adds when the filter linked the units to their areas
AREA_COLUMNS = ["regso_code", "regso_name", "omradestyp"]
#: the columns of the areas' download (``/tabell.csv?vad=omraden``), then ``reach`` and its reason
AREA_DOWNLOAD_COLUMNS = ["regso_code", "name", "kommun_code", "kommun_name", "lan_code", "omradestyp",
                         "children_0_6", "children_0_6_estimated", "exclusion", "nearest_centre_km", "reach_km",
                         "coverage_level"]


#: units and areas per page of the map's list and the table (a län of 10,000 units pages small)
PER_PAGE = 100


@dataclass(frozen=True)
class Filter:
    """The filter as the page's form sent it (text; :mod:`fcatlas.services.selection` checks it);
    ``omradestyp`` may hold several types."""

    lan: str = ""
    kommun: str = ""
    omradestyp: tuple[str, ...] = ()
    kategori: str = ""
    status: str = ""
    ar: str = ""
    q: str = ""
    utanforskap: str = ""
    rackhall: str = ""

    @classmethod
    def from_request(cls, request: Request) -> Filter:
        p = request.query_params
        types = tuple(t.strip()[:10] for v in p.getlist("omradestyp") for t in v.split(",") if t.strip())[:10]
        return cls(**{k: (p.get(k) or "").strip()[:100] for k in cls.__dataclass_fields__ if k != "omradestyp"},
                   omradestyp=types)

    def query(self, **override: str) -> str:
        from urllib.parse import urlencode

        d: dict[str, Any] = {**self.__dict__, **override}
        return urlencode({k: (list(v) if isinstance(v, tuple) else v) for k, v in d.items() if v}, doseq=True)

    def has_type(self, code: object) -> bool:
        return str(code) in self.omradestyp


def choices() -> dict[str, Any]:
    """The filter's choices (a new dict each call: a page adds the bundle's years)."""
    return dict(_choices())


@functools.cache
def _choices() -> dict[str, Any]:
    from fcatlas.geography.admin import kommun_table, lan_table

    lans = lan_table().sort_values("lan_code")
    kommuner = kommun_table().sort_values(["kommun_name"])
    return {
        "lans": list(zip(lans["lan_code"], lans["lan_name"], strict=True)),
        "kommuner": list(zip(kommuner["kommun_code"], kommuner["kommun_name"], kommuner["lan_code"], strict=True)),
        "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
        "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
        "omradestyper": [(int(k), v) for k, v in OMRADESTYP_LABELS.items()],
        "reach": list(sel.REACH_CHOICES.items()),
        "years": [],
    }


def selection(request: Request, session: Any, actor: Any, f: Filter) -> sel.Selection:
    """What the filter selects — the services' one rule (:mod:`fcatlas.services.selection`), shared
    by the map, the table, the downloads and the API; invalid values come back as problems."""
    bundle = request.app.state.bundle
    checked, problems = sel.parse_filter(request.query_params, years=list(bundle.years) if bundle else None)
    unit_service.hold_data_version(session)  # (the pages of a selection only read)
    try:
        picked = sel.select(session, bundle, actor=actor, f=checked, memo=memo_of(request))
    except e.NotFoundError as exc:  # e.g. a län the bundle has no areas for
        picked = sel.select(session, None, actor=actor, f=checked, memo=memo_of(request))
        problems = [*problems, sel.FilterProblem("lan", str(exc))]
    return replace(picked, problems=problems)


#: statuses drawn with a hollow symbol (as the legend says)
HOLLOW = {Status.PLANERAD.value, Status.AVSIKTSFORKLARING.value}


def unit_rows(records: Iterable[Mapping[Any, Any]]) -> list[dict[str, Any]]:
    """Units as the pages show them: each record (the register's public column names) with a
    missing number as ``None`` and its category's and status's Swedish labels, map symbol and
    hollowness."""
    cats = {c.value: label for c, label in CATEGORY_LABELS.items()}
    sts = {s.value: label for s, label in STATUS_LABELS.items()}
    out: list[dict[str, Any]] = []
    for r in records:
        cat, st = str(r.get("category") or ""), str(r.get("status") or "")
        clean = {str(k): (None if isinstance(v, float) and v != v else v) for k, v in r.items()}
        out.append({**clean, "category_label": cats.get(cat, cat),
                    "status_label": sts.get(st, st), "shape": CATEGORY_SHAPES.get(cat, "punkt"),
                    "hollow": st in HOLLOW})
    return out


@dataclass(frozen=True)
class Page:
    """One page of a list: its number, the number of pages and the rows' slice."""

    number: int
    pages: int
    total: int
    start: int
    stop: int

    @classmethod
    def of(cls, total: int, raw: str | None, per_page: int = PER_PAGE) -> Page:
        pages = max(1, -(-total // per_page))
        n = int(raw) if raw and raw.isdigit() else 1
        n = min(max(1, n), pages)
        return cls(n, pages, total, (n - 1) * per_page, min(total, n * per_page))


def _geojson(records: Iterable[Mapping[Any, Any]]) -> dict[str, Any]:
    feats = []
    for r in unit_rows(records):
        if pd.isna(r.get("lat")) or pd.isna(r.get("lon")):
            continue
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                      "properties": {"id": r["id"], "name": r["name"], "category": r["category"],
                                     "category_label": r["category_label"], "status": r["status"],
                                     "status_label": r["status_label"], "kommun": r["kommun_name"]}})
    return {"type": "FeatureCollection", "features": feats}


def _area_rows(areas: pd.DataFrame | None) -> list[dict[str, Any]]:
    from fcatlas.analysis.coverage import reach_answer

    if areas is None:
        return []
    out = []
    for r in areas.to_dict("records"):
        typ = r.get("omradestyp")
        typ = None if typ is None or pd.isna(typ) else int(typ)
        children = r.get("children_0_6")
        reach, reason = reach_answer(r.get("covered"), r.get("coverage_level"))
        out.append({"code": r["regso_code"], "name": r.get("name") or r["regso_code"], "kommun": r.get("kommun_name"),
                    "typ": typ, "typ_label": OMRADESTYP_LABELS.get(typ, "") if typ else "",
                    "children": None if children is None or pd.isna(children) else int(children),
                    "estimated": bool(r.get("children_0_6_estimated") is True),
                    "exclusion": bool(r.get("exclusion") is True), "covered": bool(r.get("covered") is True),
                    "reach": reach, "reach_reason": reason, "has_geometry": bool(r.get("has_geometry") is True)})
    return out


def _empty_map_reason(picked: sel.Selection, bundle: Any) -> str:
    """Why the map draws nothing (or no areas), in words — "" when it draws what was asked."""
    if bundle is None:
        return "Tjänsten har inget datapaket, så kartan kan inte visa några områden."
    areas = picked.areas
    if areas is not None and len(areas) and not areas["has_geometry"].astype(bool).any():
        return ("Kartan visar inga områden här: datapaketet saknar gränserna för områdena i urvalet. "
                "Områdena finns i listan nedan; om en familjecentral finns inom räckhåll kan inte bedömas för dem.")
    if not picked.rows and (areas is None or not len(areas)):
        return "Kartan är tom: inga enheter och inga områden matchar filtret."
    if not picked.rows:
        return "Inga enheter matchar filtret; kartan visar bara områdena."
    return ""


def _page_context(request: Request, session: Any, actor: Any) -> dict[str, Any]:
    """What the map and the table share: the filter, its choices, this page of units and of
    areas (``sida``, ``omradessida``) and the counts of the whole selection."""
    f = Filter.from_request(request)
    picked = selection(request, session, actor, f)
    ch = choices()
    if request.app.state.bundle is not None:
        ch["years"] = list(request.app.state.bundle.years)
    all_areas = picked.areas
    apage = Page.of(0 if all_areas is None else len(all_areas), request.query_params.get("omradessida"))
    def area_rows() -> list[dict[str, Any]]:
        return _area_rows(None if all_areas is None else all_areas.iloc[apage.start:apage.stop])

    # the same areas (their key) give the same rows: kept while a draft's units change
    key = picked.areas_key
    areas = area_rows() if key is None else remembered(memo_of(request), lambda: (*key, "rows", apage.start,
                                                                                 apage.stop), area_rows)
    upage = Page.of(len(picked.rows), request.query_params.get("sida"))
    return {"f": f, "n": len(picked.rows), "choices": ch, "colours": CATEGORY_COLOURS,
            "shapes": CATEGORY_SHAPES, "omradestyp_colours": OMRADESTYP_COLOURS, "rows": picked.rows,
            "areas": areas, "n_areas": apage.total, "areas_selected": all_areas is not None, "year": picked.year,
            "upage": upage, "apage": apage, "picked": picked,
            "empty_reason": _empty_map_reason(picked, request.app.state.bundle),
            "synthetic_data": _synthetic(request),
            "errors": [(p.field, p.message) for p in picked.problems]}


#: the map embeds its units up to this many; more are fetched from /karta/enheter.geojson
EMBED_MAX = 1000


def _synthetic(request: Request) -> bool:
    bundle = request.app.state.bundle
    return bool(bundle is not None and (bundle.manifest or {}).get("synthetic"))


def _answers(request: Request, session: Any, actor: Any, f: Filter, picked: sel.Selection) -> dict[str, Any] | None:
    """The four questions for the filter's place (nation, län or kommun), or ``None`` without a
    bundle or for a place the bundle has no areas of."""
    from fcatlas.services import gaps

    bundle = request.app.state.bundle
    if bundle is None:
        return None
    lan = f.lan if any(p.field == "lan" for p in picked.problems) is False and f.lan else None
    kommun = f.kommun if f.kommun and not any(p.field == "kommun" for p in picked.problems) else None
    if not gaps.has_areas(bundle, lan or (kommun[:2] if kommun else None), memo_of(request)):
        return None  # a län the bundle has no areas for: the page says so
    return gaps.four_answers(session, bundle, actor=actor, lan=lan, kommun=kommun, memo=memo_of(request))


def place_name(f: Any, picked: sel.Selection) -> str:
    """The filter's place in words: a kommun, a län or "hela landet"."""
    from fcatlas.geography.admin import kommun_names, lan_names

    bad = {p.field for p in picked.problems}
    if f.kommun and "kommun" not in bad:
        return f"{kommun_names().get(f.kommun, f.kommun)} kommun"
    if f.lan and "lan" not in bad:
        return str(lan_names().get(f.lan, f.lan))
    return "hela landet"


@router.get("/", response_class=HTMLResponse)
async def start(request: Request, actor: ActorDep) -> HTMLResponse:
    """The map (on the event loop when what it needs is computed: :func:`fcatlas.web.deps.warm_first`)."""
    return await warm_first(request, _map_page, actor)


def _map_page(request: Request, session: Any, actor: Any) -> HTMLResponse:
    ctx = _page_context(request, session, actor)
    rows, up = ctx.pop("rows"), ctx["upage"]
    picked = ctx.pop("picked")
    embed = len(rows) <= EMBED_MAX
    geo = _geojson(rows) if embed else {"type": "FeatureCollection", "features": []}
    chosen = {} if picked.areas is None else dict(zip(picked.areas["regso_code"],
                                                      picked.areas["exclusion"].astype(bool).astype(int), strict=True))
    f: Filter = ctx["f"]
    return render(request, "map.html", actor, title="Karta över familjecentraler", units_geojson=geo,
                  place=place_name(f, picked),
                  units_url=None if embed else f"/karta/enheter.geojson?{f.query()}",
                  answers=_answers(request, session, actor, f, picked), areas_chosen=chosen,
                  units=unit_rows(rows[up.start:up.stop]), has_vendor=node_modules() is not None, **ctx)


@router.get("/karta/enheter.geojson")
def units_layer(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    """The map's units for a large selection (the page embeds a small one)."""
    rows = selection(request, session, actor, Filter.from_request(request)).rows
    return Response(json.dumps(_geojson(rows), ensure_ascii=False, separators=(",", ":")),
                    media_type="application/geo+json")


@router.get("/omrade/{regso}", response_class=HTMLResponse)
async def area_card(regso: str, request: Request, actor: ActorDep) -> HTMLResponse:
    """An area's card (as the map: :func:`fcatlas.web.deps.warm_first`)."""
    return await warm_first(request, _area_card, actor, regso)


def _area_card(request: Request, session: Any, actor: Any, regso: str) -> HTMLResponse:
    from fcatlas.services import areas

    bundle = request.app.state.bundle
    if bundle is None:
        raise e.NotFoundError(f"området {regso!r} finns inte i datapaketet")
    memo = memo_of(request)
    # the same analysed units give the same card (a draft's note changes nothing in it)
    row, by_year = remembered(memo, lambda: ("area-card", *areas.analysed_key(session, bundle, actor, memo, regso)),
                              lambda: _area_facts(bundle, areas.atlas_analysed(session, bundle, actor=actor,
                                                                                memo=memo).result.areas_all, regso))
    similar = areas.similar(session, bundle, actor=actor, regso=regso, k=5, memo=memo)
    nearest = None
    if row.get("nearest_centre_id") is not None and not pd.isna(row.get("nearest_centre_id")):
        name = row.get("nearest_centre_name")
        nearest = (row["nearest_centre_id"], row["nearest_centre_id"] if name is None or pd.isna(name) else name)
    from fcatlas.analysis.coverage import reach_answer

    reach, reach_reason = reach_answer(row.get("covered"), row.get("coverage_level"))
    return render(request, "area.html", actor, title=f"Område {row.get('name') or regso}", a=row, regso=regso,
                  by_year=by_year, nearest=nearest, similar=similar.to_dict("records"), reach=reach,
                  reach_reason=reach_reason,
                  omradestyp_colours=OMRADESTYP_COLOURS, labels=OMRADESTYP_LABELS)


def _area_facts(bundle: Any, a: pd.DataFrame, regso: str) -> tuple[dict[str, Any], list[tuple[int, int, str]]]:
    """An area's row of the atlas (missing values as ``None``) and its områdestyp per year."""
    if regso not in set(a["regso_code"]):
        raise e.NotFoundError(f"området {regso!r} finns inte i datapaketet")
    row = {str(k): (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
           for k, v in a.loc[a["regso_code"] == regso].iloc[0].to_dict().items()}
    row["covered"] = None if row.get("covered") is None else bool(row["covered"])
    types = bundle.omradestyp_by_year()
    types = types.loc[types["regso_code"] == regso].sort_values("year")
    by_year = [(int(y), int(t), OMRADESTYP_LABELS.get(int(t), "")) for y, t in zip(types["year"], types["omradestyp"],
                                                                                 strict=True)]
    return row, by_year


@router.get("/tabell", response_class=HTMLResponse)
async def table(request: Request, actor: ActorDep) -> HTMLResponse:
    """The table (as the map: :func:`fcatlas.web.deps.warm_first`)."""
    return await warm_first(request, _table_page, actor)


def _table_page(request: Request, session: Any, actor: Any) -> HTMLResponse:
    ctx = _page_context(request, session, actor)
    rows, up = ctx.pop("rows"), ctx["upage"]
    ctx.pop("picked")
    sort = request.query_params.get("sortera", "namn")
    desc = request.query_params.get("ordning") == "fallande"
    col = SORTABLE.get(sort, "name")
    rows = sort_rows(rows, col, desc=desc)
    return render(request, "table.html", actor, title="Tabell över familjecentraler", sort=sort, desc=desc,
                  sortable=SORTABLE, units=unit_rows(rows[up.start:up.stop]), **ctx)


def sort_rows(rows: list[dict[str, Any]], column: str, *, desc: bool = False) -> list[dict[str, Any]]:
    """Rows by ``column`` (Swedish order, :func:`fcatlas.fmt.sort_key`; ``desc``: last first),
    then by name; a missing value last either way, equals in their order (as pandas'
    ``sort_values`` on both columns)."""
    by_name = sorted(rows, key=lambda r: (missing(r.get("name")), sort_key(r.get("name"))))
    present = [r for r in by_name if not missing(r.get(column))]
    return (sorted(present, key=lambda r: sort_key(r.get(column)), reverse=desc)
            + [r for r in by_name if missing(r.get(column))])


def synthetic_column(df: pd.DataFrame, request: Request) -> pd.DataFrame:
    """A demo's download says on every row that its figures are made up."""
    if not _synthetic(request):
        return df
    return df.assign(uppgifter="syntetiska exempeldata – inte verkliga siffror")


@router.get("/tabell.{fmt}")
def download(fmt: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    from fcatlas.analysis.coverage import COVERAGE_LEVEL_LABELS, reach_answer

    f = Filter.from_request(request)
    picked = selection(request, session, actor, f)
    if request.query_params.get("vad") == "omraden" and picked.areas is not None and fmt in ("csv", "xlsx"):
        a = picked.areas[[c for c in AREA_DOWNLOAD_COLUMNS if c in picked.areas.columns]].copy()
        answers = [reach_answer(c, lv) for c, lv in zip(picked.areas["covered"], picked.areas["coverage_level"],
                                                         strict=True)]
        a["reach"], a["reach_reason"] = [x for x, _ in answers], [r for _, r in answers]
        if "coverage_level" in a:
            a["coverage_level"] = [COVERAGE_LEVEL_LABELS.get(v, v) for v in a["coverage_level"]]
        d = downloads.table_file(synthetic_column(a, request), fmt=fmt, name="omraden", areas="Områden")
        return Response(d.content, media_type=d.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})
    units = picked.units
    df = units[TABLE_COLUMNS + [c for c in AREA_COLUMNS if c in units.columns]]
    if fmt in ("csv", "xlsx"):
        d = downloads.table_file(synthetic_column(df, request), fmt=fmt)
        return Response(d.content, media_type=d.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})
    if fmt == "geojson":
        doc = _geojson(df.to_dict("records"))
        if _synthetic(request):
            doc["fcatlas"] = {"synthetic": True, "note": "syntetiska exempeldata – inte verkliga siffror"}
        return Response(json.dumps(doc, ensure_ascii=False), media_type="application/geo+json",
                        headers={"Content-Disposition": 'attachment; filename="familjecentraler.geojson"'})
    raise e.NotFoundError(f"formatet {fmt!r} finns inte; välj csv, xlsx eller geojson")


def _by_definition(u: dict[str, Any], present: list[str]) -> str:
    """The category the unit's services and co-location give by Socialstyrelsen's definitions
    ("" when they make no collaboration)."""
    from fcatlas.domain import NotACollaborationError, classify

    try:
        return classify([CODES[k] for k in present], co_located=bool(u["co_located"])).value
    except NotACollaborationError:
        return ""


@router.get("/enhet/{unit_id}", response_class=HTMLResponse)
def unit_card(unit_id: str, request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    unit_service.hold_data_version(session)  # (the card only reads)
    hit = [r for r in unit_service.picture_rows(session, actor=actor, memo=memo_of(request)) if r["id"] == unit_id]
    if not hit:
        raise e.NotFoundError(f"enheten {unit_id!r} finns inte bland de enheter du får se")
    u = unit_rows(hit)[0]
    present = [(key, label) for key, label in (("mvc", "mödrahälsovård (MVC)"), ("bvc", "barnhälsovård (BVC)"),
                                               ("of", "öppen förskola (ÖF)"), ("soc", "socialtjänst (SOC)"))
               if u.get(key) is True]
    known = all(isinstance(u.get(k), bool) for k in ("mvc", "bvc", "of", "soc", "co_located"))
    by_definition = _by_definition(u, [k for k, _ in present]) if known else None
    area = sel.unit_area(session, request.app.state.bundle, actor=actor, unit_id=unit_id,
                         memo=memo_of(request))
    labels = [label for _, label in present]
    services_text = " och ".join([", ".join(labels[:-1]), labels[-1]]) if len(labels) > 1 else "".join(labels)
    return render(request, "unit.html", actor, title=u["name"], u=u, services=labels, services_text=services_text,
                  known=known, by_definition=by_definition, definition=CATEGORY_DEFINITIONS.get(u["category"], ""),
                  area=area, precisions=PRECISION_LABELS)


@router.get("/om-uppgifterna", response_class=HTMLResponse)
def about(request: Request, actor: ActorDep) -> HTMLResponse:
    from fcatlas.analysis.coverage import DEFAULT_REACH_KM
    from fcatlas.web.pages.about_data import bundle_facts, source_rows

    bundle = request.app.state.bundle
    manifest = bundle.manifest if bundle is not None else None
    return render(request, "about.html", actor, title="Om uppgifterna", manifest=manifest,
                  sources=source_rows(manifest), facts=bundle_facts(manifest), reach_km=DEFAULT_REACH_KM,
                  categories=[CATEGORY_LABELS[c] for c in Category], omradestyper=list(OMRADESTYP_LABELS.items()))


@functools.lru_cache(maxsize=1)
def _lan_borders() -> bytes:
    """Sweden's 21 län, simplified to about 1 km, as GeoJSON in WGS 84 (the map's background)."""
    from fcatlas.geography import admin

    g = admin.lan()[["lan_code", "geometry"]].copy()
    g["geometry"] = g.geometry.simplify(1000, preserve_topology=True)
    body: str = g.to_crs(4326).to_json(drop_id=True)
    return body.encode("utf-8")


@router.get("/karta/lan.geojson")
def lan_borders(request: Request) -> Response:
    body = _lan_borders()
    etag = f'"{hashlib.sha256(body).hexdigest()[:16]}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/geo+json",
                    headers={"ETag": etag, "Cache-Control": "public, max-age=86400"})


@router.get("/statiskt/{name}")
def static(name: str) -> Response:
    allowed = {"site.css": "text/css", "karta.js": "text/javascript"}
    if name not in allowed:
        return Response("finns inte", status_code=404, media_type="text/plain; charset=utf-8")
    return FileResponse(HERE / "static" / name, media_type=allowed[name],
                        headers={"Cache-Control": "public, max-age=3600"})


@router.get("/vendor/{package}/{name}")
def vendor(package: str, name: str) -> Response:
    rel = VENDOR.get(f"{package}/{name}")
    root = node_modules()
    if rel is None or root is None or not (root / rel).is_file():
        return Response("finns inte (kör 'npm ci' i fcatlas katalog)", status_code=404,
                        media_type="text/plain; charset=utf-8")
    media = "text/css" if name.endswith(".css") else "text/javascript"
    return FileResponse(root / rel, media_type=media, headers={"Cache-Control": "public, max-age=86400"})
