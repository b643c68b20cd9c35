"""The national level's pages (logged in): the 21 regions × round status, review of a region's
list (return with a comment, approve), publishing, and the accounts."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from fcatlas import errors as e
from fcatlas.accounts.roles import LEVEL_LABELS, Actor, Level
from fcatlas.register.workflow import RegionStatus
from fcatlas.services import accounts as account_service
from fcatlas.services import rounds as round_service
from fcatlas.web.deps import ActorDep, SessionDep
from fcatlas.web.pages.common import (
    check_csrf,
    error_page,
    failure_page,
    need_national,
    redirect,
    region_label,
    render,
)
from fcatlas.web.pages.region import STATUS_CLASS, region_context

router = APIRouter(include_in_schema=False)


def _need_national(actor: Actor) -> None:
    need_national(actor, what="se den nationella översikten")


@router.get("/nationell", response_class=HTMLResponse)
def dashboard(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        _need_national(actor)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
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


@router.get("/nationell/region/{lan}", response_class=HTMLResponse)
def review(lan: str, request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        _need_national(actor)
        code = round_service.lan_code(lan)
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    ctx = region_context(session, actor, code)
    submitted = ctx["state"] is not None and ctx["state"].status is RegionStatus.SUBMITTED
    changes = round_service.changes_since_published(session, actor=actor, lan=code)
    return render(request, "review.html", actor, title=f"Granska {ctx['region_name']}", submitted=submitted,
                  errors=[], comment="", changes=changes, **ctx)


@router.post("/nationell/region/{lan}/returnera", response_class=HTMLResponse)
def return_list(lan: str, request: Request, session: SessionDep, actor: ActorDep,
                csrf: str = Form("", max_length=100), kommentar: str = Form("", max_length=4000)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_national(actor)
        code = round_service.lan_code(lan)
        rnd = round_service.current_round(session)
        if rnd is None:
            raise e.ConflictError("det finns ingen öppen inventeringsomgång")
        if not kommentar.strip():
            ctx = region_context(session, actor, code)
            changes = round_service.changes_since_published(session, actor=actor, lan=code)
            return render(request, "review.html", actor, status_code=422, title=f"Granska {ctx['region_name']}",
                          submitted=True, errors=[("kommentar", "Skriv vad regionen ska rätta")], comment="",
                          changes=changes, **ctx)
        round_service.return_list(session, actor=actor, name=rnd.year, lan=code, comment=kommentar.strip())
        session.commit()
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return redirect("/nationell?klart=returnerad")


@router.post("/nationell/region/{lan}/godkann")
def approve(lan: str, request: Request, session: SessionDep, actor: ActorDep,
            csrf: str = Form("", max_length=100)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_national(actor)
        rnd = round_service.current_round(session)
        if rnd is None:
            raise e.ConflictError("det finns ingen öppen inventeringsomgång")
        round_service.approve(session, actor=actor, name=rnd.year, lan=round_service.lan_code(lan))
        session.commit()
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return redirect("/nationell?klart=godkand")


@router.post("/nationell/publicera")
def publish(request: Request, session: SessionDep, actor: ActorDep, csrf: str = Form("", max_length=100)) -> Response:
    try:
        check_csrf(request, csrf)
        _need_national(actor)
        rnd = round_service.current_round(session)
        if rnd is None:
            raise e.ConflictError("det finns ingen öppen inventeringsomgång")
        round_service.publish(session, actor=actor, name=rnd.year)
        session.commit()
    except e.FcatlasError as exc:
        return error_page(request, actor, exc)
    return redirect("/nationell?klart=publicerad")


@router.get("/nationell/konton", response_class=HTMLResponse)
def accounts(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    try:
        _need_national(actor)
        users = account_service.list_users(session, actor=actor)
    except e.FcatlasError as exc:
        return failure_page(request, actor, exc)
    rows = [{"email": u.email, "role": "nationell" if u.role == "nationell" else "region",
             "lan": region_label(u.lan_code) if u.lan_code else "",
             "level": LEVEL_LABELS[Level(u.level)] if u.level else "", "active": u.active} for u in users]
    return render(request, "accounts.html", actor, title="Konton", rows=rows)
