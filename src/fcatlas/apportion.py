"""Exact apportionment of whole kronor (largest-remainder method); shared by every room that
divides money (``grants``, ``economics``). Imports nothing of ours.

``largest_remainder(total, weights)`` gives part *i* first ``⌊total·wᵢ/W⌋``; the units left over
(fewer than the number of parts) go one each to the parts with the largest remainders
``total·wᵢ mod W``. Ties go to the larger weight, then to the earlier part (callers order their
parts, e.g. by code, so the rule is stated and reproducible). All arithmetic is on Python
integers: the parts always sum to ``total`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence


def largest_remainder(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` (a non-negative integer) in proportion to non-negative integer ``weights``.

    Raises :class:`ValueError` on a negative total or weight, or when every weight is zero
    while the total is positive (there is nothing to be proportional to).

    Examples
    --------
    >>> largest_remainder(100, [1, 1, 1])
    [34, 33, 33]
    >>> largest_remainder(10, [45, 55])
    [4, 6]
    >>> sum(largest_remainder(2_300_000, [7, 13, 29]))
    2300000
    """
    total = int(total)
    ws = [int(w) for w in weights]
    if total < 0:
        raise ValueError("beloppet att fördela får inte vara negativt")
    if any(w < 0 for w in ws):
        raise ValueError("en vikt är negativ")
    big_w = sum(ws)
    if big_w == 0:
        if total == 0:
            return [0] * len(ws)
        raise ValueError("alla vikter är noll; beloppet kan inte fördelas")
    floors = [total * w // big_w for w in ws]
    rems = [total * w % big_w for w in ws]
    left = total - sum(floors)
    ranked = sorted(range(len(ws)), key=lambda i: (-rems[i], -ws[i], i))
    for i in ranked[:left]:
        floors[i] += 1
    return floors


def scale_to_cap(amounts: Sequence[int], cap: int) -> list[int]:
    """``amounts`` unchanged when their sum is at most ``cap``; otherwise scaled down in proportion
    to exactly ``cap`` (largest remainder). No part ever grows.

    >>> scale_to_cap([100, 200], 1000)
    [100, 200]
    >>> scale_to_cap([100, 200], 100)
    [33, 67]
    """
    values = [int(a) for a in amounts]
    if cap < 0:
        raise ValueError("taket får inte vara negativt")
    if sum(values) <= cap:
        return values
    return largest_remainder(cap, values)
