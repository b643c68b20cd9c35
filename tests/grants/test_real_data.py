"""Golden checks on a bundle built from the real shared extracts (SCB områdestyp 2022/2023, population)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcatlas.geography.build import build_bundle
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.exclusion import parse_exclusion
from fcatlas.grants.allocation import allocate
from fcatlas.grants.basis import basis_from_bundle
from fcatlas.grants.plan import compare
from fcatlas.grants.reference import allocate_reference


@pytest.fixture(scope="module")
def real_bundle(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    out = tmp_path_factory.mktemp("real") / "paket"
    build_bundle(shared_data, out)
    return Bundle.open(out)


def test_real_basis_counts_areas_per_region(real_bundle: Bundle) -> None:
    b23 = basis_from_bundle(real_bundle, parse_exclusion("omradestyp:1,2"), 2023)
    b22 = basis_from_bundle(real_bundle, parse_exclusion("omradestyp:1,2@2022"), 2023)
    t23, t22 = b23.table.set_index("region_code"), b22.table.set_index("region_code")
    # SCB: 162 + 293 RegSO of type 1–2 in 2023, 160 + 289 in 2022; Dalarna 9 + 6 resp. 9 + 5
    assert int(t23["n_areas"].sum()) == 455 and int(t22["n_areas"].sum()) == 449
    assert t23.loc["20", "n_areas"] == 15 and t22.loc["20", "n_areas"] == 14
    assert b23.estimated and any("7,4 %" in n for n in b23.notes)
    areas = real_bundle.areas(level="regso", year=2023)
    hit = areas[areas["omradestyp"].isin([1, 2])]
    assert int(t23["basis_children"].sum()) == int(hit["children_0_6"].sum())


def test_real_allocation_exact_and_matches_reference(real_bundle: Bundle) -> None:
    basis = basis_from_bundle(real_bundle, parse_exclusion("omradestyp:1,2"), 2023).table
    total = 60_000_001
    out = allocate(basis, total_sek=total, year=2026)
    assert int(out["total_sek"].sum()) == total
    assert (out.loc[out["eligible"], "total_sek"] >= 815_000).all()
    ref = allocate_reference(dict(zip(basis["region_code"], basis["basis_children"].astype(int), strict=True)),
                             total, 815_000)
    assert {r.region_code: (r.fixed_sek, r.variable_sek) for r in out.itertuples()} == ref
    a = allocate(basis_from_bundle(real_bundle, parse_exclusion("omradestyp:1,2@2022"), 2023).table, total)
    cmp = compare(a, out)
    assert int(cmp["change_sek"].sum()) == 0 and (cmp["change_sek"] != 0).any()
