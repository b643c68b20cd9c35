"""Tables of the economics room (SQLAlchemy 2). The schema is created by the Alembic migrations
``fcatlas/db/migrations/versions/economics_*.py`` (branch ``economics``), never by ``create_all``.

* ``economics_listed`` — listed children 0–6 (and women 16–54) per health centre and year, as
  imported; one row per centre and year. A re-import of a year replaces that whole year.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from fcatlas.db import Base


class ListedCount(Base):
    __tablename__ = "economics_listed"
    __table_args__ = (
        UniqueConstraint("centre_id", "year", name="uq_economics_listed_centre_year"),
        CheckConstraint("children >= 0", name="children_nonneg"),
        CheckConstraint("women IS NULL OR women >= 0", name="women_nonneg"),
        CheckConstraint("regi IS NULL OR regi IN ('regional', 'privat')", name="regi"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    centre_id: Mapped[str] = mapped_column(String(120), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    kommun_code: Mapped[str] = mapped_column(String(4), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    children: Mapped[int] = mapped_column(Integer, nullable=False)
    women: Mapped[int | None] = mapped_column(Integer, nullable=True)
    regi: Mapped[str | None] = mapped_column(String(20), nullable=True)
    source_file: Mapped[str] = mapped_column(String(500), nullable=False, default="")
    imported_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), nullable=False)
