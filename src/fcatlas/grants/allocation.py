"""The distribution key of the state grant for family centres 2026–2030 (pure, no I/O).

Socialstyrelsen's key: every eligible region receives a fixed amount (815,000 kr), and the rest
of the year's total is shared pro rata to each region's *basis*, the number of children 0–6 years
living in areas of large exclusion (under a chosen definition, see
:mod:`fcatlas.geography.exclusion`).

Exactness. Amounts are whole kronor. The variable pool ``P = total − fixed × n`` is divided with
the **largest-remainder method** (Hamilton): region *i* first gets ``⌊P·bᵢ/B⌋``; the kronor left
over (fewer than the number of regions) go one each to the regions with the largest remainders
``P·bᵢ mod B``. Ties are broken by the larger basis first, then by the region code in ascending
order (:data:`TIE_BREAK_RULE`). All arithmetic is on Python integers, so the parts always sum to
the total exactly.

:func:`fcatlas.grants.reference.allocate_reference` computes the same thing in plain Python
(:class:`fractions.Fraction`, no pandas); the tests hold the two against each other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from fcatlas.apportion import largest_remainder
from fcatlas.domain import DEFAULT_FIXED_SEK as DEFAULT_FIXED_SEK
from fcatlas.domain import MAX_SEK as MAX_SEK
from fcatlas.errors import InvalidInputError
from fcatlas.fmt import thousands

# The fixed amount per region in Socialstyrelsen's key (kronor) and the largest amount accepted
# are the shared rules of :mod:`fcatlas.domain` (re-exported here for the callers of the key).
#: Largest basis (children) accepted: far above any real count, and low enough that every sum
#: stays exact in the 64-bit integers of tables, files and databases.
MAX_BASIS = 10**15

#: The stated tie-break rule of the largest-remainder step (Swedish, for annexes and docs).
TIE_BREAK_RULE = (
    "Vid lika stora rester går kronan först till regionen med störst underlag, "
    "därefter till regionen med lägst länskod."
)

#: Columns of :func:`allocate`'s result.
RESULT_COLUMNS = [
    "region_code",
    "region_name",
    "eligible",
    "basis_children",
    "share",
    "fixed_sek",
    "variable_sek",
    "total_sek",
]

#: Columns of the CLI contract (csv/json output of ``fcatlas grant allocate``).
CONTRACT_COLUMNS = ["region_code", "region_name", "basis_children", "fixed_sek", "variable_sek", "total_sek"]


class AllocationError(InvalidInputError):
    """The inputs of an allocation are impossible or incomplete (Swedish message)."""


@lru_cache(maxsize=1)
def lan_names() -> dict[str, str]:
    """The 21 län codes → names (from :func:`fcatlas.geography.admin.lan_table`)."""
    from fcatlas.geography.admin import lan_table

    t = lan_table()
    return {str(c): str(n) for c, n in zip(t["lan_code"], t["lan_name"], strict=True)}


def region_names() -> dict[str, str]:
    """The 21 län codes → the regions' own names (``Region Örebro län``): grant recipients."""
    from fcatlas.geography.admin import REGION_NAMES

    return dict(REGION_NAMES)


@dataclass(frozen=True)
class Region:
    """One checked input row."""

    code: str
    name: str
    basis: int


