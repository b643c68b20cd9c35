"""Geographic codes and their vintages (län, kommun, RegSO, DeSO).

* län: two digits, e.g. ``20`` (Dalarna);
* kommun: four digits, the first two being the län, e.g. ``2080`` (Falun);
* RegSO: ``KKKKRNNN`` (kommun code, ``R``, three digits), e.g. ``2080R001``;
* DeSO: ``KKKK[ABC]NNNN`` (kommun code, a letter for urbanity, four digits), e.g. ``2080C1010``.

Vintages: DeSO 2018 nests in RegSO 2020 (3,363 RegSO, 5,984 DeSO). SCB re-cut DeSO on
2025-01-01 (6,160 DeSO); in SCB's statistical database codes of the new division carry the
suffixes ``_DeSO2025`` / ``_RegSO2025``. The code *shapes* are the same in both vintages, so a
code alone does not tell its vintage: :func:`split_vintage` reads the suffix when there is one.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from fcatlas.errors import CodeError

Level = Literal["lan", "kommun", "regso", "deso"]

LAN_RE = re.compile(r"^\d{2}$")
KOMMUN_RE = re.compile(r"^\d{4}$")
REGSO_RE = re.compile(r"^\d{4}R\d{3}$")
DESO_RE = re.compile(r"^\d{4}[ABC]\d{4}$")
_SUFFIX_RE = re.compile(r"^(?P<code>.+?)_(?P<level>DeSO|RegSO)(?P<year>\d{4})$")

#: Known divisions: level -> years of SCB divisions.
VINTAGES: dict[str, tuple[int, ...]] = {"deso": (2018, 2025), "regso": (2020, 2025)}
#: The division the shipped key and exports use.
DEFAULT_VINTAGE: dict[str, int] = {"deso": 2018, "regso": 2020}

_PATTERNS = {"lan": LAN_RE, "kommun": KOMMUN_RE, "regso": REGSO_RE, "deso": DESO_RE}
_SHAPES = {
    "lan": "två siffror, t.ex. 20",
    "kommun": "fyra siffror, t.ex. 2080",
    "regso": "KKKKRNNN, t.ex. 2080R001",
    "deso": "KKKK[A|B|C]NNNN, t.ex. 2080C1010",
}
LEVEL_NAMES = {"lan": "län", "kommun": "kommun", "regso": "RegSO", "deso": "DeSO"}


def is_valid(level: Level, code: str) -> bool:
    """True when ``code`` has the shape of a code of ``level``."""
    return bool(_PATTERNS[level].match(code))


def validate(level: Level, code: object) -> str:
    """Return ``code`` as a clean string or raise :class:`CodeError` in Swedish.

    >>> validate("kommun", "2080")
    '2080'
    >>> validate("regso", "2080X001")
    Traceback (most recent call last):
    ...
    fcatlas.errors.CodeError: '2080X001' är ingen giltig RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)
    """
    text = str(code).strip() if code is not None else ""
    if not _PATTERNS[level].match(text):
        raise CodeError(
            f"{text!r} är ingen giltig {LEVEL_NAMES[level]}-kod (väntat {_SHAPES[level]})"
        )
    return text


@dataclass(frozen=True)
class VintagedCode:
    code: str
    level: Level
    year: int | None  # None: not stated in the code


def split_vintage(raw: str) -> VintagedCode:
    """Split SCB's statistical-database code (``2080C1010_DeSO2025``) into code and vintage.

    >>> split_vintage("0114R001_RegSO2025")
    VintagedCode(code='0114R001', level='regso', year=2025)
    >>> split_vintage("2080C1010")
    VintagedCode(code='2080C1010', level='deso', year=None)
    """
    text = raw.strip()
    m = _SUFFIX_RE.match(text)
    if m:
        level: Level = "deso" if m["level"] == "DeSO" else "regso"
        code = validate(level, m["code"])
        year = int(m["year"])
        if year not in VINTAGES[level]:
            raise CodeError(
                f"{text!r}: okänd indelning {LEVEL_NAMES[level]} {year} "
                f"(kända: {', '.join(map(str, VINTAGES[level]))})"
            )
        return VintagedCode(code, level, year)
    for lvl in ("deso", "regso", "kommun", "lan"):
        if _PATTERNS[lvl].match(text):
            return VintagedCode(text, lvl, None)
    raise CodeError(f"{text!r} är ingen känd områdeskod (län, kommun, RegSO eller DeSO)")


# -- a län as people write it ----------------------------------------------------------------------

#: The län letters still used in many registers (länsbokstav) → län code.
LAN_LETTERS = {
    "AB": "01", "C": "03", "D": "04", "E": "05", "F": "06", "G": "07", "H": "08", "I": "09", "K": "10",
    "M": "12", "N": "13", "O": "14", "S": "17", "T": "18", "U": "19", "W": "20", "X": "21", "Y": "22",
    "Z": "23", "AC": "24", "BD": "25",
}


def _fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-free, as :func:`fcatlas.tables.fold` (not imported:
    this module is read by the pure analysis, which opens no file)."""
    t = unicodedata.normalize("NFKD", str(text)).lower()
    return re.sub(r"[^0-9a-z]+", "", "".join(ch for ch in t if not unicodedata.combining(ch)))


def _quoted(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[:n] + "…")


def lan_code(value: object) -> str:
    """A län as people write it — ``20``, ``1`` or ``1.0`` (→ ``01``), ``W``, ``Dalarna``,
    ``Region Örebro län`` — as its code among Sweden's 21. The one reading of a län (``lan_code``
    and ``region_code`` name the same two digits); :class:`CodeError` in Swedish otherwise.

    >>> lan_code("20"), lan_code(1), lan_code("W"), lan_code("Region Örebro län")
    ('20', '01', '20', '18')
    >>> lan_code("99")
    Traceback (most recent call last):
    ...
    fcatlas.errors.CodeError: länskoden 99 finns inte bland Sveriges 21 län
    """
    from fcatlas.geography.admin import lan_names

    t = str(value if value is not None else "").strip()
    if t.upper() in LAN_LETTERS:
        return LAN_LETTERS[t.upper()]
    lans = lan_names()
    if re.fullmatch(r"\d{1,2}(\.0+)?", t):
        code = t.split(".")[0].zfill(2)
        if code in lans:
            return code
        raise CodeError(f"länskoden {code} finns inte bland Sveriges 21 län")
    key = _fold(t).removeprefix("region").removesuffix("lan")
    for code, name in lans.items():
        n = _fold(name).removesuffix("lan")
        if key in (n, n.rstrip("s")) or key.rstrip("s") == n.rstrip("s") or (key and key.startswith(n.rstrip("s"))):
            return code
    raise CodeError(f"{_quoted(t)} är inget län (väntat länskod som 20, länsbokstav som W eller namn som Dalarnas län)")
