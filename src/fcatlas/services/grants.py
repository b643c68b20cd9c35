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
from sqlalchemy import select
from sqlalchemy.orm import Session

from fcatlas.accounts.roles import Actor
from fcatlas.db import utcnow
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
from fcatlas.geography.exclusion import ExclusionDefinition
from fcatlas.grants.allocation import DEFAULT_FIXED_SEK, AllocationError, allocate
from fcatlas.grants.basis import BASIS_COLUMNS, Basis
from fcatlas.grants.decisions import YEAR_DECIDED, YEAR_PREPARED, GrantDecision, GrantYear, GrantYearBasis
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
from fcatlas.grants.store import GrantReport, GrantStore
from fcatlas.grants.store import ReportView as ReportView  # re-exported: the result type the faces show
from fcatlas.services.rounds import lan_code

if TYPE_CHECKING:
    from fcatlas.geography.bundle import Bundle

BASIS_SUFFIXES = (".csv", ".txt")


def _aware(ts: dt.datetime | None) -> dt.datetime | None:
    if ts is None:
        return None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)


# -- views -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearView:
    year: int
    status: str
    total_sek: int
    fixed_sek: int
    include_all: bool
    report_deadline: dt.date
    basis_kind: str
    basis_source: str
    basis_definition: str
    basis_data_year: int | None
    estimated: bool
    notes: list[str]
    created_by: str
    created_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None

    @property
    def decided(self) -> bool:
        return self.status == YEAR_DECIDED


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


def _count_basis(bundle: Bundle, exclusion: str | ExclusionDefinition | None, data_year: int | None) -> Basis:
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
        return _count_basis(bundle, spec, data_year)
    except ConfigError as exc:  # a year the bundle does not have: what was asked for is not there
        raise NotFoundError(str(exc)) from None


@dataclass(frozen=True)
class BasisSource:
    """Where a basis comes from on the operator's machine: a basis file, or a bundle directory
    counted under ``exclusion`` (``omradestyp:1,2``, ``omradestyp:1,2@2022``, or a definition the
    face built, e.g. from a ``lista:FIL`` it read) for ``data_year`` (default: the bundle's latest)."""

    bundle: Path | None = None
    file: Path | None = None
    exclusion: str | ExclusionDefinition | None = None
    data_year: int | None = None


def read_basis(source: BasisSource, *, bundles: dict[Path, Bundle] | None = None) -> Basis:
    """The basis of ``source``: exactly one of a bundle and a file; ``exclusion`` and
    ``data_year`` only with a bundle. ``bundles`` caches opened bundles between calls."""
    from fcatlas.grants.basis import read_basis_file

    if (source.bundle is None) == (source.file is None):
        raise ConfigError("ange antingen --bundle PAKET (underlaget räknas ur datapaketet) eller --basis FIL")
    if source.file is not None:
        if source.exclusion or source.data_year:
            raise ConfigError("--exclusion och --data-year gäller bara med --bundle")
        return read_basis_file(source.file)
    from fcatlas.geography.bundle import Bundle

    assert source.bundle is not None
    cache = {} if bundles is None else bundles
    if source.bundle not in cache:
        cache[source.bundle] = Bundle.open(source.bundle)
    return _count_basis(cache[source.bundle], source.exclusion, source.data_year)


def read_bases(sources: dict[int, BasisSource]) -> dict[int, Basis]:
    """One basis per grant year; a source shared by several years is read once."""
    read: dict[BasisSource, Basis] = {}
    bundles: dict[Path, Bundle] = {}
    out = {}
    for year, source in sources.items():
        if source not in read:
            read[source] = read_basis(source, bundles=bundles)
        out[year] = read[source]
    return out


def scenario_basis(spec: str | ExclusionDefinition, *, bundle: Path | None, data_year: int | None) -> Basis:
    """A scenario of ``fcatlas grant compare``: ``fil:BASIS.csv``, or an exclusion definition
    applied to ``bundle``."""
    from fcatlas.grants.basis import read_basis_file

    if isinstance(spec, str) and spec.startswith(("fil:", "file:", "basis:")):
        return read_basis_file(Path(spec.split(":", 1)[1]))
    if bundle is None:
        name = spec if isinstance(spec, str) else spec.public_spec
        raise ConfigError(f"scenariot {name!r} är en utanförskapsdefinition och kräver --bundle PAKET")
    return read_basis(BasisSource(bundle=bundle, exclusion=spec, data_year=data_year))


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


