"""The atlas over HTTP: key figures, areas as GeoJSON, gaps and similar areas — the same
computation as ``fcatlas atlas``, ``fcatlas areas`` and ``fcatlas similar``, on the units the
caller may see."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from fcatlas.domain import FIRST_YEAR, LAST_YEAR
from fcatlas.services import areas
from fcatlas.web.api.rounds import LAN_CODES
from fcatlas.web.cache import answer_json, memo_of
from fcatlas.web.deps import ActorDep, BundleDep, SessionDep
from fcatlas.web.problems import responses

router = APIRouter(prefix="/api/v1", tags=["atlas"])

LanQuery = Annotated[str | None, Query(pattern="^(" + "|".join(LAN_CODES) + ")$",
                                       description="Bara detta län (länskod, t.ex. 20).")]
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Årgång (standard: datapaketets senaste).")]


def _records(df: Any) -> list[dict[str, Any]]:
    return list(json.loads(df.to_json(orient="records", force_ascii=False, date_format="iso")))


@router.get("/atlas/summary", responses=responses(304, 400, 401, 404, 422, 503), summary="Atlasens nyckeltal")
async def atlas_summary(request: Request, actor: ActorDep, session: SessionDep, bundle: BundleDep, lan: LanQuery = None,
                        year: YearQuery = None) -> Response:
    """Samma nycklar och siffror som `summary.json` från `fcatlas atlas` på samma data: de fyra
    frågorna för hela landet eller ett län."""
    return await answer_json(request, actor, ("summary", lan, year),
                       lambda: areas.summary(session, bundle, actor=actor, lan=lan, year=year,
                                                    memo=memo_of(request)))


@router.get("/areas", response_class=Response, summary="Områden (RegSO) som GeoJSON",
            responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON FeatureCollection"},
                       **responses(304, 400, 404, 422, 503)})
def area_layer(request: Request, bundle: BundleDep, lan: LanQuery = None, year: YearQuery = None,
               format: Annotated[Literal["geojson"], Query(description="Bara 'geojson'.")] = "geojson") -> Response:
    """RegSO med områdestyp, folkmängd och barn 0–6 år (som `fcatlas areas`), gränserna förenklade
    för visning (WGS 84). Område utan gräns har geometrin null."""
    layer = areas.areas_geojson(bundle, lan=lan, year=year, memo=memo_of(request))
    headers = {"ETag": layer.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if layer.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(layer.gzipped, media_type="application/geo+json", headers={**headers, "Content-Encoding": "gzip"})
    return Response(layer.body, media_type="application/geo+json", headers=headers)


@router.get("/areas/{regso}/similar", responses=responses(304, 400, 404, 422, 503), summary="Liknande områden")
async def similar(request: Request, regso: Annotated[str, Path(pattern=r"^[0-9]{4}R[0-9]{3}$", description="RegSO-kod.")],
                  actor: ActorDep, session: SessionDep, bundle: BundleDep,
                  k: Annotated[int, Query(ge=1, le=50, description="Antal liknande områden.")] = 5) -> Response:
    """De k RegSO som mest liknar området (som `fcatlas similar`), med avståndet per egenskap."""
    return await answer_json(request, actor, ("similar", regso, k),
                       lambda: {"items": _records(areas.similar(session, bundle, actor=actor, regso=regso, k=k,
                                                                           memo=memo_of(request)))})


KommunQuery = Annotated[str | None, Query(pattern="^[0-9]{4}$", description="Bara denna kommun (kommunkod, t.ex. 2080).")]
TypesQuery = Annotated[list[int] | None, Query(description="Bara dessa områdestyper (1–5; upprepa för flera).")]


@router.get("/gaps", responses=responses(304, 400, 404, 422, 503), summary="Luckor: utanförskapsområden utan familjecentral")
async def gaps(request: Request, actor: ActorDep, session: SessionDep, bundle: BundleDep, lan: LanQuery = None,
               year: YearQuery = None, kommun: KommunQuery = None, omradestyp: TypesQuery = None,
               sort: Annotated[Literal["rang", "barn", "avstand", "namn", "kommun", "typ"],
                               Query(description="Sortering (standard: atlasens rangordning, flest barn först).")]
               = "rang",
               order: Annotated[Literal["stigande", "fallande"] | None, Query(description="Ordning.")] = None,
               page: Annotated[int, Query(ge=1, le=100_000, description="Sida (från 1).")] = 1,
               per_page: Annotated[int, Query(ge=1, le=500, description="Antal per sida (1–500).")] = 100) -> Response:
    """Områden med stort utanförskap utan familjecentral inom räckhåll i landet, ett län eller en
    kommun — atlasens blad Luckor för samma urval, så summorna är atlasens. `total` och
    `children_0_6` gäller hela listan, `items` denna sida. Varje område har svaret på om en
    familjecentral finns inom räckhåll (`reach`: nej eller kan inte bedömas, med skälet i
    `reach_reason`) och liknande områden som har en (`similar_with_centre`)."""
    from fcatlas.services import gaps as gap_service

    types = tuple(sorted({t for t in omradestyp or [] if 1 <= t <= 5}))
    desc = None if order is None else order == "fallande"

    def make() -> dict[str, Any]:
        g = gap_service.gap_list(session, bundle, actor=actor, request=gap_service.GapRequest(
            lan=lan, kommun=kommun, year=year, omradestyper=types, sort=sort, descending=desc, page=page,
            per_page=per_page), memo=memo_of(request))
        return {"items": _records(g.items), "total": g.total, "page": g.page, "per_page": g.per_page,
                "pages": g.pages, "children_0_6": g.children_0_6, "children_0_6_estimated": g.children_0_6_estimated,
                "atlas": g.atlas, "year": g.year, "synthetic": g.synthetic}

    return await answer_json(request, actor, ("gaps", lan, kommun, year, types, sort, order, page, per_page), make)


@router.get("/atlas/answers", responses=responses(304, 400, 404, 422, 503), summary="De fyra frågorna som nyckeltal")
async def answers(request: Request, actor: ActorDep, session: SessionDep, bundle: BundleDep, lan: LanQuery = None,
                  kommun: KommunQuery = None, year: YearQuery = None) -> Response:
    """Familjecentraler i drift, områden med stort utanförskap, de av dem som saknar
    familjecentral inom räckhåll (och de som inte kan bedömas) och barnen 0–6 år där — för
    landet, ett län eller en kommun (startsidans nyckeltal)."""
    from fcatlas.services import gaps as gap_service

    return await answer_json(request, actor, ("answers", lan, kommun, year), lambda: {
        **gap_service.four_answers(session, bundle, actor=actor, lan=lan, kommun=kommun, year=year,
                                   memo=memo_of(request)),
        "synthetic": bool((bundle.manifest or {}).get("synthetic"))})


@router.get("/growth", responses=responses(304, 400, 422), summary="Utvecklingen per publicerad omgång")
async def growth(request: Request, actor: ActorDep, session: SessionDep, lan: LanQuery = None) -> Response:
    """Enheter i drift per kategori efter varje publicerad inventeringsomgång, för landet eller
    ett län (`centres` = familjecentraler och familjecentralsliknande)."""
    from fcatlas.services import rounds

    def make() -> dict[str, Any]:
        rows = rounds.growth(session, actor=actor, lan=lan)
        return {"items": [{"round": r.round, "by_category": r.by_category, "centres": r.centres, "lans": r.lans}
                          for r in rows]}

    return await answer_json(request, actor, ("growth", lan), make)
