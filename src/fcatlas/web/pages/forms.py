"""The pages' forms as pydantic models, and how a refused form is shown again.

A page route reads its form in two steps: it says how the form is shown again
(:func:`show_again` with a :class:`FormPage`), then parses the submitted fields into the form's
model (:func:`parse`). Whatever refuses the form from then on — a field the model cannot read
(:class:`FormError`, with one Swedish message per field) or a rule of a service (any
:class:`~fcatlas.errors.FcatlasError` but a refusal of the person) — is answered by the one error
handler (:func:`fcatlas.web.pages.errors.answer`): the unit of work has rolled back, and the same
form comes back with the GOV.UK error summary, each message next to its field and what was typed
kept. The routes themselves catch nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from dataclasses import field as dc_field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, get_origin

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, StringConstraints, ValidationError
from starlette.datastructures import ImmutableMultiDict, UploadFile

from fcatlas import errors as e
from fcatlas.fmt import thousands
from fcatlas.grants.allocation import DEFAULT_FIXED_SEK
from fcatlas.grants.followup import PURPOSE_LABELS, Purpose
from fcatlas.web.pages.common import sentence

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: one error of a form: (the input's id, the Swedish message)
FieldError = tuple[str, str]


class FormError(e.InvalidInputError):
    """A form that cannot be read as sent: one Swedish message per field, in the form's order."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(message for _, message in errors) or "formuläret har ogiltiga uppgifter")
        self.errors = errors


@dataclass(frozen=True)
class Refusal:
    """Why a form is shown again: its errors, the error that refused it and the answer's status."""

    errors: list[FieldError]
    exc: e.FcatlasError
    status: int


def _problem_reason(p: e.Problem) -> str:
    return sentence(p.reason)


@dataclass
class FormPage:
    """How a page shows its form again when it is refused.

    ``render(session, refusal)`` answers with the form, ``refusal.errors`` shown and the input kept
    (the route's own values, captured when it made the page); it gets a fresh session, for the
    request's unit of work has rolled back. A refusal's message goes next to ``field`` (the route
    moves it on with :meth:`at` as it takes one step after another), each problem of a finding
    next to ``fields[problem.column]``. ``errors`` replaces that mapping for a form with messages
    of its own (the login form). Refusals of the person (not logged in, not allowed) are never a
    form's: they get the error page (see :meth:`takes`), as do the kinds in ``not_shown``."""

    render: Callable[[Session, Refusal], Response]
    field: str
    fields: Mapping[str, str] = dc_field(default_factory=dict)
    problem_text: Callable[[e.Problem], str] = _problem_reason
    errors: Callable[[e.FcatlasError], list[FieldError]] | None = None
    shown: tuple[type[e.FcatlasError], ...] = ()
    not_shown: tuple[type[e.FcatlasError], ...] = ()

    def at(self, name: str) -> None:
        """Later refusals concern the input ``name``."""
        self.field = name

    def takes(self, exc: e.FcatlasError) -> bool:
        """Whether ``exc`` is shown in the form rather than on the error page."""
        shown: tuple[type[e.FcatlasError], ...] = (FormError, *self.shown)
        if isinstance(exc, shown):
            return True
        refusals_of_the_person: tuple[type[e.FcatlasError], ...] = (
            e.PermissionDeniedError, e.AuthenticationError, *self.not_shown)
        return not isinstance(exc, refusals_of_the_person) and e.kind_of(exc)[1] != 503

    def refusal(self, exc: e.FcatlasError) -> Refusal:
        if isinstance(exc, FormError):
            errors = exc.errors
        elif self.errors is not None:
            errors = self.errors(exc)
        else:
            problems: list[e.Problem] = list(getattr(exc, "problems", None) or [])
            errors = [(self.fields.get(p.column or "", self.field), self.problem_text(p)) for p in problems] \
                or [(self.field, sentence(exc))]
        status = e.kind_of(exc)[1]
        return Refusal(errors, exc, status if status in (401, 412, 429) else 422)


def show_again(request: Request, page: FormPage) -> FormPage:
    """From now on a refusal of this request shows ``page``'s form again (see the module text)."""
    request.state.form_page = page
    return page


# -- reading fields ------------------------------------------------------------------------------


def _kronor(raw: object) -> object:
    """A whole number of kronor as typed: spaces (also non-breaking) as thousands separators and a
    trailing 'kr' allowed; blank is None."""
    if not isinstance(raw, str):
        return raw
    text = raw.replace("\u00a0", "").replace(" ", "").replace("kr", "").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit():
        raise ValueError("inget heltal")
    return int(text)


