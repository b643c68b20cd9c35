"""Storage of listed children per health centre in the project database (SQLite or PostgreSQL;
the same database as the register). ``ListedStore(session)`` works in the caller's unit of work;
:meth:`ListedStore.open` gives the CLI a store with its own session.

An import replaces every year present in the file, in one transaction: all rows of those years
go and the file's rows come in, or — on any error — nothing changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import delete, func, select

from fcatlas.db import SessionStore, open_engine
from fcatlas.economics.errors import EconomicsError
from fcatlas.economics.intake import ListedRow, centre_key
from fcatlas.economics.listed import LISTED_COLUMNS
from fcatlas.economics.models import ListedCount


@dataclass(frozen=True)
class ImportSummary:
    years: list[int]
    rows: int
    replaced: dict[int, int]  # year -> rows that were there before


class ListedStore(SessionStore):
    """Listed children per health centre and year."""

    @classmethod
    def open(cls, url: str) -> ListedStore:
        """The store on the process's engine for ``url`` (its own session, each call one
        transaction). The schema must be current (an empty database is created); nothing is migrated."""
        return cls(open_engine(url))

    def replace(self, rows: Sequence[ListedRow], source: str = "", now: dt.datetime | None = None) -> ImportSummary:
        """Store ``rows``; every year they contain is replaced as a whole (one transaction)."""
        if not rows:
            raise EconomicsError("inga rader att spara")
        now = now or dt.datetime.now(dt.UTC)
        years = sorted({r.year for r in rows})
        replaced: dict[int, int] = {}
        with self.transaction() as s:
            for y in years:
                replaced[y] = int(s.scalar(select(func.count()).select_from(ListedCount).where(ListedCount.year == y))
                                  or 0)
            s.execute(delete(ListedCount).where(ListedCount.year.in_(years)))
            s.add_all(
                ListedCount(centre_id=r.centre_id, name=r.name, kommun_code=r.kommun_code, year=r.year,
                            children=r.children, women=r.women, regi=r.regi, source_file=source[:500],
                            imported_at=now)
                for r in rows
            )
        return ImportSummary(years, len(rows), replaced)

    def frame(self, years: Sequence[int] | None = None) -> pd.DataFrame:
        """All stored counts (or those of ``years``): :data:`~fcatlas.economics.listed.LISTED_COLUMNS`."""
        q = select(ListedCount.centre_id, ListedCount.name, ListedCount.kommun_code, ListedCount.year,
                   ListedCount.children, ListedCount.women, ListedCount.regi)
        if years is not None:
            q = q.where(ListedCount.year.in_(list(years)))
        with self.transaction() as s:
            rows = s.execute(q.order_by(ListedCount.centre_id, ListedCount.year)).all()
        df = pd.DataFrame([tuple(r) for r in rows], columns=LISTED_COLUMNS)
        df["year"] = df["year"].astype("int64")
        df["children"] = df["children"].astype("int64")
        df["women"] = df["women"].astype("Int64")
        return df

    def years(self) -> list[int]:
        with self.transaction() as s:
            return [int(y) for y in s.scalars(select(ListedCount.year).distinct().order_by(ListedCount.year))]


def match_centres(names: Sequence[tuple[int | None, str]], listed: pd.DataFrame) -> tuple[dict[str, str], list[tuple[int | None, str, str]]]:
    """Match names (with their row numbers) to the centres of ``listed`` (one year).

    Returns ``name -> centre_id`` for the matched ones and ``(row, name, reason)`` for the rest
    (unknown, or the same name in several kommuner). Names match when equal after
    :func:`~fcatlas.economics.intake.centre_key` (``Vårdcentral Kvarnporten`` = ``Kvarnporten``) or
    equal to a ``centre_id``.
    """
    by_key: dict[str, set[str]] = {}
    for cid, name in zip(listed["centre_id"], listed["name"], strict=True):
        by_key.setdefault(centre_key(str(name)), set()).add(str(cid))
        by_key.setdefault(str(cid), set()).add(str(cid))
    found: dict[str, str] = {}
    bad: list[tuple[int | None, str, str]] = []
    for row, name in names:
        hits = by_key.get(centre_key(name)) or by_key.get(name.strip()) or set()
        if len(hits) == 1:
            found[name] = next(iter(hits))
        elif not hits:
            bad.append((row, name, f"vårdcentralen {name!r} finns inte bland de listade"))
        else:
            bad.append((row, name, f"{name!r} finns i flera kommuner ({', '.join(sorted(hits))}); ange id"))
    return found, bad
