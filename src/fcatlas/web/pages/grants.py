"""The state grant's pages (logged in). The region: its decision, the annex, the yearly report
form (drafted by any of its users, submitted by its företrädare) and the report's history. The
national level: a year's set-up, the allocation preview and scenario comparison, the decision, and
the follow-up of every region's report with return and approval.

Every rule is :mod:`fcatlas.services.grants`'s: these pages read form fields into numbers, call the
same service functions as the API, and show the service's answers (its errors next to the field
they concern)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.domain import OMRADESTYP_LABELS, plausible_year
from fcatlas.fmt import thousands
from fcatlas.grants.allocation import DEFAULT_FIXED_SEK
from fcatlas.grants.followup import (
    EDITABLE,
    PURPOSE_LABELS,
    STATUS_LABELS,
    TRANSITIONS,
    Purpose,
    ReportStatus,
)
from fcatlas.grants.years import YEAR_STATUS_LABELS
from fcatlas.services import grants as grant_service
from fcatlas.services import units as unit_service
from fcatlas.web.cache import memo_of
from fcatlas.web.deps import FORM_CSRF, ActorDep, ConfigDep, FormDataDep, SessionDep, read_upload
from fcatlas.web.pages.common import need_national, need_region, redirect, render, sentence, templates
from fcatlas.web.pages.forms import (
    BasisForm,
    FormPage,
    Refusal,
    ReportCommentForm,
    ReportForm,
    ScenarioForm,
    YearForm,
    parse,
    show_again,
    values,
)

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)

#: the report form's amount fields: (form name, purpose)
USE_FIELDS = [(f"uses_{p.value}", p) for p in Purpose]
#: where a service finding about a report field is shown (the form's input id)
FINDING_FIELD = {"uses": USE_FIELDS[0][0], "fte": "fte", "role": "role", "unit_ids": "unit_ids",
                 "unused_sek": "unused_sek", "account": "account",
                 **{f"uses.{p.value}": name for name, p in USE_FIELDS}}


templates.env.globals["report_status_labels"] = {s.value: STATUS_LABELS[s] for s in ReportStatus}


def _lan_names() -> dict[str, str]:
    """The regions by län code, named as organisations ("Region Dalarna"): they report on the grant."""
    from fcatlas.geography.admin import REGION_NAMES

    return dict(REGION_NAMES)


# -- reading the address ---------------------------------------------------------------------------


def _path_year(value: str) -> int:
    """The grant year of a page address (a Swedish 'not found' page for anything else)."""
    if not value.isascii() or not value.isdigit() or not plausible_year(int(value)):
        raise e.NotFoundError(f"det finns inget bidragsår {value[:20]!r}")
    return int(value)


# -- the region -----------------------------------------------------------------------------------


def _need_region(actor: Actor) -> None:
    need_region(actor, what="regionens statsbidrag", national_page="Statsbidrag under Nationell översikt")


def _report_values(report: grant_service.Report | None) -> dict[str, Any]:
    if report is None:
        return {}
    d = report.view.data
    values: dict[str, Any] = {name: thousands(d.uses[p.value], " ") if d.uses.get(p.value) else ""
                              for name, p in USE_FIELDS}
    values.update(fte="" if d.fte is None else str(d.fte).replace(".", ","), role=d.role,
                  unit_ids=list(d.unit_ids), unused_sek="" if d.unused_sek is None else thousands(d.unused_sek, " "),
                  account=d.account)
    return values


def _history(report: grant_service.Report) -> list[dict[str, Any]]:
    return [{"at": h["at"], "from": STATUS_LABELS[ReportStatus(h["from_status"])] if h["from_status"] else "–",
             "to": STATUS_LABELS[ReportStatus(h["to_status"])], "to_value": h["to_status"],
             "comment": h["comment"], "user": h["user"]} for h in report.history]


def _unit_history(session: Any, actor: Actor, lan: str, names: dict[str, str]) -> list[dict[str, Any]]:
    """Per unit of the region: the grant years whose report linked it, with the report's status."""
    per: dict[str, list[tuple[int, str]]] = {}
    for v in grant_service.list_reports(session, actor=actor):
        if v.data.region_code != lan:
            continue
        for uid in v.data.unit_ids:
            per.setdefault(uid, []).append((v.data.year, v.status_label))
    return [{"id": uid, "name": names.get(uid, uid), "years": sorted(ys)}
            for uid, ys in sorted(per.items(), key=lambda kv: names.get(kv[0], kv[0]))]


