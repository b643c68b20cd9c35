from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from fcatlas.geography.bundle import Bundle
from fcatlas.geography.exclusion import parse_exclusion
from fcatlas.grants.allocation import AllocationError, allocate
from fcatlas.grants.basis import Basis, basis_from_bundle
from fcatlas.grants.plan import compare, make_plan, payout_schedule, report_deadline


def basis(d: dict[str, int]) -> Basis:
    t = pd.DataFrame({"region_code": list(d), "region_name": [f"R{c}" for c in d],
                      "basis_children": list(d.values()), "n_areas": pd.array([None] * len(d), dtype="Int64"),
                      "estimated": [False] * len(d)})
    return Basis(t, source="test", definition="test")


def test_compare_vintages_from_bundle(bundle_dir: Path) -> None:
    b = Bundle.open(bundle_dir)
    a = allocate(basis_from_bundle(b, parse_exclusion("omradestyp:1,2@2022"), 2023).table, 10_000_000)
    c = allocate(basis_from_bundle(b, parse_exclusion("omradestyp:1,2@2023"), 2023).table, 10_000_000)
    cmp = compare(a, c).set_index("region_code")
    assert cmp["change_sek"].sum() == 0  # same total, money moves between regions
    assert cmp.loc["18", "basis_a"] == 700 and cmp.loc["18", "basis_b"] == 410
    assert cmp.loc["18", "change_sek"] < 0 < cmp.loc["20", "change_sek"]
    assert cmp.loc["18", "total_a_sek"] + cmp.loc["18", "change_sek"] == cmp.loc["18", "total_b_sek"]
    assert pd.isna(cmp.loc["09", "change_pct"])


def test_plan_five_years_and_schedule_exact() -> None:
    b1, b2 = basis({"18": 1000, "20": 333, "01": 4001}), basis({"18": 900, "20": 350, "01": 4100})
    totals = {y: 20_000_000 + (y - 2026) * 1_000_001 for y in range(2026, 2031)}
    plan = make_plan({2026: b1, 2027: b1, 2028: b2, 2029: b2, 2030: b2}, totals, instalments=4)
    assert plan.years == [2026, 2027, 2028, 2029, 2030]
    for y, total in totals.items():
        assert plan.allocations[y]["total_sek"].sum() == total
        s = plan.schedule[plan.schedule["year"] == y]
        assert s["amount_sek"].sum() == total
        per_region = s.groupby("region_code")["amount_sek"].sum()
        assert per_region.to_dict() == plan.allocations[y].set_index("region_code")["total_sek"].to_dict()
        assert sorted(s["payout_date"].unique()) == [dt.date(y, 3, 31), dt.date(y, 6, 30), dt.date(y, 9, 30),
                                                     dt.date(y, 12, 31)]
    summ = plan.summary().set_index("region_code")
    assert summ["total_sek"].sum() == sum(totals.values())
    assert plan.deadlines[2026] == dt.date(2027, 1, 31)
    assert "största restmetoden" in " ".join(plan.method_text())


def test_schedule_rejects_odd_instalments_and_plan_needs_bases() -> None:
    a = {2026: allocate(pd.DataFrame({"region_code": ["18"], "basis_children": [1]}), 1_000_000)}
    with pytest.raises(AllocationError, match="1, 2, 3, 4, 6 eller 12"):
        payout_schedule(a, instalments=5)
    with pytest.raises(AllocationError, match="underlag saknas för år 2027"):
        make_plan({2026: basis({"18": 1})}, {2026: 1_000_000, 2027: 1_000_000})


def test_deadline_default() -> None:
    assert report_deadline(2029) == dt.date(2030, 1, 31)
