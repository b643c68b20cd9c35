"""Tables of the register (SQLAlchemy 2). The schema is created by the Alembic migrations in
``fcatlas/db/migrations/versions/register_*.py`` (branch ``register``), never by ``create_all``.

* ``register_units`` — the current state of every unit ever reported (never deleted);
  ``version`` is bumped on every change and used to refuse concurrent edits;
* ``register_round_units`` — what each inventory round said about each unit (a snapshot of the
  same fields), used by ``list_units(round=…)`` and the round-to-round diff;
* ``register_imports`` — one row per import that changed something;
* ``register_audit`` — every change of a unit: who, when, before and after (JSON).

Database column names avoid SQL words (``has_of`` rather than ``of``, ``round_year``); the
public DataFrame of :meth:`fcatlas.register.store.Register.list_units` uses the short names.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from fcatlas.db import Base

#: Fields a unit has in both the current table and the round snapshots.
UNIT_FIELDS = (
    "name",
    "kommun_code",
    "lan_code",
    "category",
    "status",
    "status_date",
    "has_mvc",
    "has_bvc",
    "has_of",
    "has_soc",
    "co_located",
    "other_partners",
    "address",
    "postcode",
    "locality",
    "lat",
    "lon",
    "precision",
    "stated_accuracy",
    "source_coordinates",
    "note",
    # governance (ja/nej/okänt → True/False/None), migration register_0002_governance
    "gov_steering_group",
    "gov_coordinator",
    "gov_written_agreement",
    "gov_joint_plan",
    "gov_joint_followup",
    "gov_joint_meetings",
)


class UnitFieldsMixin:
    name: Mapped[str] = mapped_column(String(200))
    kommun_code: Mapped[str] = mapped_column(String(4), index=True)
    lan_code: Mapped[str] = mapped_column(String(2), index=True)
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(30))
    status_date: Mapped[str | None] = mapped_column(String(10), nullable=True)
    has_mvc: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    has_bvc: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    has_of: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    has_soc: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    co_located: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    other_partners: Mapped[str | None] = mapped_column(String(500), nullable=True)
    address: Mapped[str | None] = mapped_column(String(200), nullable=True)
    postcode: Mapped[str | None] = mapped_column(String(5), nullable=True)
    locality: Mapped[str | None] = mapped_column(String(100), nullable=True)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    precision: Mapped[str] = mapped_column(String(20))
    stated_accuracy: Mapped[str | None] = mapped_column(String(100), nullable=True)
    source_coordinates: Mapped[str | None] = mapped_column(String(200), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    gov_steering_group: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    gov_coordinator: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    gov_written_agreement: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    gov_joint_plan: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    gov_joint_followup: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    gov_joint_meetings: Mapped[bool | None] = mapped_column(Boolean, nullable=True)


class ImportRecord(Base):
    __tablename__ = "register_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_year: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_name: Mapped[str] = mapped_column(String(200))
    n_rows: Mapped[int] = mapped_column(Integer)
    n_accepted: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)
    n_new: Mapped[int] = mapped_column(Integer)
    n_changed: Mapped[int] = mapped_column(Integer)


class Unit(UnitFieldsMixin, Base):
    __tablename__ = "register_units"

    id: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_round: Mapped[int] = mapped_column(Integer)
    last_round: Mapped[int] = mapped_column(Integer, index=True)
    source_file: Mapped[str | None] = mapped_column(String(500), nullable=True)
    source_row: Mapped[int | None] = mapped_column(Integer, nullable=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    #: Why the status is what it is when the register set it ("saknas i inventering 2027",
    #: "sammanslagen med …"); cleared when a later round reports the unit again.
    status_reason: Mapped[str | None] = mapped_column(String(200), nullable=True)
    #: The round as of which the unit was closed by the register (absent from its region's list).
    closed_round: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: The unit this one was merged into (a duplicate; ``register merge``).
    merged_into: Mapped[str | None] = mapped_column(String(100), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RoundUnit(UnitFieldsMixin, Base):
    __tablename__ = "register_round_units"

    round_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("register_units.id"), primary_key=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("register_imports.id"), nullable=True)


class AuditEntry(Base):
    __tablename__ = "register_audit"
    #: a unit's entries in order, from the index (its newest: who saved it last)
    __table_args__ = (Index("ix_register_audit_unit_id_id", "unit_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("register_units.id"))
    action: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    version: Mapped[int] = mapped_column(Integer)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    import_id: Mapped[int | None] = mapped_column(ForeignKey("register_imports.id"), nullable=True)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class InventoryRound(Base):
    """An inventory round opened by the national level (``round_year`` is the round's name)."""

    __tablename__ = "register_rounds"

    round_year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    deadline: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    opened_by: Mapped[str] = mapped_column(String(254))
    opened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    published_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    #: the first publication (a round stays open after it for the regions not yet approved)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the national level closed the round (migration rounds_0002)
    closed_by: Mapped[str | None] = mapped_column(String(254), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RoundRegion(Base):
    """Where one region's list stands in one round."""

    __tablename__ = "register_round_regions"

    round_year: Mapped[int] = mapped_column(ForeignKey("register_rounds.round_year"), primary_key=True)
    lan_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    changed_by: Mapped[str] = mapped_column(String(254))
    changed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: the region's own (extended) deadline; ``None``: the round's
    deadline: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: when this region's approved list became public
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class RoundEvent(Base):
    """Every step of the round (opened, submitted, returned, approved, published): who, when, why."""

    __tablename__ = "register_round_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("register_rounds.round_year"), index=True)
    lan_code: Mapped[str | None] = mapped_column(String(2), nullable=True)
    action: Mapped[str] = mapped_column(String(20))
    user_name: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)


class PendingImport(Base):
    """An uploaded list awaiting confirmation: previewed (nothing stored in the register) until a
    person confirms it, then stored with the same rules as ``fcatlas register import``."""

    __tablename__ = "register_pending_imports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    round_year: Mapped[int] = mapped_column(ForeignKey("register_rounds.round_year"))
    lan_code: Mapped[str] = mapped_column(String(2))
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    user_name: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    n_accepted: Mapped[int] = mapped_column(Integer)
    n_rejected: Mapped[int] = mapped_column(Integer)
    confirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    #: ``bara enheterna i filen``: nothing missing from the file is closed
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    #: empty cells empty the fields, even values entered on the web
    erase_blanks: Mapped[bool] = mapped_column(Boolean, default=False)
