"""Reading the economics input files (CSV or XLSX) — the room's only file access.

Every file is read by the one table reader (:func:`fcatlas.tables.read_table_file`:
UTF-8/UTF-16/Windows-1252, ``;``/``,``/tab, a title above the header, XLSX first sheet) and every
row is checked; a file with any bad row is refused as a whole with all its problems listed
(file, row, column, reason in Swedish), so nothing is half-stored.

* listed children: ``Vårdcentral``, ``Kommun`` or ``Kommunkod``, ``År``, ``Listade barn 0–6``,
  optionally ``Listade kvinnor 16–54`` and ``Regi`` (regional/privat);
* visits: ``Listad vid``, ``Besökt``, ``Antal``, ``År``;
* qualifying centres: a column ``Vårdcentral``, or one name a line;
* cost shares: ``Part`` and ``Yta`` (m²) or ``Andel`` (%), optionally ``Tak`` (``50 %`` or kronor).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path

from fcatlas.domain import LAST_YEAR
from fcatlas.errors import InputFileError, Problem, problems_error
from fcatlas.files import read_input_bytes
from fcatlas.register import rules
from fcatlas.tables import HeaderTest, RawTable, decode, fold, is_xlsx, read_table, read_table_file

MIN_YEAR, MAX_YEAR = 1990, LAST_YEAR
MAX_COUNT = 10_000_000

LISTED_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("vardcentral", "vardcentralen", "vardcentralnamn", "halsocentral", "namn", "enhet", "mottagning"),
    "kommun_name": ("kommun", "kommunnamn"),
    "kommun_code": ("kommunkod", "kommunnr", "kommunnummer", "kommuncode"),
    "year": ("ar", "artal", "year"),
    "children": ("listadebarn06", "listadebarn06ar", "listadebarn", "barn06", "barn06ar", "antalbarn",
                 "antallistadebarn", "children"),
    "women": ("listadekvinnor1654", "listadekvinnor1654ar", "listadekvinnor", "kvinnor1654", "kvinnor1654ar",
              "women"),
    "regi": ("regi", "driftsform", "huvudman"),
}
LISTED_LABELS = {"name": "Vårdcentral", "kommun_name": "Kommun", "kommun_code": "Kommunkod", "year": "År",
                 "children": "Listade barn 0–6", "women": "Listade kvinnor 16–54", "regi": "Regi"}
VISIT_ALIASES: dict[str, tuple[str, ...]] = {
    "listed_at": ("listadvid", "listad", "listningsvardcentral", "hemvardcentral", "listadpa"),
    "visited": ("besokt", "besoktvardcentral", "besokt familjecentral", "besoktfamiljecentral"),
    "count": ("antal", "antalbesok", "besok"),
    "year": ("ar", "artal", "year"),
}
VISIT_LABELS = {"listed_at": "Listad vid", "visited": "Besökt", "count": "Antal", "year": "År"}
SHARE_ALIASES: dict[str, tuple[str, ...]] = {
    "party": ("part", "parter", "huvudman", "verksamhet", "namn"),
    "area": ("yta", "ytam2", "ytakvm", "area", "kvm", "m2"),
    "share": ("andel", "andelprocent", "procent", "andelar"),
    "cap": ("tak", "takprocent", "taksek", "takkr", "maxandel", "max"),
}
SHARE_LABELS = {"party": "Part", "area": "Yta", "share": "Andel", "cap": "Tak"}

_REGI = {"regional": "regional", "region": "regional", "regionen": "regional", "offentlig": "regional",
         "egenregi": "regional", "regiondalarna": "regional", "privat": "privat", "privatregi": "privat",
         "private": "privat"}
_PREFIX = re.compile(r"^(vardcentralen|vardcentral|halsocentralen|halsocentral|vc)(?=[a-z0-9])")


@dataclass(frozen=True)
class ListedRow:
    row: int
    centre_id: str
    name: str
    kommun_code: str
    year: int
    children: int
    women: int | None
    regi: str | None


@dataclass(frozen=True)
class VisitRow:
    row: int
    listed_at: str
    visited: str
    count: int
    year: int | None


@dataclass(frozen=True)
class NamedRow:
    row: int
    column: str | None
    name: str


@dataclass(frozen=True)
class ShareRow:
    row: int
    party: str
    weight: Fraction
    kind: str  # "yta" or "andel"
    cap_share: Fraction | None
    cap_sek: int | None


def centre_key(name: str) -> str:
    """The form in which health-centre names are matched: folded, without a leading
    "Vårdcentral"/"VC"/"Hälsocentral" (``Vårdcentral Kvarnporten`` = ``Kvarnporten``).

    >>> centre_key("Vårdcentral Kvarnporten") == centre_key("kvarnporten")
    True
    """
    return _PREFIX.sub("", fold(name))


def centre_id(kommun_code: str, name: str) -> str:
    """A health centre's stable id: kommun code and :func:`centre_key` of its name.

    >>> centre_id("2081", "Vårdcentral Jakobsgårdarna")
    '2081-jakobsgardarna'
    """
    return f"{kommun_code}-{centre_key(name)[:100]}"


class _Bad(Exception):
    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _tester(aliases: dict[str, tuple[str, ...]], needed: Iterable[str]) -> HeaderTest:
    lookup = {a: f for f, al in aliases.items() for a in al}
    need = set(needed)

    def header_like(cells: Iterable[str]) -> bool:
        return need <= {lookup.get(fold(c)) for c in cells}

    return header_like


def _map(table: RawTable, aliases: dict[str, tuple[str, ...]], labels: dict[str, str]) -> dict[str, int]:
    lookup = {a: f for f, al in aliases.items() for a in al}
    mapping: dict[str, int] = {}
    for i, h in enumerate(table.headers):
        f = lookup.get(fold(h))
        if f is None:
            continue
        if f in mapping:
            raise InputFileError(table.file, f"kolumnerna {table.headers[mapping[f]]!r} och {h!r} betyder samma sak "
                                 f"({labels[f]}); ta bort den ena", row=table.header_row, column=h)
        mapping[f] = i
    return mapping


def _require(table: RawTable, mapping: dict[str, int], fields: Iterable[str], labels: dict[str, str]) -> None:
    missing = [labels[f] for f in fields if f not in mapping]
    if missing:
        raise InputFileError(
            table.file, "kolumnen " + " och ".join(repr(m) for m in missing) + " saknas (rubrikraden har "
            + ", ".join(repr(h) for h in table.headers) + ")", row=table.header_row,
        )


def _cells(table: RawTable, raw: list[str], mapping: dict[str, int]) -> dict[str, str]:
    return {f: (raw[i].strip() if i < len(raw) else "") for f, i in mapping.items()}


def _count(text: str, field: str, what: str, allow_empty: bool = False) -> int | None:
    t = text.replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace("\u2212", "-")
    if not t:
        if allow_empty:
            return None
        raise _Bad(field, f"{what} saknas")
    if re.fullmatch(r"-?\d+\.0+", t):
        t = t.split(".")[0]
    if not re.fullmatch(r"-?\d+", t):
        raise _Bad(field, f"{text!r} är inget heltal ({what})")
    v = int(t)
    if v < 0:
        raise _Bad(field, f"{what} är negativt ({v})")
    if v > MAX_COUNT:
        raise _Bad(field, f"{what} ({v}) är orimligt stort")
    return v


def _year(text: str, field: str, allow_empty: bool = False) -> int | None:
    t = text.strip()
    if not t and allow_empty:
        return None
    if re.fullmatch(r"\d{4}(\.0+)?", t):
        y = int(t.split(".")[0])
        if MIN_YEAR <= y <= MAX_YEAR:
            return y
    raise _Bad(field, f"{t!r} är inget år (väntat t.ex. 2025)")


def _text(text: str, field: str, what: str, n: int = 200) -> str:
    t = " ".join(text.split())
    if not t:
        raise _Bad(field, f"{what} saknas")
    if len(t) > n or re.search(r"[\x00-\x1f\x7f]", t):
        raise _Bad(field, f"{what} är inte ett rimligt namn (högst {n} tecken)")
    return t


def _problems(file: Path, table: RawTable, problems: list[Problem]) -> None:
    if problems:
        raise problems_error(file, problems)


def read_listed(path: str | Path) -> list[ListedRow]:
    """Listed children per health centre and year (all rows, or a Swedish error listing every
    bad row). A centre is identified by kommun and name (:func:`centre_id`)."""
    p = Path(path)
    table = read_table_file(p, _tester(LISTED_ALIASES, ["name", "year"]), what="vårdcentraler")
    mapping = _map(table, LISTED_ALIASES, LISTED_LABELS)
    _require(table, mapping, ["name", "year", "children"], LISTED_LABELS)
    if "kommun_code" not in mapping and "kommun_name" not in mapping:
        raise InputFileError(p, "kolumnen 'Kommun' eller 'Kommunkod' saknas", row=table.header_row)
    labels = {f: table.headers[i] for f, i in mapping.items()}
    out: list[ListedRow] = []
    problems: list[Problem] = []
    seen: dict[tuple[str, int], int] = {}
    for row_no, raw in table.rows:
        c = _cells(table, raw, mapping)
        try:
            name = _text(c["name"], "name", "vårdcentralens namn")
            kommun = rules.kommun(c.get("kommun_code", ""), c.get("kommun_name", ""), labels)
            year = _year(c["year"], "year")
            assert year is not None
            children = _count(c["children"], "children", "antalet listade barn 0–6")
            assert children is not None
            women = _count(c.get("women", ""), "women", "antalet listade kvinnor 16–54", allow_empty=True)
            regi_text = c.get("regi", "")
            regi = None
            if regi_text:
                regi = _REGI.get(fold(regi_text))
                if regi is None:
                    raise _Bad("regi", f"{regi_text!r} är ingen regi (väntat regional eller privat)")
        except _Bad as exc:
            problems.append(Problem(str(p), row_no, labels.get(exc.field or ""), exc.reason))
            continue
        except rules.RuleError as exc:  # the register's kommun check names its own column
            problems.append(Problem(str(p), row_no, exc.column, exc.reason))
            continue
        cid = centre_id(kommun, name)
        key = (cid, year)
        if key in seen:
            problems.append(Problem(str(p), row_no, labels["name"],
                                    f"{name} ({kommun}) år {year} finns redan på rad {seen[key]}"))
            continue
        seen[key] = row_no
        out.append(ListedRow(row_no, cid, name, kommun, year, children, women, regi))
    _problems(p, table, problems)
    return out


def read_visits(path: str | Path) -> list[VisitRow]:
    """Visits at another centre's family centre (all rows, or every bad row listed)."""
    p = Path(path)
    table = read_table_file(p, _tester(VISIT_ALIASES, ["listed_at", "visited"]), what="besök")
    mapping = _map(table, VISIT_ALIASES, VISIT_LABELS)
    _require(table, mapping, ["listed_at", "visited", "count"], VISIT_LABELS)
    labels = {f: table.headers[i] for f, i in mapping.items()}
    out: list[VisitRow] = []
    problems: list[Problem] = []
    for row_no, raw in table.rows:
        c = _cells(table, raw, mapping)
        try:
            a = _text(c["listed_at"], "listed_at", "vårdcentralen där familjen är listad")
            b = _text(c["visited"], "visited", "den besökta vårdcentralen")
            if centre_key(a) == centre_key(b):
                raise _Bad("visited", "samma vårdcentral som Listad vid; besök på den egna ersätts inte")
            n = _count(c["count"], "count", "antalet besök")
            assert n is not None
            y = _year(c.get("year", ""), "year", allow_empty=True)
        except _Bad as exc:
            problems.append(Problem(str(p), row_no, labels.get(exc.field or ""), exc.reason))
            continue
        out.append(VisitRow(row_no, a, b, n, y))
    _problems(p, table, problems)
    return out


