"""Units over HTTP: ``GET /api/v1/units`` (what the caller may see) and ``PATCH /api/v1/units/{id}``
(with ``If-Match: "<version>"``)."""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from fcatlas.domain import Category, Status
from fcatlas.errors import ConfigError
from fcatlas.services import units
from fcatlas.web.api.rounds import LAN_CODES
from fcatlas.web.cache import answer_light
from fcatlas.web.deps import ActorDep, LoopWorkDep, SessionDep, json_body
from fcatlas.web.problems import responses

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(prefix="/api/v1/units", tags=["enheter"])

LanQuery = Annotated[str | None, Query(pattern="^(" + "|".join(LAN_CODES) + ")$",
                                       description="Bara detta län (länskod, t.ex. 20).")]


#: the codes of the categories and the statuses (as the answers give them)
CATEGORY_PATTERN = "^(" + "|".join(c.value for c in Category) + ")$"
STATUS_PATTERN = "^(" + "|".join(s.value for s in Status) + ")$"
KommunQuery = Annotated[str | None, Query(pattern="^[0-9]{4}$", description="Bara denna kommun (kommunkod, t.ex. 2080).")]
CategoryQuery = Annotated[str | None, Query(pattern=CATEGORY_PATTERN, description="Bara denna kategori.")]
StatusQuery = Annotated[str | None, Query(pattern=STATUS_PATTERN, description="Bara denna status.")]


class UnitOut(BaseModel):
    id: str = Field(description="Enhetens id i registret.")
    name: str = Field(description="Namn.")
    category: str = Field(description="familjecentral, familjecentralsliknande eller annan_samverkan.")
    status: str = Field(description="i_drift, planerad, avsiktsforklaring eller nedlagd.")
    kommun_code: str = Field(description="Kommunkod.")
    kommun_name: str | None = Field(None, description="Kommunens namn.")
    lan_code: str = Field(description="Länskod.")
    lat: float | None = Field(description="Latitud (WGS 84).")
    lon: float | None = Field(description="Longitud (WGS 84).")
    precision: str | None = Field(description="Varifrån läget kommer: exakt, postnummer, ort eller kommun.")
    version: int = Field(description="Versionen att skicka i If-Match vid ändring.")
    round: int = Field(description="Inventeringsomgången som uppgifterna kommer från.")
    mvc: bool | None = Field(None, description="Mödrahälsovård.")
    bvc: bool | None = Field(None, description="Barnhälsovård.")
    of: bool | None = Field(None, description="Öppen förskola.")
    soc: bool | None = Field(None, description="Socialtjänst.")
    co_located: bool | None = Field(None, description="Samlokaliserade.")
    address: str | None = Field(None, description="Adress.")


class UnitPageOut(BaseModel):
    items: list[UnitOut] = Field(description="Enheterna på denna sida.")
    total: int = Field(description="Antal enheter totalt med detta urval.")


