"""Shared premises and common costs of a family centre, split exactly in whole kronor (pure).

The national guidance (FFFF) that Region Dalarna's investigation quotes: a cost such as rent or
electricity is split between region and municipality **by their share of the rented area** (a
municipality with 45 % of the area pays 45 % of the electricity); common costs (coordinator,
joint training, furniture, information material, locks and alarm) are split **equally on the
four services** or **by agreed shares**. Region Västmanland pays rent for the part its staff uses
in newly started centres, **at most 50 %**: a party may have a cap (a share of the cost or an
amount in kronor) and what it cannot carry goes to the others in proportion to their weights.

Every split uses :func:`fcatlas.apportion.largest_remainder` (ties: larger weight, then the
party listed first), so the parts sum exactly to the cost; a cap always holds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import pandas as pd

from fcatlas.apportion import largest_remainder
from fcatlas.domain import SERVICE_LABELS, Service
from fcatlas.economics.errors import EconomicsError

COST_COLUMNS = ["part", "vikt", "andel_procent", "tak", "belopp_utan_tak", "belopp"]

#: The four parties of an equal split of common costs.
FOUR_SERVICES = [SERVICE_LABELS[s] for s in Service]


@dataclass(frozen=True)
class Party:
    """A party and its weight (area in m², an agreed share in per cent, or 1 for equal split).

    ``cap_share`` (0–1) or ``cap_sek`` limits what the party pays; both may be given (the lower
    binds).
    """

    name: str
    weight: Fraction | int
    cap_share: Fraction | None = None
    cap_sek: int | None = None


def equal_parties(names: Sequence[str] | None = None) -> list[Party]:
    """Equal weights, by default on the four base services (MVC, BVC, ÖF, SOC)."""
    return [Party(n, 1) for n in (names or FOUR_SERVICES)]


def check_shares(parties: Sequence[Party]) -> None:
    """Agreed shares in per cent: each 0–100 and together exactly 100 (else a Swedish error)."""
    for p in parties:
        if Fraction(p.weight) > 100:
            raise EconomicsError(f"{p.name}: andelen {_pct(Fraction(p.weight))} % är över 100 %")
    total = sum((Fraction(p.weight) for p in parties), Fraction(0))
    if total != 100:
        raise EconomicsError(f"andelarna summerar till {_pct(total)} %, inte 100 %")


def split_cost(total_sek: int, parties: Sequence[Party]) -> pd.DataFrame:
    """Split ``total_sek`` over ``parties`` in proportion to their weights, honouring caps.

    Returns :data:`COST_COLUMNS` in the parties' order: ``vikt`` as given, ``andel_procent`` the
    weight's share (rounded to 0.01), ``tak`` the cap in kronor (empty when none),
    ``belopp_utan_tak`` the split without caps and ``belopp`` the split with them.

    Caps are applied by filling: a party whose proportional part exceeds its cap pays the cap, and
    the rest of the cost is split again over the others; this repeats until no cap is exceeded.
    When the caps together cannot carry the cost a Swedish error says so.

    Examples
    --------
    >>> split_cost(10_000, [Party("Kommun", 45), Party("Region", 55)])["belopp"].tolist()
    [4500, 5500]
    >>> t = split_cost(100_000, [Party("Region", 70, cap_share=Fraction(1, 2)), Party("Kommun", 30)])
    >>> t["belopp"].tolist()
    [50000, 50000]
    """
    weights = _check_split(total_sek, parties)
    names = [p.name for p in parties]
    ints = _integer_weights(weights)
    caps = [_cap(total_sek, p) for p in parties]
    free = largest_remainder(total_sek, ints)
    paid = _fill_caps(total_sek, parties, ints, caps)
    big_w = sum(weights)
    out = pd.DataFrame({
        "part": names,
        "vikt": [_num(w) for w in weights],
        "andel_procent": [round(float(w * 100 / big_w), 2) for w in weights],
        "tak": pd.array(caps, dtype="Int64"),
        "belopp_utan_tak": free,
        "belopp": [int(x or 0) for x in paid],
    }, columns=COST_COLUMNS)
    out["belopp_utan_tak"] = out["belopp_utan_tak"].astype("int64")
    out["belopp"] = out["belopp"].astype("int64")
    if int(out["belopp"].sum()) != total_sek:  # pragma: no cover - guarded by construction
        raise AssertionError("fördelningen summerar inte till kostnaden")
    return out


def _check_split(total_sek: int, parties: Sequence[Party]) -> list[Fraction]:
    """The parties' weights, after checking the cost, the names, the weights and the caps."""
    if isinstance(total_sek, bool) or not isinstance(total_sek, int) or total_sek < 0:
        raise EconomicsError(f"kostnaden ska vara ett icke-negativt helt antal kronor, fick {total_sek!r}")
    if not parties:
        raise EconomicsError("inga parter att fördela kostnaden på")
    names = [p.name for p in parties]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise EconomicsError(f"parten {dup[0]!r} förekommer mer än en gång")
    weights = [Fraction(p.weight) for p in parties]
    for p, w in zip(parties, weights, strict=True):
        if w < 0:
            raise EconomicsError(f"{p.name}: vikten är negativ ({_pct(w)})")
        if p.cap_share is not None and not 0 <= p.cap_share <= 1:
            raise EconomicsError(f"{p.name}: taket {_pct(p.cap_share * 100)} % ska vara mellan 0 och 100 %")
        if p.cap_sek is not None and p.cap_sek < 0:
            raise EconomicsError(f"{p.name}: taket är negativt ({p.cap_sek} kr)")
    if sum(weights) == 0:
        raise EconomicsError("alla parter har vikten 0; kostnaden kan inte fördelas")
    return weights