def check_basis(basis: pd.DataFrame) -> list[Region]:
    """Check a basis table and return its rows as :class:`Region` sorted by code.

    Raises :class:`AllocationError` on a missing column, a code that is not one of the 21 län,
    a duplicate region, or a missing, negative or non-integer basis.
    """
    missing = [c for c in ("region_code", "basis_children") if c not in basis.columns]
    if missing:
        raise AllocationError(
            "underlaget saknar kolumnen " + ", ".join(repr(c) for c in missing)
            + " (väntat region_code och basis_children, ev. region_name)"
        )
    names = lan_names()
    seen: set[str] = set()
    out: list[Region] = []
    has_name = "region_name" in basis.columns
    for i, row in enumerate(basis.to_dict("records")):
        raw_code = row["region_code"]
        code = "" if _is_missing(raw_code) else str(raw_code).strip()
        if code.isdigit() and len(code) == 1:
            code = "0" + code
        where = f"rad {i + 1}"
        if code not in names:
            raise AllocationError(
                f"{where}: {code!r} är ingen region; region_code ska vara en av de 21 länskoderna "
                "(två siffror, t.ex. 18 för Örebro län)"
            )
        if code in seen:
            raise AllocationError(f"{where}: regionen {code} ({names[code]}) förekommer mer än en gång")
        seen.add(code)
        value = row["basis_children"]
        if _is_missing(value):
            raise AllocationError(f"{where}: underlaget (basis_children) saknas för region {code}")
        b = _as_int(value)
        if b is None:
            raise AllocationError(
                f"{where}: underlaget {value!r} för region {code} är inget heltal (antal barn 0–6 år)"
            )
        if b < 0:
            raise AllocationError(f"{where}: underlaget för region {code} är negativt ({b})")
        if b > MAX_BASIS:
            raise AllocationError(
                f"{where}: underlaget för region {code} ({fmt_sek(b)} barn) är orimligt stort "
                f"(högst {fmt_sek(MAX_BASIS)})"
            )
        name = region_names()[code]
        if has_name and not _is_missing(row.get("region_name")) and str(row["region_name"]).strip():
            name = str(row["region_name"]).strip()
        out.append(Region(code, name, b))
    return sorted(out, key=lambda r: r.code)


def allocate(
    basis: pd.DataFrame,
    total_sek: int,
    fixed_sek: int = DEFAULT_FIXED_SEK,
    *,
    year: int | None = None,
    eligible: Iterable[str] | None = None,
    include_all: bool = False,
) -> pd.DataFrame:
    """Apportion ``total_sek`` over the regions of ``basis`` by the grant key.

    Parameters
    ----------
    basis : DataFrame
        ``region_code`` (two-digit län code), ``basis_children`` (non-negative integer) and
        optionally ``region_name``; optionally ``n_areas`` (number of exclusion areas), used by
        the default eligibility.
    total_sek : int
        The year's total in kronor.
    fixed_sek : int
        The fixed amount per eligible region (default 815,000 kr).
    year : int, optional
        The grant year; stored in ``result.attrs["year"]``.
    eligible : iterable of str, optional
        The eligible region codes. Default: regions with a positive basis or, when the table
        has ``n_areas``, with at least one exclusion area.
    include_all : bool
        Every region of ``basis`` is eligible (overrides ``eligible``).

    Returns
    -------
    DataFrame
        :data:`RESULT_COLUMNS`, one row per region of ``basis`` sorted by code; regions that are
        not eligible get 0 kr. ``share`` is the share of the eligible basis (float, for display).

    Examples
    --------
    >>> b = pd.DataFrame({"region_code": ["18", "20"], "basis_children": [1, 3]})
    >>> allocate(b, 2_000_000, 815_000)[["region_code", "fixed_sek", "variable_sek"]].values.tolist()
    [['18', 815000, 92500], ['20', 815000, 277500]]
    """
    regions = check_basis(basis)
    if not regions:
        raise AllocationError("underlaget är tomt: inga regioner")
    total = _money(total_sek, "totalbeloppet")
    fixed = _money(fixed_sek, "det fasta beloppet")
    chosen = _eligible(basis, regions, eligible, include_all)
    elig = [r for r in regions if r.code in chosen]
    n = len(elig)
    pool, big_b, variable = _variable_parts(elig, total, fixed)
    out = _result_frame(regions, chosen, variable, fixed, big_b)
    if int(out["total_sek"].sum()) != total:  # pragma: no cover - guarded by the method
        raise AssertionError("fördelningen summerar inte till totalbeloppet")
    out.attrs.update(
        {
            "year": year,
            "total_sek": total,
            "fixed_sek": fixed,
            "variable_pool_sek": pool,
            "n_eligible": n,
            "basis_total": big_b,
        }
    )
    return out


def _eligible(basis: pd.DataFrame, regions: list[Region], eligible: Iterable[str] | None,
              include_all: bool) -> set[str]:
    """The codes of the eligible regions (see :func:`allocate`); none is an error."""
    codes = [r.code for r in regions]
    if include_all:
        chosen = set(codes)
    elif eligible is not None:
        chosen = set()
        for c in eligible:
            code = str(c).strip()
            if code not in codes:
                raise AllocationError(f"den berättigade regionen {code!r} finns inte i underlaget")
            chosen.add(code)
    else:
        n_areas = _n_areas(basis)
        chosen = {r.code for r in regions if r.basis > 0 or n_areas.get(r.code, 0) > 0}
    if not chosen:
        raise AllocationError(
            "ingen region är berättigad: inget område med stort utanförskap och inget underlag "
            "(använd --include-all för att ge alla regioner den fasta delen)"
        )
    return chosen