def _region_page(request: Request, session: Any, actor: Actor, year: int | None, *, values: dict[str, Any] | None = None,
                 errors: list[tuple[str, str]] | None = None, status_code: int = 200) -> Response:
    from fcatlas.geography.admin import REGION_NAMES

    lan = actor.lan_code or ""
    years = [y.year for y in grant_service.list_years(session, actor=actor)]
    units = unit_service.visible_units(session, actor=actor, lan=lan, limit=100_000, memo=memo_of(request)).items
    names = dict(zip(units["id"], units["name"], strict=True)) if len(units) else {}
    ctx: dict[str, Any] = {"lan": lan, "lan_name": REGION_NAMES.get(lan, lan), "years": years, "year": None, "decision": None,
                           "report": None, "history": [], "unit_history": _unit_history(session, actor, lan, names),
                           "errors": errors or [], "done": request.query_params.get("klart")}
    if year is None or year not in years:
        year = years[-1] if years else None
    if year is not None:
        y, row = grant_service.decision(session, actor=actor, year=year, lan=lan)
        ctx.update(year=year, y=y, decision=row)
        try:
            report = grant_service.get_report(session, actor=actor, year=year, lan=lan)
        except e.NotFoundError:
            report = None
        if report is not None:
            v = report.view
            returned = [h for h in report.history if h["to_status"] == ReportStatus.RETURNED.value]
            ctx.update(report=v, history=_history(report), editable=v.status in EDITABLE,
                       may_submit=actor.may_submit_region(lan), today=dt.date.today(),
                       return_comment=returned[-1]["comment"] if returned and v.status is ReportStatus.RETURNED
                       else None,
                       values=values if values is not None else _report_values(report),
                       use_fields=[(name, PURPOSE_LABELS[p]) for name, p in USE_FIELDS],
                       units=sorted(names.items(), key=lambda kv: kv[1]), unit_names=names)
    return render(request, "grant_region.html", actor, status_code=status_code, title="Statsbidrag", **ctx)


@router.get("/region/statsbidrag", response_class=HTMLResponse)
def region_grant(request: Request, session: SessionDep, actor: ActorDep,
                 ar: str = Query("", max_length=10)) -> Response:
    if actor.is_national:
        return redirect("/nationell/statsbidrag")
    _need_region(actor)
    return _region_page(request, session, actor, int(ar) if ar.isascii() and ar.isdigit() else None)