def read_names(path: str | Path) -> list[NamedRow]:
    """Qualifying health centres: a column ``Vårdcentral`` (any other columns ignored), or a
    plain list with one name a line."""
    p = Path(path)
    data = read_input_bytes(p)  # a regular file within the cap (never /dev/zero or a pipe)
    tester = _tester({"name": LISTED_ALIASES["name"]}, ["name"])
    table = read_table(data, p, tester, what="vårdcentraler") if _looks_tabular(p, data, tester) else None
    out: list[NamedRow] = []
    problems: list[Problem] = []
    if table is not None:
        idx = next(i for i, h in enumerate(table.headers) if fold(h) in LISTED_ALIASES["name"])
        col: str | None = table.headers[idx]
        rows = table.rows
    else:
        text, _ = decode(p, data)
        col, idx = None, 0
        rows = [(i, [ln]) for i, ln in enumerate(text.splitlines(), start=1) if ln.strip()]
        if not rows:
            raise InputFileError(p, "filen är tom")
    seen: dict[str, int] = {}
    for row_no, raw in rows:
        try:
            name = _text(raw[idx] if idx < len(raw) else "", "name", "vårdcentralens namn")
        except _Bad as exc:
            problems.append(Problem(str(p), row_no, col, exc.reason))
            continue
        if centre_key(name) in seen:
            problems.append(Problem(str(p), row_no, col, f"{name!r} står redan på rad {seen[centre_key(name)]}"))
            continue
        seen[centre_key(name)] = row_no
        out.append(NamedRow(row_no, col, name))
    _problems(p, table or RawTable(p, [], [], "csv"), problems)
    return out


