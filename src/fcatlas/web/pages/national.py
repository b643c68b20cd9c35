"""The national level's pages (logged in): the 21 regions × round status, review of a region's
list (return with a comment, approve), publishing, and the accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import Actor
from fcatlas.register.workflow import RegionStatus
from fcatlas.services import rounds as round_service
from fcatlas.web.cache import memo_of
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
    rnd = round_service.current_round(session)
    rows = []
    if rnd is not None:
        for r in round_service.overview(session, actor=actor, name=rnd.year).regions:
            rows.append({"lan": r.lan_code, "name": region_label(r.lan_code), "label": r.label,
                         "cls": STATUS_CLASS[r.status], "changed_by": r.changed_by, "changed_at": r.changed_at})
    may_publish = rnd is not None and rnd.status.value == "oppen" and \
        any(r["cls"] == "godkand" for r in rows)
    from fcatlas.web.pages.grants import open_reports, overdue_rows

    reports, not_started = open_reports(session, actor)
    return render(request, "national.html", actor, title="Nationell översikt", round=rnd, rows=rows,
                  may_publish=may_publish, done=request.query_params.get("klart"), open_reports=reports,
                  not_started=not_started, overdue=overdue_rows(session, actor))


def _review_page(request: Request, session: Session, actor: Actor, code: str, *, status_code: int = 200,
                 errors: list[tuple[str, str]] | None = None, comment: str = "") -> Response:
    ctx = region_context(session, actor, code, memo=memo_of(request))
    submitted = ctx["state"] is not None and ctx["state"].status is RegionStatus.SUBMITTED
    changes = round_service.changes_since_published(session, actor=actor, lan=code)
    return render(request, "review.html", actor, status_code=status_code, title=f"Granska {ctx['region_name']}",
                  submitted=submitted, errors=errors or [], comment=comment, changes=changes, **ctx)


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