def _year_row(session: Session, year: int) -> GrantYear | None:
    return session.get(GrantYear, int(year))


def _year_view(row: GrantYear) -> YearView:
    created = _aware(row.created_at)
    assert created is not None
    return YearView(
        year=row.year, status=row.status, total_sek=int(row.total_sek), fixed_sek=int(row.fixed_sek),
        include_all=bool(row.include_all), report_deadline=row.report_deadline, basis_kind=row.basis_kind,
        basis_source=row.basis_source, basis_definition=row.basis_definition, basis_data_year=row.basis_data_year,
        estimated=any(b.estimated for b in row.basis), notes=[str(n) for n in row.basis_notes or []],
        created_by=row.created_by, created_at=created, decided_by=row.decided_by, decided_at=_aware(row.decided_at),
    )


def _visible_year(session: Session, actor: Actor, year: int) -> GrantYear:
    """The year's row if the actor may see it: decided years for everyone, prepared ones for the
    national level; otherwise 'not found' (a preparation is not revealed)."""
    row = _year_row(session, year)
    if row is None or (row.status != YEAR_DECIDED and not actor.may_review()):
        raise NotFoundError(f"det finns inget beslut om statsbidrag för {year}")
    return row


def _check_year(year: int) -> int:
    if not (2000 <= int(year) <= 2100):
        raise ConfigError(f"{year} är inget rimligt bidragsår (2000–2100)")
    return int(year)


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
    y = _check_year(year)
    row = _year_row(session, y)
    now = utcnow()
    if row is not None and row.status == YEAR_DECIDED:
        raise ConflictError(f"statsbidraget för {y} är redan beslutat och kan inte ändras")
    if row is None:
        row = GrantYear(year=y, status=YEAR_PREPARED, basis_kind="ingen", basis_source="",
                        basis_definition="", basis_notes=[], basis_sources=[], created_by=actor.name,
                        created_at=now)
        session.add(row)
    row.total_sek, row.fixed_sek, row.include_all = int(total_sek), int(fixed_sek), bool(include_all)
    row.report_deadline = deadline or report_deadline(y)
    row.updated_by, row.updated_at = actor.name, now
    if basis is not None:
        _store_basis(row, basis)
    session.flush()
    if row.basis:
        _allocate(row)  # refuses an impossible total or fixed amount now, not at the decision
    return _year_view(row)


def set_basis(session: Session, *, actor: Actor, year: int, basis: Basis) -> YearView:
    """Replace the basis of a prepared year (e.g. with an uploaded file)."""
    actor.require(actor.may_review(), "ändra underlaget för ett års statsbidrag")
    row = _year_row(session, _check_year(year))
    if row is None:
        raise NotFoundError(f"statsbidraget för {year} är inte förberett; lägg upp året först")
    if row.status == YEAR_DECIDED:
        raise ConflictError(f"statsbidraget för {year} är redan beslutat och kan inte ändras")
    _store_basis(row, basis)
    row.updated_by, row.updated_at = actor.name, utcnow()
    session.flush()
    _allocate(row)
    return _year_view(row)


def _store_basis(row: GrantYear, basis: Basis) -> None:
    row.basis_kind = "fil" if basis.source.startswith("fil ") else "datapaket"
    row.basis_source, row.basis_definition = basis.source, basis.definition
    row.basis_data_year = basis.data_year
    row.basis_notes, row.basis_sources = list(basis.notes), list(basis.sources)
    row.basis = [
        GrantYearBasis(region_code=str(r["region_code"]), region_name=str(r["region_name"]),
                       basis_children=int(r["basis_children"]),
                       n_areas=None if pd.isna(r["n_areas"]) else int(r["n_areas"]),
                       estimated=bool(r["estimated"]))
        for r in basis.table.to_dict("records")
    ]