def _looks_tabular(p: Path, data: bytes, tester: HeaderTest) -> bool:
    if is_xlsx(data, p):
        return True
    try:
        text, _ = decode(p, data[:4096])
    except InputFileError:
        return True  # let read_table give the Swedish error
    for line in [ln for ln in text.splitlines() if ln.strip()][:10]:
        for d in (";", "\t", ","):
            if tester(line.split(d)):
                return True
    return False


def _decimal(text: str, field: str, what: str) -> Fraction:
    t = text.replace("\u00a0", "").replace(" ", "").replace("\u2212", "-").replace("%", "")
    t = t.replace(",", ".") if t.count(",") == 1 and "." not in t else t
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise _Bad(field, f"{text!r} är inget tal ({what})") from None
    if not d.is_finite():
        raise _Bad(field, f"{text!r} är inget tal ({what})")
    if d < 0:
        raise _Bad(field, f"{what} är negativ ({text.strip()})")
    return Fraction(d)


def read_shares(path: str | Path) -> list[ShareRow]:
    """Parties of a cost split with area (m²) or agreed share (%) and an optional cap.

    Shares must each be at most 100 % and together exactly 100 %; areas any non-negative size.
    A cap is ``50 %`` (share of the cost) or a whole number of kronor (``120 000``)."""
    p = Path(path)
    table = read_table_file(p, _tester(SHARE_ALIASES, ["party"]), what="parter")
    mapping = _map(table, SHARE_ALIASES, SHARE_LABELS)
    _require(table, mapping, ["party"], SHARE_LABELS)
    if ("area" in mapping) == ("share" in mapping):
        raise InputFileError(p, "ange antingen kolumnen 'Yta' (m²) eller 'Andel' (%), inte båda och inte ingen",
                             row=table.header_row)
    kind = "yta" if "area" in mapping else "andel"
    field = "area" if kind == "yta" else "share"
    labels = {f: table.headers[i] for f, i in mapping.items()}
    out: list[ShareRow] = []
    problems: list[Problem] = []
    for row_no, raw in table.rows:
        c = _cells(table, raw, mapping)
        try:
            party = _text(c["party"], "party", "partens namn")
            if not c[field]:
                raise _Bad(field, ("ytan" if kind == "yta" else "andelen") + " saknas")
            w = _decimal(c[field], field, "ytan" if kind == "yta" else "andelen")
            if kind == "andel" and w > 100:
                raise _Bad(field, f"andelen {c[field].strip()} är över 100 %")
            cap_share: Fraction | None = None
            cap_sek: int | None = None
            cap_text = c.get("cap", "")
            if cap_text:
                if "%" in cap_text:
                    v = _decimal(cap_text, "cap", "taket")
                    if v > 100:
                        raise _Bad("cap", f"taket {cap_text.strip()} är över 100 %")
                    cap_share = v / 100
                else:
                    t = re.sub(r"(?i)\s*(kr|sek|kronor)\.?$", "", cap_text)
                    cap_sek = _count(t, "cap", "taket (kronor)")
        except _Bad as exc:
            problems.append(Problem(str(p), row_no, labels.get(exc.field or ""), exc.reason))
            continue
        same = next((r.row for r in out if fold(r.party) == fold(party)), None)
        if same is not None:
            problems.append(Problem(str(p), row_no, labels["party"], f"parten {party!r} står redan på rad {same}"))
            continue
        out.append(ShareRow(row_no, party, w, kind, cap_share, cap_sek))
    if not problems and kind == "andel":
        total = sum((r.weight for r in out), Fraction(0))
        if total != 100:
            shown = f"{float(total):.2f}".rstrip("0").rstrip(".").replace(".", ",")
            problems.append(Problem(str(p), None, labels["share"], f"andelarna summerar till {shown} %, inte 100 %"))
    _problems(p, table, problems)
    return out
