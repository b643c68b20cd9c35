"""A plain-Python reference of the grant key (no pandas, exact fractions).

Deliberately written differently from :func:`fcatlas.grants.allocation.allocate`: quotas are
:class:`fractions.Fraction`, the remainders are the fractional parts of the quotas and the
leftover kronor are handed out one by one in a loop. The tests check that both always agree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction


def allocate_reference(
    basis: Mapping[str, int],
    total_sek: int,
    fixed_sek: int,
    eligible: Iterable[str] | None = None,
) -> dict[str, tuple[int, int]]:
    """``{region_code: (fixed, variable)}`` for every region in ``basis``.

    ``eligible`` defaults to the regions with a positive basis. Impossible inputs raise
    :class:`ValueError` (the checks with Swedish messages live in ``allocation``).

    >>> allocate_reference({"18": 1, "20": 3}, 2_000_000, 815_000)
    {'18': (815000, 92500), '20': (815000, 277500)}
    """
    chosen = set(eligible) if eligible is not None else {c for c, b in basis.items() if b > 0}
    n = len(chosen)
    pool = total_sek - fixed_sek * n
    if pool < 0:
        raise ValueError("total smaller than the fixed parts")
    total_basis = sum(basis[c] for c in chosen)
    if total_basis == 0 and pool > 0:
        raise ValueError("zero basis")
    quotas: dict[str, Fraction] = {
        c: (Fraction(pool * basis[c], total_basis) if total_basis else Fraction(0)) for c in chosen
    }
    given = {c: q.numerator // q.denominator for c, q in quotas.items()}
    leftover = pool - sum(given.values())
    candidates = sorted(chosen, key=lambda c: (-(quotas[c] - given[c]), -basis[c], c))
    i = 0
    while leftover > 0:
        given[candidates[i]] += 1
        leftover -= 1
        i += 1
    return {c: ((fixed_sek, given[c]) if c in chosen else (0, 0)) for c in sorted(basis)}
