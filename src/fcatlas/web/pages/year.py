"""The year on the pages (issue 22): opening and closing a round, a region's own deadline,
reopening a list, the "check your answers" pages before what cannot be undone (submit, approve,
publish, close, decide) — the state changes only when that page's button is pressed —, the
submission's receipt, the import's choice of mode and its receipt, adding a unit, and the
downloads a region starts from. Every rule is the services'; these pages ask and show."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BeforeValidator, StringConstraints

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.domain import CATEGORY_LABELS, STATUS_LABELS, Category, Status
from fcatlas.fmt import swedish_date
from fcatlas.register.workflow import RegionStatus
from fcatlas.services import downloads
from fcatlas.services import imports as import_service
from fcatlas.services import rounds as round_service
from fcatlas.services import units as unit_service
from fcatlas.web.deps import FORM_CSRF, ActorDep, FormDataDep, SessionDep
from fcatlas.web.pages.common import need_national, need_region, redirect, region_label, render
from fcatlas.web.pages.forms import Day, FieldError, FormPage, PageForm, Refusal, parse, show_again, values

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)


def _year_number(raw: object) -> object:
    return raw.strip() or None if isinstance(raw, str) else raw


class RoundForm(PageForm):
    """Opening a round: its year and its deadline."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "ar": ("Skriv omgångens år", "Skriv omgångens år med fyra siffror, t.ex. 2027"),
        "sista_dag": ("Skriv sista dag för regionernas listor", "Skriv datumet som år-månad-dag, t.ex. 2027-10-31")}
    ar: Annotated[int, BeforeValidator(_year_number)]
    sista_dag: Day = None

    @classmethod
    def check(cls, data: Any) -> list[tuple[str, FieldError]]:
        return [] if str(data.get("sista_dag") or "").strip() else \
            [("sista_dag", ("sista_dag", "Skriv sista dag för regionernas listor"))]


class DeadlineForm(PageForm):
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "sista_dag": ("Skriv regionens nya sista dag", "Skriv datumet som år-månad-dag, t.ex. 2027-11-30")}
    sista_dag: Day = None

    @classmethod
    def check(cls, data: Any) -> list[tuple[str, FieldError]]:
        return [] if str(data.get("sista_dag") or "").strip() else \
            [("sista_dag", ("sista_dag", "Skriv regionens nya sista dag"))]


class ReopenForm(PageForm):
    LABELS: ClassVar[dict[str, str]] = {"kommentar": "kommentaren"}
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "ny_sista_dag": ("", "Skriv datumet som år-månad-dag, t.ex. 2027-11-30")}
    kommentar: Annotated[str, StringConstraints(max_length=4000)] = ""
    ny_sista_dag: Day = None


def _need_national(actor: Actor) -> None:
    need_national(actor, what="se den nationella översikten")


def _need_region(actor: Actor) -> None:
    need_region(actor, what="din regions sidor", national_page="Översikt")


def _round(session: Session) -> Any:
    return round_service.require_current_round(session)


def confirm_page(request: Request, actor: Actor, *, title: str, rows: list[tuple[str, str]], happens: list[str],
                 action: str | None, button: str, back: str, named: list[str] | None = None,
                 named_title: str = "", blocked: str | None = None) -> Response:
    """A GOV.UK "check your answers" page: what the step concerns, what will happen, and the one
    button that takes it (``action``; none when the step cannot be taken, with ``blocked`` saying why)."""
    return render(request, "confirm.html", actor, title=title, rows=rows, happens=happens, action=action,
                  button=button, back=back, named=named or [], named_title=named_title, blocked=blocked)


# -- the national level: opening, a region's deadline, reopening, publishing, closing ------------------


