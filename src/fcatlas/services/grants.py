"""The state grant as a shared service: the national level sets up a year, previews the
allocation and scenarios, and decides; each region sees its decision, downloads the annex,
prepares its yearly report, its företrädare submits it, and the national level reviews it.

Visibility. A decision is a public document (Swedish offentlighetsprincipen): once a year is
decided, anyone may see its allocation, each region's decision and the annex. A year that is only
prepared is seen by the national level alone. A report is seen by its own region and the national
level until it is approved; an approved report is public.

Every function takes the caller's session (the unit of work; the caller commits) and the acting
user; the permission check comes first. Who did what is recorded: the year's ``created_by``,
``updated_by`` and ``decided_by``, and the user of every status event of a report.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.db import utcnow
from fcatlas.domain import DEFAULT_FIXED_SEK, comment_given
from fcatlas.errors import (
    ConfigError,
    ConflictError,
    FcatlasError,
    InputFileError,
    InvalidDataError,
    NotFoundError,
    Problem,
    StorageError,
    UnsupportedMediaTypeError,
)
from fcatlas.fmt import swedish_date
from fcatlas.fmt import today as swedish_today
from fcatlas.geography.codes import lan_code
from fcatlas.geography.exclusion import ExclusionDefinition
from fcatlas.grants.allocation import AllocationError, allocate
from fcatlas.grants.basis import Basis
from fcatlas.grants.followup import (
    Finding,
    ImportedReport,
    ReportData,
    ReportError,
    ReportStatus,
    check_report,
    errors,
)
from fcatlas.grants.plan import GrantPlan, compare, make_plan, report_deadline
from fcatlas.grants.store import GrantStore
from fcatlas.grants.store import ReportView as ReportView  # re-exported: the result type the faces show
from fcatlas.grants.years import DecisionRow, YearStatus, YearStore, YearTerms, check_year
from fcatlas.grants.years import YearView as YearView  # re-exported: the result type the faces show
from fcatlas.register.store import Register
from fcatlas.register.workflow import check_future
from fcatlas.services import notify
from fcatlas.services.memo import Memo, database_of, remembered

if TYPE_CHECKING:
    from fcatlas.geography.bundle import Bundle

BASIS_SUFFIXES = (".csv", ".txt")


# -- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AllocationRow:
    region_code: str
    region_name: str
    eligible: bool
    basis_children: int
    share: float
    fixed_sek: int
    variable_sek: int
    total_sek: int


@dataclass(frozen=True)
class Allocation:
    year: YearView
    decided: bool
    rows: list[AllocationRow]

    @property
    def total_sek(self) -> int:
        return sum(r.total_sek for r in self.rows)


@dataclass(frozen=True)
class CompareRow:
    region_code: str
    region_name: str
    basis_a: int
    basis_b: int
    total_a_sek: int
    total_b_sek: int
    change_sek: int
    change_pct: float | None


@dataclass(frozen=True)
class Comparison:
    definition_a: str
    definition_b: str
    rows: list[CompareRow]


@dataclass(frozen=True)
class Report:
    view: ReportView
    history: list[dict[str, Any]] = field(default_factory=list)


# -- the basis -----------------------------------------------------------------------------------


def basis_from_upload(*, file_name: str, content: bytes) -> Basis:
    """A basis from an uploaded CSV (``region_code;basis_children``), read exactly as
    ``fcatlas grant allocate --basis`` reads a file. A name without a suffix is read as CSV; a
    file that breaks a rule is refused as a whole (:class:`InvalidDataError`, naming the uploaded
    file, the row, the column and the reason)."""
    from fcatlas.grants.basis import read_basis

    base = Path(file_name.replace("\\", "/")).name.strip() or "underlag.csv"
    if "." in base and not base.lower().endswith(BASIS_SUFFIXES):
        raise UnsupportedMediaTypeError(f"underlagsfilen {base!r} är ingen CSV-fil (.csv)")
    try:
        basis = read_basis(content, base if "." in base else base + ".csv")
    except InputFileError as exc:
        p = Problem(base, exc.row, exc.column, exc.reason)
        raise InvalidDataError(str(p), [p]) from None
    basis.source = f"fil {base}"
    return basis


def count_basis(bundle: Bundle, exclusion: str | ExclusionDefinition | None, data_year: int | None) -> Basis:
    """Children 0–6 in the exclusion areas per region, counted from ``bundle`` (one path for
    the web and the CLI). A ``lista:`` definition comes ready built from its codes (the face
    reads the list)."""
    from fcatlas.geography.exclusion import as_definition
    from fcatlas.grants.basis import basis_from_bundle as from_bundle

    return from_bundle(bundle, as_definition(exclusion), data_year)


def basis_from_bundle(bundle: Bundle | None, *, exclusion: str | None, data_year: int | None) -> Basis:
    """The basis counted from the served bundle under ``exclusion`` (default ``omradestyp:1,2``)."""
    from fcatlas.errors import BundleError
    from fcatlas.geography.exclusion import list_file

    if bundle is None:
        raise BundleError("tjänsten har inget datapaket; ladda upp underlaget som fil i stället")
    spec = (exclusion or "").strip() or None
    if list_file(spec) is not None:
        raise ConfigError("en lista över områden kan inte anges här; ladda upp underlaget som fil")
    try:
        return count_basis(bundle, spec, data_year)
    except ConfigError as exc:  # a year the bundle does not have: what was asked for is not there
        raise NotFoundError(str(exc)) from None


def allocate_basis(*, basis: Basis, year: int, total_sek: int, fixed_sek: int = DEFAULT_FIXED_SEK,
                   include_all: bool = False) -> pd.DataFrame:
    """A year's allocation of ``total_sek`` by the key over ``basis`` (nothing stored):
    :data:`~fcatlas.grants.allocation.ALLOCATION_COLUMNS`."""
    return allocate(basis.table, total_sek=total_sek, fixed_sek=fixed_sek, year=year, include_all=include_all)


@dataclass(frozen=True)
class ScenarioComparison:
    """Two scenarios of one year side by side (:func:`fcatlas.grants.plan.compare`'s table)."""

    basis_a: Basis
    basis_b: Basis
    table: pd.DataFrame

    @property
    def notes(self) -> list[str]:
        return list(dict.fromkeys(self.basis_a.notes + self.basis_b.notes))


def compare_bases(*, basis_a: Basis, basis_b: Basis, year: int, total_a_sek: int, total_b_sek: int,
                  fixed_sek: int = DEFAULT_FIXED_SEK, include_all: bool = False) -> ScenarioComparison:
    """The allocation of one year under two bases (and totals), with the change per region."""
    ra = allocate_basis(basis=basis_a, year=year, total_sek=total_a_sek, fixed_sek=fixed_sek,
                        include_all=include_all)
    rb = allocate_basis(basis=basis_b, year=year, total_sek=total_b_sek, fixed_sek=fixed_sek,
                        include_all=include_all)
    return ScenarioComparison(basis_a, basis_b, compare(ra, rb))


def plan_years(*, bases: dict[int, Basis], totals: dict[int, int], fixed_sek: int = DEFAULT_FIXED_SEK,
               include_all: bool = False, instalments: int = 1,
               first_payout: tuple[int, int] = (3, 31)) -> GrantPlan:
    """The multi-year plan: every year allocated with its basis, and the payout schedule."""
    return make_plan(bases, totals, fixed_sek, include_all=include_all, instalments=instalments,
                     first_payout=first_payout)


# -- the year ------------------------------------------------------------------------------------


def _years(session: Session) -> YearStore:
    return YearStore(session)


def _visible_year(session: Session, actor: Actor, year: int) -> YearView:
    """The year if the actor may see it: decided years for everyone, prepared ones for the
    national level; otherwise 'not found' (a preparation is not revealed)."""
    view = _years(session).get(year)
    if view is None or (not view.decided and not actor.may_review()):
        raise NotFoundError(f"det finns inget beslut om statsbidrag för {year}")
    return view


def setup_year(
    session: Session,
    *,
    actor: Actor,
    year: int,
    total_sek: int,
    fixed_sek: int = DEFAULT_FIXED_SEK,
    include_all: bool = False,
    deadline: dt.date | None = None,
    basis: Basis | None = None,
) -> YearView:
    """Set up (or change) a grant year that is not decided. ``basis`` None keeps the year's
    basis (a new year then waits for one). The allocation is checked when a basis is there, so
    an impossible total is refused at once."""
    actor.require(actor.may_review(), "förbereda ett års statsbidrag")
    y = check_year(year)
    if deadline is not None:  # a report deadline that has passed makes every report overdue at once
        check_future(deadline, swedish_today(), "återrapporternas sista dag")
    terms = YearTerms(int(total_sek), int(fixed_sek), bool(include_all), deadline or report_deadline(y))
    view = _years(session).save(y, terms, basis=basis, user=actor.name)
    stored = _years(session).basis(y)
    if stored is not None:
        _allocate(session, view, stored)  # refuses an impossible total or fixed amount now, not at the decision
    return view


def set_basis(session: Session, *, actor: Actor, year: int, basis: Basis) -> YearView:
    """Replace the basis of a prepared year (e.g. with an uploaded file)."""
    actor.require(actor.may_review(), "ändra underlaget för ett års statsbidrag")
    view = _years(session).set_basis(check_year(year), basis, user=actor.name)
    _allocate(session, view, basis)
    return view


def _basis_of(session: Session, year: YearView) -> Basis:
    basis = _years(session).basis(year.year)
    if basis is None:
        raise ConflictError(f"statsbidraget för {year.year} saknar underlag; ladda upp en underlagsfil")
    return basis


def _allocate(session: Session, year: YearView, basis: Basis | None = None, total: int | None = None) -> pd.DataFrame:
    """The allocation by the key; an impossible combination (a total below the fixed parts, no
    basis to share the rest by) conflicts with the year's basis: 409, nothing stored."""
    b = basis or _basis_of(session, year)
    try:
        return allocate(b.table, total_sek=year.total_sek if total is None else total, fixed_sek=year.fixed_sek,
                        year=year.year, include_all=year.include_all)
    except AllocationError as exc:
        raise ConflictError(f"statsbidraget för {year.year} kan inte fördelas: {exc}") from None


def _rows(df: pd.DataFrame) -> list[AllocationRow]:
    return [AllocationRow(str(r["region_code"]), str(r["region_name"]), bool(r["eligible"]), int(r["basis_children"]),
                          float(r["share"]), int(r["fixed_sek"]), int(r["variable_sek"]), int(r["total_sek"]))
            for r in df.to_dict("records")]


def list_years(session: Session, *, actor: Actor) -> list[YearView]:
    """The grant years the actor may see (decided years for everyone)."""
    return _years(session).years(status=None if actor.may_review() else YearStatus.DECIDED)


def get_year(session: Session, *, actor: Actor, year: int) -> YearView:
    return _visible_year(session, actor, year)


def allocation(session: Session, *, actor: Actor, year: int) -> Allocation:
    """The decided allocation (public), or for a prepared year the preview (national level;
    nothing stored)."""
    view = _visible_year(session, actor, year)
    if view.decided:
        decided = _years(session).decisions(view.year)
        elig_basis = sum(d.basis_children for d in decided if d.eligible)
        rows = [AllocationRow(d.region_code, d.region_name, d.eligible, d.basis_children,
                              (d.basis_children / elig_basis if elig_basis and d.eligible else 0.0),
                              d.fixed_sek, d.variable_sek, d.total_sek) for d in decided]
        return Allocation(view, True, rows)
    return Allocation(view, False, _rows(_allocate(session, view)))


def compare_scenario(
    session: Session,
    *,
    actor: Actor,
    year: int,
    basis_b: Basis,
    total_b_sek: int | None = None,
) -> Comparison:
    """The year's allocation (A) next to the same year under another basis (B); nothing stored."""
    actor.require(actor.may_review(), "jämföra scenarier för statsbidraget")
    view = _visible_year(session, actor, year)
    a = _basis_of(session, view)
    ra = _allocate(session, view, a)
    rb = _allocate(session, view, basis_b, total_b_sek)
    cmp = compare(ra, rb)
    rows = [CompareRow(str(r["region_code"]), str(r["region_name"]), int(r["basis_a"]), int(r["basis_b"]),
                       int(r["total_a_sek"]), int(r["total_b_sek"]), int(r["change_sek"]),
                       None if r["change_pct"] is None or pd.isna(r["change_pct"]) else float(r["change_pct"]))
            for r in cmp.to_dict("records")]
    return Comparison(a.definition, basis_b.definition, rows)


def decide(session: Session, *, actor: Actor, year: int) -> Allocation:
    """Decide the year: the allocation is stored (whole kronor, summing exactly to the total),
    the year can no longer be changed, and every region with an amount gets a not-started report
    with the year's deadline."""
    actor.require(actor.may_review(), "besluta om statsbidraget")
    y = check_year(year)
    view = _years(session).get(y)
    if view is None:
        raise NotFoundError(f"statsbidraget för {year} är inte förberett")
    if view.decided:
        raise ConflictError(f"statsbidraget för {year} är redan beslutat ({view.decided_at:%Y-%m-%d} "
                            f"av {view.decided_by})")
    if view.report_deadline < swedish_today():
        raise ConflictError(f"återrapporternas sista dag {swedish_date(view.report_deadline)} har redan passerat; "
                            "ändra den innan året beslutas, annars är alla rapporter försenade från början")
    df = _allocate(session, view)
    if int(df["total_sek"].sum()) != view.total_sek:  # pragma: no cover - the method guarantees it
        raise StorageError("fördelningen summerar inte till totalbeloppet; inget beslut sparades")
    rows = [DecisionRow(r.region_code, r.region_name, r.eligible, r.basis_children, r.fixed_sek, r.variable_sek,
                        r.total_sek) for r in _rows(df)]
    now = utcnow()
    view = _years(session).decide(y, rows, user=actor.name, now=now)
    amounts = {r.region_code: r.total_sek for r in rows}
    _store(session).open_year(view.year, amounts, deadline=view.report_deadline, now=now, user=actor.name)
    notify.grant_decided_mails(session, actor=actor, year=view.year, amounts=amounts, deadline=view.report_deadline)
    return allocation(session, actor=actor, year=view.year)


def decision(session: Session, *, actor: Actor, year: int, lan: str) -> tuple[YearView, AllocationRow]:
    """One region's decided amount (public once the year is decided)."""
    code = lan_code(lan)
    alloc = allocation(session, actor=actor, year=year)
    if not alloc.decided:
        raise NotFoundError(f"det finns inget beslut om statsbidrag för {year}")
    for r in alloc.rows:
        if r.region_code == code:
            return alloc.year, r
    raise NotFoundError(f"region {code} finns inte i beslutet för {year}")


def _plan(session: Session, year: YearView) -> GrantPlan:
    plan = make_plan({year.year: _basis_of(session, year)}, {year.year: year.total_sek}, year.fixed_sek,
                     include_all=year.include_all, deadlines={year.year: year.report_deadline})
    stored = {d.region_code: d.total_sek for d in _years(session).decisions(year.year)}
    computed = dict(zip(plan.allocations[year.year]["region_code"],
                        plan.allocations[year.year]["total_sek"].astype(int), strict=True))
    if stored and stored != computed:  # pragma: no cover - the allocation is deterministic
        raise StorageError(f"bilagan för {year.year} skulle avvika från beslutet; ingen bilaga skapades")
    return plan


def annex(session: Session, *, actor: Actor, year: int, fmt: str, memo: Memo | None = None) -> tuple[str, bytes]:
    """The annex of a decided year as ``(file name, bytes)``: ``xlsx`` or ``pdf`` (through
    ``memo`` rendered once per decision: a decided year does not change)."""
    view = _visible_year(session, actor, year)
    if not view.decided:
        raise ConflictError(f"statsbidraget för {year} är inte beslutat; bilagan skapas när året beslutas")
    if fmt not in ("xlsx", "pdf"):
        raise ConfigError(f"bilagan finns som xlsx eller pdf, inte {fmt!r}")
    return remembered(memo, lambda: ("annex", database_of(session), view.year, fmt, view.decided_by, view.decided_at),
                      lambda: _annex_file(session, view, fmt))


def warm_annexes(session: Session, *, memo: Memo) -> None:
    """Render ahead, through ``memo``, the PDF annex of every decided year (public files: what
    anyone may download), so that the first download after a start is not the one that pays for
    loading the PDF engine and its fonts."""
    from fcatlas.accounts.roles import ANONYMOUS

    for view in _years(session).years(status=YearStatus.DECIDED):
        annex(session, actor=ANONYMOUS, year=view.year, fmt="pdf", memo=memo)


def _annex_file(session: Session, view: YearView, fmt: str) -> tuple[str, bytes]:
    from fcatlas.outputs.grant_annex import write_annex_pdf, write_annex_xlsx

    plan = _plan(session, view)
    name = f"beslutsbilaga_statsbidrag_{view.year}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="fcatlas-bilaga-") as tmp:
        path = Path(tmp) / name
        (write_annex_xlsx if fmt == "xlsx" else write_annex_pdf)(plan, path)
        return name, path.read_bytes()


# -- the reports ---------------------------------------------------------------------------------


def _store(session: Session, lan: str | None = None) -> GrantStore:
    """The follow-up store inside the caller's session; linked units must exist in the register
    (and, with ``lan``, lie in that region; without, in the report's own region)."""
    register = Register(session)

    def exists(unit_id: str) -> bool:
        found = register.unit_lan(unit_id)
        return found is not None and (lan is None or found == lan)

    return GrantStore.in_session(session, unit_exists=exists, unit_lan=None if lan else register.unit_lan)


def _visible_report(session: Session, actor: Actor, year: int, code: str) -> ReportView:
    view = _store(session).find(code, int(year))
    if view is None or not (actor.may_see_drafts(code) or view.status is ReportStatus.APPROVED):
        raise NotFoundError(f"det finns ingen återrapport för region {code} år {year}")
    return view


def get_report(session: Session, *, actor: Actor, year: int, lan: str) -> Report:
    """A report with its history: the own region and the national level; approved reports are public."""
    code = lan_code(lan)
    _visible_report(session, actor, year, code)
    store = _store(session)
    history = store.history(code, int(year))
    if not actor.may_see_drafts(code):
        history = [{**h, "user": None} for h in history]  # the public sees the steps, not the persons
    return Report(store.get(code, int(year)), history)


def _invalid(exc: ReportError) -> FcatlasError:
    if exc.findings:
        return InvalidDataError(str(exc).split("\n", 1)[0].rstrip(":") + ": " + "; ".join(map(str, exc.findings)),
                                [Problem("återrapport", None, f.field, f.reason) for f in exc.findings])
    return ConflictError(str(exc))


def save_report(
    session: Session,
    *,
    actor: Actor,
    year: int,
    lan: str,
    uses: dict[str, int],
    fte: Decimal | None = None,
    role: str = "",
    unit_ids: list[str] | None = None,
    unused_sek: int | None = None,
    account: str = "",
) -> Report:
    """Save the region's report as a draft (the own region's handläggare or företrädare). The
    amount received is the decided amount; linked centres must be units of the region."""
    code = lan_code(lan)
    current = _visible_report(session, actor, year, code)  # first: another region's draft is 404, not 403
    actor.require(actor.may_edit_region(code), f"skriva region {code}s återrapport")
    data = ReportData(region_code=code, year=int(year), amount_received_sek=current.data.amount_received_sek,
                      uses=dict(uses), fte=fte, role=role, unit_ids=list(unit_ids or []), unused_sek=unused_sek,
                      account=account)
    store = _store(session, code)
    try:
        store.save(data, user=actor.name)
    except ReportError as exc:
        raise _invalid(exc) from None
    return get_report(session, actor=actor, year=year, lan=code)


def _transition(session: Session, actor: Actor, year: int, code: str, status: ReportStatus,
                comment: str = "") -> Report:
    _visible_report(session, actor, year, code)
    try:
        _store(session, code).set_status(code, int(year), status, comment=comment, user=actor.name)
    except ReportError as exc:
        raise _invalid(exc) from None
    return get_report(session, actor=actor, year=year, lan=code)


def submit_report(session: Session, *, actor: Actor, year: int, lan: str) -> Report:
    """Submit the region's report (its företrädare only); it is checked and cannot change after."""
    code = lan_code(lan)
    _visible_report(session, actor, year, code)  # first: another region's draft is 404, not 403
    actor.require(actor.may_submit_region(code), f"skicka in region {code}s återrapport (det gör regionens företrädare)")
    return _transition(session, actor, year, code, ReportStatus.SUBMITTED)


def return_report(session: Session, *, actor: Actor, year: int, lan: str, comment: str) -> Report:
    actor.require(actor.may_review(), "returnera en återrapport")
    if not comment_given(comment):
        raise InvalidDataError("ange vad som ska kompletteras (kommentar) när rapporten returneras",
                               [Problem("återrapport", None, "comment", "kommentaren saknas")])
    report = _transition(session, actor, year, lan_code(lan), ReportStatus.RETURNED, comment)
    notify.report_mail(session, actor=actor, kind="rapport_returnerad", year=int(year), lan=lan_code(lan),
                       at=notify.utcnow(), comment=comment.strip())
    return report


def approve_report(session: Session, *, actor: Actor, year: int, lan: str) -> Report:
    actor.require(actor.may_review(), "godkänna en återrapport")
    report = _transition(session, actor, year, lan_code(lan), ReportStatus.APPROVED)
    notify.report_mail(session, actor=actor, kind="rapport_godkand", year=int(year), lan=lan_code(lan),
                       at=notify.utcnow())
    return report


def list_reports(session: Session, *, actor: Actor, year: int | None = None) -> list[ReportView]:
    """The reports the actor may see: all (national), the own region's, or the approved ones."""
    views = _store(session).reports(year=year)
    return [v for v in views if actor.may_see_drafts(v.data.region_code) or v.status is ReportStatus.APPROVED]


def overdue(session: Session, *, actor: Actor, today: dt.date, year: int | None = None) -> pd.DataFrame:
    """Reports past their deadline on ``today`` (not submitted, or submitted late): national level."""
    actor.require(actor.may_review(), "se listan över försenade återrapporter")
    return _store(session).overdue(today, year=year)


def report_findings(view: ReportView) -> list[str]:
    """The report's current errors, in Swedish (empty when it can be submitted)."""
    return [str(f) for f in errors(check_report(view.data, None, view.deadline))]


# -- the follow-up from the operator's files (fcatlas grant report …) ----------------------------


def open_reports(session: Session, *, actor: Actor, year: int, amounts: dict[str, int],
                 deadline: dt.date | None = None) -> int:
    """A not-started report per recipient of ``amounts`` (region → kronor); how many are new."""
    actor.require(actor.may_review(), "lägga upp återrapporter")
    return _store(session).open_year(year, amounts, deadline=deadline, user=actor.name)


@dataclass(frozen=True)
class ImportedOutcome:
    """One report of an imported file: what was stored and what the operator should check."""

    row: int
    region_code: str
    year: int
    amount_received_sek: int
    #: the decided allocation when it differs from the amount received (the report is stored)
    allocated_sek: int | None
    submitted: bool
    late: bool
    deadline: dt.date


@dataclass(frozen=True)
class ReportImport:
    reports: list[ImportedOutcome]

    @property
    def n_submitted(self) -> int:
        return sum(r.submitted for r in self.reports)

    @property
    def n_late(self) -> int:
        return sum(r.late for r in self.reports)

    @property
    def n_draft(self) -> int:
        return sum(not r.submitted for r in self.reports)


def import_reports(session: Session, *, actor: Actor, file: Path, submit: bool = False,
                   deadlines: Callable[[int], dt.date] = report_deadline) -> ReportImport:
    """Read a report file (every problem at once; nothing stored then) and store each report:
    rows with a submission date (or all, with ``submit``) as submitted, the others as drafts."""
    from fcatlas.grants.followup import read_reports

    actor.require(actor.may_review(), "importera återrapporter")
    store = _store(session)
    reports = read_reports(file, unit_exists=store.unit_exists, deadlines=deadlines, unit_lan=store.unit_lan)
    return ReportImport([_import_one(store, actor, r, submit, deadlines(r.data.year)) for r in reports])


def _import_one(store: GrantStore, actor: Actor, r: ImportedReport, submit: bool,
                deadline: dt.date) -> ImportedOutcome:
    d = r.data
    allocated = store.allocated(d.region_code, d.year)
    differs = allocated if allocated is not None and allocated != d.amount_received_sek else None
    if d.submitted_at is not None or submit:
        v = store.submit(d, deadline=deadline, user=actor.name)
        return ImportedOutcome(r.row, d.region_code, d.year, d.amount_received_sek, differs, True, v.late,
                               v.deadline)
    v = store.save(d, deadline=deadline, user=actor.name)
    return ImportedOutcome(r.row, d.region_code, d.year, d.amount_received_sek, differs, False, False, v.deadline)


def report_frame(session: Session, *, actor: Actor, year: int | None = None, region_code: str | None = None,
                 status: ReportStatus | None = None) -> pd.DataFrame:
    """The reports as a table (national level), optionally one year, region and status."""
    actor.require(actor.may_review(), "lista alla återrapporter")
    return _store(session).frame(year=year, region_code=region_code, status=status)


def report_summary(session: Session, *, actor: Actor, year: int | None = None) -> pd.DataFrame:
    """The national summary per year: counts by status, kronor by purpose, FTE."""
    actor.require(actor.may_review(), "se den nationella sammanställningen")
    return _store(session).summary(year=year)


@dataclass(frozen=True)
class ReportDetail:
    view: ReportView
    history: list[dict[str, Any]]
    findings: list[Finding]


def report_detail(session: Session, *, actor: Actor, year: int, region_code: str) -> ReportDetail:
    """A report with its status history and every finding of its checks (national level)."""
    actor.require(actor.may_review(), "granska en återrapport")
    store = _store(session)
    v = store.get(region_code, int(year))
    return ReportDetail(v, store.history(region_code, int(year)), store.check(v.data, v.deadline))
