"""The region's pages (logged in): Min region, the unit list and edit form, the import wizard and
the submission. Every rule is the services'; these pages only ask and show."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.domain import CATEGORY_LABELS, STATUS_LABELS, Category, Status
from fcatlas.register.workflow import REGION_STATUS_LABELS, RegionStatus
from fcatlas.services import imports as import_service
from fcatlas.services import rounds as round_service
from fcatlas.services import units as unit_service
from fcatlas.web.deps import FORM_CSRF, ActorDep, ConfigDep, FormDataDep, LoopWorkDep, SessionDep, read_upload
from fcatlas.web.pages.common import need_region, redirect, region_label, render, sentence
from fcatlas.web.pages.forms import FormPage, ImportForm, Refusal, parse, show_again, values
from fcatlas.web.pages.public import unit_rows

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)

STATUS_CLASS = {RegionStatus.OPEN: "oppen", RegionStatus.SUBMITTED: "inskickad", RegionStatus.RETURNED: "returnerad",
                RegionStatus.APPROVED: "godkand"}


def _need_region(actor: Actor) -> None:
    need_region(actor, what="din regions sidor", national_page="Översikt")


def region_context(session: Any, actor: Actor, lan: str) -> dict[str, Any]:
    view = round_service.region_view(session, actor=actor, lan=lan)
    # plain rows (no DataFrame of the register): a region's page is read again after every change
    rows, _ = unit_service.visible_unit_rows(session, actor=actor, lan=lan, limit=100_000)
    n = Counter((r["category"], r["status"]) for r in rows)
    counts = []
    for c in Category:
        row = [n[(c.value, s.value)] for s in Status]
        counts.append((CATEGORY_LABELS[c], row, sum(row)))
    return {"lan": lan, "region_name": region_label(lan), "round": view.round, "state": view.state,
            "state_class": STATUS_CLASS.get(view.state.status) if view.state else None, "view": view,
            "status_headers": [STATUS_LABELS[s] for s in Status], "counts": counts, "units": unit_rows(rows),
            "n_units": len(rows)}


@router.get("/region", response_class=HTMLResponse)
async def my_region(request: Request, work: LoopWorkDep, actor: ActorDep) -> Response:
    # read again after every change: its queries run through LoopWork (on PostgreSQL on the
    # event loop, no thread), the page is rendered on the loop
    if actor.is_national:
        return redirect("/nationell")
    _need_region(actor)
    ctx = await work.run(region_context, actor, actor.lan_code or "")
    steps = ctx["view"].steps  # never offer what is refused
    return render(request, "region.html", actor, title="Min region", may_submit=steps.may_submit,
                  submittable=steps.may_edit, steps=steps, done=request.query_params.get("klart"),
                  warnings={u["id"]: unit_service.review_warnings(u) for u in ctx["units"]}, **ctx)


@router.post("/region/skicka-in", dependencies=[FORM_CSRF])
def submit(session: SessionDep, actor: ActorDep) -> Response:
    _need_region(actor)
    rnd = round_service.require_current_round(session)
    round_service.submit(session, actor=actor, name=rnd.year, lan=actor.lan_code or "")
    return redirect("/region/kvitto")


# -- the import wizard ---------------------------------------------------------------------------
@router.get("/region/import", response_class=HTMLResponse)
def import_page(request: Request, actor: ActorDep) -> Response:
    _need_region(actor)
    return render(request, "import.html", actor, title="Importera lista", errors=[])


@router.post("/region/import", response_class=HTMLResponse, dependencies=[FORM_CSRF])
async def import_preview(request: Request, session: SessionDep, actor: ActorDep, config: ConfigDep,
                         form: FormDataDep) -> Response:
    _need_region(actor)

    def again(_: Session, refusal: Refusal) -> Response:
        return render(request, "import.html", actor, status_code=refusal.status, title="Importera lista",
                      errors=refusal.errors)

    show_again(request, FormPage(again, "fil"))
    fil = parse(ImportForm, form).fil
    content = await read_upload(fil, config)
    partial, erase = form.get("lage") == "delvis", form.get("tomma") == "ja"
    p = await anyio.to_thread.run_sync(_preview, session, actor, fil.filename, content, partial, erase)
    from fcatlas.web.pages.year import preview_page

    return preview_page(request, actor, p)


def _preview(session: Session, actor: Actor, file_name: str, content: bytes, partial: bool = False,
             erase_blanks: bool = False) -> import_service.Preview:
    rnd = round_service.require_current_round(session, purpose="att importera till")
    return import_service.preview(session, actor=actor, name=rnd.year, lan=actor.lan_code or "",
                                  file_name=file_name, content=content, partial=partial, erase_blanks=erase_blanks)


@router.post("/region/import/{import_id}/bekrafta", dependencies=[FORM_CSRF])
def import_confirm(import_id: int, session: SessionDep, actor: ActorDep) -> Response:
    _need_region(actor)
    c = import_service.confirm(session, actor=actor, import_id=import_id)
    return redirect(f"/region/import/{import_id}/kvitto?nya={c.new}&andrade={c.changed}&stangda={c.closed}"
                    f"&oforandrade={c.unchanged}")


# -- units ---------------------------------------------------------------------------------------
EDIT_FIELDS = [("name", "Namn"), ("address", "Adress"), ("locality", "Ort"), ("note", "Anmärkning")]


def _unit(session: Any, actor: Actor, unit_id: str) -> dict[str, Any]:
    _need_region(actor)
    rows, _ = unit_service.visible_unit_rows(session, actor=actor, lan=actor.lan_code, limit=100_000)
    hit = [r for r in rows if r["id"] == unit_id]
    if not hit:
        raise e.NotFoundError(f"enheten {unit_id!r} finns inte i din regions lista")
    return unit_rows(hit)[0]


@router.get("/region/enheter/{unit_id}", response_class=HTMLResponse)
def edit_page(unit_id: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    from fcatlas.web.pages.year import unit_form_values

    u = _unit(session, actor, unit_id)
    return _edit_form(request, session, actor, u, values=unit_form_values(u))


def _edit_form(request: Request, session: Any, actor: Actor, u: dict[str, Any], *, values: dict[str, Any],
               errors: list[tuple[str, str]] | None = None, stale: dict[str, Any] | None = None,
               status_code: int = 200) -> Response:
    """The edit page of unit ``u``: the form with ``values`` (every field an import sets), any
    errors or a newer saved version, the unit's review warnings and its history in words."""
    from fcatlas.web.pages.year import unit_choices, unit_form_values

    return render(request, "unit_edit.html", actor, status_code=status_code, title=f"Ändra {u['name']}", u=u,
                  values=values, saved=unit_form_values(u), choices=unit_choices(actor.lan_code or ""),
                  errors=errors or [], stale=stale, warnings=unit_service.review_warnings(u),
                  history=unit_service.unit_history(session, actor=actor, unit_id=u["id"]),
                  person=unit_service.person, field_label=unit_service.field_label,
                  field_value=unit_service.field_value)


