"""Kommun and län borders as GeoJSON lines for the map (built by
:mod:`fcatlas.services.borders` from the bundle)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response

from fcatlas.services import borders
from fcatlas.web.api.rounds import LAN_CODES
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import BundleDep
from fcatlas.web.problems import responses

router = APIRouter(prefix="/api/v1", tags=["atlas"])


@router.get("/borders", response_class=Response, summary="Kommun- och länsgränser som GeoJSON",
            responses={200: {"content": {"application/geo+json": {}}, "description": "GeoJSON FeatureCollection"},
                       **responses(304, 400, 404, 422, 503)})
def border_layer(request: Request, bundle: BundleDep,
                 lan: Annotated[str | None, Query(pattern="^(" + "|".join(LAN_CODES) + ")$",
                                                  description="Bara detta län (länskod, t.ex. 20).")] = None,
                 format: Annotated[Literal["geojson"], Query(description="Bara 'geojson'.")] = "geojson") -> Response:
    """Kommungränser och länsgräns som linjer (WGS 84), förenklade för visning: en feature per
    kommun i länet (eller i landet), `kind` = `kommun`, `code` = kommunkoden, och en per län,
    `kind` = `lan`. En kommuns gräns är ytterkanten av dess RegSO när datapaketet har gränser för
    alla kommunens RegSO (`source` = `regso`), annars datapaketets kommungräns (`source` = `scb`)."""
    layer = borders.borders_geojson(bundle, lan=lan, memo=memo_of(request))
    headers = {"ETag": layer.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if layer.etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        return Response(layer.gzipped, media_type="application/geo+json",
                        headers={**headers, "Content-Encoding": "gzip"})
    return Response(layer.body, media_type="application/geo+json", headers=headers)
