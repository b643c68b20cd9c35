"""Storage of the grant follow-up in the project database (SQLite or PostgreSQL).

The tables are in :mod:`fcatlas.grants.models`. ``GrantStore(session)`` works in the caller's
unit of work; :meth:`GrantStore.open` gives the CLI a store with its own session. Every status
event records the acting user (``user``; by default the login name).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from fcatlas.db import SessionStore, acting_user, open_engine, utcnow
from fcatlas.domain import comment_given
from fcatlas.grants.followup import (
    CONTROL_CHARS,
    EDITABLE,
    PURPOSE_LABELS,
    STATUS_LABELS,
    Finding,
    Purpose,
    ReportData,
    ReportError,
    ReportStatus,
    check_report,
    check_transition,
    errors,
    is_late,
)
from fcatlas.grants.models import GrantReport, GrantReportEvent, GrantReportUnit, GrantReportUse
from fcatlas.grants.plan import report_deadline

__all__ = ["LIST_COLUMNS", "GrantReport", "GrantReportEvent", "GrantReportUnit", "GrantReportUse", "GrantStore",
           "ReportView"]




def _aware(ts: dt.datetime | None) -> dt.datetime | None:
    if ts is None:
        return None
    return ts if ts.tzinfo is not None else ts.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class ReportView:
    """A stored report as plain values."""

    data: ReportData
    status: ReportStatus
    deadline: dt.date
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    returned_at: dt.datetime | None
    approved_at: dt.datetime | None
    allocated_sek: int | None = None

    @property
    def late(self) -> bool:
        return self.submitted_at is not None and is_late(self.submitted_at, self.deadline)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


LIST_COLUMNS = [
    "region_code",
    "year",
    "status",
    "status_label",
    "allocated_sek",
    "amount_received_sek",
    "used_sek",
    *[p.value + "_sek" for p in Purpose],
    "unused_sek",
    "fte",
    "role",
    "unit_ids",
    "deadline",
    "submitted_at",
    "late",
    "returned_at",
    "approved_at",
    "updated_at",
]


class GrantStore(SessionStore):
    """The follow-up store. ``unit_exists`` (optional) checks linked register units,
    ``unit_lan`` (optional) their län, so that a region links only its own units.

    ``GrantStore(session)`` works inside the caller's unit of work (it flushes, the caller
    commits); :meth:`open` (or an engine) gives each method its own transaction.
    ``user`` on the writing methods is recorded with the status event (who did it; by default
    the login name).
    """

    def __init__(self, session: Session | Engine, unit_exists: Callable[[str], bool] | None = None,
                 unit_lan: Callable[[str], str | None] | None = None) -> None:
        super().__init__(session)
        self.unit_exists = unit_exists
        self.unit_lan = unit_lan

    @classmethod
    def in_session(cls, session: Session, unit_exists: Callable[[str], bool] | None = None,
                   unit_lan: Callable[[str], str | None] | None = None) -> GrantStore:
        """A store working inside ``session`` (the caller commits); the same as ``GrantStore(session, …)``."""
        return cls(session, unit_exists, unit_lan)

    @classmethod
    def open(cls, url: str, unit_exists: Callable[[str], bool] | None = None,
             unit_lan: Callable[[str], str | None] | None = None) -> GrantStore:
        """The store on the process's engine for ``url`` (its own session, each call one
        transaction). The schema must be current (an empty database is created); nothing is migrated."""
        return cls(open_engine(url), unit_exists, unit_lan)

    def allocated(self, region_code: str, year: int) -> int | None:
        """The decided allocation for a region and year (from ``open_year``), if known."""
        with self.transaction() as s:
            row = self._get(s, region_code, year)
            return None if row is None or row.allocated_sek is None else int(row.allocated_sek)

    def check(self, data: ReportData, deadline: dt.date | None = None) -> list[Finding]:
        """Every finding for ``data`` against the register and the decided allocation."""
        return check_report(data, self.unit_exists, deadline, unit_lan=self.unit_lan,
                            allocated_sek=self.allocated(data.region_code, data.year))

    # -- writing ----------------------------------------------------------------------------
    def open_year(
        self,
        year: int,
        amounts: dict[str, int],
        deadline: dt.date | None = None,
        now: dt.datetime | None = None,
        user: str | None = None,
    ) -> int:
        """Create a not-started report for every recipient of ``amounts`` (län → kronor) that has
        none for ``year``; update the amount of those still not started. Returns how many were
        created."""
        now = now or utcnow()
        created = 0
        with self.transaction() as s:
            for code, amount in sorted(amounts.items()):
                if int(amount) < 0:
                    raise ReportError(f"beloppet för region {code} år {year} är negativt ({amount} kr)", [])
                if int(amount) == 0:
                    continue
                row = self._get(s, code, year)
                if row is None:
                    data = ReportData(region_code=code, year=year, amount_received_sek=int(amount))
                    self._raise_on_errors(data, None)
                    row = self._new(s, data, deadline or report_deadline(year), now, user)
                    row.allocated_sek = int(amount)
                    created += 1
                else:
                    row.allocated_sek = int(amount)
                    if row.status == ReportStatus.NOT_STARTED.value:
                        row.amount_received_sek = int(amount)
                    row.updated_at = now
        return created

    def save(
        self,
        data: ReportData,
        deadline: dt.date | None = None,
        now: dt.datetime | None = None,
        comment: str = "",
        user: str | None = None,
    ) -> ReportView:
        """Create or update the content of a report (as a draft).

        A not-started report becomes a draft; a returned one stays returned until it is
        submitted again; submitted and approved reports cannot be changed.
        """
        now = now or utcnow()
        with self.transaction() as s:
            row = self._get(s, data.region_code, data.year, lock=True)
            dl = deadline or (row.deadline if row is not None else report_deadline(data.year))
            self._raise_on_errors(data, dl)
            if row is None:
                row = self._new(s, data, dl, now, user)
            else:
                status = ReportStatus(row.status)
                if status not in EDITABLE:
                    raise ReportError(
                        f"rapporten för {data.region_code} år {data.year} är {STATUS_LABELS[status].lower()} "
                        "och kan inte ändras"
                    )
                if deadline is not None:
                    row.deadline = deadline
            self._fill(row, data)
            row.updated_at = now
            if row.status == ReportStatus.NOT_STARTED.value:
                self._event(row, ReportStatus.DRAFT, now, comment, user)
            s.flush()
            return self._view(row)

    def set_status(
        self,
        region_code: str,
        year: int,
        status: ReportStatus,
        at: dt.datetime | None = None,
        comment: str = "",
        user: str | None = None,
    ) -> ReportView:
        """Change the status along :data:`~fcatlas.grants.followup.TRANSITIONS`.

        Submitting checks the report (errors refuse it) and records the time; a submission after
        the deadline is kept and flagged ``late``.
        """
        at = _aware(at) or utcnow()
        if CONTROL_CHARS.search(comment):
            raise ReportError("kommentaren innehåller otillåtna styrtecken (t.ex. NUL); skriv om den")
        with self.transaction() as s:
            row = self._get(s, region_code, year, lock=True)
            if row is None:
                raise ReportError(f"det finns ingen rapport för region {region_code} år {year}")
            old = ReportStatus(row.status)
            check_transition(old, status)
            if status is ReportStatus.SUBMITTED:
                self._raise_on_errors(self._data(row), None)
                row.submitted_at = at
            elif status is ReportStatus.RETURNED:
                if not comment_given(comment):
                    raise ReportError("ange vad som ska kompletteras (kommentar) när rapporten returneras")
                row.returned_at = at
            elif status is ReportStatus.APPROVED:
                row.approved_at = at
            self._event(row, status, at, comment, user)
            row.updated_at = at
            s.flush()
            return self._view(row)

    def submit(self, data: ReportData, deadline: dt.date | None = None, at: dt.datetime | None = None,
               user: str | None = None) -> ReportView:
        """Save and submit in one go (``data.submitted_at`` or ``at`` is the submission time)."""
        when = _aware(at or data.submitted_at) or utcnow()
        self.save(data, deadline=deadline, now=when, user=user)
        return self.set_status(data.region_code, data.year, ReportStatus.SUBMITTED, at=when, user=user)

    # -- reading ----------------------------------------------------------------------------
    def find(self, region_code: str, year: int) -> ReportView | None:
        """The report of a region and year, or ``None`` when there is none."""
        with self.transaction() as s:
            row = self._get(s, region_code, int(year))
            return None if row is None else self._view(row)

    def get(self, region_code: str, year: int) -> ReportView:
        with self.transaction() as s:
            row = self._get(s, region_code, year)
            if row is None:
                raise ReportError(f"det finns ingen rapport för region {region_code} år {year}")
            return self._view(row)

    def history(self, region_code: str, year: int) -> list[dict[str, Any]]:
        with self.transaction() as s:
            row = self._get(s, region_code, year)
            if row is None:
                raise ReportError(f"det finns ingen rapport för region {region_code} år {year}")
            return [
                {"at": _aware(e.at), "from_status": e.from_status, "to_status": e.to_status, "comment": e.comment,
                 "user": e.user_name}
                for e in row.events
            ]

    def reports(
        self,
        year: int | None = None,
        region_code: str | None = None,
        status: ReportStatus | None = None,
    ) -> list[ReportView]:
        with self.transaction() as s:
            q = select(GrantReport).order_by(GrantReport.year, GrantReport.region_code)
            if year is not None:
                q = q.where(GrantReport.year == year)
            if region_code is not None:
                q = q.where(GrantReport.region_code == region_code)
            if status is not None:
                q = q.where(GrantReport.status == status.value)
            return [self._view(r) for r in s.scalars(q)]

    def frame(self, **filters: Any) -> pd.DataFrame:
        """The reports as a table (:data:`LIST_COLUMNS`)."""
        return reports_frame(self.reports(**filters))

    def summary(self, year: int | None = None) -> pd.DataFrame:
        """National summary per year (all regions): counts by status, kronor by purpose."""
        return national_summary(self.reports(year=year))

    def overdue(self, today: dt.date, year: int | None = None) -> pd.DataFrame:
        """Reports past their deadline: not submitted by ``today``, or submitted late."""
        views = self.reports(year=year)
        rows = []
        for v in views:
            if v.submitted_at is None and today > v.deadline and v.status is not ReportStatus.APPROVED:
                rows.append(v)
            elif v.late:
                rows.append(v)
        df = reports_frame(rows)
        df.insert(
            3,
            "days_late",
            [
                ((v.submitted_at.date() if v.submitted_at else today) - v.deadline).days
                for v in rows
            ],
        )
        return df

    # -- internals --------------------------------------------------------------------------
    def _raise_on_errors(self, data: ReportData, deadline: dt.date | None) -> None:
        errs = errors(check_report(data, self.unit_exists, deadline, unit_lan=self.unit_lan))
        if errs:
            raise ReportError(
                f"rapporten för region {data.region_code} år {data.year} har fel:\n"
                + "\n".join(f"  {e}" for e in errs),
                errs,
            )

    @staticmethod
    def _get(s: Session, code: str, year: int, lock: bool = False) -> GrantReport | None:
        """The report, with ``lock`` read afresh and locked until the transaction ends (``SELECT …
        FOR UPDATE``): a status change or an edit checks the state it starts from under the lock,
        so of two at once the second sees what the first did (issue 21)."""
        q = select(GrantReport).where(GrantReport.region_code == code, GrantReport.year == year)
        if not lock:
            return s.scalars(q).one_or_none()
        row = s.scalars(q.with_for_update()).one_or_none()
        if row is not None:
            s.expire(row)  # read again, collections too, as they stand under the lock
        return row

    def _new(self, s: Session, data: ReportData, deadline: dt.date, now: dt.datetime,
             user: str | None = None) -> GrantReport:
        row = GrantReport(
            region_code=data.region_code,
            year=data.year,
            status=ReportStatus.NOT_STARTED.value,
            amount_received_sek=data.amount_received_sek,
            deadline=deadline,
            created_at=now,
            updated_at=now,
            role="",
            account="",
        )
        s.add(row)
        row.events.append(GrantReportEvent(at=now, from_status=None, to_status=row.status, comment="skapad",
                                          user_name=acting_user(user)[:254]))
        return row

    @staticmethod
    def _fill(row: GrantReport, data: ReportData) -> None:
        row.amount_received_sek = data.amount_received_sek
        row.fte = data.fte
        row.role = data.role
        row.unused_sek = data.unused_sek
        row.account = data.account
        row.uses = [GrantReportUse(purpose=k, amount_sek=int(v)) for k, v in sorted(data.uses.items())]
        row.units = [GrantReportUnit(unit_id=u) for u in sorted(set(data.unit_ids))]

    @staticmethod
    def _event(row: GrantReport, new: ReportStatus, at: dt.datetime, comment: str, user: str | None = None) -> None:
        row.events.append(GrantReportEvent(at=at, from_status=row.status, to_status=new.value, comment=comment,
                                           user_name=acting_user(user)[:254]))
        row.status = new.value

    @staticmethod
    def _data(row: GrantReport) -> ReportData:
        return ReportData(
            region_code=row.region_code,
            year=row.year,
            amount_received_sek=int(row.amount_received_sek),
            uses={u.purpose: int(u.amount_sek) for u in row.uses},
            fte=Decimal(row.fte) if row.fte is not None else None,
            role=row.role,
            unit_ids=[u.unit_id for u in row.units],
            unused_sek=int(row.unused_sek) if row.unused_sek is not None else None,
            account=row.account,
            submitted_at=_aware(row.submitted_at),
        )

    def _view(self, row: GrantReport) -> ReportView:
        created = _aware(row.created_at)
        updated = _aware(row.updated_at)
        assert created is not None and updated is not None
        return ReportView(
            data=self._data(row),
            status=ReportStatus(row.status),
            deadline=row.deadline,
            created_at=created,
            updated_at=updated,
            submitted_at=_aware(row.submitted_at),
            returned_at=_aware(row.returned_at),
            approved_at=_aware(row.approved_at),
            allocated_sek=None if row.allocated_sek is None else int(row.allocated_sek),
        )


def reports_frame(views: Iterable[ReportView]) -> pd.DataFrame:
    rows = []
    for v in views:
        d = v.data
        rows.append(
            {
                "region_code": d.region_code,
                "year": d.year,
                "status": v.status.value,
                "status_label": v.status_label,
                "allocated_sek": v.allocated_sek,
                "amount_received_sek": d.amount_received_sek,
                "used_sek": d.used_sek,
                **{p.value + "_sek": int(d.uses.get(p.value, 0)) for p in Purpose},
                "unused_sek": d.unused_sek,
                "fte": float(d.fte) if d.fte is not None else None,
                "role": d.role,
                "unit_ids": ",".join(d.unit_ids),
                "deadline": v.deadline.isoformat(),
                "submitted_at": v.submitted_at.isoformat(timespec="seconds") if v.submitted_at else None,
                "late": v.late,
                "returned_at": v.returned_at.isoformat(timespec="seconds") if v.returned_at else None,
                "approved_at": v.approved_at.isoformat(timespec="seconds") if v.approved_at else None,
                "updated_at": v.updated_at.isoformat(timespec="seconds"),
            }
        )
    df = pd.DataFrame(rows, columns=LIST_COLUMNS)
    df["unused_sek"] = df["unused_sek"].astype("Int64")
    df["allocated_sek"] = df["allocated_sek"].astype("Int64")
    return df


SUMMARY_COLUMNS = [
    "year",
    "n_reports",
    *[s.value for s in ReportStatus],
    "n_late",
    "amount_received_sek",
    "used_sek",
    *[p.value + "_sek" for p in Purpose],
    "unused_sek",
    "fte",
]


def _exact_sum(values: Iterable[Any]) -> int:
    return sum((int(v) for v in values if v is not None and not pd.isna(v)), 0)


def national_summary(views: Iterable[ReportView]) -> pd.DataFrame:
    """Per year: number of reports per status, late submissions, kronor per purpose, FTE."""
    df = reports_frame(views)
    out = []
    for year, g in df.groupby("year", sort=True):
        row: dict[str, Any] = {"year": int(str(year)), "n_reports": len(g)}
        for s in ReportStatus:
            row[s.value] = int((g["status"] == s.value).sum())
        row["n_late"] = int(g["late"].sum())
        # exact sums in Python integers (never a 64-bit wrap-around)
        row["amount_received_sek"] = _exact_sum(g["amount_received_sek"])
        row["used_sek"] = _exact_sum(g["used_sek"])
        for p in Purpose:
            row[p.value + "_sek"] = _exact_sum(g[p.value + "_sek"])
        row["unused_sek"] = _exact_sum(g["unused_sek"])
        row["fte"] = float(g["fte"].fillna(0).sum())
        out.append(row)
    return pd.DataFrame(out, columns=SUMMARY_COLUMNS)


__all__ = ["GrantStore", "ReportView", "national_summary", "reports_frame", "PURPOSE_LABELS"]