def _edit_refused(request: Request, actor: Actor, unit_id: str, typed: dict[str, Any]) -> FormPage:
    """The edit form again: with a newer saved version beside what was typed (412), else with the
    rule that was broken next to its field (422), what was typed kept."""
    from fcatlas.web.pages.year import EDIT_FIELDS as FIELDS

    def again(session: Session, refusal: Refusal) -> Response:
        current = _unit(session, actor, unit_id)
        if isinstance(refusal.exc, e.StaleVersionError):
            return _edit_form(request, session, actor, current, values=typed, status_code=412,
                              stale={"message": str(refusal.exc), "current": current})
        return _edit_form(request, session, actor, current, values=typed, errors=refusal.errors,
                          status_code=refusal.status)

    def field_of(exc: e.FcatlasError) -> list[tuple[str, str]]:
        name = getattr(exc, "field", None)  # the register's rules, the same as an import's
        text = sentence(exc).replace("cellen", "fältet")
        return [(name if name in FIELDS else "lat" if name == "lon" else "name", text)]

    return FormPage(again, "name", errors=field_of)


@router.post("/region/enheter/{unit_id}", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def edit(unit_id: str, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    from fcatlas.web.pages.year import EditUnitForm, unit_changes, unit_form_values

    u = _unit(session, actor, unit_id)
    typed = {**unit_form_values(u), **{k: v for k, v in values(EditUnitForm, form).items() if k in form}}
    typed.pop("version", None)
    show_again(request, _edit_refused(request, actor, unit_id, typed))
    f = parse(EditUnitForm, form)
    changes = unit_changes(u, {k: v for k, v in f.model_dump(exclude={"version"}).items() if k in form})
    if not changes:
        return redirect("/region?klart=oforandrad")
    unit_service.update_unit(session, actor=actor, unit_id=unit_id, changes=changes, expected_version=f.version)
    return redirect("/region?klart=sparad")


REGION_STATUS_TEXT = REGION_STATUS_LABELS
