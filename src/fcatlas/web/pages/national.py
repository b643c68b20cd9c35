"""The national level's pages (logged in): the 21 regions × round status, review of a region's
list (return with a comment, approve), publishing, and the accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.register.workflow import RegionStatus
from fcatlas.services import rounds as round_service
from fcatlas.services import units as unit_service
from fcatlas.services.units import person
from fcatlas.web.deps import FORM_CSRF, ActorDep, FormDataDep, SessionDep
from fcatlas.web.pages.common import need_national, redirect, region_label, render
from fcatlas.web.pages.forms import CommentForm, FormPage, Refusal, parse, show_again
from fcatlas.web.pages.region import STATUS_CLASS, region_context

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)


def _need_national(actor: Actor) -> None:
    need_national(actor, what="se den nationella översikten")


@router.get("/nationell", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    return dashboard_page(request, session, actor)


def dashboard_page(request: Request, session: Session, actor: Actor, *, errors: list[tuple[str, str]] | None = None,
                   typed: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    """The dashboard: the round (or the form that opens one), the regions' lists, the reports."""
    rnd = round_service.current_round(session)
    rows = []
    if rnd is not None:
        for r in round_service.overview(session, actor=actor, name=rnd.year).regions:
            rows.append({"lan": r.lan_code, "name": region_label(r.lan_code), "label": r.label,
                         "cls": STATUS_CLASS[r.status], "changed_by": person(r.changed_by), "changed_at": r.changed_at,
                         "deadline": r.deadline, "extended": r.extended, "published": r.published})
    is_open = rnd is not None and rnd.is_open
    may_publish = is_open and any(r["cls"] == "godkand" and not r["published"] for r in rows)
    from fcatlas.web.pages.grants import open_reports, overdue_rows

    reports, not_started = open_reports(session, actor)
    return render(request, "national.html", actor, status_code=status_code, title="Nationell översikt", round=rnd,
                  rows=rows, may_publish=may_publish, may_close=is_open, may_open=not is_open, errors=errors or [],
                  typed=typed or {"ar": str((rnd.year + 1) if rnd else today().year + 1), "sista_dag": ""},
                  done=request.query_params.get("klart"), open_reports=reports, not_started=not_started,
                  overdue=overdue_rows(session, actor))


def review_page(request: Request, session: Session, actor: Actor, code: str, *, status_code: int = 200,
                errors: list[tuple[str, str]] | None = None, typed: dict[str, Any] | None = None) -> Response:
    """A region's list for review: the decision, reopening and the region's deadline, each unit
    with its warnings, what changed since the published list and since the return."""
    ctx = region_context(session, actor, code)
    state, rnd = ctx["state"], ctx["round"]
    submitted = state is not None and state.status is RegionStatus.SUBMITTED
    changes = round_service.changes_since_published(session, actor=actor, lan=code)
    warnings = [(u, unit_service.review_warnings(u)) for u in ctx["units"]]
    reopenable = state is not None and state.status in (RegionStatus.SUBMITTED, RegionStatus.APPROVED) \
        and not state.published and rnd is not None and rnd.is_open
    return render(request, "review.html", actor, status_code=status_code, title=f"Granska {ctx['region_name']}",
                  submitted=submitted, errors=errors or [], typed=typed or {},
                  comment=(typed or {}).get("kommentar", ""), changes=changes,
                  since_return=_since_return(session, actor, code, rnd), warnings=warnings, reopenable=reopenable,
                  done=request.query_params.get("klart"), person=person,
                  field_label=unit_service.field_label, field_value=unit_service.field_value, **ctx)


def _since_return(session: Session, actor: Actor, code: str, rnd: Any) -> dict[str, Any] | None:
    """The list's last return in the round (when, by whom, the comment) and every change since."""
    if rnd is None:
        return None
    from fcatlas.register import rounds as round_store

    returned = [ev for ev in round_store.events(session, year=rnd.year, lan=code)
                if ev["lan_code"] == code and ev["action"] == "returnera"]
    if not returned:
        return None
    last = returned[-1]
    return {"at": last["at"], "user": person(last["user"]), "comment": last["comment"],
            "steps": unit_service.changes_since(session, actor=actor, lan=code, since=last["at"])}


def _review_page(request: Request, session: Session, actor: Actor, code: str, *, status_code: int = 200,
                 errors: list[tuple[str, str]] | None = None, comment: str = "") -> Response:
    return review_page(request, session, actor, code, status_code=status_code, errors=errors,
                       typed={"kommentar": comment})


@router.get("/nationell/region/{lan}", response_class=HTMLResponse)
def review(lan: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    return _review_page(request, session, actor, round_service.lan_code(lan))


@router.post("/nationell/region/{lan}/returnera", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def return_list(lan: str, request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_national(actor)
    code = round_service.lan_code(lan)
    rnd = round_service.require_current_round(session)
    typed = str(form.get("kommentar") or "")

    def again(s: Session, refusal: Refusal) -> Response:
        return _review_page(request, s, actor, code, status_code=refusal.status, errors=refusal.errors,
                            comment=typed)

    show_again(request, FormPage(again, "kommentar", not_shown=(e.FcatlasError,)))  # a refused step: its page
    f = parse(CommentForm, form)
    round_service.return_list(session, actor=actor, name=rnd.year, lan=code, comment=f.kommentar.strip())
    return redirect("/nationell?klart=returnerad")


@router.post("/nationell/region/{lan}/godkann", dependencies=[FORM_CSRF])
def approve(lan: str, session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    rnd = round_service.require_current_round(session)
    round_service.approve(session, actor=actor, name=rnd.year, lan=round_service.lan_code(lan))
    return redirect("/nationell?klart=godkand")


@router.post("/nationell/publicera", dependencies=[FORM_CSRF])
def publish(session: SessionDep, actor: ActorDep) -> Response:
    _need_national(actor)
    rnd = round_service.require_current_round(session)
    round_service.publish(session, actor=actor, name=rnd.year)
    return redirect("/nationell?klart=publicerad")


def today() -> Any:
    from fcatlas.fmt import today as swedish_today

    return swedish_today()
