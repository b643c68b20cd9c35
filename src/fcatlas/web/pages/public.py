"""Public pages: the map (start page), the table with downloads, unit card, about the data, and
the static files."""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, STATUS_LABELS, Category, Status
from fcatlas.services import downloads
from fcatlas.services import selection as sel
from fcatlas.services import units as unit_service
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import ActorDep, SessionDep
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


@dataclass(frozen=True)
class Filter:
    lan: str = ""
    kommun: str = ""
    omradestyp: str = ""
    kategori: str = ""
    status: str = ""
    ar: str = ""
    q: str = ""

    @classmethod
    def from_request(cls, request: Request) -> Filter:
        p = request.query_params
        return cls(**{k: (p.get(k) or "").strip()[:100] for k in cls.__dataclass_fields__})

    def query(self, **override: str) -> str:
        from urllib.parse import urlencode

        d = {**self.__dict__, **override}
        return urlencode({k: v for k, v in d.items() if v})


def choices() -> dict[str, Any]:
    from fcatlas.geography.admin import kommun_table, lan_table

    lans = lan_table().sort_values("lan_code")
    kommuner = kommun_table().sort_values(["kommun_name"])
    return {
        "lans": list(zip(lans["lan_code"], lans["lan_name"], strict=True)),
        "kommuner": list(zip(kommuner["kommun_code"], kommuner["kommun_name"], kommuner["lan_code"], strict=True)),
        "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
        "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
        "omradestyper": [(int(k), v) for k, v in OMRADESTYP_LABELS.items()],
        "years": [],
    }


def selection(request: Request, session: Any, actor: Any, f: Filter) -> sel.Selection:
    """What the filter selects — the services' one rule (:mod:`fcatlas.services.selection`), shared
    by the map, the table, the downloads and the API; invalid values come back as problems."""
    bundle = request.app.state.bundle
    checked, problems = sel.parse_filter(request.query_params, years=list(bundle.years) if bundle else None)
    try:
        picked = sel.select(session, bundle, actor=actor, f=checked, memo=memo_of(request))
    except e.NotFoundError as exc:  # e.g. a län the bundle has no areas for
        picked = sel.select(session, None, actor=actor, f=checked, memo=memo_of(request))
        problems = [*problems, sel.FilterProblem("lan", str(exc))]
    return sel.Selection(picked.units, picked.areas, picked.year, problems)


def _rows(df: pd.DataFrame) -> list[dict[str, Any]]:
    cats = {c.value: label for c, label in CATEGORY_LABELS.items()}
    sts = {s.value: label for s, label in STATUS_LABELS.items()}
    out: list[dict[str, Any]] = []
    for r in df.to_dict("records"):
        cat, st = str(r.get("category") or ""), str(r.get("status") or "")
        out.append({**{str(k): v for k, v in r.items()}, "category_label": cats.get(cat, cat),
                    "status_label": sts.get(st, st), "shape": CATEGORY_SHAPES.get(cat, "punkt")})
    return out


def _geojson(df: pd.DataFrame) -> dict[str, Any]:
    feats = []
    for r in _rows(df):
        if pd.isna(r.get("lat")) or pd.isna(r.get("lon")):
            continue
        feats.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                      "properties": {"id": r["id"], "name": r["name"], "category": r["category"],
                                     "category_label": r["category_label"], "status": r["status"],
                                     "status_label": r["status_label"], "kommun": r["kommun_name"]}})
    return {"type": "FeatureCollection", "features": feats}


def _area_rows(areas: pd.DataFrame | None) -> list[dict[str, Any]]:
    if areas is None:
        return []
    out = []
    for r in areas.to_dict("records"):
        typ = r.get("omradestyp")
        typ = None if typ is None or pd.isna(typ) else int(typ)
        children = r.get("children_0_6")
        out.append({"code": r["regso_code"], "name": r.get("name") or r["regso_code"], "kommun": r.get("kommun_name"),
                    "typ": typ, "typ_label": OMRADESTYP_LABELS.get(typ, "") if typ else "",
                    "children": None if children is None or pd.isna(children) else int(children),
                    "estimated": bool(r.get("children_0_6_estimated") is True),
                    "exclusion": bool(r.get("exclusion") is True), "covered": bool(r.get("covered") is True)})
    return out


