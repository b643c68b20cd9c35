"""Downloads: the published register (CSV, XLSX, GeoJSON, GeoPackage for QGIS) and the atlas
Excel file."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response

from fcatlas.services import downloads
from fcatlas.web.api.atlas import LanQuery
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import ActorDep, BundleDep, SessionDep
from fcatlas.web.problems import responses

router = APIRouter(prefix="/api/v1/downloads", tags=["nedladdning"])


def _file(d: downloads.Download) -> Response:
    return Response(d.content, media_type=d.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})


_CONTENT: dict[str, dict[str, object]] = {mt.split(";")[0]: {} for mt in downloads.FORMATS.values()}


@router.get("/register.{fmt}", response_class=Response, summary="Det publicerade registret som fil",
            responses={200: {"content": _CONTENT, "description": "Filen"}, **responses(400, 422)})
def register_file(fmt: Annotated[Literal["csv", "xlsx", "geojson", "gpkg"], Path(description="csv, xlsx, geojson eller gpkg.")],
                  actor: ActorDep, session: SessionDep, lan: LanQuery = None) -> Response:
    """De publicerade enheterna (det allmänheten ser): CSV, Excel med filter, GeoJSON (WGS 84) eller
    GeoPackage (SWEREF 99 TM) för QGIS."""
    return _file(downloads.register_file(session, actor=actor, fmt=fmt, lan=lan))


@router.get("/atlas.xlsx", response_class=Response, summary="Atlasen som Excel-fil",
            responses={200: {"content": {downloads.FORMATS["xlsx"]: {}}, "description": "atlas.xlsx"},
                       **responses(400, 404, 422, 503)})
def atlas_file(request: Request, actor: ActorDep, session: SessionDep, bundle: BundleDep, lan: LanQuery = None) -> Response:
    """Samma `atlas.xlsx` som `fcatlas atlas` skriver, för hela landet eller ett län."""
    return _file(downloads.atlas_file(session, bundle, actor=actor, lan=lan, memo=memo_of(request)))