def _decimal(raw: object) -> object:
    """A number with a decimal comma or point; blank is None."""
    if not isinstance(raw, str):
        return raw
    text = raw.replace(" ", "").replace(",", ".").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValueError("inget tal") from None
    if not value.is_finite():
        raise ValueError("inget ändligt tal")
    return value


def _date(raw: object) -> object:
    if not isinstance(raw, str):
        return raw
    return dt.date.fromisoformat(raw.strip()) if raw.strip() else None


def _text(data: Mapping[str, Any], name: str) -> str:
    value = data.get(name)
    return value if isinstance(value, str) else ""


def _file(raw: object) -> object:
    """An uploaded file, or None when none was chosen (a browser sends an empty part)."""
    return raw if isinstance(raw, UploadFile) and raw.filename else None


Kronor = Annotated[int | None, BeforeValidator(_kronor)]
Number = Annotated[Decimal | None, BeforeValidator(_decimal)]
Day = Annotated[dt.date | None, BeforeValidator(_date)]
Upload = Annotated[Any, BeforeValidator(_file)]


Short = Annotated[str, StringConstraints(max_length=100)]
Line = Annotated[str, StringConstraints(max_length=400)]
Long = Annotated[str, StringConstraints(max_length=4000)]


#: Swedish messages of the pydantic errors a form field can meet
_SV = {"string_too_long": "är för lång", "int_type": "ska vara ett heltal", "int_parsing": "ska vara ett heltal",
       "missing": "saknas", "list_type": "ska vara en lista"}

F = TypeVar("F", bound="PageForm")


class PageForm(BaseModel):
    """A page's form. ``MESSAGES`` gives a field its own Swedish message: (when it is blank, when it
    cannot be read); ``LABELS`` names a field in the general messages."""

    model_config = ConfigDict(extra="ignore", arbitrary_types_allowed=True)
    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {}
    LABELS: ClassVar[dict[str, str]] = {}

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        """Errors the fields' types do not find (a required choice, one field against another),
        each as (the model's field it is placed with, the error); ``data`` is what was sent."""
        return []


def values(model: type[PageForm], form: ImmutableMultiDict[str, Any]) -> dict[str, Any]:
    """What was typed, by field (a list for a field with many values), to show again."""
    out: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if get_origin(info.annotation) is list:
            out[name] = [v for v in form.getlist(name) if isinstance(v, str)]
        else:
            v = form.get(name)
            out[name] = v if isinstance(v, str) else ""
    return out


def _message(model: type[PageForm], name: str, raw: object, kind: str) -> str:
    blank, unreadable = model.MESSAGES.get(name, ("", ""))
    if (raw is None or (isinstance(raw, str) and not raw.strip())) and blank:
        return blank
    if unreadable:
        return unreadable
    return f"{model.LABELS.get(name, name).capitalize()} {_SV.get(kind, 'har ett ogiltigt värde')}"


def parse(model: type[F], form: ImmutableMultiDict[str, Any]) -> F:
    """The form's fields as ``model``, or a :class:`FormError` with a Swedish message per field, in
    the order of the model's fields."""
    data: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if get_origin(info.annotation) is list:
            data[name] = form.getlist(name)
        elif name in form:
            data[name] = form.get(name)
    found: dict[str, FieldError] = {}
    parsed = None
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            found.setdefault(name, (name, _message(model, name, data.get(name), str(err["type"]))))
    for name, error in model.check(data):
        found.setdefault(name, error)
    if found or parsed is None:
        order = list(model.model_fields)
        raise FormError([found[n] for n in sorted(found, key=lambda n: order.index(n) if n in order else len(order))])
    return parsed


# -- the forms -----------------------------------------------------------------------------------


class LoginForm(PageForm):
    LABELS: ClassVar[dict[str, str]] = {"email": "e-postadressen", "password": "lösenordet"}
    email: Annotated[str, StringConstraints(max_length=254)] = ""
    password: Annotated[str, StringConstraints(max_length=1024)] = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return [(name, (name, message)) for name, message in (
            ("email", "Skriv din e-postadress"), ("password", "Skriv ditt lösenord")) if not _text(data, name).strip()]


class UnitForm(PageForm):
    """The edit form of one unit (the register's rules are the service's)."""

    LABELS: ClassVar[dict[str, str]] = {"name": "namnet", "address": "adressen", "locality": "orten",
                                        "note": "anmärkningen", "status": "statusen", "version": "versionen"}
    version: int = 0
    name: Annotated[str, StringConstraints(max_length=200)] = ""
    address: Annotated[str, StringConstraints(max_length=200)] = ""
    locality: Short = ""
    note: Annotated[str, StringConstraints(max_length=2000)] = ""
    status: Annotated[str, StringConstraints(max_length=40)] = ""


