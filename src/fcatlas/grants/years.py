"""Grant years: their rules and their store.

The rules: which years a grant year may be (:func:`check_year`, the one year rule of
:mod:`fcatlas.domain`), its two statuses (:class:`YearStatus`: prepared, then decided — once
decided a year never changes, :func:`check_changeable`).

The store: :class:`YearStore` keeps a year, its basis (one row per region, read back as the
:class:`~fcatlas.grants.basis.Basis` it was stored from, with the exclusion definition as data)
and the decided allocation, in the tables of :mod:`fcatlas.grants.decisions`. Like
:class:`~fcatlas.grants.store.GrantStore` it works in the caller's session (the caller commits)
or, opened on a URL, in its own transactions. Who may do what is decided by the use cases of
:mod:`fcatlas.services.grants`, before they call the store.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fcatlas.db import SessionStore, open_engine, utcnow
from fcatlas.domain import FIRST_YEAR, LAST_YEAR, plausible_year
from fcatlas.errors import ConfigError, ConflictError, NotFoundError
from fcatlas.geography.exclusion import ExclusionDefinition
from fcatlas.grants.basis import BASIS_COLUMNS, Basis
from fcatlas.grants.decisions import GrantDecision, GrantYear, GrantYearBasis


class YearStatus(StrEnum):
    """The status of a grant year (the values stored in ``grant_years.status``)."""

    PREPARED = "forberedd"
    DECIDED = "beslutad"


YEAR_STATUS_LABELS: dict[YearStatus, str] = {
    YearStatus.PREPARED: "Förberedd (ej beslutad)",
    YearStatus.DECIDED: "Beslutad",
}


class BasisKind(StrEnum):
    """Where a year's basis came from (``grant_years.basis_kind``)."""

    NONE = "ingen"
    FILE = "fil"
    BUNDLE = "datapaket"


def check_year(year: int) -> int:
    """A grant year within the one year rule (:func:`fcatlas.domain.plausible_year`).

    >>> check_year(2026)
    2026
    >>> check_year(1999)
    Traceback (most recent call last):
    ...
    fcatlas.errors.ConfigError: 1999 är inget rimligt bidragsår (2000–2100)
    """
    if not plausible_year(int(year)):
        raise ConfigError(f"{year} är inget rimligt bidragsår ({FIRST_YEAR}–{LAST_YEAR})")
    return int(year)


def _aware(ts: dt.datetime | None) -> dt.datetime | None:
    if ts is None:
        return None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class YearView:
    """A stored grant year as plain values (the result the faces show)."""

    year: int
    status: YearStatus
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
    #: the exclusion definition the basis was counted under, as data (``None``: a basis file)
    basis_exclusion: ExclusionDefinition | None = None

    @property
    def decided(self) -> bool:
        return self.status is YearStatus.DECIDED


@dataclass(frozen=True)
class DecisionRow:
    """One region's decided amount, as stored when the year was decided."""

    region_code: str
    region_name: str
    eligible: bool
    basis_children: int
    fixed_sek: int
    variable_sek: int
    total_sek: int


@dataclass(frozen=True)
class YearTerms:
    """What the national level sets for a year before deciding it."""

    total_sek: int
    fixed_sek: int
    include_all: bool
    report_deadline: dt.date


def check_changeable(view: YearView | None, year: int) -> None:
    """A decided year never changes (:class:`ConflictError`)."""
    if view is not None and view.decided:
        raise ConflictError(f"statsbidraget för {year} är redan beslutat och kan inte ändras")


