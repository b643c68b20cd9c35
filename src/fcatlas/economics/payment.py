"""The family-centre add-on payment from a common pot (Region Dalarna's model; pure).

A health centre approved for the add-on assignment "familjecentral" within vårdval primary care
gets a rate per listed child 0–6 and per listed woman 16–54 per year (Dalarna: 90 kr and 55 kr),
from a common pot for all centres (Dalarna: 2,100,000 kr in 2025 and 2,300,000 kr in 2026).

* When the sum of the centres' amounts is at most the pot, each centre is paid its amount and the
  unused part of the pot is reported.
* When it exceeds the pot, every amount is scaled down in the same proportion and rounded to
  whole kronor by the largest-remainder method (:func:`fcatlas.apportion.largest_remainder`;
  ties go to the larger amount, then to the centre first in name order), so the payments sum to
  the pot exactly and no centre is paid more than its unscaled amount.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from fcatlas.apportion import scale_to_cap
from fcatlas.economics.defaults import DEFAULT_POT_SEK, DEFAULT_RATE_CHILD_SEK, DEFAULT_RATE_WOMAN_SEK
from fcatlas.economics.errors import EconomicsError
from fcatlas.fmt import thousands

#: Columns of :func:`addon_payment` (the CSV contract of ``fcatlas ekonomi tillagg``).
ADDON_COLUMNS = ["vardcentral", "barn", "kvinnor", "belopp_fore_tak", "belopp"]
MAX_SEK = 10**15


@dataclass(frozen=True)
class AddonParams:
    """One parameter set of the model. ``pot_sek=None`` means no pot (every amount is paid)."""

    rate_child_sek: int = DEFAULT_RATE_CHILD_SEK
    rate_woman_sek: int = DEFAULT_RATE_WOMAN_SEK
    pot_sek: int | None = DEFAULT_POT_SEK

    def check(self) -> None:
        for what, v in (("ersättningen per barn", self.rate_child_sek),
                        ("ersättningen per kvinna", self.rate_woman_sek),
                        ("potten", self.pot_sek)):
            if v is None:
                continue
            if isinstance(v, bool) or not isinstance(v, int):
                raise EconomicsError(f"{what} ska vara ett helt antal kronor, fick {v!r}")
            if v < 0:
                raise EconomicsError(f"{what} får inte vara negativ ({v} kr)")
            if v > MAX_SEK:
                raise EconomicsError(f"{what} ({v} kr) är orimligt stor")

    def label(self) -> str:
        pot = "ingen pott" if self.pot_sek is None else f"pott {thousands(self.pot_sek)} kr"
        return f"{thousands(self.rate_child_sek)} kr/barn, {thousands(self.rate_woman_sek)} kr/kvinna, {pot}"


@dataclass(frozen=True)
class Centre:
    """A qualifying health centre and its listed counts for the year."""

    name: str
    children: int
    women: int | None = None


@dataclass(frozen=True)
class AddonResult:
    table: pd.DataFrame  # ADDON_COLUMNS, sorted by name
    params: AddonParams
    total_before_sek: int
    total_sek: int
    unused_sek: int | None  # None when there is no pot
    scaled: bool
    notes: list[str]

    @property
    def factor(self) -> float | None:
        """The scale factor applied (1.0 when nothing was scaled)."""
        if not self.total_before_sek:
            return None
        return self.total_sek / self.total_before_sek


def addon_payment(centres: Sequence[Centre], params: AddonParams | None = None) -> AddonResult:
    """The add-on payment of every centre in ``centres`` under ``params``.

    Raises :class:`EconomicsError` on a negative count or a centre named twice. A centre without
    a count of women gets nothing per woman, and ``notes`` says so.

    Examples
    --------
    >>> r = addon_payment([Centre("A", 1000, 2000), Centre("B", 3000, 5000)])
    >>> r.table[["vardcentral", "belopp_fore_tak", "belopp"]].values.tolist()
    [['A', 200000, 200000], ['B', 545000, 545000]]
    >>> r.unused_sek
    1555000
    >>> r = addon_payment([Centre("A", 1, 0), Centre("B", 2, 0)], AddonParams(90, 55, 100))
    >>> r.table["belopp"].tolist(), r.scaled
    ([33, 67], True)
    """
    p = params or AddonParams()
    p.check()
    if not centres:
        raise EconomicsError("inga vårdcentraler att betala ut till")
    seen: set[str] = set()
    for c in sorted(centres, key=lambda c: c.name):
        if c.name in seen:
            raise EconomicsError(f"vårdcentralen {c.name!r} förekommer mer än en gång")
        seen.add(c.name)
        if c.children < 0:
            raise EconomicsError(f"{c.name}: antalet listade barn är negativt ({c.children})")
        if c.women is not None and c.women < 0:
            raise EconomicsError(f"{c.name}: antalet listade kvinnor är negativt ({c.women})")
    ordered = sorted(centres, key=lambda c: c.name)
    notes = []
    no_women = [c.name for c in ordered if c.women is None]
    if no_women and p.rate_woman_sek > 0:
        notes.append(
            "Listade kvinnor 16–54 saknas för " + ", ".join(no_women)
            + "; de får ingen ersättning per kvinna (räknat som 0 kvinnor)."
        )
    before = [c.children * p.rate_child_sek + (c.women or 0) * p.rate_woman_sek for c in ordered]
    total_before = sum(before)
    if p.pot_sek is None:
        paid = list(before)
    else:
        # larger amount first on ties: scale_to_cap keeps the stated order (name) as last key
        paid = scale_to_cap(before, p.pot_sek)
    table = pd.DataFrame({
        "vardcentral": [c.name for c in ordered],
        "barn": [c.children for c in ordered],
        "kvinnor": pd.array([c.women for c in ordered], dtype="Int64"),
        "belopp_fore_tak": before,
        "belopp": paid,
    }, columns=ADDON_COLUMNS)
    for col in ("barn", "belopp_fore_tak", "belopp"):
        table[col] = table[col].astype("int64")
    total = sum(paid)
    unused = None if p.pot_sek is None else p.pot_sek - total
    return AddonResult(table, p, total_before, total, unused, total < total_before, notes)


COMPARE_COLUMNS = ["vardcentral", "barn", "kvinnor", "belopp_a", "belopp_b", "skillnad"]


def compare(centres: Sequence[Centre], a: AddonParams, b: AddonParams) -> tuple[pd.DataFrame, AddonResult, AddonResult]:
    """Two parameter sets side by side: ``vardcentral, barn, kvinnor, belopp_a, belopp_b,
    skillnad`` (b − a), plus both results."""
    ra, rb = addon_payment(centres, a), addon_payment(centres, b)
    t = ra.table[["vardcentral", "barn", "kvinnor"]].copy()
    t["belopp_a"] = ra.table["belopp"]
    t["belopp_b"] = rb.table["belopp"]
    t["skillnad"] = t["belopp_b"] - t["belopp_a"]
    return t[COMPARE_COLUMNS], ra, rb


_FC_PREFIX = ("familjecentralen", "familjecentral", "fc")
_PLACE_WORDS = ("i", "pa")


def _fc_core(name: str) -> str:
    """A family centre's name without "Familjecentral(en)" and a leading "i"/"på" (folded)."""
    import re
    import unicodedata

    t = unicodedata.normalize("NFKD", name).lower()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    words = re.findall(r"[0-9a-z]+", t)
    while words and words[0] in _FC_PREFIX:
        words = words[1:]
    if words and words[0] in _PLACE_WORDS:
        words = words[1:]
    return "".join(words)