@router.post("/nationell/omgang", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def open_round(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_national(actor)
    typed = values(RoundForm, form)

    def again(s: Session, refusal: Refusal) -> Response:
        from fcatlas.web.pages.national import dashboard_page

        return dashboard_page(request, s, actor, errors=refusal.errors, typed=typed, status_code=refusal.status)

    page = show_again(request, FormPage(again, "ar"))
    f = parse(RoundForm, form)
    page.at("sista_dag")
    assert f.sista_dag is not None  # RoundForm.check
    round_service.open_round(session, actor=actor, name=f.ar, deadline=f.sista_dag)
    return redirect("/nationell?klart=oppnad")


def _review_again(request: Request, actor: Actor, code: str, typed: dict[str, Any], field: str) -> FormPage:
    def again(s: Session, refusal: Refusal) -> Response:
        from fcatlas.web.pages.national import review_page

        return review_page(request, s, actor, code, status_code=refusal.status, errors=refusal.errors, typed=typed)

    return show_again(request, FormPage(again, field))


@router.post("/nationell/region/{lan}/sista-dag", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def region_deadline(lan: str, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_national(actor)
    code = round_service.lan_code(lan)
    _review_again(request, actor, code, values(DeadlineForm, form), "sista_dag")
    f = parse(DeadlineForm, form)
    assert f.sista_dag is not None
    round_service.set_deadline(session, actor=actor, name=_round(session).year, lan=code, deadline=f.sista_dag)
    return redirect(f"/nationell/region/{code}?klart=sista-dag")


@router.post("/nationell/region/{lan}/ateroppna", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def reopen(lan: str, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_national(actor)
    code = round_service.lan_code(lan)
    page = _review_again(request, actor, code, values(ReopenForm, form), "ny_sista_dag")
    f = parse(ReopenForm, form)
    page.at("ny_sista_dag" if f.ny_sista_dag else "kommentar")
    round_service.reopen(session, actor=actor, name=_round(session).year, lan=code, comment=f.kommentar,
                         deadline=f.ny_sista_dag)
    return redirect(f"/nationell/region/{code}?klart=ateroppnad")


@router.get("/nationell/region/{lan}/godkann", response_class=HTMLResponse)
def approve_check(lan: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    code = round_service.lan_code(lan)
    rnd = _round(session)
    state = round_service.region_state(session, name=rnd.year, lan=code)
    n = unit_service.visible_units(session, actor=actor, lan=code, limit=100_000).total
    changes = round_service.changes_since_published(session, actor=actor, lan=code)
    blocked = None if state.status is RegionStatus.SUBMITTED else \
        "Listan är inte inskickad, så den kan inte godkännas just nu."
    return confirm_page(
        request, actor, title=f"Godkänn listan från {region_label(code)}",
        rows=[("Region", region_label(code)), ("Omgång", str(rnd.year)), ("Enheter i listan", str(n)),
              ("Ändringar mot den publicerade listan", str(len(changes)))],
        happens=["Listan låses i omgångens ögonblicksbild och kan inte ändras av regionen.",
                 "Den blir synlig för alla först när du publicerar omgången."],
        action=f"/nationell/region/{code}/godkann", button="Godkänn listan", back=f"/nationell/region/{code}",
        blocked=blocked)


@router.get("/nationell/publicera", response_class=HTMLResponse)
def publish_check(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    rnd = _round(session)
    ov = round_service.overview(session, actor=actor, name=rnd.year)
    waiting = [r for r in ov.regions if r.status is RegionStatus.APPROVED and not r.published]
    still_open = [r for r in ov.regions if r.status is not RegionStatus.APPROVED]
    return confirm_page(
        request, actor, title=f"Publicera omgång {rnd.year}",
        rows=[("Omgång", str(rnd.year)), ("Listor som publiceras", str(len(waiting))),
              ("Listor som fortfarande är öppna", str(len(still_open)))],
        happens=["De godkända listorna nedan blir den bild som alla ser på kartan och i tabellen.",
                 "Övriga regioners listor är fortfarande öppna till sin sista dag, eller tills du stänger omgången; "
                 "de kan publiceras senare."],
        named=[region_label(r.lan_code) for r in waiting], named_title="Listor som publiceras",
        action="/nationell/publicera", button="Publicera de godkända listorna", back="/nationell",
        blocked=None if waiting else "Ingen godkänd lista väntar på publicering.")


@router.get("/nationell/stang", response_class=HTMLResponse)
def close_check(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    rnd = _round(session)
    p = round_service.close_preview(session, actor=actor, name=rnd.year)
    named = [f"{region_label(r.lan_code)} ({r.label})" for r in (*p.not_submitted, *p.submitted_not_approved)]
    blocked = None
    if p.waiting_for_publication:
        blocked = ("Godkända listor väntar på publicering: " + ", ".join(region_label(c) for c in p.waiting_for_publication)
                   + ". Publicera dem innan omgången stängs.")
    elif not rnd.is_open:
        blocked = "Omgången är redan stängd."
    return confirm_page(
        request, actor, title=f"Stäng omgång {rnd.year}",
        rows=[("Omgång", str(rnd.year)), ("Sista dag", swedish_date(rnd.deadline)),
              ("Regioner utan godkänd lista", str(len(named)))],
        happens=["Ingen regions lista kan ändras eller skickas in i omgången längre.",
                 "Regionerna nedan har inte fått någon lista godkänd; allmänheten ser fortfarande den lista de "
                 "senast fick publicerad."],
        named=named, named_title="Regioner som inte har skickat in eller inte fått listan godkänd",
        action="/nationell/stang", button=f"Stäng omgång {rnd.year}", back="/nationell", blocked=blocked)


@router.post("/nationell/stang", dependencies=[FORM_CSRF])
def close_round(session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    round_service.close_round(session, actor=actor, name=_round(session).year)
    return redirect("/nationell?klart=stangd")


@router.get("/nationell/statsbidrag/{year}/besluta", response_class=HTMLResponse)
def decide_check(year: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    from fcatlas.fmt import thousands
    from fcatlas.services import grants as grant_service
    from fcatlas.web.pages.grants import _path_year

    yr = _path_year(year)
    _need_national(actor)
    alloc = grant_service.allocation(session, actor=actor, year=yr)
    y = alloc.year
    n = sum(1 for r in alloc.rows if r.total_sek > 0)
    return confirm_page(
        request, actor, title=f"Besluta statsbidraget för {yr}",
        rows=[("Bidragsår", str(yr)), ("Totalbelopp", f"{thousands(y.total_sek, chr(160))} kr"),
              ("Regioner med belopp", str(n)), ("Sista dag för återrapporten", swedish_date(y.report_deadline))],
        happens=["Fördelningen sparas i hela kronor och året kan inte ändras efteråt.",
                 "Varje region med ett belopp får en återrapport att fylla i med sista dag enligt ovan."],
        action=f"/nationell/statsbidrag/{yr}/besluta", button=f"Besluta fördelningen för {yr}",
        back=f"/nationell/statsbidrag/{yr}", blocked=None if not y.decided else "Året är redan beslutat.")


# -- the region: submitting, its receipt, the import's mode and receipt, a new unit, files -------------


def _counts(session: Session, actor: Actor, lan: str) -> list[tuple[str, str]]:
    df = unit_service.visible_units(session, actor=actor, lan=lan, limit=100_000).items
    rows = [(CATEGORY_LABELS[c], str(int((df["category"] == c.value).sum()))) for c in Category]
    rows += [(f"Status {STATUS_LABELS[s]}", str(int((df["status"] == s.value).sum()))) for s in Status]
    return [("Enheter i listan", str(len(df))), *rows]


@router.get("/region/skicka-in", response_class=HTMLResponse)
def submit_check(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_region(actor)
    code = actor.lan_code or ""
    steps = round_service.region_steps(session, actor=actor, lan=code)
    blocked = steps.why_not if not steps.may_edit else None if steps.may_submit else \
        "Du kan inte skicka in listan: det gör regionens företrädare."
    rnd = round_service.current_round(session)
    return confirm_page(
        request, actor, title="Skicka in listan",
        rows=[("Region", region_label(code)), ("Omgång", str(rnd.year) if rnd else "–"),
              *_counts(session, actor, code)],
        happens=["Listan skickas till Socialstyrelsen för granskning.",
                 "Därefter kan den inte ändras förrän den eventuellt returneras.",
                 "Du får ett kvitto som du kan skriva ut eller spara som PDF."],
        action="/region/skicka-in", button="Skicka in listan", back="/region", blocked=blocked)


@router.get("/region/kvitto", response_class=HTMLResponse)
def receipt(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    from fcatlas.register import rounds as round_store

    _need_region(actor)
    code = actor.lan_code or ""
    rnd = _round(session)
    sent = [ev for ev in round_store.events(session, year=rnd.year, lan=code)
            if ev["lan_code"] == code and ev["action"] == "skicka_in"]
    if not sent:
        raise e.NotFoundError("regionens lista är inte inskickad i omgången, så det finns inget kvitto")
    last = sent[-1]
    return render(request, "receipt.html", actor, title="Kvitto på inskickad lista", region=region_label(code),
                  round=rnd, who=unit_service.person(last["user"]), at=last["at"], counts=_counts(session, actor, code))


class ModeForm(PageForm):
    lage: Annotated[str, StringConstraints(max_length=20)] = "hela"
    tomma: Annotated[str, StringConstraints(max_length=20)] = ""


@router.post("/region/import/{import_id}/lage", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def import_mode(import_id: int, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_region(actor)
    f = parse(ModeForm, form)
    p = import_service.show_preview(session, actor=actor, import_id=import_id, partial=f.lage == "delvis",
                                    erase_blanks=f.tomma == "ja")
    return preview_page(request, actor, p)


def preview_page(request: Request, actor: Actor, p: import_service.Preview) -> Response:
    return render(request, "import_preview.html", actor, title="Förhandsgranskning", p=p, file_name=p.file_name,
                  field_label=unit_service.field_label, field_value=unit_service.field_value)


@router.get("/region/import/{import_id}/kvitto", response_class=HTMLResponse)
def import_receipt(import_id: int, request: Request, actor: ActorDep) -> Response:
    _need_region(actor)
    q = request.query_params

    def n(key: str) -> int:
        text = q.get(key, "0")
        return int(text) if text.isdigit() else 0

    return render(request, "import_receipt.html", actor, title="Listan är sparad", import_id=import_id,
                  counts=[("Nya enheter", n("nya")), ("Ändrade enheter", n("andrade")),
                          ("Stängda enheter", n("stangda")), ("Oförändrade enheter", n("oforandrade"))])


class NewUnitForm(PageForm):
    """Adding one unit: the fields the import reads, as text (the import's rules check them)."""

    LABELS: ClassVar[dict[str, str]] = {"name": "namnet", "address": "adressen", "note": "anmärkningen",
                                        "other_partners": "övriga samverkanspartner"}
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "name": ("", "Namnet får vara högst 200 tecken"), "address": ("", "Adressen får vara högst 200 tecken"),
        "note": ("", "Anmärkningen får vara högst 2 000 tecken"),
        "other_partners": ("", "Övriga samverkanspartner får vara högst 500 tecken")}
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    kommun_code: Annotated[str, StringConstraints(max_length=10)] = ""
    address: Annotated[str, StringConstraints(max_length=200)] = ""
    postcode: Annotated[str, StringConstraints(max_length=20)] = ""
    locality: Annotated[str, StringConstraints(max_length=100)] = ""
    mvc: Annotated[str, StringConstraints(max_length=10)] = ""
    bvc: Annotated[str, StringConstraints(max_length=10)] = ""
    of: Annotated[str, StringConstraints(max_length=10)] = ""
    soc: Annotated[str, StringConstraints(max_length=10)] = ""
    co_located: Annotated[str, StringConstraints(max_length=10)] = ""
    category: Annotated[str, StringConstraints(max_length=60)] = ""
    other_partners: Annotated[str, StringConstraints(max_length=500)] = ""
    status: Annotated[str, StringConstraints(max_length=40)] = "i drift"
    status_date: Annotated[str, StringConstraints(max_length=30)] = ""
    lat: Annotated[str, StringConstraints(max_length=30)] = ""
    lon: Annotated[str, StringConstraints(max_length=30)] = ""
    precision: Annotated[str, StringConstraints(max_length=20)] = ""
    stated_accuracy: Annotated[str, StringConstraints(max_length=100)] = ""
    note: Annotated[str, StringConstraints(max_length=2000)] = ""


def unit_choices(lan: str) -> dict[str, Any]:
    """The choices of a unit form: the region's kommuner, categories, statuses, precisions."""
    from fcatlas.geography.admin import kommun_table
    from fcatlas.register.rules import PRECISIONS

    t = kommun_table()
    kommuner = sorted((str(c), str(n)) for c, n in zip(t["kommun_code"], t["kommun_name"], strict=True)
                      if str(c)[:2] == lan)
    return {"kommuner": kommuner, "categories": [(c.value, CATEGORY_LABELS[c]) for c in Category],
            "statuses": [(s.value, STATUS_LABELS[s]) for s in Status],
            "precision_options": [(p, PRECISION_WORDS.get(p, p)) for p in PRECISIONS]}


PRECISION_WORDS = {"exakt": "exakt (koordinater)", "postnummer": "postnummer", "ort": "ortens mitt",
                   "kommun": "kommunens mitt"}


@router.get("/region/enheter/ny", response_class=HTMLResponse)
def new_unit_page(request: Request, actor: ActorDep) -> Response:
    _need_region(actor)
    return render(request, "unit_new.html", actor, title="Lägg till en enhet", values={"status": "i_drift"},
                  errors=[], choices=unit_choices(actor.lan_code or ""))


@router.post("/region/enheter/ny", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def new_unit(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_region(actor)
    typed = values(NewUnitForm, form)

    def again(s: Session, refusal: Refusal) -> Response:
        return render(request, "unit_new.html", actor, status_code=refusal.status, title="Lägg till en enhet",
                      values=typed, errors=refusal.errors, choices=unit_choices(actor.lan_code or ""))

    def field_of(exc: e.FcatlasError) -> list[FieldError]:
        text = str(exc)
        return [(getattr(exc, "field", None) or "name", text[:1].upper() + text[1:])]

    show_again(request, FormPage(again, "name", errors=field_of))
    f = parse(NewUnitForm, form)
    new = unit_service.add_unit(session, actor=actor, lan=actor.lan_code or "", values=f.model_dump())
    return redirect(f"/region?klart=ny-enhet&enhet={new.unit_id}")


@router.get("/region/mall.csv")
def template_file(actor: ActorDep) -> Response:
    _need_region(actor)
    d = downloads.import_template()
    return Response(d.content, media_type=d.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})


@router.get("/region/lista.csv")
def starting_file(session: SessionDep, actor: ActorDep) -> Response:
    _need_region(actor)
    d = downloads.starting_file(session, actor=actor, lan=actor.lan_code or "")
    return Response(d.content, media_type=d.media_type,
                    headers={"Content-Disposition": f'attachment; filename="{d.file_name}"'})


# -- the full edit form of a unit ------------------------------------------------------------------

#: the fields of the edit form (public names): everything an import sets but the kommun
EDIT_FIELDS = ("name", "address", "postcode", "locality", "category", "mvc", "bvc", "of", "soc", "co_located",
               "other_partners", "status", "status_date", "lat", "lon", "precision", "stated_accuracy", "note")
_YES_NO = ("mvc", "bvc", "of", "soc", "co_located")


class EditUnitForm(NewUnitForm):
    version: int = 0


def _shown(field: str, v: Any) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if field in _YES_NO:
        return "ja" if bool(v) else "nej"
    if field in ("lat", "lon"):
        return repr(float(v)).replace(".", ",")
    return str(v)


def unit_form_values(u: dict[str, Any]) -> dict[str, str]:
    """A unit's stored values as the edit form shows them (ja/nej, decimal comma, codes)."""
    return {f: _shown(f, u.get(f)) for f in EDIT_FIELDS}


def unit_changes(u: dict[str, Any], typed: dict[str, Any]) -> dict[str, Any]:
    """What a person changed in the edit form: the fields whose text differs from what the form
    showed (so that an untouched coordinate is never re-read and re-stamped)."""
    shown = unit_form_values(u)
    return {f: str(typed[f] or "").strip() for f in EDIT_FIELDS
            if f in typed and str(typed[f] or "").strip() != shown[f].strip()}
