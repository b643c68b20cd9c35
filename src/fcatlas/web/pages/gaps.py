"""Public pages of issue 23: "Luckor" (the exclusion areas without a centre within reach and the
children living there — the atlas's sheet *Luckor*, :mod:`fcatlas.services.gaps`) with its
downloads, and "Utveckling" (centres per published round, a chart with its table)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, Category
from fcatlas.services import downloads, rounds
from fcatlas.services import gaps as gap_service
from fcatlas.services import selection as sel
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import ActorDep, SessionDep, warm_first
from fcatlas.web.pages.common import render
from fcatlas.web.pages.public import Filter, choices, place_name, synthetic_column

router = APIRouter(include_in_schema=False)

#: the Luckor table's sortable columns (URL value → label)
SORT_LABELS = {"rang": "Rang", "namn": "Område", "kommun": "Kommun", "typ": "Områdestyp", "barn": "Barn 0–6 år",
               "avstand": "Närmaste familjecentral"}
PER_PAGE = 50


@dataclass(frozen=True)
class GapView:
    """The gap request a page address asks for and the filter problems it had."""

    request: gap_service.GapRequest
    f: Filter
    picked: sel.Selection


def _view(request: Request, per_page: int = PER_PAGE) -> GapView:
    f = Filter.from_request(request)
    checked, problems = sel.parse_filter(request.query_params)
    q = request.query_params
    sort = q.get("sortera", "rang")
    sort = sort if sort in gap_service.SORTS else "rang"
    order = q.get("ordning")
    page = q.get("sida", "1")
    req = gap_service.GapRequest(lan=checked.lan, kommun=checked.kommun, omradestyper=checked.omradestyper,
                                 sort=sort, descending=None if order not in ("stigande", "fallande")
                                 else order == "fallande",
                                 page=int(page) if page.isdigit() and 0 < int(page) < 100_000 else 1, per_page=per_page)

    return GapView(req, f, sel.Selection([], None, None, problems))


@router.get("/luckor", response_class=HTMLResponse)
async def gaps_page(request: Request, actor: ActorDep) -> HTMLResponse:
    """The gap list (on the event loop when it is computed: :func:`fcatlas.web.deps.warm_first`)."""
    return await warm_first(request, _gaps_page, actor)


def _gaps_page(request: Request, session: Any, actor: Any) -> HTMLResponse:
    bundle = request.app.state.bundle
    v = _view(request)
    ctx: dict[str, Any] = {"f": v.f, "choices": choices(), "sort": v.request.sort, "sort_labels": SORT_LABELS,
                           "errors": [(p.field, p.message) for p in v.picked.problems],
                           "place": place_name(v.f, v.picked), "labels": OMRADESTYP_LABELS}
    if bundle is None:
        return render(request, "gaps.html", actor, title="Luckor", g=None,
                      reason="Tjänsten har inget underlag om områden, så luckorna kan inte visas.", **ctx)
    lan = v.request.lan or (v.request.kommun[:2] if v.request.kommun else None)
    if not gap_service.has_areas(bundle, lan, memo_of(request)):
        return render(request, "gaps.html", actor, title="Luckor", g=None, **ctx,
                      reason=f"Underlaget har inga områden i {ctx['place']}, så luckorna där kan inte visas.")
    g = gap_service.gap_list(session, bundle, actor=actor, request=v.request, memo=memo_of(request))
    if g.page > g.pages:
        g = gap_service.gap_list(session, bundle, actor=actor, request=gap_service.GapRequest(
            **{**v.request.__dict__, "page": g.pages}), memo=memo_of(request))
    desc = v.request.descending if v.request.descending is not None else v.request.sort in ("barn", "avstand")
    return render(request, "gaps.html", actor, title="Luckor – utanförskapsområden utan familjecentral", g=g,
                  items=g.items.to_dict("records"), desc=desc, reason="", **ctx)


@router.get("/luckor.{fmt}")
def gaps_download(fmt: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    bundle = request.app.state.bundle
    if fmt not in ("csv", "xlsx"):
        raise e.NotFoundError(f"formatet {fmt!r} finns inte; välj csv eller xlsx")
    if bundle is None:
        raise e.BundleError("tjänsten har inget underlag om områden")
    r = _view(request).request
    df = gap_service.all_gaps(session, bundle, actor=actor, lan=r.lan, kommun=r.kommun, omradestyper=r.omradestyper,
                              memo=memo_of(request))
    df = df.assign(similar_with_centre="")[gap_service.DOWNLOAD_COLUMNS].drop(columns="similar_with_centre")
    name = "luckor" + (f"_{r.kommun}" if r.kommun else f"_{r.lan}" if r.lan else "")
    d = downloads.table_file(synthetic_column(df, request), fmt=fmt, name=name, areas="Luckor")
    return Response(d.content, media_type=d.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})


def _chart(rows: list[rounds.GrowthRow]) -> dict[str, Any]:
    """Bars per round, one per category, scaled to the largest count (an SVG the page draws)."""
    top = max([1, *(n for r in rows for n in r.by_category.values())])
    cats = [c.value for c in Category]
    width, bar, gap = 480, 18, 28
    group = bar * len(cats) + gap
    bars = []
    for i, r in enumerate(rows):
        for j, c in enumerate(cats):
            n = r.by_category.get(c, 0)
            h = round(200 * n / top)
            bars.append({"x": 60 + i * group + j * bar, "y": 230 - h, "h": h, "n": n, "cat": c,
                         "round": r.round})
    return {"bars": bars, "width": max(width, 80 + group * len(rows)) if len(rows) > 4 else 80 + group * max(2, len(rows)),
            "labels": [
        {"x": 60 + i * group + bar * len(cats) / 2, "round": r.round} for i, r in enumerate(rows)], "top": top}


@router.get("/utveckling", response_class=HTMLResponse)
def growth_page(request: Request, session: SessionDep, actor: ActorDep) -> HTMLResponse:
    f = Filter.from_request(request)
    checked, problems = sel.parse_filter(request.query_params)
    rows = rounds.growth(session, actor=actor, lan=checked.lan)

    place = place_name(Filter(lan=checked.lan or ""), sel.Selection([], None, None, []))
    return render(request, "growth.html", actor, title=f"Utveckling över tid – {place}", rows=rows, f=f,
                  place=place, chart=_chart(rows), choices=choices(), errors=[(p.field, p.message) for p in problems],
                  categories=[(c.value, CATEGORY_LABELS[c]) for c in Category],
                  short={"familjecentral": "Familjecentral", "familjecentralsliknande": "Liknande",
                         "annan_samverkan": "Annan samverkan"})
