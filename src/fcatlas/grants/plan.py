"""Scenarios, multi-year plans and payout schedules of the grant (pure, no I/O).

* :func:`compare` — two allocations side by side with the change per region (e.g. the same
  total under områdestyp 1–2 of 2022 and of 2023, or under Utanförskapets karta);
* :func:`make_plan` — the allocation of each year 2026–2030 from each year's basis and total;
* :func:`payout_schedule` — the payments per region (one or more instalments a year), exact to
  the krona;
* :func:`report_deadline` — the default deadline of a year's report (31 January of the
  following year; a parameter everywhere it is used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from fcatlas.grants.allocation import (
    DEFAULT_FIXED_SEK,
    TIE_BREAK_RULE,
    AllocationError,
    allocate,
    fmt_sek,
)
from fcatlas.grants.basis import Basis

#: The grant period of the state grant for family centres.
GRANT_YEARS = (2026, 2027, 2028, 2029, 2030)

COMPARE_COLUMNS = [
    "region_code",
    "region_name",
    "basis_a",
    "basis_b",
    "total_a_sek",
    "total_b_sek",
    "change_sek",
    "change_pct",
]

SCHEDULE_COLUMNS = ["year", "instalment", "payout_date", "region_code", "region_name", "amount_sek"]


def report_deadline(year: int, month_day: tuple[int, int] = (1, 31)) -> dt.date:
    """The default deadline of the report on ``year``'s funds: 31 January of ``year + 1``.

    >>> report_deadline(2026)
    datetime.date(2027, 1, 31)
    """
    return dt.date(year + 1, month_day[0], month_day[1])


def compare(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Two allocations (results of :func:`allocate`) side by side.

    Returns :data:`COMPARE_COLUMNS`, one row per region in either, sorted by code;
    ``change_sek = total_b − total_a``; ``change_pct`` relative to A (None where A is 0).

    >>> x = allocate(pd.DataFrame({"region_code": ["18", "20"], "basis_children": [1, 1]}), 2_000_000)
    >>> y = allocate(pd.DataFrame({"region_code": ["18", "20"], "basis_children": [1, 3]}), 2_000_000)
    >>> compare(x, y)["change_sek"].tolist()
    [-92500, 92500]
    """
    left = a[["region_code", "region_name", "basis_children", "total_sek"]].rename(
        columns={"basis_children": "basis_a", "total_sek": "total_a_sek"}
    )
    right = b[["region_code", "region_name", "basis_children", "total_sek"]].rename(
        columns={"basis_children": "basis_b", "total_sek": "total_b_sek", "region_name": "name_b"}
    )
    m = left.merge(right, on="region_code", how="outer")
    m["region_name"] = m["region_name"].fillna(m["name_b"])
    for c in ("basis_a", "basis_b", "total_a_sek", "total_b_sek"):
        m[c] = m[c].fillna(0).astype("int64")
    m["change_sek"] = m["total_b_sek"] - m["total_a_sek"]
    m["change_pct"] = [
        (round(100.0 * ch / ta, 1) if ta else None)
        for ch, ta in zip(m["change_sek"], m["total_a_sek"], strict=True)
    ]
    return m[COMPARE_COLUMNS].sort_values("region_code").reset_index(drop=True)