def _fill_caps(total_sek: int, parties: Sequence[Party], ints: list[int], caps: list[int | None]) -> list[int | None]:
    """Each party's part: proportional, a party over its cap pays the cap and the rest is split
    again over the others, until no cap is exceeded."""
    paid: list[int | None] = [None] * len(parties)
    left = total_sek
    while True:
        open_idx = [i for i in range(len(parties)) if paid[i] is None]
        if not open_idx:
            if left:
                raise EconomicsError(_short_of_caps(total_sek, parties, caps))
            break
        if sum(ints[i] for i in open_idx) == 0:
            if left:
                raise EconomicsError(_short_of_caps(total_sek, parties, caps))
            for i in open_idx:
                paid[i] = 0
            break
        parts = largest_remainder(left, [ints[i] for i in open_idx])
        over = [(i, part) for i, part in zip(open_idx, parts, strict=True) if part > _or_inf(caps[i])]
        if not over:
            for i, part in zip(open_idx, parts, strict=True):
                paid[i] = part
            break
        for i, _ in over:
            cap = caps[i]
            assert cap is not None
            paid[i] = cap
            left -= cap
    return paid


def _or_inf(cap: int | None) -> float:
    return math.inf if cap is None else cap


def _cap(total: int, p: Party) -> int | None:
    caps = []
    if p.cap_share is not None:
        caps.append(math.floor(p.cap_share * total))
    if p.cap_sek is not None:
        caps.append(int(p.cap_sek))
    return min(caps) if caps else None


def _short_of_caps(total: int, parties: Sequence[Party], caps: list[int | None]) -> str:
    room = sum(c for c in caps if c is not None)
    return (
        f"taken räcker inte: kostnaden är {total} kr men parterna kan tillsammans bära högst {room} kr "
        "(minst en part utan tak och med vikt över 0 behövs)"
    )


def _integer_weights(weights: list[Fraction]) -> list[int]:
    """Fractions scaled by the least common denominator to exact integers (same proportions)."""
    lcd = 1
    for w in weights:
        lcd = lcd * w.denominator // math.gcd(lcd, w.denominator)
    return [int(w * lcd) for w in weights]


def _num(w: Fraction) -> int | float:
    return int(w) if w.denominator == 1 else float(w)


def _pct(v: Fraction) -> str:
    f = float(v)
    return (f"{f:.2f}".rstrip("0").rstrip(".")).replace(".", ",")
