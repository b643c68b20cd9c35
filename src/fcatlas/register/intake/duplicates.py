"""Units that may be the same: similar names in one kommun, or exact positions within 50 m."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from fcatlas.register.intake.rows import UnitRecord
from fcatlas.tables import fold

if TYPE_CHECKING:
    import numpy as np

DUPLICATE_DISTANCE_M = 50.0
SIMILAR_NAME_RATIO = 0.9
#: At most this many "possible duplicate" warnings per import (one more says how many were left out).
MAX_DUPLICATE_WARNINGS = 100
#: This many names or more in one kommun that differ only in their numbers are one warning.
NUMBERED_SERIES = 3
#: More pairs of exact positions within the distance than this: one warning per crowded spot.
MAX_NEAR_PAIRS = 5_000
_DIGITS = re.compile(r"\d+")
_EPS = 1e-9

_GENERIC_WORDS = frozenset({"familjecentral", "familjecentralen", "familjecentrum", "fc", "i", "pa"})


def _name_core(name: str) -> str:
    """A name without the generic words, folded: 'Familjecentralen i Mora' → 'mora'."""
    words = [fold(w) for w in re.split(r"[\s\-–/]+", name)]
    core = "".join(w for w in words if w and w not in _GENERIC_WORDS)
    return core or fold(name)


def _max_edits(la: int, lb: int, ratio: float) -> int:
    """Most insertions + deletions between lengths ``la`` and ``lb`` at this ratio (-1: none)."""
    need = math.ceil(ratio * (la + lb) / 2 - _EPS)  # matched characters needed
    return la + lb - 2 * need if need <= min(la, lb) else -1


def _cuts(la: int, ratio: float) -> list[tuple[int, int]]:
    """(start, size) of the pieces of a name of length ``la``: one more than the edits allowed."""
    shorter = range(max(1, math.ceil(la * ratio / (2 - ratio) - _EPS)), la + 1)
    count = max([_max_edits(la, lb, ratio) for lb in shorter] + [0]) + 1
    size, extra = divmod(la, count)
    out, at = [], 0
    for q in range(count):
        step = size + (q < extra)
        out.append((at, step))
        at += step
    return out


def _piece_index(names: list[str], ratio: float) -> tuple[dict[tuple[int, int, str], list[int]],
                                                          dict[int, list[tuple[int, int]]], list[int]]:
    """(length, piece number, piece) -> names of that length with that piece there; the cuts
    per length; the empty names."""
    index: dict[tuple[int, int, str], list[int]] = {}
    cut_of: dict[int, list[tuple[int, int]]] = {}
    empty: list[int] = []
    for i, s in enumerate(names):
        if not s:
            empty.append(i)
            continue
        la = len(s)
        if la not in cut_of:
            cut_of[la] = _cuts(la, ratio)
        for q, (at, size) in enumerate(cut_of[la]):
            index.setdefault((la, q, s[at:at + size]), []).append(i)
    return index, cut_of, empty


def _char_counts(names: list[str]) -> np.ndarray:
    """Character counts per name: their overlap bounds the matched characters (a cheap filter)."""
    import numpy as np

    alphabet = {ch: k for k, ch in enumerate(sorted({ch for s in names for ch in s}))}
    counts = np.zeros((len(names), max(len(alphabet), 1)), dtype=np.int32)
    for i, s in enumerate(names):
        for ch in s:
            counts[i, alphabet[ch]] += 1
    return counts


def _candidates(b: str, ratio: float, index: dict[tuple[int, int, str], list[int]],
                cut_of: dict[int, list[tuple[int, int]]]) -> set[int]:
    """Longer (or equal) names a with 2·lb / (la + lb) ≥ ratio that share a piece with ``b``."""
    lb = len(b)
    cands: set[int] = set()
    for la in range(lb, int(lb * (2 - ratio) / ratio + _EPS) + 1):
        d = _max_edits(la, lb, ratio)
        if la not in cut_of or d < 0:
            continue
        for q, (at, size) in enumerate(cut_of[la]):
            # a surviving piece moves by at most d places
            for start in range(max(0, at - d), min(lb - size, at + d) + 1):
                hit = index.get((la, q, b[start:start + size]))
                if hit:
                    cands.update(hit)
    return cands


def similar_name_pairs(names: list[str], ratio: float = SIMILAR_NAME_RATIO) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose ``SequenceMatcher`` ratio is at least ``ratio`` —
    the same pairs as comparing every pair, in about linear time for distinct names.

    Why this finds every pair: the ratio is ``2·M / (la + lb)`` where the ``M`` matched characters
    form a common subsequence, so ``b`` is ``a`` with ``d = la + lb − 2·M ≤ (1 − ratio)(la + lb)``
    characters deleted or inserted. For ``la ≥ lb`` that is at most ``⌊2(1 − ratio)·la⌋`` edits;
    cut ``a`` into one piece more than that and one piece survives untouched, i.e. is a substring
    of ``b``. So each name is indexed by its pieces and only names that contain one of a longer
    (or equally long) name's pieces are compared. Lengths outside ``ratio`` are never compared.

    >>> similar_name_pairs(["mora", "morra", "falun", "faluun", "x"], 0.85)
    [(0, 1), (2, 3)]
    """
    n = len(names)
    if n < 2:
        return []
    if ratio <= 0.5 or n < 40:  # the piece bound needs ratio > 1/2; small groups: compare all
        return [(i, j) for i in range(n) for j in range(i + 1, n)
                if SequenceMatcher(None, names[i], names[j]).ratio() >= ratio]
    import numpy as np

    index, cut_of, empty = _piece_index(names, ratio)
    counts = _char_counts(names)
    lens = np.array([len(s) for s in names], dtype=np.float64)
    pairs: set[tuple[int, int]] = set()
    for i, b in enumerate(names):
        lb = len(b)
        if not lb:
            continue
        cands = _candidates(b, ratio, index, cut_of)
        # equal lengths find each other from both sides: keep one side
        js = np.fromiter((j for j in cands if j != i and (len(names[j]) > lb or j > i)), dtype=np.int64)
        if not len(js):
            continue
        common = np.minimum(counts[js], counts[i]).sum(axis=1)
        js = js[2 * common >= ratio * (lb + lens[js]) - _EPS]
        for j in js.tolist():
            pair = (min(i, j), max(i, j))
            if pair not in pairs and SequenceMatcher(None, names[pair[0]], names[pair[1]]).ratio() >= ratio:
                pairs.add(pair)
    # two empty names are equal (ratio 1); an empty and a non-empty one share nothing
    pairs.update((empty[x], empty[y]) for x in range(len(empty)) for y in range(x + 1, len(empty)))
    return sorted(pairs)