@router.post("/region/statsbidrag/{year}", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def region_report(year: str, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    yr = _path_year(year)
    _need_region(actor)
    lan = actor.lan_code or ""
    typed = values(ReportForm, form)

    def again(s: Session, refusal: Refusal) -> Response:
        return _region_page(request, s, actor, yr, values=typed, errors=refusal.errors, status_code=refusal.status)

    # the report's rules are shown at their fields; a step not allowed (say, submitting as a
    # handläggare) gets its error page
    show_again(request, FormPage(again, USE_FIELDS[0][0], fields=FINDING_FIELD, shown=(e.InvalidDataError,),
                                 not_shown=(e.FcatlasError,)))
    f = parse(ReportForm, form)
    grant_service.save_report(session, actor=actor, year=yr, lan=lan, uses=f.uses(), fte=f.fte, role=f.role,
                              unit_ids=list(f.unit_ids), unused_sek=f.unused_sek, account=f.account)
    if f.atgard == "skicka-in":
        grant_service.submit_report(session, actor=actor, year=yr, lan=lan)
    done = "inskickad" if f.atgard == "skicka-in" else "sparad"
    return redirect(f"/region/statsbidrag?ar={yr}&klart={done}")


# -- the national level ---------------------------------------------------------------------------


def _need_national(actor: Actor) -> None:
    need_national(actor, what="förbereda och följa upp statsbidraget")


def _bundle_years(request: Request) -> list[int]:
    bundle = request.app.state.bundle
    return list(bundle.years) if bundle is not None else []


def _exclusion(types: list[str], type_year: str) -> str:
    spec = "omradestyp:" + ",".join(sorted({t for t in types if t in {"1", "2", "3", "4", "5"}}))
    return spec + (f"@{type_year}" if type_year.isdigit() else "")


def _setup_defaults(years: list[grant_service.YearView], chosen: int | None) -> dict[str, Any]:
    y = next((x for x in years if x.year == chosen and not x.decided), None)
    if y is None:
        next_year = max([x.year for x in years] + [dt.date.today().year - 1]) + 1
        return {"ar": str(next_year), "totalbelopp": "", "fast_belopp": thousands(DEFAULT_FIXED_SEK, " "), "alla": False,
                "sista_dag": "", "underlag": "datapaket", "typer": ["1", "2"], "typ_ar": "", "data_ar": ""}
    ex = y.basis_exclusion if y.basis_exclusion is not None and y.basis_exclusion.kind == "omradestyp" else None
    return {"ar": str(y.year), "totalbelopp": thousands(y.total_sek, " "), "fast_belopp": thousands(y.fixed_sek, " "),
            "alla": y.include_all, "sista_dag": y.report_deadline.isoformat(),
            "underlag": "fil" if y.basis_kind == "fil" else "datapaket",
            "typer": [str(t) for t in sorted(ex.types)] if ex else ["1", "2"], "typ_ar": str(ex.year or "") if ex else "",
            "data_ar": str(y.basis_data_year or "")}


def _years_page(request: Request, session: Any, actor: Actor, *, values: dict[str, Any] | None = None,
                errors: list[tuple[str, str]] | None = None, status_code: int = 200) -> Response:
    years = grant_service.list_years(session, actor=actor)
    chosen = request.query_params.get("ar")
    values = values or _setup_defaults(years, int(chosen) if chosen and chosen.isdigit() else None)
    return render(request, "grant_national.html", actor, status_code=status_code, title="Statsbidrag",
                  years=list(reversed(years)), year_labels=YEAR_STATUS_LABELS, values=values, errors=errors or [],
                  bundle_years=_bundle_years(request), omradestyper=list(OMRADESTYP_LABELS.items()),
                  has_bundle=request.app.state.bundle is not None)


@router.get("/nationell/statsbidrag", response_class=HTMLResponse)
def national_grants(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    return _years_page(request, session, actor)


def _basis_problem(p: e.Problem) -> str:
    return f"Underlagsfilen {p}"


@router.post("/nationell/statsbidrag", response_class=HTMLResponse, dependencies=[FORM_CSRF])
async def setup_year(request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                     form: FormDataDep) -> Response:
    _need_national(actor)
    typed = {**values(YearForm, form), "alla": bool(form.get("alla"))}

    def again(s: Session, refusal: Refusal) -> Response:
        return _years_page(request, s, actor, values=typed, errors=refusal.errors, status_code=refusal.status)

    page = show_again(request, FormPage(again, "underlag-datapaket", problem_text=_basis_problem))
    f = parse(YearForm, form)
    content = b""
    if f.underlag == "fil" and f.underlagsfil is not None:
        page.at("underlagsfil")
        content = await read_upload(f.underlagsfil, config)
    await anyio.to_thread.run_sync(_setup_year, session, actor, request.app.state.bundle, f, content, page)
    return redirect(f"/nationell/statsbidrag/{f.ar}?klart=sparad")


def _setup_year(session: Session, actor: Actor, bundle: Any, f: YearForm, content: bytes, page: FormPage) -> None:
    """Set up year ``f.ar`` from the form, moving ``page`` on to the field each step concerns."""
    basis = None
    if f.underlag == "datapaket":
        page.at("data_ar" if f.data_ar else "typ-1")
        basis = grant_service.basis_from_bundle(bundle, exclusion=_exclusion(f.typer, f.typ_ar),
                                                data_year=int(f.data_ar) if f.data_ar.isdigit() else None)
    elif f.underlagsfil is not None:
        page.at("underlagsfil")
        basis = grant_service.basis_from_upload(file_name=f.underlagsfil.filename or "underlag.csv", content=content)
    page.at("totalbelopp")
    decided = any(y.year == f.ar and y.decided for y in grant_service.list_years(session, actor=actor))
    if decided or not plausible_year(f.ar):
        page.at("ar")
    grant_service.setup_year(session, actor=actor, year=f.ar, total_sek=f.totalbelopp, fixed_sek=f.fast_belopp,
                             include_all=bool(f.alla), deadline=f.sista_dag, basis=basis)


def _year_page(request: Request, session: Any, actor: Actor, year: int, *,
               errors: list[tuple[str, str]] | None = None, status_code: int = 200, compare: bool = True) -> Response:
    """The page of a grant year; with ``compare``, the scenario the address asks for beside it."""
    y = grant_service.get_year(session, actor=actor, year=year)
    ctx: dict[str, Any] = {"y": y, "year_label": YEAR_STATUS_LABELS.get(y.status, y.status), "alloc": None,
                           "alloc_error": None, "cmp": None, "errors": list(errors or []),
                           "done": request.query_params.get("klart"), "bundle_years": _bundle_years(request),
                           "omradestyper": list(OMRADESTYP_LABELS.items()),
                           "has_bundle": request.app.state.bundle is not None}
    try:
        ctx["alloc"] = grant_service.allocation(session, actor=actor, year=year)
    except e.ConflictError as exc:  # a state, not a refusal: the year has no basis to allocate yet
        ctx["alloc_error"] = sentence(exc)
    q = request.query_params
    ctx["scen"] = {"s_typer": q.getlist("s_typer") if q.get("jamfor") else ["1", "2"],
                   "s_typ_ar": q.get("s_typ_ar", ""), "s_data_ar": q.get("s_data_ar", ""), "s_total": q.get("s_total", "")}
    if compare and q.get("jamfor") and ctx["alloc"] is not None and not y.decided:
        ctx["cmp"] = _compare(request, session, actor, year)
    return render(request, "grant_year.html", actor, status_code=status_code, title=f"Statsbidrag {year}", **ctx)


def _compare(request: Request, session: Any, actor: Actor, year: int) -> grant_service.Comparison:
    """The scenario of the address's query beside year ``year``; refused, the year's page again
    with the scenario's errors (no comparison)."""

    def again(s: Session, refusal: Refusal) -> Response:
        return _year_page(request, s, actor, year, errors=refusal.errors, status_code=refusal.status, compare=False)

    page = show_again(request, FormPage(again, "s-typ-1"))
    f = parse(ScenarioForm, request.query_params)
    b = grant_service.basis_from_bundle(request.app.state.bundle, exclusion=_exclusion(f.s_typer, f.s_typ_ar),
                                        data_year=int(f.s_data_ar) if f.s_data_ar.isdigit() else None)
    if f.s_total is not None:
        page.at("s_total")  # a total the basis cannot be shared by
    return grant_service.compare_scenario(session, actor=actor, year=year, basis_b=b, total_b_sek=f.s_total)


@router.get("/nationell/statsbidrag/{year}", response_class=HTMLResponse)
def national_year(year: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    return _year_page(request, session, actor, yr)


@router.post("/nationell/statsbidrag/{year}/underlag", response_class=HTMLResponse, dependencies=[FORM_CSRF])
async def upload_basis(year: str, request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                       form: FormDataDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    await anyio.to_thread.run_sync(lambda: grant_service.get_year(session, actor=actor, year=yr))

    def again(s: Session, refusal: Refusal) -> Response:
        message = "; ".join(m for _, m in refusal.errors)
        return _year_page(request, s, actor, yr, errors=[("underlag_fil", message)], status_code=refusal.status)

    show_again(request, FormPage(again, "underlag_fil", problem_text=_basis_problem))
    f = parse(BasisForm, form)
    content = await read_upload(f.underlag_fil, config)
    basis = grant_service.basis_from_upload(file_name=f.underlag_fil.filename, content=content)
    await anyio.to_thread.run_sync(lambda: grant_service.set_basis(session, actor=actor, year=yr, basis=basis))
    return redirect(f"/nationell/statsbidrag/{yr}?klart=underlag")


@router.post("/nationell/statsbidrag/{year}/besluta", dependencies=[FORM_CSRF])
def decide(year: str, session: SessionDep, actor: ActorDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    grant_service.decide(session, actor=actor, year=yr)
    return redirect(f"/nationell/statsbidrag/{yr}?klart=beslutad")


def open_reports(session: Any, actor: Actor) -> tuple[list[dict[str, Any]], int]:
    """The reports under way (submitted, returned or drafted; submitted first) and how many are not
    started, for the national dashboard."""
    names = _lan_names()
    order = {ReportStatus.SUBMITTED: 0, ReportStatus.RETURNED: 1, ReportStatus.DRAFT: 2}
    views = grant_service.list_reports(session, actor=actor)
    under_way = sorted((v for v in views if v.status in order),
                       key=lambda v: (order[v.status], -v.data.year, v.data.region_code))
    return [_report_row(v, names) for v in under_way], sum(v.status is ReportStatus.NOT_STARTED for v in views)


def _report_row(v: Any, names: dict[str, str]) -> dict[str, Any]:
    d = v.data
    return {"lan": d.region_code, "name": names.get(d.region_code, d.region_code), "year": d.year,
            "status": v.status.value, "status_label": v.status_label, "allocated": v.allocated_sek,
            "received": d.amount_received_sek, "used": d.used_sek, "deadline": v.deadline,
            "submitted_at": v.submitted_at, "late": v.late}


def overdue_rows(session: Any, actor: Actor, year: int | None = None) -> list[dict[str, Any]]:
    names = _lan_names()
    df = grant_service.overdue(session, actor=actor, today=dt.date.today(), year=year)
    return [{"lan": r["region_code"], "name": names.get(r["region_code"], r["region_code"]), "year": int(r["year"]),
             "status": r["status"], "status_label": r["status_label"], "deadline": dt.date.fromisoformat(r["deadline"]),
             "days_late": int(r["days_late"]), "submitted": isinstance(r["submitted_at"], str) and bool(r["submitted_at"])}
            for r in df.to_dict("records")]


@router.get("/nationell/statsbidrag/{year}/uppfoljning", response_class=HTMLResponse)
def followup(year: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    y = grant_service.get_year(session, actor=actor, year=yr)
    names = _lan_names()
    rows = [_report_row(v, names) for v in grant_service.list_reports(session, actor=actor, year=yr)]
    counts = [(STATUS_LABELS[s], s.value, sum(1 for r in rows if r["status"] == s.value)) for s in ReportStatus]
    return render(request, "grant_followup.html", actor, title=f"Uppföljning av statsbidraget {yr}", y=y,
                  rows=rows, counts=counts, overdue=overdue_rows(session, actor, yr),
                  done=request.query_params.get("klart"), done_lan=names.get(request.query_params.get("lan", ""), ""))


def _review_page(request: Request, session: Any, actor: Actor, year: int, lan: str, *, comment: str = "",
                 errors: list[tuple[str, str]] | None = None, status_code: int = 200) -> Response:
    from fcatlas.services.rounds import lan_code

    code = lan_code(lan)
    report = grant_service.get_report(session, actor=actor, year=year, lan=code)
    v = report.view
    units = unit_service.visible_units(session, actor=actor, lan=code, limit=100_000, memo=memo_of(request)).items
    names = dict(zip(units["id"], units["name"], strict=True)) if len(units) else {}
    return render(request, "grant_review.html", actor, status_code=status_code,
                  title=f"Återrapport {_lan_names().get(code, code)} {year}", lan=code,
                  lan_name=_lan_names().get(code, code), year=year, report=v, history=_history(report),
                  uses=[(PURPOSE_LABELS[p], v.data.uses.get(p.value, 0)) for p in Purpose],
                  linked=[(uid, names.get(uid, uid)) for uid in v.data.unit_ids],
                  may_approve=ReportStatus.APPROVED in TRANSITIONS[v.status],
                  may_return=ReportStatus.RETURNED in TRANSITIONS[v.status],
                  problems=grant_service.report_findings(v), comment=comment, errors=errors or [])


@router.get("/nationell/statsbidrag/{year}/rapport/{lan}", response_class=HTMLResponse)
def review_report(year: str, lan: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    return _review_page(request, session, actor, yr, lan)


@router.post("/nationell/statsbidrag/{year}/rapport/{lan}/godkann", dependencies=[FORM_CSRF])
def approve_report(year: str, lan: str, session: SessionDep, actor: ActorDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)
    r = grant_service.approve_report(session, actor=actor, year=yr, lan=lan)
    return redirect(f"/nationell/statsbidrag/{yr}/uppfoljning?klart=godkand&lan={r.view.data.region_code}")


@router.post("/nationell/statsbidrag/{year}/rapport/{lan}/returnera", response_class=HTMLResponse,
             dependencies=[FORM_CSRF])
def return_report(year: str, lan: str, request: Request, session: SessionDep, actor: ActorDep,
                  form: FormDataDep) -> Response:
    yr = _path_year(year)
    _need_national(actor)

    def again(s: Session, refusal: Refusal) -> Response:
        return _review_page(request, s, actor, yr, lan, status_code=refusal.status, errors=refusal.errors)

    show_again(request, FormPage(again, "kommentar", not_shown=(e.FcatlasError,)))  # a refused step: its page
    f = parse(ReportCommentForm, form)
    r = grant_service.return_report(session, actor=actor, year=yr, lan=lan, comment=f.kommentar.strip())
    return redirect(f"/nationell/statsbidrag/{yr}/uppfoljning?klart=returnerad&lan={r.view.data.region_code}")