def link_register_units(units: pd.DataFrame, listed: pd.DataFrame, centre_key: Callable[[str], str]) -> tuple[
        dict[str, str], list[tuple[str, str]]]:
    """Link operating family centres of the register to health centres with listed patients.

    ``units``: register units (``id, name, kommun_code, note, other_partners``); ``listed``: the
    year's listed counts (``centre_id, name, kommun_code``). A unit is linked to the health centre
    in its own kommun whose name (without "Vårdcentral") is the unit's name without
    "Familjecentral(en)" — ``Familjecentral Britsarvet`` → ``Vårdcentral Britsarvet`` — or is
    named in the unit's note or partners (``Britsarvets VC``), or to the only health centre of its
    kommun. Returns ``unit id -> centre_id`` and ``(unit id, reason)`` for units left unlinked.
    """
    by_kommun: dict[str, list[tuple[str, str]]] = {}
    for cid, name, kommun in zip(listed["centre_id"], listed["name"], listed["kommun_code"], strict=True):
        by_kommun.setdefault(str(kommun), []).append((str(cid), centre_key(str(name))))
    links: dict[str, str] = {}
    unlinked: list[tuple[str, str]] = []
    for uid, name, kommun, note, partners in zip(units["id"], units["name"], units["kommun_code"], units["note"],
                                                 units["other_partners"], strict=True):
        cands = by_kommun.get(str(kommun), [])
        core = _fc_core(str(name))
        hits = [cid for cid, key in cands if key and key == core]
        if not hits:
            text = centre_key(" ".join(str(x) for x in (note, partners) if x))
            hits = [cid for cid, key in cands if len(key) >= 4 and key in text]
        if not hits and len(cands) == 1:
            hits = [cands[0][0]]
        if len(hits) == 1:
            links[str(uid)] = hits[0]
        elif not hits:
            unlinked.append((str(uid), f"{name}: ingen vårdcentral med listade i kommunen kan kopplas till enheten"))
        else:
            unlinked.append((str(uid), f"{name}: flera vårdcentraler passar ({', '.join(sorted(hits))})"))
    return links, unlinked