def _variable_parts(elig: list[Region], total: int, fixed: int) -> tuple[int, int, dict[str, int]]:
    """``(pool, basis total, variable kronor per eligible region)``: what remains after the fixed
    parts, shared by the largest remainder method in proportion to the basis."""
    n = len(elig)
    if total < fixed * n:
        raise AllocationError(
            f"totalbeloppet {fmt_sek(total)} kr räcker inte till den fasta delen: "
            f"{n} regioner × {fmt_sek(fixed)} kr = {fmt_sek(fixed * n)} kr"
        )
    pool = total - fixed * n
    big_b = sum(r.basis for r in elig)
    if big_b == 0 and pool > 0:
        raise AllocationError(
            f"summan av underlaget för de berättigade regionerna är noll; den rörliga delen "
            f"({fmt_sek(pool)} kr) kan inte fördelas"
        )
    # largest remainder (shared code); ties: larger basis first, then region code ascending —
    # ``elig`` is sorted by code, so the earlier part is the lower code
    parts = largest_remainder(pool, [r.basis for r in elig]) if big_b else [0] * n
    return pool, big_b, {r.code: p for r, p in zip(elig, parts, strict=True)}


def _result_frame(regions: list[Region], chosen: set[str], variable: dict[str, int], fixed: int,
                  big_b: int) -> pd.DataFrame:
    """One row per region of the basis (:data:`RESULT_COLUMNS`); not eligible: 0 kr."""
    rows = []
    for r in regions:
        ok = r.code in chosen
        var = variable.get(r.code, 0)
        rows.append(
            {
                "region_code": r.code,
                "region_name": r.name,
                "eligible": ok,
                "basis_children": r.basis,
                "share": (r.basis / big_b if big_b else 0.0) if ok else 0.0,
                "fixed_sek": fixed if ok else 0,
                "variable_sek": var,
                "total_sek": (fixed if ok else 0) + var,
            }
        )
    out = pd.DataFrame(rows, columns=RESULT_COLUMNS)
    for col in ("basis_children", "fixed_sek", "variable_sek", "total_sek"):
        out[col] = out[col].astype("int64")
    out["eligible"] = out["eligible"].astype(bool)
    out["share"] = out["share"].astype("float64")
    return out


def fmt_sek(value: int) -> str:
    """Kronor with a space as thousands separator (Swedish style).

    >>> fmt_sek(1500000)
    '1 500 000'
    """
    return thousands(value)


def _n_areas(basis: pd.DataFrame) -> dict[str, int]:
    if "n_areas" not in basis.columns:
        return {}
    out: dict[str, int] = {}
    for code, n in zip(basis["region_code"], basis["n_areas"], strict=True):
        if not _is_missing(n):
            c = str(code).strip()
            out["0" + c if len(c) == 1 else c] = int(n)
    return out


def _money(value: object, what: str) -> int:
    v = _as_int(value)
    if v is None:
        raise AllocationError(f"{what} ska vara ett helt antal kronor, fick {value!r}")
    if v < 0:
        raise AllocationError(f"{what} får inte vara negativt ({v} kr)")
    if v > MAX_SEK:
        raise AllocationError(f"{what} ({fmt_sek(v)} kr) är orimligt stort; högst {fmt_sek(MAX_SEK)} kr")
    return v


def _is_missing(value: object) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _as_int(value: object) -> int | None:
    """An exact integer from int/float/str, or None when the value is not a whole number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        import numpy as np

        if isinstance(value, np.integer):
            return int(value)
        if isinstance(value, np.floating | float):
            f = float(value)
            return int(f) if f.is_integer() else None
    except ImportError:  # pragma: no cover
        pass
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", "").replace(" ", "")
        if re.fullmatch(r"-?[0-9]+", text):  # ASCII digits: "²".isdigit() is true, int("²") fails
            return int(text)
        return None
    return None