#: (label, id, name, kommun, lat, lon, precision, order); order -1 = a stored unit
_Candidate = tuple[str, str, str, str, float, float, str, int]


def _candidate_units(units: list[UnitRecord], existing: Iterable[dict[str, Any]]) -> list[_Candidate]:
    file_ids = {u.id for u in units}
    cands: list[_Candidate] = []
    for e in existing:
        if str(e["id"]) in file_ids:
            continue
        cands.append((f"befintlig enhet {e['id']!r}", str(e["id"]), str(e["name"]), str(e["kommun_code"]),
                      float(e["lat"]), float(e["lon"]), str(e["precision"]), -1))
    for i, u in enumerate(units):
        f = u.fields
        cands.append((f"rad {u.row}", u.id, f["name"], f["kommun_code"], f["lat"], f["lon"], f["precision"], i))
    return cands


def _series(members: list[int], folded: list[str]) -> tuple[list[int], list[list[int]]]:
    """Split a kommun's candidates into the ones compared name by name and the numbered series:
    :data:`NUMBERED_SERIES` or more names that differ only in their numbers ("Enhet 00001 Norr",
    "Enhet 00002 Norr" …). A series is compared through its first name only and warned about once."""
    by_shape: dict[str, list[int]] = {}
    for m in members:
        if _DIGITS.search(folded[m]):
            by_shape.setdefault(_DIGITS.sub("#", folded[m]), []).append(m)
    series = [g for g in by_shape.values() if len(g) >= NUMBERED_SERIES]
    collapsed = {m for g in series for m in g[1:]}
    return [m for m in members if m not in collapsed], series