@dataclass
class GrantPlan:
    """The allocations of several grant years with their bases and the payout schedule."""

    allocations: dict[int, pd.DataFrame]
    bases: dict[int, Basis]
    fixed_sek: int
    schedule: pd.DataFrame
    deadlines: dict[int, dt.date]
    created: dt.date = field(default_factory=dt.date.today)

    @property
    def years(self) -> list[int]:
        return sorted(self.allocations)

    @property
    def estimated(self) -> bool:
        return any(b.estimated for b in self.bases.values())

    def summary(self) -> pd.DataFrame:
        """One row per region, one column per year (``total_YYYY``) and ``total_sek``."""
        frames = []
        for y in self.years:
            a = self.allocations[y][["region_code", "region_name", "total_sek"]].rename(
                columns={"total_sek": f"total_{y}"}
            )
            frames.append(a.set_index(["region_code", "region_name"]))
        out = pd.concat(frames, axis=1).fillna(0).astype("int64")
        out["total_sek"] = out.sum(axis=1)
        return out.reset_index()

    def notes(self) -> list[str]:
        seen: list[str] = []
        for y in self.years:
            for n in self.bases[y].notes:
                if n not in seen:
                    seen.append(n)
        return seen

    def method_text(self) -> list[str]:
        """The method in Swedish, paragraph by paragraph (for the annex)."""
        first = self.bases[self.years[0]]
        return [
            "Statsbidraget för familjecentraler fördelas enligt Socialstyrelsens fördelningsnyckel: "
            f"varje berättigad region får ett fast belopp på {fmt_sek(self.fixed_sek)} kronor, och resten "
            "av årets belopp fördelas efter regionens andel av barnen 0–6 år som bor i områden där "
            "utanförskapet är stort.",
            f"Områden med stort utanförskap avgörs av definitionen: {first.definition}. "
            "Definitionen är en parameter och anges för varje år i tabellerna.",
            "Fördelningen görs i hela kronor med största restmetoden: varje region får först "
            "heltalsdelen av sin andel av den rörliga potten, och de kronor som återstår går en i "
            "taget till regionerna med störst rest. " + TIE_BREAK_RULE + " Delarna summerar därmed "
            "exakt till årets totalbelopp.",
            "Berättigade är regioner med minst ett område med stort utanförskap enligt definitionen "
            "(om inget annat anges). Övriga regioner får inget belopp.",
            "Mottagarna återrapporterar årligen hur bidraget har använts, för "
            f"{self.years[0]} års medel senast {self.deadlines[self.years[0]].isoformat()}.",
        ]

    def to_dict(self) -> dict[str, Any]:
        return {
            "years": self.years,
            "fixed_sek": self.fixed_sek,
            "bases": {y: self.bases[y].to_dict() for y in self.years},
            "deadlines": {y: d.isoformat() for y, d in self.deadlines.items()},
        }


def make_plan(
    bases: Mapping[int, Basis],
    totals: Mapping[int, int],
    fixed_sek: int = DEFAULT_FIXED_SEK,
    *,
    include_all: bool = False,
    instalments: int = 1,
    first_payout: tuple[int, int] = (3, 31),
    deadlines: Mapping[int, dt.date] | None = None,
) -> GrantPlan:
    """Allocate every year of ``totals`` with that year's basis and build the payout schedule.

    ``bases`` maps each year to its :class:`Basis` (the same basis may serve several years).
    """
    if not totals:
        raise AllocationError("planen saknar år (ange minst ett år med totalbelopp)")
    missing = [y for y in totals if y not in bases]
    if missing:
        raise AllocationError("underlag saknas för år " + ", ".join(str(y) for y in sorted(missing)))
    allocations = {
        y: allocate(bases[y].table, total_sek=totals[y], fixed_sek=fixed_sek, year=y, include_all=include_all)
        for y in sorted(totals)
    }
    sched = payout_schedule(allocations, instalments=instalments, first_payout=first_payout)
    dl = {y: (deadlines or {}).get(y, report_deadline(y)) for y in sorted(totals)}
    return GrantPlan(allocations, {y: bases[y] for y in sorted(totals)}, fixed_sek, sched, dl)


def payout_schedule(
    allocations: Mapping[int, pd.DataFrame],
    instalments: int = 1,
    first_payout: tuple[int, int] = (3, 31),
) -> pd.DataFrame:
    """Payments per region and year, split into ``instalments`` (1, 2, 3, 4, 6 or 12) equal parts.

    The parts are whole kronor; the kronor left over by the division go to the earliest
    instalments, so each year's payments sum exactly to the region's amount. Instalments are
    spread evenly over the year from ``first_payout`` (month, day; the day is capped at the
    month's last day).
    """
    if instalments not in (1, 2, 3, 4, 6, 12):
        raise AllocationError("antalet utbetalningar per år ska vara 1, 2, 3, 4, 6 eller 12")
    step = 12 // instalments
    rows = []
    for y in sorted(allocations):
        a = allocations[y]
        paid = a.loc[a["total_sek"] > 0]
        for code, name, amount in zip(paid["region_code"], paid["region_name"], paid["total_sek"], strict=True):
            base, extra = divmod(int(amount), instalments)
            for k in range(instalments):
                month = (first_payout[0] - 1 + k * step) % 12 + 1
                year = y + (first_payout[0] - 1 + k * step) // 12
                rows.append(
                    {
                        "year": y,
                        "instalment": k + 1,
                        "payout_date": _date(year, month, first_payout[1]),
                        "region_code": code,
                        "region_name": name,
                        "amount_sek": base + (1 if k < extra else 0),
                    }
                )
    out = pd.DataFrame(rows, columns=SCHEDULE_COLUMNS)
    out["amount_sek"] = out["amount_sek"].astype("int64")
    return out.sort_values(["year", "instalment", "region_code"]).reset_index(drop=True)


def _date(year: int, month: int, day: int) -> dt.date:
    import calendar

    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))

