"""The state grant over HTTP: set up a year, preview and compare, decide; decisions and annexes;
the regions' yearly reports and their review; the overdue list. Every rule is in
:mod:`fcatlas.services.grants`."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from fcatlas.domain import DEFAULT_FIXED_SEK, FIRST_YEAR, LAST_YEAR, MAX_SEK
from fcatlas.services import grants
from fcatlas.web.api.rounds import NOT_BLANK, YEAR_PATTERN, LanPath
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import ActorDep, ConfigDep, SessionDep, json_body, read_upload
from fcatlas.web.problems import responses

YearPath = Annotated[str, Path(pattern=YEAR_PATTERN, description="Bidragsåret, t.ex. 2026.")]
EXCLUSION_PATTERN = r"^omradestyp:[1-5](,[1-5]){0,4}(@20[0-9]{2})?$"

_json = APIRouter(dependencies=[Depends(json_body)], prefix="/api/v1/grants", tags=["statsbidrag"])
_upload = APIRouter(prefix="/api/v1/grants", tags=["statsbidrag"])
router = APIRouter()

_ERRORS = responses(400, 401, 403, 404, 409, 422)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# -- models --------------------------------------------------------------------------------------


class YearSetup(BaseModel):
    model_config = ConfigDict(extra="forbid")

    total_sek: int = Field(ge=0, le=MAX_SEK, description="Årets totalbelopp i hela kronor, t.ex. 51365000.")
    fixed_sek: int = Field(DEFAULT_FIXED_SEK, ge=0, le=MAX_SEK, description="Fast belopp per berättigad region (kr).")
    include_all: bool = Field(False, description="Alla regioner får den fasta delen, även utan utanförskapsområde.")
    report_deadline: dt.date | None = Field(None, description="Sista dag för återrapporten (standard 31 januari "
                                                              "året efter).")
    basis: Literal["datapaket", "fil"] = Field(
        "datapaket", description="Underlaget: 'datapaket' räknas ur tjänstens datapaket; 'fil' behåller årets "
                                 "uppladdade underlag (ladda upp med POST …/basis).")
    exclusion: str | None = Field(None, pattern=EXCLUSION_PATTERN, description="Områden med stort utanförskap, "
                                  "t.ex. 'omradestyp:1,2' eller 'omradestyp:1,2@2022' (standard omradestyp:1,2).")
    data_year: int | None = Field(None, ge=FIRST_YEAR, le=LAST_YEAR, description="År för antal barn (standard paketets senaste).")


class YearOut(BaseModel):
    year: int = Field(description="Bidragsåret.")
    status: str = Field(description="'forberedd' (bara nationell nivå ser det) eller 'beslutad' (offentligt).")
    total_sek: int = Field(description="Totalbelopp (kr).")
    fixed_sek: int = Field(description="Fast belopp per berättigad region (kr).")
    include_all: bool = Field(description="Alla regioner får den fasta delen.")
    report_deadline: dt.date = Field(description="Sista dag för återrapporten.")
    basis_kind: str = Field(description="'datapaket', 'fil' eller 'ingen' (underlag saknas ännu).")
    basis_source: str = Field(description="Varifrån underlaget kommer.")
    basis_definition: str = Field(description="Definitionen av områden med stort utanförskap.")
    basis_data_year: int | None = Field(description="År för antal barn.")
    estimated: bool = Field(description="Antalet barn är skattat någonstans i underlaget.")
    notes: list[str] = Field(description="Anmärkningar om underlaget.")
    created_by: str = Field(description="Vem som lade upp året.")
    created_at: dt.datetime = Field(description="När.")
    decided_by: str | None = Field(description="Vem som beslutade.")
    decided_at: dt.datetime | None = Field(description="När beslutet fattades.")


class AllocationRowOut(BaseModel):
    region_code: str = Field(description="Länskod.")
    region_name: str = Field(description="Region.")
    eligible: bool = Field(description="Berättigad till bidraget.")
    basis_children: int = Field(description="Barn 0–6 år i områden med stort utanförskap.")
    share: float = Field(description="Andel av de berättigades underlag (för visning).")
    fixed_sek: int = Field(description="Fast del (kr).")
    variable_sek: int = Field(description="Rörlig del (kr).")
    total_sek: int = Field(description="Belopp (kr).")


class AllocationOut(BaseModel):
    year: YearOut = Field(description="Året.")
    decided: bool = Field(description="Beslutad fördelning (sant) eller förhandsvisning som inte sparats.")
    total_sek: int = Field(description="Summan av beloppen: exakt årets totalbelopp.")
    regions: list[AllocationRowOut] = Field(description="En rad per region i underlaget.")


class DecisionOut(BaseModel):
    year: int = Field(description="Bidragsåret.")
    region: AllocationRowOut = Field(description="Regionens beslutade belopp.")
    decided_by: str | None = Field(description="Vem som beslutade.")
    decided_at: dt.datetime | None = Field(description="När.")
    report_deadline: dt.date = Field(description="Sista dag för regionens återrapport.")


class CompareRowOut(BaseModel):
    region_code: str = Field(description="Länskod.")
    region_name: str = Field(description="Region.")
    basis_a: int = Field(description="Underlag A (årets).")
    basis_b: int = Field(description="Underlag B (scenariot).")
    total_a_sek: int = Field(description="Belopp A (kr).")
    total_b_sek: int = Field(description="Belopp B (kr).")
    change_sek: int = Field(description="Förändring B − A (kr).")
    change_pct: float | None = Field(description="Förändring i procent av A (saknas när A är 0).")


class ComparisonOut(BaseModel):
    definition_a: str = Field(description="Årets definition.")
    definition_b: str = Field(description="Scenariots definition.")
    regions: list[CompareRowOut] = Field(description="En rad per region.")


class UsesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    coordinator: int = Field(0, ge=0, le=MAX_SEK, description="Länssamordnare eller processutvecklare (kr).")
    new_centres: int = Field(0, ge=0, le=MAX_SEK, description="Nya familjecentraler i områden med stort "
                                                             "utanförskap (kr).")
    develop_centres: int = Field(0, ge=0, le=MAX_SEK, description="Vidareutveckling av befintliga "
                                                                 "familjecentraler i sådana områden (kr).")
    needs_analysis: int = Field(0, ge=0, le=MAX_SEK, description="Behovs- och lägesanalys (kr).")


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uses: UsesIn = Field(description="Använt belopp per tillåtet ändamål (kr).")
    fte: float | None = Field(None, ge=0, lt=1_000_000, allow_inf_nan=False,
                              description="Årsarbetskrafter som bidraget finansierar (högst två decimaler).")
    role: str = Field("", max_length=200, description="Roll, t.ex. länssamordnare (krävs med årsarbetskrafter).")
    unit_ids: list[Annotated[str, Field(min_length=1, max_length=100)]] = Field(
        default_factory=list, max_length=1000, description="Berörda familjecentraler (id i registret, i regionen).")
    unused_sek: int | None = Field(None, ge=0, le=MAX_SEK, description="Ej använt belopp att återbetala (kr): "
                                                                      "mottaget − använt.")
    account: str = Field("", max_length=20_000, description="Redovisning i fritext.")


class ReturnIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str = Field(max_length=4000, pattern=NOT_BLANK, description="Vad regionen ska komplettera (inte tom).")


class HistoryOut(BaseModel):
    at: dt.datetime = Field(description="När.")
    from_status: str | None = Field(description="Från status.")
    to_status: str = Field(description="Till status.")
    comment: str = Field(description="Kommentar (t.ex. vad som ska kompletteras).")
    user: str | None = Field(description="Vem (visas inte för allmänheten).")


class ReportOut(BaseModel):
    region_code: str = Field(description="Länskod.")
    year: int = Field(description="Bidragsår.")
    status: str = Field(description="ej_paborjad, utkast, inskickad, returnerad eller godkand.")
    status_label: str = Field(description="Status på svenska.")
    amount_received_sek: int = Field(description="Mottaget (beslutat) belopp (kr).")
    uses: dict[str, int] = Field(description="Använt per ändamål (kr).")
    used_sek: int = Field(description="Använt totalt (kr).")
    fte: float | None = Field(description="Årsarbetskrafter.")
    role: str = Field(description="Roll.")
    unit_ids: list[str] = Field(description="Berörda familjecentraler.")
    unused_sek: int | None = Field(description="Att återbetala (kr).")
    account: str = Field(description="Redovisning.")
    deadline: dt.date = Field(description="Sista dag.")
    submitted_at: dt.datetime | None = Field(description="Inskickad.")
    late: bool = Field(description="Inskickad efter sista dag.")
    approved_at: dt.datetime | None = Field(description="Godkänd.")
    problems: list[str] = Field(description="Fel som hindrar inskickning (tom när rapporten kan skickas in).")
    history: list[HistoryOut] = Field(description="Statushistorik (bara i svaret för en enskild rapport).")


class OverdueOut(BaseModel):
    region_code: str = Field(description="Länskod.")
    year: int = Field(description="Bidragsår.")
    status: str = Field(description="Status.")
    status_label: str = Field(description="Status på svenska.")
    deadline: dt.date = Field(description="Sista dag.")
    days_late: int = Field(description="Dagar efter sista dag (till idag, eller till inskickningen).")
    submitted_at: str | None = Field(description="Inskickad (om den kom in för sent).")


def _year(y: grants.YearView) -> YearOut:
    return YearOut(year=y.year, status=y.status, total_sek=y.total_sek, fixed_sek=y.fixed_sek,
                   include_all=y.include_all, report_deadline=y.report_deadline, basis_kind=y.basis_kind,
                   basis_source=y.basis_source, basis_definition=y.basis_definition,
                   basis_data_year=y.basis_data_year, estimated=y.estimated, notes=y.notes,
                   created_by=y.created_by, created_at=y.created_at, decided_by=y.decided_by,
                   decided_at=y.decided_at)


def _row(r: grants.AllocationRow) -> AllocationRowOut:
    return AllocationRowOut(**r.__dict__)


def _allocation(a: grants.Allocation) -> AllocationOut:
    return AllocationOut(year=_year(a.year), decided=a.decided, total_sek=a.total_sek,
                         regions=[_row(r) for r in a.rows])


def _report(v: grants.ReportView, history: list[dict[str, object]] | None = None) -> ReportOut:
    d = v.data
    return ReportOut(region_code=d.region_code, year=d.year, status=v.status.value, status_label=v.status_label,
                     amount_received_sek=d.amount_received_sek, uses=dict(d.uses), used_sek=d.used_sek,
                     fte=float(d.fte) if d.fte is not None else None, role=d.role, unit_ids=list(d.unit_ids),
                     unused_sek=d.unused_sek, account=d.account, deadline=v.deadline, submitted_at=v.submitted_at,
                     late=v.late, approved_at=v.approved_at, problems=grants.report_findings(v),
                     history=[HistoryOut.model_validate(h) for h in history or []])


def _full(r: grants.Report) -> ReportOut:
    return _report(r.view, r.history)


# -- the year ------------------------------------------------------------------------------------


@_json.get("/years", response_model=list[YearOut], responses=responses(401),
           summary="Bidragsåren (beslutade för alla, förberedda för nationell nivå)")
def list_years(actor: ActorDep, session: SessionDep) -> list[YearOut]:
    """Beslutade år är allmänna handlingar och syns för alla; ett år som bara är förberett syns
    för den nationella nivån."""
    return [_year(y) for y in grants.list_years(session, actor=actor)]


@_json.put("/years/{year}", response_model=YearOut, responses=_ERRORS,
           summary="Lägg upp eller ändra ett bidragsår (nationell)")
def setup_year(year: YearPath, body: YearSetup, request: Request, actor: ActorDep, session: SessionDep) -> YearOut:
    """Lägger upp året med totalbelopp, fast belopp och underlag (ur tjänstens datapaket, eller
    'fil' för ett uppladdat underlag). Ett beslutat år kan inte ändras (409)."""
    basis = None
    if actor.may_review() and body.basis == "datapaket":
        basis = grants.basis_from_bundle(request.app.state.bundle, exclusion=body.exclusion, data_year=body.data_year)
    y = grants.setup_year(session, actor=actor, year=int(year), total_sek=body.total_sek, fixed_sek=body.fixed_sek,
                          include_all=body.include_all, deadline=body.report_deadline, basis=basis)
    return _year(y)


@_upload.post("/years/{year}/basis", response_model=YearOut,
              responses=responses(400, 401, 403, 404, 409, 413, 415, 422),
              summary="Ladda upp underlaget som fil (nationell)")
async def upload_basis(year: YearPath, file: Annotated[UploadFile, File(
        description="CSV: region_code;basis_children[;region_name] (; eller ,; UTF-8 eller Windows-1252).")],
        actor: ActorDep, session: SessionDep, config: ConfigDep) -> YearOut:
    """Ersätter underlaget för ett förberett år med filens (samma regler som `fcatlas grant
    allocate --basis`). En fil som bryter mot reglerna tas inte emot alls (409, med fil, rad,
    kolumn och orsak i `detaljer`); en fil utan filändelse läses som CSV."""
    actor.require(actor.may_review(), "ändra underlaget för ett års statsbidrag")
    content = await read_upload(file, config)
    basis = grants.basis_from_upload(file_name=file.filename or "underlag.csv", content=content)
    y = grants.set_basis(session, actor=actor, year=int(year), basis=basis)
    return _year(y)


@_json.get("/years/{year}", response_model=YearOut, responses=_ERRORS, summary="Ett bidragsår")
def get_year(year: YearPath, actor: ActorDep, session: SessionDep) -> YearOut:
    """Året med underlagets ursprung och, när det är beslutat, vem som beslutade och när."""
    return _year(grants.get_year(session, actor=actor, year=int(year)))


@_json.get("/years/{year}/allocation", response_model=AllocationOut, responses=_ERRORS,
           summary="Fördelningen (beslutad, eller förhandsvisning för nationell nivå)")
def get_allocation(year: YearPath, actor: ActorDep, session: SessionDep) -> AllocationOut:
    """Ett beslutat års fördelning (offentlig). För ett förberett år räknas fördelningen fram utan
    att något sparas (bara nationell nivå). Beloppen är hela kronor och summerar exakt till
    totalbeloppet (största restmetoden)."""
    return _allocation(grants.allocation(session, actor=actor, year=int(year)))


@_json.get("/years/{year}/compare", response_model=ComparisonOut, responses=_ERRORS,
           summary="Jämför årets fördelning med ett scenario (nationell; sparar inget)")
def compare(year: YearPath, request: Request, actor: ActorDep, session: SessionDep,
            exclusion: Annotated[str, Query(pattern=EXCLUSION_PATTERN, description=(
                "Scenariots definition, t.ex. omradestyp:1,2@2022."))],
            data_year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="År för antal barn i scenariot.")]
            = None,
            total_sek: Annotated[int | None, Query(ge=0, le=MAX_SEK, description="Annat totalbelopp i scenariot.")]
            = None) -> ComparisonOut:
    """Årets underlag (A) mot ett scenario ur datapaketet (B), med förändringen per region."""
    actor.require(actor.may_review(), "jämföra scenarier för statsbidraget")
    b = grants.basis_from_bundle(request.app.state.bundle, exclusion=exclusion, data_year=data_year)
    c = grants.compare_scenario(session, actor=actor, year=int(year), basis_b=b, total_b_sek=total_sek)
    return ComparisonOut(definition_a=c.definition_a, definition_b=c.definition_b,
                         regions=[CompareRowOut(**r.__dict__) for r in c.rows])


@_json.post("/years/{year}/decide", response_model=AllocationOut, responses=_ERRORS,
            summary="Besluta årets fördelning (nationell)")
def decide(year: YearPath, actor: ActorDep, session: SessionDep) -> AllocationOut:
    """Sparar fördelningen som beslut. Därefter kan året inte ändras, beslutet är offentligt och
    varje region med ett belopp får en återrapport att fylla i."""
    out = _allocation(grants.decide(session, actor=actor, year=int(year)))
    return out


@_json.get("/years/{year}/regions/{lan}/decision", response_model=DecisionOut, responses=_ERRORS,
           summary="Regionens beslut (offentligt)")
def get_decision(year: YearPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> DecisionOut:
    """Regionens beslutade belopp (fast och rörlig del) och sista dag för återrapporten."""
    y, r = grants.decision(session, actor=actor, year=int(year), lan=lan)
    return DecisionOut(year=y.year, region=_row(r), decided_by=y.decided_by, decided_at=y.decided_at,
                       report_deadline=y.report_deadline)


def _annex(request: Request, session: SessionDep, actor: ActorDep, year: str, fmt: str, media: str) -> Response:
    name, content = grants.annex(session, actor=actor, year=int(year), fmt=fmt, memo=memo_of(request))
    return Response(content, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'})


_ANNEX_ERRORS = responses(400, 401, 403, 404, 409)


@_json.get("/years/{year}/annex.xlsx", response_class=Response, summary="Beslutsbilagan i Excel (offentlig)",
           responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}},
                            "description": "Excel-bilagan."}, **_ANNEX_ERRORS})
def annex_xlsx(request: Request, year: YearPath, actor: ActorDep, session: SessionDep) -> Response:
    """Bilagan till beslutet: fördelningen, metoden och källorna."""
    return _annex(request, session, actor, year, "xlsx", XLSX)


@_json.get("/years/{year}/annex.pdf", response_class=Response, summary="Beslutsbilagan som PDF (offentlig)",
           responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
                            "description": "PDF-bilagan."}, **_ANNEX_ERRORS})
def annex_pdf(request: Request, year: YearPath, actor: ActorDep, session: SessionDep) -> Response:
    """Bilagan till beslutet som PDF."""
    return _annex(request, session, actor, year, "pdf", "application/pdf")


# -- the reports ---------------------------------------------------------------------------------


@_json.get("/years/{year}/regions/{lan}/report", response_model=ReportOut, responses=_ERRORS,
           summary="Regionens återrapport")
def get_report(year: YearPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> ReportOut:
    """Regionens egna användare och nationell nivå ser rapporten; en godkänd rapport är offentlig.
    Andra får 404 (ett utkast avslöjas inte)."""
    return _full(grants.get_report(session, actor=actor, year=int(year), lan=lan))


@_json.put("/years/{year}/regions/{lan}/report", response_model=ReportOut, responses=_ERRORS,
           summary="Spara regionens återrapport som utkast (regionens handläggare eller företrädare)")
def save_report(year: YearPath, lan: LanPath, body: ReportIn, actor: ActorDep, session: SessionDep) -> ReportOut:
    """Sparar rapportens innehåll. Mottaget belopp är det beslutade. Reglerna är uppföljningens:
    använt ≤ mottaget, ej använt = mottaget − använt, roll vid årsarbetskrafter, berörda
    familjecentraler finns i regionen. Fel ger 422 med ett fält per fel."""
    r = grants.save_report(session, actor=actor, year=int(year), lan=lan, uses=body.uses.model_dump(),
                           fte=Decimal(str(body.fte)) if body.fte is not None else None, role=body.role,
                           unit_ids=body.unit_ids, unused_sek=body.unused_sek, account=body.account)
    return _full(r)


@_json.post("/years/{year}/regions/{lan}/report/submit", response_model=ReportOut, responses=_ERRORS,
            summary="Skicka in återrapporten (regionens företrädare)")
def submit_report(year: YearPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> ReportOut:
    """Kontrollerar och skickar in rapporten; den kan sedan inte ändras förrän den returneras.
    En rapport efter sista dag tas emot och markeras som försenad."""
    r = grants.submit_report(session, actor=actor, year=int(year), lan=lan)
    return _full(r)


@_json.post("/years/{year}/regions/{lan}/report/return", response_model=ReportOut, responses=_ERRORS,
            summary="Returnera återrapporten för komplettering (nationell)")
def return_report(year: YearPath, lan: LanPath, body: ReturnIn, actor: ActorDep, session: SessionDep) -> ReportOut:
    """Returnerar en inskickad rapport med en kommentar; regionen kan då ändra och skicka in igen."""
    r = grants.return_report(session, actor=actor, year=int(year), lan=lan, comment=body.comment)
    return _full(r)


@_json.post("/years/{year}/regions/{lan}/report/approve", response_model=ReportOut, responses=_ERRORS,
            summary="Godkänn återrapporten (nationell)")
def approve_report(year: YearPath, lan: LanPath, actor: ActorDep, session: SessionDep) -> ReportOut:
    """Godkänner en inskickad rapport; den blir då offentlig."""
    r = grants.approve_report(session, actor=actor, year=int(year), lan=lan)
    return _full(r)


@_json.get("/reports", response_model=list[ReportOut], responses=responses(401, 422),
           summary="Återrapporterna som anroparen får se")
def list_reports(actor: ActorDep, session: SessionDep,
                 year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Bara ett bidragsår.")] = None
                 ) -> list[ReportOut]:
    """Nationell nivå ser alla, en region sina egna, allmänheten de godkända."""
    return [_report(v) for v in grants.list_reports(session, actor=actor, year=year)]


@_json.get("/overdue", response_model=list[OverdueOut], responses=responses(401, 403, 422),
           summary="Försenade återrapporter (nationell)")
def list_overdue(actor: ActorDep, session: SessionDep,
                 today: Annotated[dt.date | None, Query(description="Dagens datum (standard: idag).")] = None,
                 year: Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR, description="Bara ett bidragsår.")] = None
                 ) -> list[OverdueOut]:
    """Rapporter som inte kommit in till sista dag, och rapporter som kom in efter den."""
    df = grants.overdue(session, actor=actor, today=today or dt.date.today(), year=year)
    return [OverdueOut(region_code=r["region_code"], year=int(r["year"]), status=r["status"],
                       status_label=r["status_label"], deadline=dt.date.fromisoformat(r["deadline"]),
                       days_late=int(r["days_late"]), submitted_at=r["submitted_at"])
            for r in df.to_dict("records")]


router.include_router(_json)
router.include_router(_upload)
