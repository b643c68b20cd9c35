"""Accounts in the browser (issue 22.5): the national level creates, disables and enables accounts
and sends a link to choose a new password, and sees the mail log; a new account chooses its
password through the one-time link it was mailed; everyone changes their own password."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import StringConstraints

from fcatlas.accounts.roles import LEVEL_LABELS, Actor, Level
from fcatlas.errors import AuthenticationError, FcatlasError
from fcatlas.mail.messages import KIND_LABELS
from fcatlas.services import accounts as account_service
from fcatlas.web.deps import FORM_CSRF, ActorDep, FormDataDep, SessionDep
from fcatlas.web.pages.common import (
    LoginRequired,
    need_national,
    redirect,
    region_label,
    render,
    sentence,
    set_session_cookie,
)
from fcatlas.web.pages.forms import FieldError, FormPage, PageForm, Refusal, parse, show_again, values

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

router = APIRouter(include_in_schema=False)

Email = Annotated[str, StringConstraints(max_length=254)]
Password = Annotated[str, StringConstraints(max_length=1024)]
DONE = {"skapat": "Kontot är skapat och ett e-brev med en länk för att välja lösenord skickas till {konto}.",
        "lank": "En länk för att välja ett nytt lösenord skickas till {konto}.",
        "avstangt": "Kontot {konto} är avstängt; dess inloggningar och nycklar gäller inte längre.",
        "aktiverat": "Kontot {konto} är aktiverat igen."}
MAIL_STATUS = {"skickad": "Skickat", "skickas": "Skickas", "misslyckad": "Misslyckades"}


def _blank(data: Mapping[str, Any], *fields: tuple[str, str]) -> list[tuple[str, FieldError]]:
    return [(name, (name, message)) for name, message in fields
            if not (isinstance(data.get(name), str) and str(data.get(name)).strip())]


class AccountForm(PageForm):
    """A new account: its e-mail, role and, for a region, the län and level."""

    LABELS: ClassVar[dict[str, str]] = {"email": "e-postadressen", "roll": "rollen", "lan": "regionen", "niva": "nivån"}
    email: Email = ""
    roll: Annotated[str, StringConstraints(max_length=20)] = ""
    lan: Annotated[str, StringConstraints(max_length=2)] = ""
    niva: Annotated[str, StringConstraints(max_length=20)] = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        found = _blank(data, ("email", "Skriv kontots e-postadress"))
        if data.get("roll") not in ("nationell", "region"):
            found.append(("roll", ("roll-nationell", "Välj kontots roll")))
        elif data.get("roll") == "region" and not data.get("lan"):
            found.append(("lan", ("lan", "Välj kontots region")))
        return found


class EmailForm(PageForm):
    email: Email = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return _blank(data, ("email", "Kontot saknas"))


class ChooseForm(PageForm):
    """A password chosen through a one-time link, typed twice."""

    token: Annotated[str, StringConstraints(max_length=200)] = ""
    losenord: Password = ""
    losenord2: Password = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        found = _blank(data, ("losenord", "Skriv ett lösenord"), ("losenord2", "Skriv lösenordet en gång till"))
        if not found and data.get("losenord") != data.get("losenord2"):
            found.append(("losenord2", ("losenord2", "Lösenorden är inte lika; skriv samma lösenord två gånger")))
        return found


class ChangeForm(ChooseForm):
    """The own password: the current one, and the new one twice."""

    nuvarande: Password = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return _blank(data, ("nuvarande", "Skriv ditt nuvarande lösenord")) + super().check(data)


# -- the national level's page --------------------------------------------------------------------
def _rows(session: Session, actor: Actor) -> list[dict[str, Any]]:
    return [{"email": u.email, "role": "Socialstyrelsen" if u.role == "nationell" else "Region",
             "lan": region_label(u.lan_code) if u.lan_code else "",
             "level": LEVEL_LABELS[Level(u.level)] if u.level else "", "active": u.active}
            for u in account_service.list_users(session, actor=actor)]


def _log(session: Session, actor: Actor) -> list[dict[str, Any]]:
    return [{"at": m.sent_at or m.created_at, "to": m.recipient, "what": KIND_LABELS.get(m.kind, m.kind),
             "subject": m.subject, "status": MAIL_STATUS.get(m.status, m.status), "error": m.error,
             "lan": region_label(m.lan_code) if m.lan_code else ""}
            for m in account_service.mail_log(session, actor=actor)]


def _accounts_page(request: Request, session: Session, actor: Actor, *, status_code: int = 200,
                   errors: list[FieldError] | None = None, typed: dict[str, Any] | None = None,
                   link: dict[str, str] | None = None) -> Response:
    from fcatlas.geography.admin import REGION_NAMES

    done = request.query_params.get("klart", "")
    notice = DONE[done].format(konto=request.query_params.get("konto", "kontot")) if done in DONE else ""
    return render(request, "accounts.html", actor, status_code=status_code, title="Konton och e-post",
                  rows=_rows(session, actor), log=_log(session, actor), errors=errors or [],
                  typed=typed or {"email": "", "roll": "", "lan": "", "niva": ""}, notice=notice, link=link,
                  mail=account_service.mail_configured(session), regions=sorted(REGION_NAMES.items()))


@router.get("/nationell/konton", response_class=HTMLResponse)
def accounts(request: Request, session: SessionDep, actor: ActorDep) -> Response:
    need_national(actor, what="hantera konton")
    return _accounts_page(request, session, actor)


def _link_box(request: Request, made: account_service.PasswordLink, what: str) -> dict[str, str]:
    """What the page says when no mail goes out: the link itself, to hand over."""
    link = made.link if "://" in made.link else str(request.base_url).rstrip("/") + made.link
    return {"email": made.account.email, "link": link, "what": what, "until": made.expires_at.isoformat()}


@router.post("/nationell/konton", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def create_account(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    need_national(actor, what="skapa konton")
    typed = values(AccountForm, form)

    def again(s: Session, refusal: Refusal) -> Response:
        return _accounts_page(request, s, actor, status_code=refusal.status, errors=refusal.errors, typed=typed)

    show_again(request, FormPage(again, "email", fields={"lan": "lan", "level": "niva"}))
    f = parse(AccountForm, form)
    made = account_service.create_account(session, actor=actor, email=f.email, role=f.roll,
                                          lan_code=f.lan if f.roll == "region" else None,
                                          level=(f.niva or None) if f.roll == "region" else None)
    if made.mailed:
        return redirect(f"/nationell/konton?klart=skapat&konto={made.account.email}")
    return _accounts_page(request, session, actor, link=_link_box(request, made, "Kontot är skapat"))


@router.post("/nationell/konton/skicka-lank", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def send_link(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    need_national(actor, what="skicka länkar för nytt lösenord")
    made = account_service.send_password_link(session, actor=actor, email=parse(EmailForm, form).email)
    if made.mailed:
        return redirect(f"/nationell/konton?klart=lank&konto={made.account.email}")
    return _accounts_page(request, session, actor, link=_link_box(request, made, "En ny länk är skapad"))


@router.post("/nationell/konton/stang-av", dependencies=[FORM_CSRF])
def disable(session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    need_national(actor, what="stänga av konton")
    info = account_service.disable_user(session, actor=actor, email=parse(EmailForm, form).email)
    return redirect(f"/nationell/konton?klart=avstangt&konto={info.email}")


@router.post("/nationell/konton/aktivera", dependencies=[FORM_CSRF])
def enable(session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    need_national(actor, what="aktivera konton")
    info = account_service.enable_user(session, actor=actor, email=parse(EmailForm, form).email)
    return redirect(f"/nationell/konton?klart=aktiverat&konto={info.email}")


# -- choosing a password through the link ---------------------------------------------------------
def _choose_page(request: Request, session: Session, actor: Actor, token: str, *, status_code: int = 200,
                 errors: list[FieldError] | None = None) -> Response:
    account = account_service.valid_password_link(session, token=token)
    if account is None:
        return render(request, "choose_password.html", actor, status_code=410, title="Länken fungerar inte",
                      account=None, token="", errors=[])
    return render(request, "choose_password.html", actor, status_code=status_code, title="Välj lösenord",
                  account=account, token=token, errors=errors or [])


@router.get("/konto/valj-losenord", response_class=HTMLResponse)
def choose_page(request: Request, session: SessionDep, actor: ActorDep, token: str = "") -> Response:
    return _choose_page(request, session, actor, token[:200])


@router.post("/konto/valj-losenord", response_class=HTMLResponse)
def choose(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    """No CSRF field: the link's secret token in the form is what an attacker cannot forge."""
    token = str(values(ChooseForm, form)["token"])

    def again(s: Session, refusal: Refusal) -> Response:
        return _choose_page(request, s, actor, token, status_code=refusal.status, errors=refusal.errors)

    # a link used up or expired meanwhile: the page says the link does not work (410)
    show_again(request, FormPage(again, "losenord", shown=(AuthenticationError,)))
    f = parse(ChooseForm, form)
    who = account_service.choose_password(session, token=f.token, password=f.losenord)
    return render(request, "password_done.html", actor, title="Lösenordet är valt", email=who.name, changed=False)


