"""The inventory round over HTTP: open, submit, return, approve, publish."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Depends, Path, status
from pydantic import BaseModel, ConfigDict, Field

from fcatlas.domain import LAST_YEAR
from fcatlas.register.rounds import RegionState, RoundInfo
from fcatlas.services import rounds
from fcatlas.web.deps import ActorDep, SessionDep, json_body
from fcatlas.web.problems import responses

LAN_CODES = ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21",
             "22", "23", "24", "25")
YEAR_PATTERN = rf"^(20[0-9]{{2}}|{LAST_YEAR})$"  # FIRST_YEAR–LAST_YEAR (2000–2100) as a path pattern
#: at least one character that is not white space — the same set in Python, Rust (pydantic) and
#: ECMA (the schema's readers) regular expressions, which disagree on what ``\\S`` excludes
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
RoundPath = Annotated[str, Path(pattern=YEAR_PATTERN, description="Omgångens namn: året, t.ex. 2027.")]
LanPath = Annotated[str, Path(pattern="^(" + "|".join(LAN_CODES) + ")$", description="Länskod, t.ex. 20.")]

router = APIRouter(dependencies=[Depends(json_body)], prefix="/api/v1/rounds", tags=["inventeringsomgång"])

_ERRORS = responses(400, 401, 403, 404, 409, 422)


class RoundCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(pattern=YEAR_PATTERN, description="Omgångens namn: året, t.ex. \"2027\".")
    deadline: dt.date = Field(description="Sista dag för regionernas listor (ÅÅÅÅ-MM-DD).")


class ReturnBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(max_length=4000, pattern=NOT_BLANK, description="Vad regionen ska rätta (inte tom).")


class RoundOut(BaseModel):
    name: str = Field(description="Omgångens namn (året).")
    deadline: dt.date = Field(description="Sista dag.")
    status: str = Field(description="'oppen' eller 'publicerad'.")
    published_at: dt.datetime | None = Field(description="När omgången publicerades.")


class RegionOut(BaseModel):
    lan_code: str = Field(description="Länskod.")
    status: str = Field(description="'oppen', 'inskickad', 'returnerad' eller 'godkand'.")
    comment: str | None = Field(None, description="Den nationella nivåns kommentar vid returnering.")
    changed_by: str | None = Field(None, description="Vem som tog det senaste steget.")
    changed_at: dt.datetime | None = Field(None, description="När.")


class RoundOverviewOut(RoundOut):
    regions: list[RegionOut] = Field(description="Regionerna som anroparen får se.")


def _round(info: RoundInfo) -> RoundOut:
    return RoundOut(name=str(info.year), deadline=info.deadline, status=info.status.value,
                    published_at=info.published_at)


def _region(s: RegionState) -> RegionOut:
    return RegionOut(lan_code=s.lan_code, status=s.status.value, comment=s.comment, changed_by=s.changed_by,
                     changed_at=s.changed_at)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RoundOut, responses=_ERRORS,
             summary="Öppna en inventeringsomgång (nationell)")
def open_round(body: RoundCreate, actor: ActorDep, session: SessionDep) -> RoundOut:
    """Öppnar en ny inventeringsomgång. Bara en omgång kan vara öppen åt gången."""
    info = rounds.open_round(session, actor=actor, name=body.name, deadline=body.deadline)
    return _round(info)


@router.get("/{round}", response_model=RoundOverviewOut, responses=_ERRORS, summary="Omgångens läge")
def get_round(round: RoundPath, actor: ActorDep, session: SessionDep) -> RoundOverviewOut:
    """Omgången och regionernas status: alla 21 för den nationella nivån, den egna regionen för
    en regions användare, inga för den som inte är inloggad."""
    ov = rounds.overview(session, actor=actor, name=round)
    return RoundOverviewOut(**_round(ov.round).model_dump(), regions=[
        RegionOut(lan_code=r.lan_code, status=r.status.value, comment=r.comment, changed_by=r.changed_by,
                  changed_at=r.changed_at) for r in ov.regions])


@router.post("/{round}/regions/{lan}/submit", response_model=RegionOut, responses=_ERRORS,
             summary="Skicka in regionens lista (regionens företrädare)")
def submit(round: RoundPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> RegionOut:
    """Skickar in regionens lista; den kan sedan inte ändras förrän den returneras."""
    out = _region(rounds.submit(session, actor=actor, name=round, lan=lan))
    return out


@router.post("/{round}/regions/{lan}/return", response_model=RegionOut, responses=_ERRORS,
             summary="Returnera regionens lista med en kommentar (nationell)")
def return_list(round: RoundPath, lan: LanPath, body: ReturnBody, actor: ActorDep, session: SessionDep) -> RegionOut:
    """Returnerar en inskickad lista; regionen kan då ändra den och skicka in igen."""
    out = _region(rounds.return_list(session, actor=actor, name=round, lan=lan, comment=body.comment))
    return out


@router.post("/{round}/regions/{lan}/approve", response_model=RegionOut, responses=_ERRORS,
             summary="Godkänn regionens lista (nationell)")
def approve(round: RoundPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> RegionOut:
    """Godkänner en inskickad lista; den publiceras med omgången."""
    out = _region(rounds.approve(session, actor=actor, name=round, lan=lan))
    return out


class Published(BaseModel):
    name: str = Field(description="Omgången.")
    lan: list[str] = Field(description="De län vars godkända listor publicerades.")


@router.post("/{round}/publish", response_model=Published, responses=_ERRORS,
             summary="Publicera omgången (nationell)")
def publish(round: RoundPath, actor: ActorDep, session: SessionDep) -> Published:
    """Publicerar omgången: de godkända regionernas listor blir den offentliga bilden."""
    lans = rounds.publish(session, actor=actor, name=round)
    return Published(name=round, lan=lans)