class YearStore(SessionStore):
    """The grant years, their basis and decided allocations (tables of :mod:`fcatlas.grants.decisions`)."""

    def __init__(self, session: Session | Engine) -> None:
        super().__init__(session)

    @classmethod
    def open(cls, url: str) -> YearStore:
        """The store on the process's engine for ``url`` (each call one transaction)."""
        return cls(open_engine(url))

    # -- reading ----------------------------------------------------------------------------
    def get(self, year: int) -> YearView | None:
        with self.transaction() as s:
            row = s.get(GrantYear, int(year))
            return None if row is None else _view(row)

    def years(self, *, status: YearStatus | None = None) -> list[YearView]:
        """Every year (or those with ``status``), oldest first."""
        with self.transaction() as s:
            q = select(GrantYear).order_by(GrantYear.year)
            if status is not None:
                q = q.where(GrantYear.status == status.value)
            return [_view(r) for r in s.scalars(q)]

    def basis(self, year: int) -> Basis | None:
        """The year's basis as it was stored (``None`` when it has none yet)."""
        with self.transaction() as s:
            row = s.get(GrantYear, int(year))
            return None if row is None or not row.basis else _basis_of(row)

    def decisions(self, year: int) -> list[DecisionRow]:
        """The decided allocation, by region code (empty before the decision)."""
        with self.transaction() as s:
            row = s.get(GrantYear, int(year))
            if row is None:
                return []
            return [DecisionRow(d.region_code, d.region_name, bool(d.eligible), int(d.basis_children),
                                int(d.fixed_sek), int(d.variable_sek), int(d.total_sek)) for d in row.decisions]

    # -- writing ----------------------------------------------------------------------------
    def save(self, year: int, terms: YearTerms, *, basis: Basis | None, user: str,
             now: dt.datetime | None = None) -> YearView:
        """Create a prepared year or change one (``basis`` None keeps the stored basis); a
        decided year is refused."""
        y, now = check_year(year), now or utcnow()
        with self.transaction() as s:
            row = s.get(GrantYear, y)
            check_changeable(None if row is None else _view(row), y)
            if row is None:
                row = GrantYear(year=y, status=YearStatus.PREPARED.value, basis_kind=BasisKind.NONE.value,
                                basis_source="", basis_definition="", basis_notes=[], basis_sources=[],
                                created_by=user, created_at=now)
                s.add(row)
            row.total_sek, row.fixed_sek = int(terms.total_sek), int(terms.fixed_sek)
            row.include_all, row.report_deadline = bool(terms.include_all), terms.report_deadline
            row.updated_by, row.updated_at = user, now
            if basis is not None:
                _store_basis(row, basis)
            s.flush()
            return _view(row)

    def set_basis(self, year: int, basis: Basis, *, user: str, now: dt.datetime | None = None) -> YearView:
        """Replace the basis of a prepared year."""
        y = check_year(year)
        with self.transaction() as s:
            row = s.get(GrantYear, y)
            if row is None:
                raise NotFoundError(f"statsbidraget för {year} är inte förberett; lägg upp året först")
            check_changeable(_view(row), y)
            _store_basis(row, basis)
            row.updated_by, row.updated_at = user, now or utcnow()
            s.flush()
            return _view(row)

    def decide(self, year: int, rows: list[DecisionRow], *, user: str, now: dt.datetime) -> YearView:
        """Store the decided allocation once; the year is decided from then on."""
        y = check_year(year)
        with self.transaction() as s:
            row = s.get(GrantYear, y)
            if row is None:
                raise NotFoundError(f"statsbidraget för {year} är inte förberett")
            if row.status == YearStatus.DECIDED.value:
                raise ConflictError(f"statsbidraget för {year} är redan beslutat ({_aware(row.decided_at):%Y-%m-%d} "
                                    f"av {row.decided_by})")
            row.decisions = [GrantDecision(region_code=r.region_code, region_name=r.region_name, eligible=r.eligible,
                                           basis_children=r.basis_children, fixed_sek=r.fixed_sek,
                                           variable_sek=r.variable_sek, total_sek=r.total_sek) for r in rows]
            row.status, row.decided_by, row.decided_at = YearStatus.DECIDED.value, user, now
            row.updated_by, row.updated_at = user, now
            s.flush()
            return _view(row)


def _exclusion_of(row: GrantYear) -> ExclusionDefinition | None:
    data = row.basis_exclusion
    return ExclusionDefinition.from_data(data) if isinstance(data, dict) else None


def _view(row: GrantYear) -> YearView:
    created = _aware(row.created_at)
    assert created is not None
    return YearView(
        year=row.year, status=YearStatus(row.status), total_sek=int(row.total_sek), fixed_sek=int(row.fixed_sek),
        include_all=bool(row.include_all), report_deadline=row.report_deadline, basis_kind=row.basis_kind,
        basis_source=row.basis_source, basis_definition=row.basis_definition, basis_data_year=row.basis_data_year,
        estimated=any(b.estimated for b in row.basis), notes=[str(n) for n in row.basis_notes or []],
        created_by=row.created_by, created_at=created, decided_by=row.decided_by, decided_at=_aware(row.decided_at),
        basis_exclusion=_exclusion_of(row),
    )


def _store_basis(row: GrantYear, basis: Basis) -> None:
    row.basis_kind = (BasisKind.FILE if basis.source.startswith("fil ") else BasisKind.BUNDLE).value
    row.basis_source, row.basis_definition = basis.source, basis.definition
    row.basis_exclusion = None if basis.exclusion is None else basis.exclusion.to_data()
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
    records: list[dict[str, Any]] = [
        {"region_code": b.region_code, "region_name": b.region_name, "basis_children": int(b.basis_children),
         "n_areas": b.n_areas, "estimated": bool(b.estimated)} for b in row.basis
    ]
    table = pd.DataFrame(records, columns=BASIS_COLUMNS)
    table["n_areas"] = table["n_areas"].astype("Int64")
    table["basis_children"] = table["basis_children"].astype("int64")
    return Basis(table, source=row.basis_source, definition=row.basis_definition, data_year=row.basis_data_year,
                 notes=list(row.basis_notes or []), sources=list(row.basis_sources or []),
                 exclusion=_exclusion_of(row))
