"""The grant key: exactness, stated tie-break, rejected inputs, and the reference implementation."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fcatlas.grants.allocation import (
    DEFAULT_FIXED_SEK,
    AllocationError,
    allocate,
    lan_names,
)
from fcatlas.grants.reference import allocate_reference

CODES = sorted(lan_names())


def frame(basis: dict[str, int], **extra: list) -> pd.DataFrame:
    return pd.DataFrame({"region_code": list(basis), "basis_children": list(basis.values()), **extra})


def test_seed_orebro_gets_fixed_plus_its_share() -> None:
    # Örebro (18) holds 2 % of the basis: 2 % of a 34,250,000 kr pool is exactly 685,000 kr.
    basis = {"18": 2_740, "01": 60_000, "12": 40_000, "14": 34_260}
    out = allocate(frame(basis), total_sek=4 * 815_000 + 34_250_000, year=2026).set_index("region_code")
    assert out.loc["18", "fixed_sek"] == 815_000
    assert out.loc["18", "variable_sek"] == 685_000
    assert out.loc["18", "total_sek"] == 1_500_000
    assert out.loc["18", "region_name"] == "Region Örebro län"  # recipients are regions (8.12)
    assert out["total_sek"].sum() == 4 * 815_000 + 34_250_000


def test_tie_break_larger_basis_then_lower_code() -> None:
    # pool 10 over bases 1,1,1 -> quotas 3.33 each: the one extra krona goes to the lowest code
    out = allocate(frame({"20": 1, "03": 1, "18": 1}), total_sek=3 * 100 + 10, fixed_sek=100)
    assert out.set_index("region_code")["variable_sek"].to_dict() == {"03": 4, "18": 3, "20": 3}
    out = allocate(frame({"20": 2, "03": 1, "18": 1}), total_sek=2, fixed_sek=0)
    # quotas 1.0, 0.5, 0.5 -> one krona left between 03 and 18 (equal remainder, equal basis) -> 03
    assert out.set_index("region_code")["variable_sek"].to_dict() == {"03": 1, "18": 0, "20": 1}


def test_tie_break_prefers_larger_basis_on_equal_remainder() -> None:
    # pool 2 over bases (1, 3): quotas 0.5 and 1.5, remainders equal -> larger basis (20) wins
    out = allocate(frame({"03": 1, "20": 3}), total_sek=2, fixed_sek=0)
    assert out.set_index("region_code")["variable_sek"].to_dict() == {"03": 0, "20": 2}


def test_default_eligibility_and_include_all() -> None:
    b = frame({"18": 10, "09": 0, "20": 30})
    out = allocate(b, total_sek=3_000_000).set_index("region_code")
    assert not out.loc["09", "eligible"] and out.loc["09", "total_sek"] == 0
    assert out.loc[["18", "20"], "fixed_sek"].tolist() == [815_000, 815_000]
    every = allocate(b, total_sek=3_000_000, include_all=True).set_index("region_code")
    assert every.loc["09", "total_sek"] == 815_000 and every.loc["09", "variable_sek"] == 0
    assert every["total_sek"].sum() == 3_000_000


def test_region_with_area_but_no_children_is_eligible_by_n_areas() -> None:
    b = frame({"18": 10, "09": 0}, n_areas=[2, 1])
    out = allocate(b, total_sek=2_000_000).set_index("region_code")
    assert out.loc["09", "eligible"] and out.loc["09", "total_sek"] == 815_000


def test_names_from_file_win() -> None:
    b = frame({"18": 1}, region_name=["Region Örebro län"])
    assert allocate(b, total_sek=900_000)["region_name"].tolist() == ["Region Örebro län"]


@pytest.mark.parametrize(
    ("basis", "total", "message"),
    [
        ({"18": 1, "20": 1}, 1_000_000, "räcker inte till den fasta delen"),
        ({"18": -1, "20": 1}, 5_000_000, "negativt"),
        ({"18": None, "20": 1}, 5_000_000, "saknas"),
        ({"18": 1.5, "20": 1}, 5_000_000, "inget heltal"),
        ({"99": 1}, 5_000_000, "ingen region"),
        ({"2": 1, "20": 1}, 5_000_000, "ingen region"),
        ({"18": 0, "20": 0}, 5_000_000, "ingen region är berättigad"),
    ],
)
def test_impossible_inputs_are_rejected_in_swedish(basis: dict, total: int, message: str) -> None:
    with pytest.raises(AllocationError, match=message):
        allocate(frame(basis), total_sek=total)


def test_zero_basis_with_pool_and_duplicates_rejected() -> None:
    with pytest.raises(AllocationError, match="summan av underlaget .* är noll"):
        allocate(frame({"18": 0, "20": 0}), total_sek=5_000_000, include_all=True)
    dup = pd.DataFrame({"region_code": ["18", "18"], "basis_children": [1, 2]})
    with pytest.raises(AllocationError, match="mer än en gång"):
        allocate(dup, total_sek=5_000_000)
    with pytest.raises(AllocationError, match="saknar kolumnen 'basis_children'"):
        allocate(pd.DataFrame({"region_code": ["18"]}), total_sek=5_000_000)


# -- property tests ----------------------------------------------------------------------------

bases = st.dictionaries(
    st.sampled_from(CODES), st.integers(min_value=0, max_value=200_000), min_size=1, max_size=21
)


@st.composite
def cases(draw):  # type: ignore[no-untyped-def]
    basis = draw(bases)
    if not any(basis.values()):
        basis[next(iter(basis))] = draw(st.integers(min_value=1, max_value=1000))
    fixed = draw(st.sampled_from([0, 1, 815_000, draw(st.integers(0, 2_000_000))]))
    n = sum(1 for b in basis.values() if b > 0)
    total = fixed * n + draw(st.integers(min_value=0, max_value=10**10))
    return basis, fixed, total


@settings(max_examples=300, deadline=None)
@given(cases())
def test_matches_reference_exact_sum_and_floor(case) -> None:  # type: ignore[no-untyped-def]
    basis, fixed, total = case
    out = allocate(frame(basis), total_sek=total, fixed_sek=fixed)
    ref = allocate_reference(basis, total, fixed)
    got = {r.region_code: (r.fixed_sek, r.variable_sek) for r in out.itertuples()}
    assert got == ref
    assert int(out["total_sek"].sum()) == total
    elig = out[out["eligible"]]
    assert (elig["total_sek"] >= fixed).all()
    # quota property: each variable part is floor or ceil of its exact quota
    pool = total - fixed * len(elig)
    b_sum = int(elig["basis_children"].sum())
    for r in elig.itertuples():
        lo = pool * r.basis_children // b_sum
        assert lo <= r.variable_sek <= lo + 1


@settings(max_examples=200, deadline=None)
@given(cases(), st.randoms(use_true_random=False))
def test_invariant_to_row_order(case, rnd) -> None:  # type: ignore[no-untyped-def]
    basis, fixed, total = case
    items = list(basis.items())
    rnd.shuffle(items)
    a = allocate(frame(basis), total_sek=total, fixed_sek=fixed)
    b = allocate(frame(dict(items)), total_sek=total, fixed_sek=fixed)
    pd.testing.assert_frame_equal(a, b)


@settings(max_examples=200, deadline=None)
@given(cases())
def test_monotone_in_basis_across_regions(case) -> None:  # type: ignore[no-untyped-def]
    basis, fixed, total = case
    out = allocate(frame(basis), total_sek=total, fixed_sek=fixed)
    elig = out[out["eligible"]].sort_values(["basis_children", "total_sek"])
    assert elig["total_sek"].is_monotonic_increasing


@settings(max_examples=200, deadline=None)
@given(cases(), st.integers(min_value=1, max_value=50_000), st.data())
def test_more_children_never_means_less_money(case, extra, data) -> None:  # type: ignore[no-untyped-def]
    basis, fixed, total = case
    positive = [c for c, b in basis.items() if b > 0]
    code = data.draw(st.sampled_from(positive))
    before = allocate(frame(basis), total_sek=total, fixed_sek=fixed).set_index("region_code")
    grown = dict(basis, **{code: basis[code] + extra})
    after = allocate(frame(grown), total_sek=total, fixed_sek=fixed).set_index("region_code")
    assert after.loc[code, "total_sek"] >= before.loc[code, "total_sek"]


def test_huge_numbers_stay_exact() -> None:
    basis = {"01": 10**12 + 7, "18": 3, "20": 10**9}
    total = 10**15 + 12_345
    out = allocate(frame(basis), total_sek=total, fixed_sek=DEFAULT_FIXED_SEK)
    assert int(out["total_sek"].sum()) == total
    assert {r.region_code: (r.fixed_sek, r.variable_sek) for r in out.itertuples()} == allocate_reference(
        basis, total, DEFAULT_FIXED_SEK
    )


@pytest.mark.parametrize(
    ("basis", "total", "fixed", "message"),
    [
        ({"18": 1}, 10**21, DEFAULT_FIXED_SEK, "totalbeloppet .* är orimligt stort"),
        ({"18": 1}, 2_000_000, 10**19, "det fasta beloppet .* är orimligt stort"),
        ({"18": 10**16}, 2_000_000, DEFAULT_FIXED_SEK, "orimligt stort"),
    ],
)
def test_amounts_beyond_64_bit_are_rejected_not_a_traceback(basis: dict, total: int, fixed: int, message: str) -> None:
    """Regression: a total of 10**21 kr ended in an OverflowError traceback (int64 cast)."""
    with pytest.raises(AllocationError, match=message):
        allocate(frame(basis), total_sek=total, fixed_sek=fixed)


def test_total_exactly_the_fixed_parts_gives_no_variable_part() -> None:
    out = allocate(frame({"18": 5, "20": 7}), total_sek=2 * DEFAULT_FIXED_SEK)
    assert out["variable_sek"].tolist() == [0, 0]
    assert out["total_sek"].tolist() == [DEFAULT_FIXED_SEK, DEFAULT_FIXED_SEK]


def test_one_region_gets_the_whole_total() -> None:
    out = allocate(frame({"18": 2_740}), total_sek=1_500_000)
    assert out[["fixed_sek", "variable_sek", "total_sek"]].values.tolist() == [[815_000, 685_000, 1_500_000]]