def _page_context(request: Request, session: Any, actor: Any) -> dict[str, Any]:
    f = Filter.from_request(request)
    picked = selection(request, session, actor, f)
    ch = choices()
    if request.app.state.bundle is not None:
        ch["years"] = list(request.app.state.bundle.years)
    areas = _area_rows(picked.areas)
    return {"f": f, "units": _rows(picked.units), "n": len(picked.units), "choices": ch, "colours": CATEGORY_COLOURS,
            "shapes": CATEGORY_SHAPES, "omradestyp_colours": OMRADESTYP_COLOURS, "df": picked.units,
            "areas": areas, "areas_selected": picked.areas is not None, "year": picked.year,
            "errors": [(p.field, p.message) for p in picked.problems]}


@router.get("/", response_class=HTMLResponse)
def start(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    ctx = _page_context(request, session, actor)
    geo = _geojson(ctx.pop("df"))
    chosen = {a["code"]: int(a["exclusion"]) for a in ctx["areas"]}
    return render(request, "map.html", actor, title="Karta över familjecentraler", units_geojson=geo,
                  areas_chosen=chosen, has_vendor=node_modules() is not None, **ctx)


@router.get("/omrade/{regso}", response_class=HTMLResponse)
def area_card(regso: str, request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    from fcatlas.services import areas

    bundle = request.app.state.bundle
    a = None if bundle is None else areas.atlas_for(session, bundle, actor=actor, memo=memo_of(request)).result.areas_all
    if bundle is None or a is None or regso not in set(a["regso_code"]):
        raise e.NotFoundError(f"området {regso!r} finns inte i datapaketet")
    row = {str(k): (None if v is pd.NA or (isinstance(v, float) and pd.isna(v)) else v)
           for k, v in a.loc[a["regso_code"] == regso].iloc[0].to_dict().items()}
    row["covered"] = None if row.get("covered") is None else bool(row["covered"])
    types = bundle.omradestyp_by_year()
    types = types.loc[types["regso_code"] == regso].sort_values("year")
    by_year = [(int(y), int(t), OMRADESTYP_LABELS.get(int(t), "")) for y, t in zip(types["year"], types["omradestyp"],
                                                                                 strict=True)]
    similar = areas.similar(session, bundle, actor=actor, regso=regso, k=5, memo=memo_of(request))
    nearest = None
    if row.get("nearest_centre_id") is not None and not pd.isna(row.get("nearest_centre_id")):
        name = row.get("nearest_centre_name")
        nearest = (row["nearest_centre_id"], row["nearest_centre_id"] if name is None or pd.isna(name) else name)
    return render(request, "area.html", actor, title=f"Område {row.get('name') or regso}", a=row, regso=regso,
                  by_year=by_year, nearest=nearest, similar=similar.to_dict("records"),
                  omradestyp_colours=OMRADESTYP_COLOURS, labels=OMRADESTYP_LABELS)


@router.get("/tabell", response_class=HTMLResponse)
def table(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    ctx = _page_context(request, session, actor)
    df = ctx.pop("df")
    sort = request.query_params.get("sortera", "namn")
    desc = request.query_params.get("ordning") == "fallande"
    col = SORTABLE.get(sort, "name")
    df = df.sort_values([col, "name"], ascending=[not desc, True], key=lambda s: s.astype(str).str.lower())
    return render(request, "table.html", actor, title="Tabell över familjecentraler", sort=sort, desc=desc,
                  sortable=SORTABLE, **{**ctx, "units": _rows(df)})


@router.get("/tabell.{fmt}")
def download(fmt: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    f = Filter.from_request(request)
    units = selection(request, session, actor, f).units
    df = units[TABLE_COLUMNS + [c for c in AREA_COLUMNS if c in units.columns]]
    if fmt in ("csv", "xlsx"):
        d = downloads.table_file(df, fmt=fmt)
        return Response(d.content, media_type=d.media_type,
                        headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})
    if fmt == "geojson":
        return Response(json.dumps(_geojson(df), ensure_ascii=False), media_type="application/geo+json",
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
    df = unit_service.visible_units(session, actor=actor, limit=100_000, memo=memo_of(request)).items
    hit = df.loc[df["id"] == unit_id]
    if hit.empty:
        raise e.NotFoundError(f"enheten {unit_id!r} finns inte bland de enheter du får se")
    u = _rows(hit)[0]
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
    bundle = request.app.state.bundle
    manifest = bundle.manifest if bundle is not None else None
    sources = list((manifest or {}).get("sources") or [])
    return render(request, "about.html", actor, title="Om uppgifterna", manifest=manifest, sources=sources,
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