class UnitChange(BaseModel):
    """Fields to change; only those given are changed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})

    @model_validator(mode="before")
    @classmethod
    def _not_empty(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data:
            raise ValueError("inga fält att ändra")
        return data

    name: str | None = Field(None, min_length=1, max_length=200, description="Namn.")
    status: str | None = Field(None, pattern=STATUS_PATTERN, description="Status.")
    status_date: dt.date | None = Field(None, description="Statusdatum.")
    mvc: bool | None = None
    bvc: bool | None = None
    of: bool | None = None
    soc: bool | None = None
    co_located: bool | None = None
    other_partners: str | None = Field(None, max_length=500)
    address: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, pattern="^[0-9]{5}$")
    locality: str | None = Field(None, max_length=100)
    lat: float | None = Field(None, ge=55.0, le=69.1, description="Latitud (WGS 84).")
    lon: float | None = Field(None, ge=10.9, le=24.2, description="Longitud (WGS 84).")
    stated_accuracy: str | None = Field(None, max_length=100)
    note: str | None = Field(None, max_length=2000)


def _clean(v: Any) -> Any:
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


@router.get("", response_model=UnitPageOut, responses=responses(304, 401, 422), summary="Enheter")
async def list_units(request: Request, actor: ActorDep, work: LoopWorkDep, lan: LanQuery = None,
                     kommun: KommunQuery = None, category: CategoryQuery = None, status: StatusQuery = None,
                     limit: Annotated[int, Query(ge=1, le=1000, description="Högst så många (1–1000).")] = 100,
                     offset: Annotated[int, Query(ge=0, le=1_000_000, description="Hoppa över så många.")] = 0) -> Response:
    """Enheterna som anroparen får se: det publicerade för alla, den egna regionens aktuella
    uppgifter (utkast) för regionens användare, allt aktuellt för den nationella nivån. Län,
    kommun, kategori och status smalnar av listan som filtret på kartan och i tabellen."""
    def make(session: Session) -> dict[str, Any]:
        rows, total = units.visible_unit_rows(session, actor=actor, lan=lan, kommun=kommun, category=category,
                                              status=status, limit=limit, offset=offset)
        return {"items": [{k: _clean(v) for k, v in row.items() if k in _OUT_FIELDS} for row in rows],
                "total": total}

    return await answer_light(request, actor, ("units", lan, kommun, category, status, limit, offset), work, make)


#: the answer's fields (looked up per value of every row: a set, not pydantic's property)
_OUT_FIELDS = frozenset(UnitOut.model_fields)


def _if_match(value: str) -> int:
    text = value.strip().removeprefix("W/").strip('"')
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise ConfigError(f"If-Match ska vara enhetens version, t.ex. \"3\" (fick {value!r})")
    return int(text)


@router.patch("/{unit_id}", response_model=UnitOut, dependencies=[Depends(json_body)],
              responses=responses(400, 401, 403, 404, 409, 412, 415, 422), summary="Ändra en enhet")
async def patch_unit(unit_id: Annotated[str, Path(max_length=100, description="Enhetens id.")], body: UnitChange, actor: ActorDep,
                     work: LoopWorkDep,
                     if_match: Annotated[str, Header(pattern=r'^(W/)?"?[0-9]{1,9}"?$',
                                                     description='Versionen du läste, t.ex. "3".')]) -> dict[str, Any]:
    """Ändrar en enhet. Skicka versionen du läste i `If-Match`; har någon annan sparat sedan dess
    blir svaret 412 med vem som sparade senast och när."""
    # the change is two statements: on PostgreSQL run on the event loop to its end
    # (web.deps.LoopWork); on SQLite in one trip to the thread pool
    expected = _if_match(if_match)
    changes = body.model_dump(exclude_unset=True)
    if "status_date" in changes and changes["status_date"] is not None:
        changes["status_date"] = changes["status_date"].isoformat()
    new = await work.run(units.update_unit, actor=actor, unit_id=unit_id, changes=changes, expected_version=expected)
    return {k: _clean(v) for k, v in new.items() if k in _OUT_FIELDS} | {"round": new.get("last_round", 0)}


class FieldChange(BaseModel):
    field: str = Field(description="Fältet som ändrades.")
    before: Any = Field(description="Värdet före ändringen (null: tomt).")
    after: Any = Field(description="Värdet efter ändringen (null: tomt).")


class HistoryEntryOut(BaseModel):
    at: dt.datetime = Field(description="När.")
    user: str = Field(description="Vem (kontots e-post, eller importens användare).")
    action: str = Field(description="Vad: ny (import), ändrad (import), ändrad, stängd eller sammanslagen.")
    version: int = Field(description="Enhetens version efter steget.")
    changes: list[FieldChange] = Field(description="Fälten som ändrades, före och efter.")
    comment: str | None = Field(None, description="Kommentar, t.ex. skälet till att enheten stängdes.")


class HistoryOut(BaseModel):
    items: list[HistoryEntryOut] = Field(description="Enhetens historik, senaste först.")


@router.get("/{unit_id}/history", response_model=HistoryOut, responses=responses(401, 403, 404, 422),
            summary="En enhets historik")
def unit_history(unit_id: Annotated[str, Path(max_length=100, description="Enhetens id.")], actor: ActorDep,
                 session: SessionDep) -> dict[str, Any]:
    """Enhetens ändringar, senaste först: vem, när, vad och fälten före och efter. För regionens
    egna användare och den nationella nivån; allmänheten ser ingen historik."""
    steps = units.unit_history(session, actor=actor, unit_id=unit_id)
    return {"items": [{"at": h.at, "user": h.user, "action": h.action, "version": h.version, "comment": h.comment,
                       "changes": [{"field": f, "before": _clean(b), "after": _clean(a)}
                                   for f, (b, a) in h.changes.items()]} for h in steps]}
