"""The state grant's pages (logged in). The region: its decision, the annex, the yearly report
form (drafted by any of its users, submitted by its företrädare) and the report's history. The
national level: a year's set-up, the allocation preview and scenario comparison, the decision, and
the follow-up of every region's report with return and approval.

Every rule is :mod:`fcatlas.services.grants`'s: these pages read form fields into numbers, call the
same service functions as the API, and show the service's answers (its errors next to the field
they concern)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.domain import OMRADESTYP_LABELS
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
from fcatlas.web.deps import ActorDep, ConfigDep, SessionDep, read_upload
from fcatlas.web.pages.common import (
    check_csrf,
    error_page,
    failure_page,
    need_national,
    need_region,
    redirect,
    render,
    sentence,
    templates,
)

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


# -- reading form fields ---------------------------------------------------------------------------


def _int(raw: str, name: str, what: str, errors: list[tuple[str, str]], *, required: bool = False,
         example: str = "850 000") -> int | None:
    """A whole number of kronor (spaces as thousands separators allowed); blank is None."""
    text = (raw or "").replace("\u00a0", "").replace(" ", "").replace("kr", "").strip()
    if not text:
        if required:
            errors.append((name, f"Skriv {what}"))
        return None
    try:
        return int(text)
    except ValueError:
        errors.append((name, f"Skriv {what} i hela kronor med siffror, t.ex. {example}"))
        return None


def _fte(raw: str, errors: list[tuple[str, str]]) -> Decimal | None:
    text = (raw or "").replace(" ", "").replace(",", ".").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        errors.append(("fte", "Skriv antalet årsarbetskrafter som ett tal, t.ex. 0,75"))
        return None
    if not value.is_finite():
        errors.append(("fte", "Skriv antalet årsarbetskrafter som ett tal, t.ex. 0,75"))
        return None
    return value


def _date(raw: str, name: str, errors: list[tuple[str, str]]) -> dt.date | None:
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        errors.append((name, "Skriv datumet som år-månad-dag, t.ex. 2027-01-31"))
        return None


def _path_year(value: str) -> int:
    """The grant year of a page address (a Swedish 'not found' page for anything else)."""
    if not value.isascii() or not value.isdigit() or not 2000 <= int(value) <= 2100:
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
    units = unit_service.visible_units(session, actor=actor, lan=lan, limit=100_000).items
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
    try:
        _need_region(actor)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
    return _region_page(request, session, actor, int(ar) if ar.isascii() and ar.isdigit() else None)


@router.post("/region/statsbidrag/{year}", response_class=HTMLResponse)
def region_report(year: str, request: Request, session: SessionDep, actor: ActorDep,
                  csrf: str = Form("", max_length=100), atgard: str = Form("spara", max_length=20),
                  uses_coordinator: str = Form("", max_length=40), uses_new_centres: str = Form("", max_length=40),
                  uses_develop_centres: str = Form("", max_length=40),
                  uses_needs_analysis: str = Form("", max_length=40), fte: str = Form("", max_length=40),
                  role: str = Form("", max_length=400), unit_ids: list[str] = Form([]),
                  unused_sek: str = Form("", max_length=40), account: str = Form("", max_length=20_000)) -> Response:
    try:
        yr = _path_year(year)
        check_csrf(request, csrf)
        _need_region(actor)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    lan = actor.lan_code or ""
    raw = {"uses_coordinator": uses_coordinator, "uses_new_centres": uses_new_centres,
           "uses_develop_centres": uses_develop_centres, "uses_needs_analysis": uses_needs_analysis}
    values: dict[str, Any] = {**raw, "fte": fte, "role": role, "unit_ids": list(unit_ids), "unused_sek": unused_sek,
                              "account": account}
    errors: list[tuple[str, str]] = []
    uses = {}
    for name, p in USE_FIELDS:
        amount = _int(raw[name], name, f"beloppet för {PURPOSE_LABELS[p].lower()}", errors)
        if amount is not None:
            uses[p.value] = amount
    fte_value = _fte(fte, errors)
    unused = _int(unused_sek, "unused_sek", "det ej använda beloppet", errors, example="0")
    if errors:
        return _region_page(request, session, actor, yr, values=values, errors=errors, status_code=422)
    try:
        grant_service.save_report(session, actor=actor, year=yr, lan=lan, uses=uses, fte=fte_value, role=role,
                                  unit_ids=list(unit_ids), unused_sek=unused, account=account)
        if atgard == "skicka-in":
            grant_service.submit_report(session, actor=actor, year=yr, lan=lan)
        session.commit()
    except e.InvalidDataError as exc:
        session.rollback()
        errors = [(FINDING_FIELD.get(p.column or "", USE_FIELDS[0][0]), sentence(p.reason)) for p in exc.problems]
        return _region_page(request, session, actor, yr, values=values,
                            errors=errors or [(USE_FIELDS[0][0], sentence(exc))], status_code=422)
    except e.FcatlasError as exc:
        session.rollback()
        return error_page(request, actor, exc)
    done = "inskickad" if atgard == "skicka-in" else "sparad"
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
    try:
        _need_national(actor)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
    return _years_page(request, session, actor)


@router.post("/nationell/statsbidrag", response_class=HTMLResponse)
async def setup_year(request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                     csrf: str = Form("", max_length=100), ar: str = Form("", max_length=10),
                     totalbelopp: str = Form("", max_length=40), fast_belopp: str = Form("", max_length=40),
                     alla: str = Form("", max_length=5), sista_dag: str = Form("", max_length=20),
                     underlag: str = Form("", max_length=20), typer: list[str] = Form([]),
                     typ_ar: str = Form("", max_length=10), data_ar: str = Form("", max_length=10),
                     underlagsfil: UploadFile | None = File(None)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_national(actor)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    values = {"ar": ar, "totalbelopp": totalbelopp, "fast_belopp": fast_belopp, "alla": bool(alla),
              "sista_dag": sista_dag, "underlag": underlag, "typer": list(typer), "typ_ar": typ_ar, "data_ar": data_ar}
    errors: list[tuple[str, str]] = []
    year = _int(ar, "ar", "bidragsåret", errors, required=True, example="2026")
    total = _int(totalbelopp, "totalbelopp", "årets totalbelopp", errors, required=True, example="51 365 000")
    fixed = _int(fast_belopp, "fast_belopp", "det fasta beloppet per region", errors, required=True,
                 example="815 000")
    deadline = _date(sista_dag, "sista_dag", errors)
    if underlag not in ("datapaket", "fil"):
        errors.append(("underlag-datapaket", "Välj varifrån underlaget kommer"))
    elif underlag == "datapaket" and not typer:
        errors.append(("typ-1", "Välj minst en områdestyp som räknas som stort utanförskap"))
    file_given = underlagsfil is not None and bool(underlagsfil.filename)
    content = b""
    if underlag == "fil" and file_given and underlagsfil is not None:
        try:
            content = await read_upload(underlagsfil, config)
        except e.PayloadTooLargeError as exc:
            errors.append(("underlagsfil", sentence(exc)))
    if errors or year is None or total is None or fixed is None:
        return _years_page(request, session, actor, values=values, errors=errors, status_code=422)
    basis = None
    field = "underlag-datapaket"
    try:
        if underlag == "datapaket":
            field = "data_ar" if data_ar else "typ-1"
            basis = grant_service.basis_from_bundle(request.app.state.bundle, exclusion=_exclusion(typer, typ_ar),
                                                    data_year=int(data_ar) if data_ar.isdigit() else None)
        elif file_given and underlagsfil is not None:
            field = "underlagsfil"
            basis = grant_service.basis_from_upload(file_name=underlagsfil.filename or "underlag.csv",
                                                    content=content)
        field = "totalbelopp"
        decided = any(y.year == year and y.decided for y in grant_service.list_years(session, actor=actor))
        if decided or not 2000 <= year <= 2100:
            field = "ar"
        grant_service.setup_year(session, actor=actor, year=year, total_sek=total, fixed_sek=fixed,
                                 include_all=bool(alla), deadline=deadline, basis=basis)
        session.commit()
    except e.InvalidDataError as exc:
        session.rollback()
        errors = [(field, f"Underlagsfilen {p}") for p in exc.problems] or [(field, sentence(exc))]
        return _years_page(request, session, actor, values=values, errors=errors, status_code=422)
    except e.PermissionDeniedError as exc:
        return error_page(request, actor, exc)
    except e.FcatlasError as exc:
        session.rollback()
        return _years_page(request, session, actor, values=values, errors=[(field, sentence(exc))],
                           status_code=422)
    return redirect(f"/nationell/statsbidrag/{year}?klart=sparad")


def _year_page(request: Request, session: Any, actor: Actor, year: int, *,
               errors: list[tuple[str, str]] | None = None, status_code: int = 200) -> Response:
    y = grant_service.get_year(session, actor=actor, year=year)
    ctx: dict[str, Any] = {"y": y, "year_label": YEAR_STATUS_LABELS.get(y.status, y.status), "alloc": None,
                           "alloc_error": None, "cmp": None, "errors": list(errors or []),
                           "done": request.query_params.get("klart"), "bundle_years": _bundle_years(request),
                           "omradestyper": list(OMRADESTYP_LABELS.items()),
                           "has_bundle": request.app.state.bundle is not None}
    try:
        ctx["alloc"] = grant_service.allocation(session, actor=actor, year=year)
    except e.ConflictError as exc:
        ctx["alloc_error"] = sentence(exc)
    q = request.query_params
    scen: dict[str, Any] = {"s_typer": q.getlist("s_typer") if q.get("jamfor") else ["1", "2"], "s_typ_ar": q.get("s_typ_ar", ""),
            "s_data_ar": q.get("s_data_ar", ""), "s_total": q.get("s_total", "")}
    ctx["scen"] = scen
    if q.get("jamfor") and ctx["alloc"] is not None and not y.decided:
        errs: list[tuple[str, str]] = []
        if not scen["s_typer"]:
            errs.append(("s-typ-1", "Välj minst en områdestyp för scenariot"))
        total_b = _int(scen["s_total"], "s_total", "scenariots totalbelopp", errs, example="51 365 000")
        if not errs:
            try:
                b = grant_service.basis_from_bundle(
                    request.app.state.bundle, exclusion=_exclusion(scen["s_typer"], scen["s_typ_ar"]),
                    data_year=int(scen["s_data_ar"]) if scen["s_data_ar"].isdigit() else None)
                ctx["cmp"] = grant_service.compare_scenario(session, actor=actor, year=year, basis_b=b,
                                                            total_b_sek=total_b)
            except e.PermissionDeniedError:
                raise
            except e.FcatlasError as exc:
                errs.append(("s_total" if total_b is not None and isinstance(exc, e.ConflictError) else "s-typ-1",
                             sentence(exc)))
        ctx["errors"] += errs
        if errs:
            status_code = 422
    return render(request, "grant_year.html", actor, status_code=status_code, title=f"Statsbidrag {year}", **ctx)


@router.get("/nationell/statsbidrag/{year}", response_class=HTMLResponse)
def national_year(year: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        yr = _path_year(year)
        _need_national(actor)
        return _year_page(request, session, actor, yr)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)


@router.post("/nationell/statsbidrag/{year}/underlag", response_class=HTMLResponse)
async def upload_basis(year: str, request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                       csrf: str = Form("", max_length=100), underlag_fil: UploadFile | None = File(None)) -> Response:
    try:
        yr = _path_year(year)
        check_csrf(request, csrf)
        _need_national(actor)
        grant_service.get_year(session, actor=actor, year=yr)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    error = None
    if underlag_fil is None or not underlag_fil.filename:
        error = "Välj en underlagsfil (CSV) att ladda upp"
    else:
        try:
            content = await read_upload(underlag_fil, config)
            basis = grant_service.basis_from_upload(file_name=underlag_fil.filename, content=content)
            grant_service.set_basis(session, actor=actor, year=yr, basis=basis)
            session.commit()
        except e.InvalidDataError as exc:
            session.rollback()
            error = "; ".join(f"Underlagsfilen {p}" for p in exc.problems) or sentence(exc)
        except e.PermissionDeniedError as exc:
            return error_page(request, actor, exc)
        except e.FcatlasError as exc:
            session.rollback()
            error = sentence(exc)
    if error:
        return _year_page(request, session, actor, yr, errors=[("underlag_fil", error)], status_code=422)
    return redirect(f"/nationell/statsbidrag/{yr}?klart=underlag")


@router.post("/nationell/statsbidrag/{year}/besluta")
def decide(year: str, request: Request, session: SessionDep, actor: ActorDep,
           csrf: str = Form("", max_length=100)) -> Response:
    try:
        yr = _path_year(year)
        check_csrf(request, csrf)
        _need_national(actor)
        grant_service.decide(session, actor=actor, year=yr)
        session.commit()
    except e.FcatlasError as exc:
        session.rollback()
        return error_page(request, actor, exc)
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
    try:
        yr = _path_year(year)
        _need_national(actor)
        y = grant_service.get_year(session, actor=actor, year=yr)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
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
    units = unit_service.visible_units(session, actor=actor, lan=code, limit=100_000).items
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
    try:
        yr = _path_year(year)
        _need_national(actor)
        return _review_page(request, session, actor, yr, lan)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)


@router.post("/nationell/statsbidrag/{year}/rapport/{lan}/godkann")
def approve_report(year: str, lan: str, request: Request, session: SessionDep, actor: ActorDep,
                   csrf: str = Form("", max_length=100)) -> Response:
    try:
        yr = _path_year(year)
        check_csrf(request, csrf)
        _need_national(actor)
        r = grant_service.approve_report(session, actor=actor, year=yr, lan=lan)
        session.commit()
    except e.FcatlasError as exc:
        session.rollback()
        return error_page(request, actor, exc)
    return redirect(f"/nationell/statsbidrag/{yr}/uppfoljning?klart=godkand&lan={r.view.data.region_code}")


@router.post("/nationell/statsbidrag/{year}/rapport/{lan}/returnera", response_class=HTMLResponse)
def return_report(year: str, lan: str, request: Request, session: SessionDep, actor: ActorDep,
                  csrf: str = Form("", max_length=100), kommentar: str = Form("", max_length=4000)) -> Response:
    try:
        yr = _path_year(year)
        check_csrf(request, csrf)
        _need_national(actor)
        if not kommentar.strip():
            return _review_page(request, session, actor, yr, lan, status_code=422,
                                errors=[("kommentar", "Skriv vad regionen ska komplettera")])
        r = grant_service.return_report(session, actor=actor, year=yr, lan=lan, comment=kommentar.strip())
        session.commit()
    except e.FcatlasError as exc:
        session.rollback()
        return error_page(request, actor, exc)
    return redirect(f"/nationell/statsbidrag/{yr}/uppfoljning?klart=returnerad&lan={r.view.data.region_code}")