def _basis_of(row: GrantYear) -> Basis:
    if not row.basis:
        raise ConflictError(f"statsbidraget för {row.year} saknar underlag; ladda upp en underlagsfil")
    table = pd.DataFrame(
        [{"region_code": b.region_code, "region_name": b.region_name, "basis_children": int(b.basis_children),
          "n_areas": b.n_areas, "estimated": bool(b.estimated)} for b in row.basis],
        columns=BASIS_COLUMNS,
    )
    table["n_areas"] = table["n_areas"].astype("Int64")
    table["basis_children"] = table["basis_children"].astype("int64")
    return Basis(table, source=row.basis_source, definition=row.basis_definition, data_year=row.basis_data_year,
                 notes=list(row.basis_notes or []), sources=list(row.basis_sources or []))


def _allocate(row: GrantYear, basis: Basis | None = None, total: int | None = None) -> pd.DataFrame:
    """The allocation by the key; an impossible combination (a total below the fixed parts, no
    basis to share the rest by) conflicts with the year's basis: 409, nothing stored."""
    b = basis or _basis_of(row)
    try:
        return allocate(b.table, total_sek=row.total_sek if total is None else total, fixed_sek=row.fixed_sek,
                        year=row.year, include_all=row.include_all)
    except AllocationError as exc:
        raise ConflictError(f"statsbidraget för {row.year} kan inte fördelas: {exc}") from None


def _rows(df: pd.DataFrame) -> list[AllocationRow]:
    return [AllocationRow(str(r["region_code"]), str(r["region_name"]), bool(r["eligible"]), int(r["basis_children"]),
                          float(r["share"]), int(r["fixed_sek"]), int(r["variable_sek"]), int(r["total_sek"]))
            for r in df.to_dict("records")]


def list_years(session: Session, *, actor: Actor) -> list[YearView]:
    """The grant years the actor may see (decided years for everyone)."""
    q = select(GrantYear).order_by(GrantYear.year)
    if not actor.may_review():
        q = q.where(GrantYear.status == YEAR_DECIDED)
    return [_year_view(r) for r in session.scalars(q)]


def get_year(session: Session, *, actor: Actor, year: int) -> YearView:
    return _year_view(_visible_year(session, actor, year))


def allocation(session: Session, *, actor: Actor, year: int) -> Allocation:
    """The decided allocation (public), or for a prepared year the preview (national level;
    nothing stored)."""
    row = _visible_year(session, actor, year)
    if row.status == YEAR_DECIDED:
        elig_basis = sum(int(d.basis_children) for d in row.decisions if d.eligible)
        rows = [AllocationRow(d.region_code, d.region_name, bool(d.eligible), int(d.basis_children),
                              (int(d.basis_children) / elig_basis if elig_basis and d.eligible else 0.0),
                              int(d.fixed_sek), int(d.variable_sek), int(d.total_sek)) for d in row.decisions]
        return Allocation(_year_view(row), True, rows)
    return Allocation(_year_view(row), False, _rows(_allocate(row)))


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
    row = _visible_year(session, actor, year)
    a = _basis_of(row)
    ra = _allocate(row, a)
    rb = _allocate(row, basis_b, total_b_sek)
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
    row = _year_row(session, _check_year(year))
    if row is None:
        raise NotFoundError(f"statsbidraget för {year} är inte förberett")
    if row.status == YEAR_DECIDED:
        raise ConflictError(f"statsbidraget för {year} är redan beslutat ({_aware(row.decided_at):%Y-%m-%d} "
                            f"av {row.decided_by})")
    df = _allocate(row)
    if int(df["total_sek"].sum()) != int(row.total_sek):  # pragma: no cover - the method guarantees it
        raise StorageError("fördelningen summerar inte till totalbeloppet; inget beslut sparades")
    row.decisions = [GrantDecision(region_code=r.region_code, region_name=r.region_name, eligible=r.eligible,
                                   basis_children=r.basis_children, fixed_sek=r.fixed_sek,
                                   variable_sek=r.variable_sek, total_sek=r.total_sek) for r in _rows(df)]
    now = utcnow()
    row.status, row.decided_by, row.decided_at = YEAR_DECIDED, actor.name, now
    row.updated_by, row.updated_at = actor.name, now
    session.flush()
    amounts = {r.region_code: r.total_sek for r in row.decisions}
    _store(session).open_year(row.year, amounts, deadline=row.report_deadline, now=now, user=actor.name)
    return allocation(session, actor=actor, year=row.year)


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


