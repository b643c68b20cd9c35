"""The region's pages (logged in): Min region, the unit list and edit form, the import wizard and
the submission. Every rule is the services'; these pages only ask and show."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.domain import CATEGORY_LABELS, STATUS_LABELS, Category, Status
from fcatlas.register.workflow import REGION_STATUS_LABELS, RegionStatus
from fcatlas.services import imports as import_service
from fcatlas.services import rounds as round_service
from fcatlas.services import units as unit_service
from fcatlas.web.deps import ActorDep, ConfigDep, SessionDep, read_upload
from fcatlas.web.pages.common import (
    check_csrf,
    error_page,
    failure_page,
    need_region,
    redirect,
    region_label,
    render,
    sentence,
)
from fcatlas.web.pages.public import _rows

router = APIRouter(include_in_schema=False)

STATUS_CLASS = {RegionStatus.OPEN: "oppen", RegionStatus.SUBMITTED: "inskickad", RegionStatus.RETURNED: "returnerad",
                RegionStatus.APPROVED: "godkand"}


def _need_region(actor: Actor) -> None:
    need_region(actor, what="din regions sidor", national_page="Översikt")


def region_context(session: Any, actor: Actor, lan: str) -> dict[str, Any]:
    rnd = round_service.current_round(session)
    state = None
    if rnd is not None:
        ov = round_service.overview(session, actor=actor, name=rnd.year)
        state = next((r for r in ov.regions if r.lan_code == lan), None)
    df = unit_service.visible_units(session, actor=actor, lan=lan, limit=100_000).items
    counts = []
    for c in Category:
        row = [int(((df["category"] == c.value) & (df["status"] == s.value)).sum()) for s in Status]
        counts.append((CATEGORY_LABELS[c], row, sum(row)))
    return {"lan": lan, "region_name": region_label(lan), "round": rnd, "state": state,
            "state_class": STATUS_CLASS.get(state.status) if state else None,
            "status_headers": [STATUS_LABELS[s] for s in Status], "counts": counts, "units": _rows(df),
            "n_units": len(df)}


@router.get("/region", response_class=HTMLResponse)
def my_region(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    if actor.is_national:
        return redirect("/nationell")
    try:
        _need_region(actor)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
    ctx = region_context(session, actor, actor.lan_code or "")
    submittable = ctx["state"] is not None and ctx["state"].status in (RegionStatus.OPEN, RegionStatus.RETURNED)
    return render(request, "region.html", actor, title="Min region", may_submit=actor.may_submit_region(ctx["lan"]),
                  submittable=submittable, done=request.query_params.get("klart"), **ctx)


@router.post("/region/skicka-in")
def submit(request: Request, session: SessionDep, actor: ActorDep, csrf: str = Form("", max_length=100)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_region(actor)
        rnd = round_service.current_round(session)
        if rnd is None:
            raise e.ConflictError("det finns ingen öppen inventeringsomgång")
        round_service.submit(session, actor=actor, name=rnd.year, lan=actor.lan_code or "")
        session.commit()
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return redirect("/region?klart=inskickad")


# -- the import wizard ---------------------------------------------------------------------------
@router.get("/region/import", response_class=HTMLResponse)
def import_page(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        _need_region(actor)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return render(request, "import.html", actor, title="Importera lista", errors=[])


@router.post("/region/import", response_class=HTMLResponse)
async def import_preview(request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                         csrf: str = Form("", max_length=100), fil: UploadFile | None = File(None)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_region(actor)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    errors: list[tuple[str, str]] = []
    if fil is None or not fil.filename:
        errors.append(("fil", "Välj en fil (CSV eller Excel) att förhandsgranska"))
    else:
        try:
            content = await read_upload(fil, config)
        except e.PayloadTooLargeError as exc:
            errors.append(("fil", f"{str(exc)[:1].upper()}{str(exc)[1:]}"))
        else:
            rnd = round_service.current_round(session)
            try:
                if rnd is None:
                    raise e.ConflictError("det finns ingen öppen inventeringsomgång att importera till")
                p = import_service.preview(session, actor=actor, name=rnd.year, lan=actor.lan_code or "",
                                           file_name=fil.filename, content=content)
                session.commit()
            except e.FcatlasError as exc:
                errors.append(("fil", str(exc)[:1].upper() + str(exc)[1:]))
            else:
                return render(request, "import_preview.html", actor, title="Förhandsgranskning", p=p,
                              file_name=fil.filename)
    return render(request, "import.html", actor, status_code=422, title="Importera lista", errors=errors)


@router.post("/region/import/{import_id}/bekrafta")
def import_confirm(import_id: int, request: Request, session: SessionDep, actor: ActorDep,
                   csrf: str = Form("", max_length=100)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_region(actor)
        c = import_service.confirm(session, actor=actor, import_id=import_id)
        session.commit()
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return redirect(f"/region?klart=importerad&nya={c.new}&andrade={c.changed}")


# -- units ---------------------------------------------------------------------------------------
EDIT_FIELDS = [("name", "Namn"), ("address", "Adress"), ("locality", "Ort"), ("note", "Anmärkning")]


def _unit(session: Any, actor: Actor, unit_id: str) -> dict[str, Any]:
    _need_region(actor)
    df = unit_service.visible_units(session, actor=actor, lan=actor.lan_code, limit=100_000).items
    hit = df.loc[df["id"] == unit_id]
    if hit.empty:
        raise e.NotFoundError(f"enheten {unit_id!r} finns inte i din regions lista")
    return _rows(hit)[0]


@router.get("/region/enheter/{unit_id}", response_class=HTMLResponse)
def edit_page(unit_id: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        u = _unit(session, actor, unit_id)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return _edit_form(request, session, actor, u, values=u)


def _edit_form(request: Request, session: Any, actor: Actor, u: dict[str, Any], *, values: dict[str, Any],
               errors: list[tuple[str, str]] | None = None, stale: dict[str, Any] | None = None,
               status_code: int = 200) -> Response:
    """The edit page of unit ``u``: the form with ``values``, any errors or a newer saved version,
    and the unit's history."""
    return render(request, "unit_edit.html", actor, status_code=status_code, title=f"Ändra {u['name']}", u=u,
                  values=values, fields=EDIT_FIELDS, statuses=[(s.value, STATUS_LABELS[s]) for s in Status],
                  errors=errors or [], stale=stale, history=unit_service.unit_history(session, actor=actor, unit_id=u["id"]),
                  field_label=unit_service.field_label, field_value=unit_service.field_value)


