"""Stored grant years and decisions (Alembic branch ``grants``, migration ``grants_0003``).

* ``grant_years`` — one row per grant year set up by the national level: total, fixed amount,
  where the basis came from, the report deadline, and whether the year is decided (by whom, when);
* ``grant_year_basis`` — the basis of the year, one row per region (children 0–6 in exclusion
  areas, number of areas, estimated or not);
* ``grant_decisions`` — the decided allocation, one row per region, whole kronor summing exactly
  to the year's total. Written once, when the year is decided; never changed afterwards.

The year's rules and its store are in :mod:`fcatlas.grants.years` (the status values are
:class:`fcatlas.grants.years.YearStatus`); who may do what is decided by the use cases of
:mod:`fcatlas.services.grants`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fcatlas.db import Base

#: the values of :class:`fcatlas.grants.years.YearStatus` (that module imports this one; a test
#: checks that the two agree)
YEAR_STATUSES = ("forberedd", "beslutad")


class GrantYear(Base):
    __tablename__ = "grant_years"
    __table_args__ = (
        CheckConstraint("status IN (" + ", ".join(f"'{s}'" for s in YEAR_STATUSES) + ")", name="status"),
        CheckConstraint("total_sek >= 0 AND fixed_sek >= 0", name="money_nonneg"),
    )

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    total_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    fixed_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    include_all: Mapped[bool] = mapped_column(Boolean, nullable=False)
    report_deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    basis_kind: Mapped[str] = mapped_column(String(10), nullable=False)
    basis_source: Mapped[str] = mapped_column(Text, nullable=False)
    basis_definition: Mapped[str] = mapped_column(Text, nullable=False)
    #: the exclusion definition as data (:meth:`~fcatlas.geography.exclusion.ExclusionDefinition.to_data`;
    #: ``grants_0005``); ``None`` for a basis file. ``basis_definition`` is its label, for reading only.
    basis_exclusion: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    basis_data_year: Mapped[int | None] = mapped_column(Integer, nullable=True)
    basis_notes: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    basis_sources: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    created_by: Mapped[str] = mapped_column(String(254), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_by: Mapped[str] = mapped_column(String(254), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    decided_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    basis: Mapped[list[GrantYearBasis]] = relationship(
        back_populates="grant_year", cascade="all, delete-orphan", order_by="GrantYearBasis.region_code"
    )
    decisions: Mapped[list[GrantDecision]] = relationship(
        back_populates="grant_year", cascade="all, delete-orphan", order_by="GrantDecision.region_code"
    )


class GrantYearBasis(Base):
    __tablename__ = "grant_year_basis"
    __table_args__ = (CheckConstraint("basis_children >= 0", name="basis_nonneg"),)

    year: Mapped[int] = mapped_column(ForeignKey("grant_years.year", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    region_name: Mapped[str] = mapped_column(String(200), nullable=False)
    basis_children: Mapped[int] = mapped_column(BigInteger, nullable=False)
    n_areas: Mapped[int | None] = mapped_column(Integer, nullable=True)
    estimated: Mapped[bool] = mapped_column(Boolean, nullable=False)
    grant_year: Mapped[GrantYear] = relationship(back_populates="basis")


class GrantDecision(Base):
    __tablename__ = "grant_decisions"
    __table_args__ = (CheckConstraint("total_sek = fixed_sek + variable_sek", name="parts_sum"),)

    year: Mapped[int] = mapped_column(ForeignKey("grant_years.year", ondelete="CASCADE"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    region_name: Mapped[str] = mapped_column(String(200), nullable=False)
    eligible: Mapped[bool] = mapped_column(Boolean, nullable=False)
    basis_children: Mapped[int] = mapped_column(BigInteger, nullable=False)
    fixed_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    variable_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    total_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    grant_year: Mapped[GrantYear] = relationship(back_populates="decisions")