# -- the own password -----------------------------------------------------------------------------
def _need_login(actor: Actor) -> None:
    if actor.is_anonymous:
        raise LoginRequired("logga in för att byta lösenord")


@router.get("/konto/losenord", response_class=HTMLResponse)
def change_page(request: Request, actor: ActorDep) -> Response:
    _need_login(actor)
    return render(request, "change_password.html", actor, title="Byt lösenord", errors=[])


def _change_errors(exc: FcatlasError) -> list[FieldError]:
    """A wrong current password at its field; a refused new one (too short …) at the new one's."""
    if isinstance(exc, AuthenticationError):
        return [("nuvarande", "Det nuvarande lösenordet stämmer inte")]
    return [("losenord", sentence(exc))]


@router.post("/konto/losenord", response_class=HTMLResponse, dependencies=[FORM_CSRF])
def change(request: Request, session: SessionDep, actor: ActorDep, form: FormDataDep) -> Response:
    _need_login(actor)

    def again(_: Session, refusal: Refusal) -> Response:
        return render(request, "change_password.html", actor, status_code=refusal.status, title="Byt lösenord",
                      errors=refusal.errors)

    show_again(request, FormPage(again, "losenord", errors=_change_errors, shown=(AuthenticationError,)))
    f = parse(ChangeForm, form)
    info, sid = account_service.change_password(session, actor=actor, current=f.nuvarande, new=f.losenord)
    resp = render(request, "password_done.html", actor, title="Lösenordet är bytt", email=info.email, changed=True)
    set_session_cookie(request, resp, sid)  # the other logins of the account have ended; this one goes on
    return resp
