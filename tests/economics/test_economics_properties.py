"""Invariants of the money models (hypothesis): exact sums, pots, caps, settlements."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import assume, given
from hypothesis import strategies as st

from fcatlas.apportion import largest_remainder, scale_to_cap
from fcatlas.economics.costs import Party, split_cost
from fcatlas.economics.errors import EconomicsError
from fcatlas.economics.payment import AddonParams, Centre, addon_payment
from fcatlas.economics.visits import Visits, settle

money = st.integers(min_value=0, max_value=10**12)
weights = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30)


@given(money, weights)
def test_every_apportionment_sums_exactly_and_stays_within_one_krona_of_the_quota(total: int, ws: list[int]) -> None:
    assume(sum(ws) > 0)
    parts = largest_remainder(total, ws)
    assert sum(parts) == total
    big = sum(ws)
    for p, w in zip(parts, ws, strict=True):
        assert total * w // big <= p <= total * w // big + 1


@given(st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=30), money)
def test_scaling_never_pays_more_than_the_pot_nor_more_than_asked(amounts: list[int], cap: int) -> None:
    paid = scale_to_cap(amounts, cap)
    assert sum(paid) == min(cap, sum(amounts))
    assert all(0 <= p <= a for p, a in zip(paid, amounts, strict=True))


centres = st.lists(
    st.tuples(st.integers(0, 50_000), st.one_of(st.none(), st.integers(0, 100_000))), min_size=1, max_size=25
)


@given(centres, st.integers(0, 500), st.integers(0, 500), st.integers(0, 10**8))
def test_addon_payment_never_exceeds_the_pot_and_matches_the_rates(cs, rc: int, rw: int, pot: int) -> None:
    cl = [Centre(f"VC {i:02d}", c, w) for i, (c, w) in enumerate(cs)]
    r = addon_payment(cl, AddonParams(rc, rw, pot))
    before = [c * rc + (w or 0) * rw for c, w in cs]
    assert r.table["belopp_fore_tak"].tolist() == before
    assert r.total_sek == min(pot, sum(before)) == int(r.table["belopp"].sum())
    assert r.unused_sek == pot - r.total_sek
    assert all(p <= b for p, b in zip(r.table["belopp"], r.table["belopp_fore_tak"], strict=True))
    if sum(before) > pot:
        # proportional: each part within one krona of its exact share of the pot
        for p, b in zip(r.table["belopp"], before, strict=True):
            exact = Fraction(b * pot, sum(before))
            assert abs(p - exact) < 1


names = st.sampled_from(["A", "B", "C", "D", "E"])


@given(st.lists(st.tuples(names, names, st.integers(0, 10_000)), min_size=1, max_size=40), st.integers(0, 5_000))
def test_netted_settlements_sum_to_zero_and_never_exceed_gross(flows, price: int) -> None:
    visits = [Visits(a, b, n) for a, b, n in flows if a != b]
    assume(visits)
    s = settle(visits, price)
    assert int(s.positions["netto"].sum()) == 0
    assert s.netted_sek <= s.gross_sek
    assert s.gross_sek == sum(v.count for v in visits) * price
    for row in s.pairs.itertuples():
        assert row.netto_belopp == abs(row.brutto_a_till_b - row.brutto_b_till_a)
        assert row.netto_belopp <= max(row.brutto_a_till_b, row.brutto_b_till_a)
    # the netted payments give every centre the same position as the gross ones
    pos = {c: 0 for c in s.positions["vardcentral"]}
    for row in s.pairs.itertuples():
        if row.netto_belopp:
            pos[row.netto_betalare] -= row.netto_belopp
            pos[row.netto_mottagare] += row.netto_belopp
    assert pos == dict(zip(s.positions["vardcentral"], s.positions["netto"], strict=True))


parties = st.lists(
    st.tuples(st.integers(0, 10_000), st.one_of(st.none(), st.fractions(0, 1, max_denominator=100))),
    min_size=1, max_size=8,
)


@given(money, parties)
def test_cost_split_sums_exactly_and_caps_hold(total: int, ps) -> None:
    assume(sum(w for w, _ in ps) > 0)
    party_list = [Party(f"P{i}", w, cap) for i, (w, cap) in enumerate(ps)]
    try:
        t = split_cost(total, party_list)
    except EconomicsError as exc:  # only when the caps cannot carry the cost
        assert "taken räcker inte" in str(exc)
        payers = [p for p in party_list if p.weight > 0]
        assert all(p.cap_share is not None for p in payers)
        assert sum(int(p.cap_share * total) for p in payers if p.cap_share is not None) < total
        return
    assert int(t["belopp"].sum()) == total
    assert int(t["belopp_utan_tak"].sum()) == total
    for p, paid in zip(party_list, t["belopp"], strict=True):
        assert paid >= 0
        if p.cap_share is not None:
            assert paid <= p.cap_share * total