@router.post("/region/enheter/{unit_id}", response_class=HTMLResponse)
def edit(unit_id: str, request: Request, session: SessionDep, actor: ActorDep, csrf: str = Form("", max_length=100),
         version: int = Form(0), name: str = Form("", max_length=200), address: str = Form("", max_length=200),
         locality: str = Form("", max_length=100), note: str = Form("", max_length=2000),
         status: str = Form("", max_length=40)) -> Response:
    try:
        check_csrf(request, csrf)
        u = _unit(session, actor, unit_id)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    values = {"name": name, "address": address, "locality": locality, "note": note, "status": status}
    errors: list[tuple[str, str]] = []
    changes = {k: (v.strip() or None) for k, v in values.items() if (v.strip() or None) != u.get(k)}
    stale: dict[str, Any] | None = None
    if changes:
        try:
            unit_service.update_unit(session, actor=actor, unit_id=unit_id, changes=changes, expected_version=version)
            session.commit()
            return redirect("/region?klart=sparad")
        except e.StaleVersionError as exc:
            session.rollback()
            stale = {"message": str(exc), "current": _unit(session, actor, unit_id)}
        except unit_service.InvalidChangeError as exc:  # the register's rules, the same as an import's
            session.rollback()
            errors.append((exc.field if exc.field in {*dict(EDIT_FIELDS), "status"} else "name", sentence(exc)))
        except e.FcatlasError as exc:
            session.rollback()
            errors.append(("name", sentence(exc)))
    else:
        return redirect("/region?klart=oforandrad")
    current: dict[str, Any] = stale["current"] if stale else u
    return _edit_form(request, session, actor, current, values=values, errors=errors,
                      stale=stale, status_code=412 if stale else 422)


REGION_STATUS_TEXT = REGION_STATUS_LABELS