def _amount(what: str, example: str = "850 000") -> tuple[str, str]:
    return f"Skriv {what}", f"Skriv {what} i hela kronor med siffror, t.ex. {example}"


class ReportForm(PageForm):
    """A region's yearly report on the grant."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        **{f"uses_{p.value}": _amount(f"beloppet för {PURPOSE_LABELS[p].lower()}") for p in Purpose},
        "fte": ("", "Skriv antalet årsarbetskrafter som ett tal, t.ex. 0,75"),
        "unused_sek": _amount("det ej använda beloppet", "0")}
    LABELS: ClassVar[dict[str, str]] = {"role": "rollen", "account": "redovisningen", "atgard": "åtgärden"}
    atgard: Annotated[str, StringConstraints(max_length=20)] = "spara"
    uses_coordinator: Kronor = None
    uses_new_centres: Kronor = None
    uses_develop_centres: Kronor = None
    uses_needs_analysis: Kronor = None
    fte: Number = None
    role: Line = ""
    unit_ids: list[Annotated[str, StringConstraints(max_length=100)]] = []
    unused_sek: Kronor = None
    account: Annotated[str, StringConstraints(max_length=20_000)] = ""

    def uses(self) -> dict[str, int]:
        """The amounts given, by purpose."""
        given = {p.value: getattr(self, f"uses_{p.value}") for p in Purpose}
        return {k: v for k, v in given.items() if v is not None}


class YearForm(PageForm):
    """The national level's set-up of a grant year."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {
        "ar": ("Skriv bidragsåret", "Skriv bidragsåret med siffror, t.ex. 2026"),
        "totalbelopp": _amount("årets totalbelopp", "51 365 000"),
        "fast_belopp": _amount("det fasta beloppet per region", thousands(DEFAULT_FIXED_SEK, " ")),
        "sista_dag": ("", "Skriv datumet som år-månad-dag, t.ex. 2027-01-31")}
    ar: Annotated[int, BeforeValidator(_kronor)]
    totalbelopp: Annotated[int, BeforeValidator(_kronor)]
    fast_belopp: Annotated[int, BeforeValidator(_kronor)]
    alla: Short = ""
    sista_dag: Day = None
    underlag: Short = ""
    typer: list[Short] = []
    typ_ar: Short = ""
    data_ar: Short = ""
    underlagsfil: Upload = None

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        underlag = _text(data, "underlag")
        if underlag not in ("datapaket", "fil"):
            return [("underlag", ("underlag-datapaket", "Välj varifrån underlaget kommer"))]
        if underlag == "datapaket" and not data.get("typer"):
            return [("typer", ("typ-1", "Välj minst en områdestyp som räknas som stort utanförskap"))]
        return []


class CommentForm(PageForm):
    """A return to a region, with the comment it must act on."""

    BLANK: ClassVar[str] = "Skriv vad regionen ska rätta"
    LABELS: ClassVar[dict[str, str]] = {"kommentar": "kommentaren"}
    kommentar: Long = ""

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return [] if _text(data, "kommentar").strip() else [("kommentar", ("kommentar", cls.BLANK))]


class ReportCommentForm(CommentForm):
    BLANK: ClassVar[str] = "Skriv vad regionen ska komplettera"


class ImportForm(PageForm):
    fil: Upload = None

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return [] if _file(data.get("fil")) else [("fil", ("fil", "Välj en fil (CSV eller Excel) att förhandsgranska"))]


class BasisForm(PageForm):
    underlag_fil: Upload = None

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return [] if _file(data.get("underlag_fil")) else \
            [("underlag_fil", ("underlag_fil", "Välj en underlagsfil (CSV) att ladda upp"))]


class ScenarioForm(PageForm):
    """The scenario to compare a prepared year with (a GET form: nothing is stored)."""

    MESSAGES: ClassVar[dict[str, tuple[str, str]]] = {"s_total": _amount("scenariots totalbelopp", "51 365 000")}
    s_typer: list[Short] = []
    s_typ_ar: Short = ""
    s_data_ar: Short = ""
    s_total: Kronor = None

    @classmethod
    def check(cls, data: Mapping[str, Any]) -> list[tuple[str, FieldError]]:
        return [] if data.get("s_typer") else [("s_typer", ("s-typ-1", "Välj minst en områdestyp för scenariot"))]