def _name_warnings(cands: list[_Candidate], name_ratio: float) -> dict[tuple[int, int], str]:
    found: dict[tuple[int, int], str] = {}
    by_kommun: dict[str, list[int]] = {}
    for j, c in enumerate(cands):
        by_kommun.setdefault(c[3], []).append(j)
    folded = [_name_core(c[2]) for c in cands]
    for members in by_kommun.values():
        compared, series = _series(members, folded)
        for group in series:
            k = next((m for m in group[1:] if cands[m][7] >= 0), None)
            if k is None:
                continue
            shown = ", ".join(repr(cands[m][2]) for m in group[:2])
            found[(group[0], k)] = (f"{len(group)} enheter i samma kommun har namn som bara skiljer sig i ett nummer "
                                    f"({shown} …); kontrollera att ingen av dem är samma enhet")
        for j, k in similar_name_pairs([folded[m] for m in compared], name_ratio):
            j, k = compared[j], compared[k]
            if cands[k][7] < 0:
                continue
            found[(j, k)] = (f"liknande namn som {cands[j][0]} ({cands[j][2]!r}) i samma kommun; "
                             "kontrollera om det är samma enhet")
    return found


def _near_warnings(cands: list[_Candidate], distance_limit_m: float,
                   found: dict[tuple[int, int], str]) -> None:
    """Exact positions within ``distance_limit_m``: pair by pair, or — when the pairs would be
    more than :data:`MAX_NEAR_PAIRS` (many units on one spot) — one warning per crowded spot."""
    import numpy as np
    from scipy.spatial import cKDTree

    from fcatlas.register.geocode import to_sweref

    exact = [j for j, c in enumerate(cands) if c[6] == "exakt"]
    if len(exact) < 2:
        return
    xy = np.array([to_sweref(cands[j][4], cands[j][5]) for j in exact])
    tree = cKDTree(xy)
    pairs = (int(tree.query_ball_point(xy, distance_limit_m, return_length=True).sum()) - len(exact)) // 2
    if pairs > MAX_NEAR_PAIRS:
        spots: dict[tuple[int, int], list[int]] = {}
        for a, (x, y) in enumerate(xy):
            spots.setdefault((int(x // distance_limit_m), int(y // distance_limit_m)), []).append(exact[a])
        for group in spots.values():
            k = next((m for m in group[1:] if cands[m][7] >= 0), None)
            if k is not None and (group[0], k) not in found:
                found[(group[0], k)] = (f"{len(group)} enheter ligger inom omkring {distance_limit_m:.0f} m från "
                                        f"varandra ({cands[group[0]][2]!r} …); kontrollera om några är samma enhet")
        return
    for a, b in sorted(tree.query_pairs(distance_limit_m)):
        j, k = sorted((exact[a], exact[b]))
        if cands[k][7] < 0 or (j, k) in found:
            continue
        d = float(np.hypot(*(xy[a] - xy[b])))
        found[(j, k)] = (f"ligger {d:.0f} m från {cands[j][0]} ({cands[j][2]!r}); kontrollera om det "
                         "är samma enhet")


def likely_duplicates(
    units: Iterable[UnitRecord],
    existing: Iterable[dict[str, Any]] = (),
    distance_limit_m: float = DUPLICATE_DISTANCE_M,
    name_ratio: float = SIMILAR_NAME_RATIO,
    limit: int = MAX_DUPLICATE_WARNINGS,
) -> list[tuple[UnitRecord, str, str]]:
    """Pairs that may be the same unit: same kommun and similar names, or within 50 m.

    ``existing`` are units already stored (dicts with ``id``, ``name``, ``kommun_code``,
    ``lat``, ``lon``, ``precision``); those with an id in ``units`` are the same unit and are
    skipped. Only positions with precision ``exakt`` are compared by distance (postal-code and
    kommun points are shared by many units). Returns ``(unit, other, reason)`` — a person decides.

    The work and the answer are bounded: names that differ only in a number are one warning with
    their count (a numbered series), many units on one spot one warning per spot, and at most
    ``limit`` warnings are given — the last one then says how many more there were.
    """
    units = list(units)
    cands = _candidate_units(units, existing)
    found = _name_warnings(cands, name_ratio)
    _near_warnings(cands, distance_limit_m, found)
    out = [(units[cands[k][7]], cands[j][1], reason) for (j, k), reason in sorted(found.items())]
    if len(out) > limit:
        rest = len(out) - limit
        unit, other, _ = out[limit]
        out = out[:limit] + [(unit, other, f"ytterligare {rest} möjliga dubbletter visas inte (högst {limit} "
                                            "visas per import); rätta de visade och importera igen")]
    return out
