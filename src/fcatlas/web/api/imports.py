"""A region's list over HTTP: upload → preview (nothing stored) → confirm."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, UploadFile, status
from pydantic import BaseModel, Field

from fcatlas.services import imports
from fcatlas.web.api.rounds import LanPath, RoundPath
from fcatlas.web.deps import ActorDep, ConfigDep, SessionDep, read_upload
from fcatlas.web.problems import responses

router = APIRouter(prefix="/api/v1", tags=["import"])


class RejectedOut(BaseModel):
    row: int | None = Field(description="Radnumret i filen (som i Excel eller en texteditor).")
    column: str | None = Field(description="Kolumnen.")
    reason: str = Field(description="Varför raden inte kan tas emot.")


class PreviewOut(BaseModel):
    id: int = Field(description="Förhandsgranskningens id; bekräfta med POST /api/v1/imports/{id}/confirm.")
    accepted: int = Field(description="Antal rader som kan sparas.")
    rejected: list[RejectedOut] = Field(description="Avvisade rader med orsak.")
    warnings: list[RejectedOut] = Field(description="Rader som sparas men som en människa bör se på.")


class ConfirmedOut(BaseModel):
    id: int = Field(description="Förhandsgranskningens id.")
    accepted: int = Field(description="Sparade enheter.")
    new: int = Field(description="Nya enheter.")
    changed: int = Field(description="Ändrade enheter.")
    unchanged: int = Field(description="Oförändrade enheter.")
    closed: int = Field(description="Enheter som inte längre finns i regionens lista och stängdes.")


@router.post("/rounds/{round}/regions/{lan}/imports", status_code=status.HTTP_201_CREATED,
             response_model=PreviewOut, responses=responses(400, 401, 403, 404, 409, 413, 415, 422),
             summary="Förhandsgranska regionens lista (sparar inget i registret)")
async def upload(round: RoundPath, lan: LanPath, file: Annotated[UploadFile, File(description="CSV eller xlsx.")],
                 actor: ActorDep, session: SessionDep, config: ConfigDep) -> PreviewOut:
    """Läser och kontrollerar varje rad med samma regler som `fcatlas register import`. Inget sparas
    i registret förrän förhandsgranskningen bekräftas."""
    content = await read_upload(file, config)
    p = imports.preview(session, actor=actor, name=round, lan=lan, file_name=file.filename or "lista.csv",
                        content=content)
    return PreviewOut(id=p.id, accepted=p.accepted,
                      rejected=[RejectedOut(row=r.row, column=r.column, reason=r.reason) for r in p.rejected],
                      warnings=[RejectedOut(row=r.row, column=r.column, reason=r.reason) for r in p.warnings])


@router.post("/imports/{import_id}/confirm", response_model=ConfirmedOut,
             responses=responses(401, 403, 404, 409, 422), summary="Bekräfta och spara en förhandsgranskad lista")
def confirm(import_id: Annotated[int, Path(ge=1, le=2**31 - 1, description="Förhandsgranskningens id.")],
            actor: ActorDep, session: SessionDep) -> ConfirmedOut:
    """Sparar den förhandsgranskade listan i registret som regionens lista för omgången."""
    c = imports.confirm(session, actor=actor, import_id=import_id)
    return ConfirmedOut(id=c.id, accepted=c.accepted, new=c.new, changed=c.changed, unchanged=c.unchanged,
                        closed=c.closed)