def _plan(row: GrantYear) -> GrantPlan:
    plan = make_plan({row.year: _basis_of(row)}, {row.year: int(row.total_sek)}, int(row.fixed_sek),
                     include_all=row.include_all, deadlines={row.year: row.report_deadline})
    stored = {d.region_code: int(d.total_sek) for d in row.decisions}
    computed = dict(zip(plan.allocations[row.year]["region_code"],
                        plan.allocations[row.year]["total_sek"].astype(int), strict=True))
    if stored and stored != computed:  # pragma: no cover - the allocation is deterministic
        raise StorageError(f"bilagan för {row.year} skulle avvika från beslutet; ingen bilaga skapades")
    return plan


def annex(session: Session, *, actor: Actor, year: int, fmt: str) -> tuple[str, bytes]:
    """The annex of a decided year as ``(file name, bytes)``: ``xlsx`` or ``pdf``."""
    from fcatlas.outputs.grant_annex import write_annex_pdf, write_annex_xlsx

    row = _visible_year(session, actor, year)
    if row.status != YEAR_DECIDED:
        raise ConflictError(f"statsbidraget för {year} är inte beslutat; bilagan skapas när året beslutas")
    if fmt not in ("xlsx", "pdf"):
        raise ConfigError(f"bilagan finns som xlsx eller pdf, inte {fmt!r}")
    plan = _plan(row)
    name = f"beslutsbilaga_statsbidrag_{row.year}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="fcatlas-bilaga-") as tmp:
        path = Path(tmp) / name
        (write_annex_xlsx if fmt == "xlsx" else write_annex_pdf)(plan, path)
        return name, path.read_bytes()


# -- the reports ---------------------------------------------------------------------------------


def _store(session: Session, lan: str | None = None) -> GrantStore:
    """The follow-up store inside the caller's session; linked units must exist in the register
    (and, with ``lan``, lie in that region; without, in the report's own region)."""
    from fcatlas.register.models import Unit

    def unit_lan(unit_id: str) -> str | None:
        found = session.scalar(select(Unit.lan_code).where(Unit.id == unit_id))
        return None if found is None else str(found)

    def exists(unit_id: str) -> bool:
        found = unit_lan(unit_id)
        return found is not None and (lan is None or found == lan)

    return GrantStore.in_session(session, unit_exists=exists, unit_lan=None if lan else unit_lan)


def _visible_report(session: Session, actor: Actor, year: int, code: str) -> GrantReport:
    row = session.scalars(select(GrantReport).where(GrantReport.region_code == code,
                                                    GrantReport.year == int(year))).one_or_none()
    if row is None or not (actor.may_see_drafts(code) or row.status == ReportStatus.APPROVED.value):
        raise NotFoundError(f"det finns ingen återrapport för region {code} år {year}")
    return row


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
    row = _visible_report(session, actor, year, code)  # first: another region's draft is 404, not 403
    actor.require(actor.may_edit_region(code), f"skriva region {code}s återrapport")
    data = ReportData(region_code=code, year=int(year), amount_received_sek=int(row.amount_received_sek),
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
    if not comment.strip():
        raise InvalidDataError("ange vad som ska kompletteras (kommentar) när rapporten returneras",
                               [Problem("återrapport", None, "comment", "kommentaren saknas")])
    return _transition(session, actor, year, lan_code(lan), ReportStatus.RETURNED, comment)


def approve_report(session: Session, *, actor: Actor, year: int, lan: str) -> Report:
    actor.require(actor.may_review(), "godkänna en återrapport")
    return _transition(session, actor, year, lan_code(lan), ReportStatus.APPROVED)


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


def set_report_status(session: Session, *, actor: Actor, year: int, region_code: str, status: ReportStatus,
                      at: dt.datetime | None = None, comment: str = "") -> ReportView:
    """Move a report along its statuses as the national level (any transition the rules allow)."""
    actor.require(actor.may_review(), "ändra status för en återrapport")
    return _store(session).set_status(region_code, int(year), status, at=at, comment=comment, user=actor.name)


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
