"""Tables of the grant follow-up (SQLAlchemy 2, Alembic branch ``grants``; the schema is made by
the migrations ``grants_*.py``, never by ``create_all``):

* ``grant_reports`` — one row per recipient (län code) and grant year: status with
  timestamps, amount received, staff, unused amount, account, deadline;
* ``grant_report_uses`` — amount per permitted purpose;
* ``grant_report_units`` — linked register units (ids);
* ``grant_report_events`` — every status change with its time, comment and acting user.

The tables of grant years and decisions are in :mod:`fcatlas.grants.decisions`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from fcatlas.db import Base
from fcatlas.grants import decisions as _decisions  # noqa: F401  (the decision tables on the same branch)
from fcatlas.grants.followup import Purpose, ReportStatus

_STATUSES = ", ".join(f"'{s.value}'" for s in ReportStatus)
_PURPOSES = ", ".join(f"'{p.value}'" for p in Purpose)


class GrantReport(Base):
    __tablename__ = "grant_reports"
    __table_args__ = (
        UniqueConstraint("region_code", "year", name="uq_grant_reports_region_year"),
        CheckConstraint(f"status IN ({_STATUSES})", name="status"),
        CheckConstraint("amount_received_sek >= 0", name="received_nonneg"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    region_code: Mapped[str] = mapped_column(String(2), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default=ReportStatus.NOT_STARTED.value)
    amount_received_sek: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    #: The decided allocation (``grant report open --allocation``); None when not known.
    allocated_sek: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    fte: Mapped[Decimal | None] = mapped_column(Numeric(8, 2), nullable=True)
    role: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    unused_sek: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    account: Mapped[str] = mapped_column(Text, nullable=False, default="")
    deadline: Mapped[dt.date] = mapped_column(Date, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    returned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    uses: Mapped[list[GrantReportUse]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="GrantReportUse.purpose"
    )
    units: Mapped[list[GrantReportUnit]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="GrantReportUnit.unit_id"
    )
    events: Mapped[list[GrantReportEvent]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="GrantReportEvent.id"
    )


class GrantReportUse(Base):
    __tablename__ = "grant_report_uses"
    __table_args__ = (
        CheckConstraint(f"purpose IN ({_PURPOSES})", name="purpose"),
        CheckConstraint("amount_sek >= 0", name="amount_nonneg"),
    )

    report_id: Mapped[int] = mapped_column(
        ForeignKey("grant_reports.id", ondelete="CASCADE"), primary_key=True
    )
    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    amount_sek: Mapped[int] = mapped_column(BigInteger, nullable=False)
    report: Mapped[GrantReport] = relationship(back_populates="uses")


class GrantReportUnit(Base):
    __tablename__ = "grant_report_units"

    report_id: Mapped[int] = mapped_column(
        ForeignKey("grant_reports.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    report: Mapped[GrantReport] = relationship(back_populates="units")


class GrantReportEvent(Base):
    __tablename__ = "grant_report_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("grant_reports.id", ondelete="CASCADE"), nullable=False, index=True
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20), nullable=True)
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    user_name: Mapped[str | None] = mapped_column(String(254), nullable=True)
    report: Mapped[GrantReport] = relationship(back_populates="events")
