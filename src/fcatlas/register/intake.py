"""Intake of the regions' lists (CSV or XLSX, in their own shape) — no database access here.

:func:`read_table` turns a file into a header and text rows (file-level problems raise
:class:`~fcatlas.errors.InputFileError`: nothing of such a file is ever stored);
:func:`parse_submission` validates every row and gives the accepted units plus one
:class:`RowProblem` per rejected row (``severity="fel"``) or warning (``"varning"``).

What is accepted
----------------
* CSV separated by ``;``, ``,`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, or
  Windows-1252. XLSX (first sheet; formulas are read as their text, never evaluated).
* Swedish headers with tolerant aliases (case, accents, spaces and punctuation do not matter):
  ``Namn``, ``Kommun``, ``Kommunkod``, ``Län``, ``Adress``, ``Postnummer``, ``Ort``; the four
  service columns (``MVC``/``BMM``, ``BVC``, ``Öppen förskola``/``ÖF``, ``Socialtjänst``/``SOC``)
  with ``ja``/``nej``/``x``/``1``/``0`` and ``Samlokaliserad``; or a single ``Typ`` column naming
  the category; ``Status`` (``i drift``, ``planerad``, ``avsiktsförklaring``, ``nedlagd``),
  ``Statusdatum``; ``Latitud``/``Longitud`` (or ``N``/``E``, ``X``/``Y``) in WGS 84 or
  SWEREF 99 TM; ``Koordinatnoggrannhet``; ``Anmärkning``; ``Id``. Optional governance columns
  (``Styrgrupp``, ``Samordnare``, ``Skriftligt samverkansavtal``, ``Gemensam verksamhetsplan``,
  ``Gemensam uppföljning``, ``Gemensamma möten för alla aktörer``) with ja/nej/okänt
  (``x`` = ja; blank or ``-`` = okänt), see :func:`governance_value`. The English column names of
  ``fcatlas register export --format csv`` are understood too, so an export can be re-imported.

Unit ids are stable: ``Id`` when the file has one, else ``<kommunkod>-<name folded to ASCII>``.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any

from fcatlas.domain import (
    CATEGORY_LABELS,
    GOVERNANCE_FIELDS,
    GOVERNANCE_LABELS,
    Category,
    NotACollaborationError,
    Service,
    Status,
    classify,
    implied_by,
)
from fcatlas.errors import CodeError, InputFileError
from fcatlas.files import max_input_bytes, max_input_rows, read_input_bytes
from fcatlas.geography import admin
from fcatlas.geography.sources.postcodes import normalise_postcode
from fcatlas.geography.sources.textfile import decode_bytes, xlsx_rows
from fcatlas.register.geocode import (
    Geocoder,
    LocationError,
    check_in_kommun,
    detect_system,
)

#: Longest text accepted per field (longer cells reject the row, they are never cut).
MAX_LENGTH = {
    "id": 100,
    "name": 200,
    "address": 200,
    "locality": 100,
    "other_partners": 500,
    "stated_accuracy": 100,
    "note": 2000,
    "coord_a": 30,
    "coord_b": 30,
    "coord_x": 30,
    "coord_y": 30,
    "postcode": 20,
    "status_date": 30,
}
DEFAULT_MAX_LENGTH = 100
DUPLICATE_DISTANCE_M = 50.0
#: Plausible years of a status date.
MIN_YEAR, MAX_YEAR = 1900, 2100
SIMILAR_NAME_RATIO = 0.9

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAK = re.compile(r"[\r\n\t]")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-free form used to match headers and values.

    >>> fold(" Öppen  förskola ")
    'oppenforskola'
    """
    t = unicodedata.normalize("NFKD", str(text)).lower()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", t)


# field -> header aliases (folded)
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "enhetsid", "enhetid"),
    "name": ("namn", "enhet", "enhetsnamn", "enhetensnamn", "verksamhet", "verksamhetsnamn", "verksamhetensnamn",
             "familjecentral", "familjecentralensnamn", "namnpaenheten", "namnpaverksamheten", "name"),
    "kommun_name": ("kommun", "kommunnamn", "kommunname"),
    "kommun_code": ("kommunkod", "kommunnr", "kommunnummer", "kommuncode"),
    "lan": ("lan", "lanskod", "lanscode", "lancode", "lankod"),
    "lan_name": ("lannamn", "lanname", "region"),
    "address": ("adress", "besoksadress", "gatuadress", "address"),
    "postcode": ("postnummer", "postnr", "postcode"),
    "locality": ("ort", "postort", "locality"),
    "mvc": ("mvc", "bmm", "mvcbmm", "modrahalsovard", "barnmorskemottagning"),
    "bvc": ("bvc", "barnhalsovard", "barnavardscentral"),
    "of": ("of", "oppenforskola", "oppnaforskolan"),
    "soc": ("soc", "socialtjanst", "socialtjansten", "socialtjanstforebyggande"),
    "co_located": ("samlokaliserad", "samlokalisering", "samlokaliserade", "colocated"),
    "category": ("typ", "kategori", "category", "verksamhetstyp"),
    "other_partners": ("ovrigasamverkanspartner", "ovrigapartner", "andraparter", "otherpartners"),
    "status": ("status",),
    "status_date": ("statusdatum", "datum", "startdatum", "statusdate"),
    "coord_a": ("latitud", "lat", "latitude", "nord", "northing", "n", "sweref99n", "sweref99tmn"),
    "coord_b": ("longitud", "lon", "long", "lng", "longitude", "ost", "easting", "e", "sweref99e",
                "sweref99tme"),
    "coord_x": ("x",),
    "coord_y": ("y",),
    "stated_accuracy": ("koordinatnoggrannhet", "noggrannhet", "lagesnoggrannhet", "statedaccuracy"),
    "precision": ("precision", "lagesprecision"),
    "note": ("anmarkning", "kommentar", "ovrigt", "notering", "note"),
    # governance (optional; ja/nej/okänt)
    "gov_steering_group": ("styrgrupp", "ledningsgrupp", "styrgruppledningsgrupp", "ledningsstyrgrupp",
                           "styrellerledningsgrupp", "ledningsellerstyrgrupp", "govsteeringgroup"),
    "gov_coordinator": ("samordnare", "koordinator", "samordnarekoordinator", "govcoordinator"),
    "gov_written_agreement": ("skriftligtsamverkansavtal", "samverkansavtal", "skriftligtavtal",
                              "govwrittenagreement"),
    "gov_joint_plan": ("gemensamverksamhetsplan", "verksamhetsplan", "govjointplan"),
    "gov_joint_followup": ("gemensamuppfoljning", "uppfoljning", "govjointfollowup"),
    "gov_joint_meetings": ("gemensammamotenforallaaktorer", "gemensammamotenforsamtligaaktorer",
                           "gemensammamoten", "motenforallaaktorer", "govjointmeetings"),
}
#: Columns of our own export that carry nothing to import.
IGNORED = frozenset({"round", "firstround", "version", "sourcecoordinates", "omgang", "statusreason",
                     "orsaktillstatus"})
_ALIAS_TO_FIELD = {alias: f for f, aliases in ALIASES.items() for alias in aliases}
SERVICE_FIELDS: dict[str, Service] = {"mvc": Service.MVC, "bvc": Service.BVC, "of": Service.OF, "soc": Service.SOC}

_YES = frozenset({"ja", "j", "yes", "y", "x", "1", "sant", "true"})
_NO = frozenset({"nej", "n", "no", "0", "falskt", "false"})
_TICKS = frozenset({"✓", "✔", "☑", "✗"})

_STATUS: dict[str, Status] = {
    "idrift": Status.I_DRIFT, "drift": Status.I_DRIFT, "aktiv": Status.I_DRIFT, "oppen": Status.I_DRIFT,
    "planerad": Status.PLANERAD, "planerat": Status.PLANERAD, "planering": Status.PLANERAD,
    "underuppbyggnad": Status.PLANERAD,
    "avsiktsforklaring": Status.AVSIKTSFORKLARING,
    "nedlagd": Status.NEDLAGD, "stangd": Status.NEDLAGD, "avvecklad": Status.NEDLAGD,
}
_CATEGORY: dict[str, Category] = {
    "familjecentral": Category.FAMILJECENTRAL, "fc": Category.FAMILJECENTRAL,
    "familjecentralsliknande": Category.FAMILJECENTRALSLIKNANDE,
    "familjecentralsliknandeverksamhet": Category.FAMILJECENTRALSLIKNANDE,
    "annansamverkan": Category.ANNAN_SAMVERKAN, "annanformavsamverkan": Category.ANNAN_SAMVERKAN,
    "samverkan": Category.ANNAN_SAMVERKAN,
}

#: Swedish column labels (how a person calls a field in messages).
FIELD_LABELS = {
    "id": "Id", "name": "Namn", "kommun_name": "Kommun", "kommun_code": "Kommunkod", "lan": "Län",
    "lan_name": "Län", "address": "Adress", "postcode": "Postnummer", "locality": "Ort", "mvc": "MVC",
    "bvc": "BVC", "of": "Öppen förskola", "soc": "Socialtjänst", "co_located": "Samlokaliserad",
    "category": "Typ", "other_partners": "Övriga samverkanspartner", "status": "Status",
    "status_date": "Statusdatum", "coord_a": "Latitud", "coord_b": "Longitud", "coord_x": "X",
    "coord_y": "Y", "stated_accuracy": "Koordinatnoggrannhet", "precision": "Lägesprecision",
    "note": "Anmärkning", **GOVERNANCE_LABELS,
}


@dataclass
class RawTable:
    """A file as header + text rows. ``rows`` holds ``(row number as a person sees it, cells)``."""

    file: Path
    headers: list[str]
    rows: list[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"
    encoding: str | None = None
    delimiter: str | None = None
    sha256: str = ""
    #: Row number of the header (a person's count); rows above it (a title, a blank line) are
    #: not data and are named in the submission's notes.
    header_row: int = 1
    #: The first non-empty rows of the file (row number, cells), for messages about the header.
    top: list[tuple[int, list[str]]] = field(default_factory=list)
    #: Whether the header row was given by the user (``--rubrikrad``).
    header_given: bool = False


@dataclass
class RowProblem:
    row: int | None
    column: str | None
    reason: str
    severity: str = "fel"  # "fel" (row rejected) or "varning" (row stored, a person should look)
    values: dict[str, str] = field(default_factory=dict)


@dataclass
class UnitRecord:
    """An accepted row: a stable ``id`` and the stored fields (see ``models.UNIT_FIELDS``)."""

    id: str
    row: int
    fields: dict[str, Any]


@dataclass
class Submission:
    table: RawTable
    units: list[UnitRecord]
    problems: list[RowProblem]
    notes: list[str]

    @property
    def file(self) -> Path:
        return self.table.file

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({p.row for p in self.problems if p.severity == "fel" and p.row is not None})

    @property
    def n_rows(self) -> int:
        return len(self.table.rows)


class _RowError(Exception):
    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


# --------------------------------------------------------------------------------------------
# Reading files
# --------------------------------------------------------------------------------------------


#: How many non-empty rows at the top of a file are searched for the header row (regions often
#: put a title and a blank line above it).
HEADER_SEARCH_ROWS = 10


def _header_like(cells: Iterable[str]) -> bool:
    """A row that names a unit column and a kommun column, i.e. a header row."""
    found = {_ALIAS_TO_FIELD.get(fold(c)) for c in cells}
    return "name" in found and bool(found & {"kommun_code", "kommun_name"})


HeaderTest = Callable[[Iterable[str]], bool]


def _header_index(rows: list[list[str]], header_like: HeaderTest = _header_like) -> int:
    """Index of the header among the first non-empty ``rows``: the first that looks like one,
    else the first row (whose problems are then reported as header problems)."""
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if header_like(cells):
            return i
    return 0


def _sniff_delimiter(text: str, header_like: HeaderTest = _header_like) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()][:HEADER_SEARCH_ROWS]
    for ln in lines:  # the separator that splits a line into a recognisable header
        for d in (";", "\t", ","):
            if d in ln and header_like(ln.split(d)):
                return d
    # no recognisable header: the separator found on most of the first lines (a title line
    # above the header has none), then the most frequent one
    counts = {d: (sum(d in ln for ln in lines), sum(ln.count(d) for ln in lines)) for d in (";", "\t", ",")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best][1] else ";"


def _split_header(
    p: Path, records: list[tuple[int, list[str]]], kind: str, header_like: HeaderTest = _header_like,
    header_row: int | None = None,
) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """Header, data rows and header row number from the non-empty records of a file
    (``header_row``: the row a person said is the header, ``--rubrikrad``)."""
    if not records:
        raise InputFileError(p, "filen har ingen rubrikrad" if kind == "csv" else "första bladet har ingen rubrikrad")
    if header_row is not None:
        at = [i for i, (row_no, _) in enumerate(records) if row_no == header_row]
        if not at:
            raise InputFileError(p, f"rad {header_row} (--rubrikrad) är tom eller finns inte i filen", row=header_row)
        i = at[0]
        return records[i][1], records[i + 1:], records[i][0]
    i = _header_index([cells for _, cells in records], header_like)
    return records[i][1], records[i + 1:], records[i][0]


def read_table(path: str | Path, header_like: HeaderTest | None = None, what: str = "enheter",
               header_row: int | None = None) -> RawTable:
    """Read a CSV or XLSX submission into a header and text rows.

    ``header_like`` tells a header row from a title above it and picks the CSV separator
    (default: the register's, a unit name and a kommun column); other rooms that read tables in
    the same tolerant way pass their own. ``what`` names the rows in messages.

    Raises
    ------
    InputFileError
        The file is missing, unreadable, not text in a known encoding, has broken quoting,
        no header row, repeated or empty column names, or no data rows.
    """
    p = Path(path)
    data = read_input_bytes(p)
    sha = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise InputFileError(p, "filen är tom")
    if data[:4] == b"PK\x03\x04" or p.suffix.lower() in (".xlsx", ".xlsm"):
        table = _read_xlsx(p, data, header_like or _header_like, header_row)
    else:
        table = _read_csv(p, data, header_like or _header_like, header_row)
    table.sha256 = sha
    _check_headers(table)
    if not table.rows:
        raise InputFileError(p, f"filen har en rubrikrad men inga {what}")
    if len(table.rows) > max_input_rows():
        raise InputFileError(p, f"filen har {len(table.rows)} rader, fler än {max_input_rows()} tillåts")
    return table


def _read_csv(p: Path, data: bytes, header_like: HeaderTest = _header_like, header_row: int | None = None) -> RawTable:
    text, enc = decode_bytes(p, data, ("utf-8-sig", "utf-16", "cp1252"))
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputFileError(p, "filen innehåller NUL-tecken; är det verkligen en textfil (CSV)?", row=line)
    delim = _sniff_delimiter(text, header_like)
    csv.field_size_limit(max_input_bytes())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim, strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            row_no = start
            start = reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            records.append((row_no, cells))
    except csv.Error as exc:
        raise InputFileError(
            p, f"trasig CSV (citattecken som inte stängs eller står fel): {exc}", row=start
        ) from None
    given = header_row is not None
    headers, rows, header_row = _split_header(p, records, "csv", header_like, header_row)
    return RawTable(p, headers, rows, "csv", encoding=enc, delimiter=delim, header_row=header_row,
                    top=records[:HEADER_SEARCH_ROWS], header_given=given)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nej"
    if isinstance(value, float):
        return repr(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(p: Path, data: bytes, header_like: HeaderTest = _header_like,
               header_row: int | None = None) -> RawTable:
    records: list[tuple[int, list[str]]] = []
    for idx, values in xlsx_rows(p, data):
        cells = [_cell_text(v) for v in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            records.append((idx, cells))
    given = header_row is not None
    headers, rows, header_row = _split_header(p, records, "xlsx", header_like, header_row)
    return RawTable(p, headers, rows, "xlsx", header_row=header_row, top=records[:HEADER_SEARCH_ROWS],
                    header_given=given)


def _check_headers(table: RawTable) -> None:
    p = table.file
    headers = [h.strip() for h in table.headers]
    while headers and not headers[-1]:
        headers.pop()
    for i, h in enumerate(headers, start=1):
        if not h:
            raise InputFileError(p, f"kolumn {i} i rubrikraden saknar namn", row=_header_row(table))
        if _CONTROL.search(h) or len(h) > 200:
            raise InputFileError(p, f"kolumnnamn {i} är inte ett rimligt namn", row=_header_row(table))
    seen: dict[str, str] = {}
    for h in headers:
        key = fold(h) or h
        if key in seen:
            raise InputFileError(
                p, f"kolumnen {h!r} finns två gånger (även {seen[key]!r})", row=_header_row(table), column=h
            )
        seen[key] = h
    table.headers = headers


def _header_row(table: RawTable) -> int:
    return table.header_row


# --------------------------------------------------------------------------------------------
# Header mapping
# --------------------------------------------------------------------------------------------


def map_headers(table: RawTable) -> tuple[dict[str, int], list[str]]:
    """field -> column index, and the headers that were not understood (ignored)."""
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for i, h in enumerate(table.headers):
        key = fold(h)
        f = _ALIAS_TO_FIELD.get(key)
        if f is None:
            if key not in IGNORED:
                unknown.append(h)
            continue
        if f in mapping:
            raise InputFileError(
                table.file,
                f"kolumnerna {table.headers[mapping[f]]!r} och {h!r} betyder samma sak "
                f"({FIELD_LABELS[f]}); ta bort den ena",
                row=_header_row(table),
                column=h,
            )
        mapping[f] = i
    p = table.file
    if "name" not in mapping:
        raise InputFileError(p, "kolumnen Namn saknas (enhetens namn). " + header_help(table, "name"),
                             row=_header_row(table))
    if "kommun_code" not in mapping and "kommun_name" not in mapping:
        raise InputFileError(p, "kolumnen Kommunkod eller Kommun saknas. " + header_help(table, "kommun_name"),
                             row=_header_row(table))
    services = [f for f in SERVICE_FIELDS if f in mapping]
    if services and len(services) < 4:
        missing = ", ".join(FIELD_LABELS[f] for f in SERVICE_FIELDS if f not in mapping)
        raise InputFileError(
            p, f"tjänstekolumner saknas: {missing} (alla fyra behövs, eller en kolumn Typ)",
            row=_header_row(table),
        )
    if not services and "category" not in mapping:
        raise InputFileError(
            p,
            "kolumner för tjänsterna (MVC, BVC, Öppen förskola, Socialtjänst och Samlokaliserad) eller en "
            "kolumn Typ med kategorin saknas",
            row=_header_row(table),
        )
    if services and "co_located" not in mapping and "category" not in mapping:
        raise InputFileError(
            p, "kolumnen Samlokaliserad saknas; utan den (eller en kolumn Typ) kan enheterna inte "
            "klassificeras", row=_header_row(table),
        )
    has_ab = "coord_a" in mapping or "coord_b" in mapping
    has_xy = "coord_x" in mapping or "coord_y" in mapping
    if has_ab and has_xy:
        raise InputFileError(p, "både Latitud/Longitud och X/Y finns; behåll ett par", row=_header_row(table))
    for a, b in (("coord_a", "coord_b"), ("coord_x", "coord_y")):
        if (a in mapping) != (b in mapping):
            have = a if a in mapping else b
            raise InputFileError(
                p, f"kolumnen {table.headers[mapping[have]]!r} finns men inte dess par "
                f"({FIELD_LABELS[b if have == a else a]})", row=_header_row(table),
            )
    return mapping, unknown


_KNOWN_FOR = {
    "name": "Namn, Enhet, Enhetens namn, Verksamhetens namn, Familjecentral",
    "kommun_name": "Kommun, Kommunnamn, Kommunkod",
}


def _known_score(cells: Iterable[str]) -> int:
    """How many cells of a row are (or closely resemble) known column names."""
    from difflib import get_close_matches

    n = 0
    for c in cells:
        k = fold(c)
        if k and (k in _ALIAS_TO_FIELD or get_close_matches(k, list(_ALIAS_TO_FIELD), n=1, cutoff=0.8)):
            n += 1
    return n


def header_help(table: RawTable, wanted: str) -> str:
    """What to do when the header is not understood: which row looks like the header, which
    columns were found, the nearest known names, and ``--rubrikrad N``."""
    from difflib import get_close_matches

    parts: list[str] = []
    found = [h for h in table.headers if h.strip()]
    shown = ", ".join(repr(h) for h in found[:12]) + (" …" if len(found) > 12 else "")
    parts.append(f"Rubrikraden lästes från rad {table.header_row}: {shown or 'inga kolumner'}.")
    others = [(n, cells) for n, cells in table.top if n != table.header_row]
    best = max(others, key=lambda r: _known_score(r[1]), default=None)
    if best is not None and _known_score(best[1]) > _known_score(table.headers):
        cols = ", ".join(repr(c) for c in best[1][:8] if c.strip())
        parts.append(f"Rad {best[0]} ser ut som rubrikraden ({cols}); läs filen med --rubrikrad {best[0]}.")
    near = []
    labels = {f: FIELD_LABELS[f] for f in FIELD_LABELS}
    for h in found:
        k = fold(h)
        if k in _ALIAS_TO_FIELD:
            continue
        m = get_close_matches(k, list(_ALIAS_TO_FIELD), n=1, cutoff=0.6)
        if m:
            near.append(f"{h!r} liknar {labels[_ALIAS_TO_FIELD[m[0]]]}")
    if near:
        parts.append("Närmaste kända namn: " + "; ".join(near[:6]) + ".")
    parts.append(f"Kända namn för kolumnen: {_KNOWN_FOR[wanted]}. Byt namn på kolumnen, eller ange vilken rad "
                 "rubrikerna står på med --rubrikrad N.")
    return " ".join(parts)


# --------------------------------------------------------------------------------------------
# Row parsing
# --------------------------------------------------------------------------------------------


def make_unit_id(kommun_code: str, name: str) -> str:
    """Stable id from kommun and name: ``2080-familjecentral-britsarvet``.

    >>> make_unit_id("2080", "Familjecentral Britsarvet")
    '2080-familjecentral-britsarvet'
    """
    t = unicodedata.normalize("NFKD", name).lower()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    slug = re.sub(r"[^0-9a-z]+", "-", t).strip("-")
    digest = hashlib.sha1(unicodedata.normalize("NFC", name.strip().lower()).encode()).hexdigest()[:10]
    if not slug:
        return f"{kommun_code}-x{digest}"
    if len(slug) > 70:
        slug = slug[:60].rstrip("-") + "-" + digest
    return f"{kommun_code}-{slug}"


def _yes_no(text: str, column: str, empty: bool | None) -> bool | None:
    t = text.strip()
    if not t:
        return empty
    if t in _TICKS:
        return t != "✗"
    k = fold(t)
    if k in _YES:
        return True
    if k in _NO:
        return False
    raise _RowError(column, f"{_short(t)} är inte ja eller nej (väntat ja/nej/x/1/0)")


_UNKNOWN = frozenset({"", "okant", "vetej", "uppgiftsaknas", "saknas", "unknown"})


def governance_value(text: str, column: str = "") -> bool | None:
    """A governance cell: ja → True, nej → False, okänt → None.

    Ja: ``ja``, ``x``, ``1``, ``✓`` (any case); nej: ``nej``, ``0``, ``✗``; okänt: blank, ``-``,
    ``?``, ``okänt``, ``vet ej``.

    >>> [governance_value(v) for v in ("Ja", "JA", "x", "nej", "-", "", "okänt")]
    [True, True, True, False, None, None, None]
    """
    t = text.strip()
    if t in ("-", "–", "—", "?") or fold(t) in _UNKNOWN:
        return None
    try:
        return _yes_no(t, column, None)
    except _RowError:
        raise _RowError(column, f"{_short(t)} är inte ja, nej eller okänt (väntat ja/nej/x/-/tomt)") from None


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[:n] + "…")


def _number(text: str, column: str) -> float:
    t = text.strip().replace("\u00a0", "").replace(" ", "").replace("\u2212", "-")
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", t):
        raise _RowError(column, f"{_short(text)} är inget tal (väntat t.ex. 60.6209 eller 6720000)")
    return float(t)


@lru_cache(maxsize=1)
def _kommun_lookup() -> tuple[dict[str, str], dict[str, str]]:
    """kommun code -> name, län code -> name (admin's tables, once)."""
    t = admin.kommun_table()
    names = {str(c): str(n) for c, n in zip(t["kommun_code"], t["kommun_name"], strict=True)}
    lt = admin.lan_table()
    lans = {str(c): str(n) for c, n in zip(lt["lan_code"], lt["lan_name"], strict=True)}
    return names, lans


def _kommun(cells: dict[str, str], labels: dict[str, str]) -> str:
    names = _kommun_lookup()[0]
    code_text = cells.get("kommun_code", "").strip()
    name_text = cells.get("kommun_name", "").strip()
    code: str | None = None
    if code_text:
        t = code_text
        if re.fullmatch(r"\d+\.0+", t):
            t = t.split(".")[0]
        if re.fullmatch(r"\d{3}", t):
            t = "0" + t  # Excel drops the leading zero of 01xx–09xx
        if not re.fullmatch(r"\d{4}", t):
            raise _RowError(labels["kommun_code"], f"{_short(code_text)} är ingen kommunkod (fyra siffror, t.ex. 2080)")
        if t not in names:
            raise _RowError(labels["kommun_code"], f"kommunkoden {t!r} finns inte bland Sveriges 290 kommuner")
        code = t
    if name_text:
        try:
            by_name = admin.kommun_by_name(name_text)
        except CodeError as exc:
            if code is None:
                raise _RowError(labels["kommun_name"], str(exc)) from None
            raise _RowError(labels["kommun_name"], f"{exc}; kommunkoden {code} är {names[code]}") from None
        if code is not None and by_name != code:
            raise _RowError(
                labels["kommun_code"],
                f"kommunkoden {code} ({names[code]}) stämmer inte med kommunnamnet {name_text!r} ({by_name})",
            )
        code = by_name
    if code is None:
        raise _RowError(labels.get("kommun_code") or labels.get("kommun_name"), "kommun saknas")
    return code


#: The län letters still used in many registers (länsbokstav) → län code.
LAN_LETTERS = {
    "AB": "01", "C": "03", "D": "04", "E": "05", "F": "06", "G": "07", "H": "08", "I": "09", "K": "10",
    "M": "12", "N": "13", "O": "14", "S": "17", "T": "18", "U": "19", "W": "20", "X": "21", "Y": "22",
    "Z": "23", "AC": "24", "BD": "25",
}


def _lan_code(text: str, column: str) -> str:
    t = text.strip()
    if t.upper() in LAN_LETTERS:
        return LAN_LETTERS[t.upper()]
    if re.fullmatch(r"\d{1,2}(\.0+)?", t):
        code = t.split(".")[0].zfill(2)
        if code in _kommun_lookup()[1]:
            return code
        raise _RowError(column, f"länskoden {code} finns inte")
    key = fold(t)
    for prefix in ("region",):
        if key.startswith(prefix):
            key = key[len(prefix):]
    if key.endswith("lan"):
        key = key[:-3]
    for code, name in _kommun_lookup()[1].items():
        n = fold(name)
        n = n[:-3] if n.endswith("lan") else n
        if key in (n, n.rstrip("s")) or key.rstrip("s") == n.rstrip("s") or (key and key.startswith(n.rstrip("s"))):
            return str(code)
    raise _RowError(
        column, f"{_short(t)} är inget län (väntat länskod som 20, länsbokstav som W eller namn som Dalarnas län)"
    )


def lan_code_of(text: str) -> str:
    """A län as people write it — ``18``, ``T``, ``Örebro``, ``Region Örebro län`` — as its code.

    >>> lan_code_of("Örebro"), lan_code_of("18"), lan_code_of("Region Jämtland Härjedalen")
    ('18', '18', '23')

    Raises :class:`~fcatlas.errors.CodeError` (Swedish message) when it names no län.
    """
    try:
        return _lan_code(str(text), "län")
    except _RowError as exc:
        raise CodeError(exc.reason) from None


def status_of(text: str) -> Status:
    """A status as the import accepts it (``i drift``, ``i_drift``, ``planerad`` …).

    >>> status_of("i drift"), status_of("i_drift"), status_of("Avsiktsförklaring")
    (<Status.I_DRIFT: 'i_drift'>, <Status.I_DRIFT: 'i_drift'>, <Status.AVSIKTSFORKLARING: 'avsiktsforklaring'>)
    """
    st = _STATUS.get(fold(text))
    if st is None:
        raise CodeError(f"{_short(str(text))} är ingen status (välj i drift, planerad, avsiktsförklaring eller nedlagd)")
    return st


def category_of(text: str) -> Category:
    """A category as the import accepts it (``familjecentral``, ``annan samverkan`` …)."""
    c = _CATEGORY.get(fold(text))
    if c is None:
        raise CodeError(
            f"{_short(str(text))} är ingen kategori (välj familjecentral, familjecentralsliknande eller annan samverkan)"
        )
    return c


def _date(text: str, column: str) -> str | None:
    t = text.strip()
    if not t:
        return None
    for pattern, fmt in ((r"[0-9]{4}-[0-9]{2}-[0-9]{2}", "%Y-%m-%d"), (r"[0-9]{4}-[0-9]{2}", "%Y-%m"),
                         (r"[0-9]{4}", "%Y")):
        if re.fullmatch(pattern, t):
            try:
                year = dt.datetime.strptime(t, fmt).year
            except ValueError:
                break
            if not MIN_YEAR <= year <= MAX_YEAR:
                raise _RowError(column, f"{_short(t)}: året ska ligga mellan {MIN_YEAR} och {MAX_YEAR}")
            return t
    if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9:.]+", t):
        try:  # the time must be a time too: 2026-01-01T25:99 is no date
            when = dt.datetime.fromisoformat(t)
        except ValueError:
            when = None
        if when is not None and MIN_YEAR <= when.year <= MAX_YEAR:
            return t[:10]
    raise _RowError(column, f"{_short(t)} är inget datum (väntat ÅÅÅÅ-MM-DD, ÅÅÅÅ-MM eller ÅÅÅÅ)")


def _parse_row(
    cells: dict[str, str],
    labels: dict[str, str],
    geocoder: Geocoder,
    tolerance_m: float,
    has_status: bool,
) -> tuple[str, dict[str, Any], list[str]]:
    warnings: list[str] = []
    # text hygiene first: never cut or clean silently
    for f, value in cells.items():
        if _CONTROL.search(value):
            raise _RowError(labels[f], "cellen innehåller otillåtna styrtecken")
        limit = MAX_LENGTH.get(f, DEFAULT_MAX_LENGTH)
        if len(value.strip()) > limit:
            raise _RowError(labels[f], f"cellen har {len(value.strip())} tecken, högst {limit} tillåts")
        if f != "note" and _LINE_BREAK.search(value.strip()):
            raise _RowError(labels[f], "cellen innehåller radbrytningar eller tabbar")
    name = cells.get("name", "").strip()
    if not name:
        raise _RowError(labels["name"], "namn saknas")
    kommun_code = _kommun(cells, labels)
    lan_code = kommun_code[:2]
    for f in ("lan", "lan_name"):
        if cells.get(f, "").strip():
            stated = _lan_code(cells[f], labels[f])
            if stated != lan_code:
                names, lans = _kommun_lookup()
                raise _RowError(
                    labels[f], f"{names[kommun_code]} kommun ligger i {lans[lan_code]}, inte i {lans[stated]}"
                )

    # category and services
    services_given = all(f in cells for f in SERVICE_FIELDS)
    services: dict[str, bool | None] = {f: None for f in SERVICE_FIELDS}
    co_located: bool | None = None
    if "co_located" in cells:
        co_located = _yes_no(cells["co_located"], labels["co_located"], None)
    typ: Category | None = None
    if cells.get("category", "").strip():
        k = fold(cells["category"])
        if k in _CATEGORY:
            typ = _CATEGORY[k]
        else:
            raise _RowError(
                labels["category"],
                f"{_short(cells['category'])} är ingen kategori (väntat familjecentral, "
                "familjecentralsliknande eller annan samverkan)",
            )
    if services_given:
        for f in SERVICE_FIELDS:
            services[f] = bool(_yes_no(cells[f], labels[f], False))
        present = [SERVICE_FIELDS[f] for f in SERVICE_FIELDS if services[f]]
        try:
            if co_located is not None:
                category = classify(present, co_located)
                if typ is not None and typ != category:
                    raise _RowError(
                        labels["category"],
                        f"Typ säger {typ.value} men tjänsterna och samlokaliseringen ger {category.value}",
                    )
            elif typ is not None:
                together, apart = classify(present, True), classify(present, False)
                if typ not in (together, apart):
                    raise _RowError(
                        labels["category"],
                        f"Typ säger {typ.value} men tjänsterna ger {together.value} (samlokaliserade) eller "
                        f"{apart.value} (inte samlokaliserade)",
                    )
                category = typ
                if together != apart:
                    co_located = typ == together
            else:
                raise _RowError(labels.get("co_located"), "samlokaliserad ja/nej saknas; enheten kan inte klassificeras")
        except NotACollaborationError as exc:
            raise _RowError(labels["bvc"], str(exc)) from None
    else:
        if typ is None:
            raise _RowError(labels["category"], "Typ saknas")
        category = typ
        certain, implied_co_located = implied_by(typ)
        if implied_co_located is not None:
            if co_located is False:
                raise _RowError(
                    labels["co_located"],
                    f"{CATEGORY_LABELS[typ].lower()} är per definition samlokaliserad; Samlokaliserad säger nej",
                )
            co_located = implied_co_located
        for f, service in SERVICE_FIELDS.items():
            if service in certain:
                services[f] = True

    # status
    if has_status:
        st = cells["status"].strip()
        if not st:
            raise _RowError(labels["status"], "status saknas (i drift, planerad, avsiktsförklaring eller nedlagd)")
        status = _STATUS.get(fold(st))
        if status is None:
            raise _RowError(
                labels["status"],
                f"{_short(st)} är ingen status (väntat i drift, planerad, avsiktsförklaring eller nedlagd)",
            )
    else:
        status = Status.I_DRIFT
    status_date = _date(cells["status_date"], labels["status_date"]) if "status_date" in cells else None

    # address
    postcode: str | None = None
    if cells.get("postcode", "").strip():
        postcode = normalise_postcode(cells["postcode"])
        if postcode is None:
            raise _RowError(labels["postcode"], f"{_short(cells['postcode'])} är inget postnummer (fem siffror)")

    # position
    pair = ("coord_a", "coord_b") if "coord_a" in cells else ("coord_x", "coord_y") if "coord_x" in cells else None
    texts = (cells[pair[0]].strip(), cells[pair[1]].strip()) if pair else ("", "")
    stated_precision = fold(cells.get("precision", ""))
    if stated_precision and stated_precision not in ("exakt", "postnummer", "ort", "kommun"):
        raise _RowError(labels["precision"], f"{_short(cells['precision'])}: väntat exakt, postnummer, ort eller kommun")
    source_coordinates: str | None = None
    if pair and (texts[0] or texts[1]):
        if not (texts[0] and texts[1]):
            missing = pair[1] if texts[0] else pair[0]
            raise _RowError(labels[missing], "bara den ena koordinaten är ifylld")
        a = _number(texts[0], labels[pair[0]])
        b = _number(texts[1], labels[pair[1]])
        try:
            system, lat, lon = detect_system(a, b, either_order=pair[0] == "coord_x")
            check_in_kommun(lat, lon, kommun_code, tolerance_m)
        except LocationError as exc:
            raise _RowError(f"{labels[pair[0]]}/{labels[pair[1]]}", str(exc)) from None
        precision = stated_precision if stated_precision in ("postnummer", "ort", "kommun") else "exakt"
        source_coordinates = f"{system}: {texts[0]}; {texts[1]}"
    else:
        loc = geocoder.locate(kommun_code, postcode, cells.get("address", "").strip() or None,
                              cells.get("locality", "").strip() or None)
        lat, lon, precision = loc.lat, loc.lon, loc.precision
        warnings.extend(loc.warnings)

    def opt(f: str) -> str | None:
        v = cells.get(f, "").strip()
        return v or None

    fields: dict[str, Any] = {
        "name": name,
        "kommun_code": kommun_code,
        "lan_code": lan_code,
        "category": category.value,
        "status": status.value,
        "status_date": status_date,
        "has_mvc": services["mvc"],
        "has_bvc": services["bvc"],
        "has_of": services["of"],
        "has_soc": services["soc"],
        "co_located": co_located,
        "other_partners": opt("other_partners"),
        "address": opt("address"),
        "postcode": postcode,
        "locality": opt("locality"),
        "lat": float(lat),
        "lon": float(lon),
        "precision": precision,
        "stated_accuracy": opt("stated_accuracy"),
        "source_coordinates": source_coordinates,
        "note": opt("note"),
        **{f: governance_value(cells[f], labels[f]) if f in cells else None for f in GOVERNANCE_FIELDS},
    }
    unit_id = cells.get("id", "").strip()
    if unit_id:
        if not _ID_RE.match(unit_id):
            raise _RowError(labels["id"], f"{_short(unit_id)} är inget giltigt id (bokstäver, siffror, . _ -)")
    else:
        unit_id = make_unit_id(kommun_code, name)
    return unit_id, fields, warnings


def parse_submission(
    table: RawTable | str | Path,
    geocoder: Geocoder | None = None,
    tolerance_m: float | None = None,
) -> Submission:
    """Validate every row of a submission.

    Parameters
    ----------
    table : RawTable or path
        The file (read with :func:`read_table` when a path is given).
    geocoder : Geocoder, optional
        Places units without coordinates; default: kommun points only.
    tolerance_m : float, optional
        How far outside the stated kommun given coordinates may lie; default the geocoder's
        (2 km).

    Returns
    -------
    Submission
        Accepted units and problems. Nothing is changed in an accepted row except the
        conversion of SWEREF 99 TM to WGS 84 (the original text is kept in
        ``source_coordinates``) and the padding of kommun codes that lost their leading zero.
    """
    if not isinstance(table, RawTable):
        table = read_table(table)
    geocoder = geocoder or Geocoder()
    tol = float(tolerance_m if tolerance_m is not None else geocoder.tolerance_m)
    mapping, unknown = map_headers(table)
    labels = {f: table.headers[i] for f, i in mapping.items()}
    notes: list[str] = []
    if table.header_row > 1:
        above = "rad 1" if table.header_row == 2 else f"rad 1–{table.header_row - 1}"
        notes.append(f"Rubrikraden är rad {table.header_row}; {above} ovanför (t.ex. en titel) räknas inte som enheter.")
    if unknown:
        notes.append("Kolumner som inte används: " + ", ".join(repr(u) for u in unknown))
    if "status" not in mapping:
        notes.append("Kolumnen Status saknas: alla enheter räknas som i drift.")
    units: list[UnitRecord] = []
    problems: list[RowProblem] = []
    seen: dict[str, int] = {}
    n_cols = len(table.headers)
    for row_no, raw in table.rows:
        values = {table.headers[i]: (raw[i] if i < len(raw) else "") for i in range(n_cols)}
        extra = [c for c in raw[n_cols:] if c.strip()]
        if extra:
            values["(extra)"] = " | ".join(extra)
            problems.append(RowProblem(row_no, None, f"raden har {len(raw)} celler men rubrikraden {n_cols}; "
                                       "kontrollera avgränsare och citattecken", "fel", values))
            continue
        cells = {f: (raw[i] if i < len(raw) else "") for f, i in mapping.items()}
        try:
            unit_id, fields, warns = _parse_row(cells, labels, geocoder, tol, "status" in mapping)
        except _RowError as exc:
            problems.append(RowProblem(row_no, exc.column, exc.reason, "fel", values))
            continue
        if unit_id in seen:
            problems.append(RowProblem(
                row_no, labels["name"],
                f"samma enhet som rad {seen[unit_id]} (samma id {unit_id!r}: samma namn i samma kommun)",
                "fel", values,
            ))
            continue
        seen[unit_id] = row_no
        units.append(UnitRecord(unit_id, row_no, fields))
        for w in warns:
            problems.append(RowProblem(row_no, labels.get("postcode"), w, "varning", values))
    return Submission(table, units, problems, notes)


_GENERIC_WORDS = frozenset({"familjecentral", "familjecentralen", "familjecentrum", "fc", "i", "pa"})


def _name_core(name: str) -> str:
    """A name without the generic words, folded: 'Familjecentralen i Mora' → 'mora'."""
    words = [fold(w) for w in re.split(r"[\s\-–/]+", name)]
    core = "".join(w for w in words if w and w not in _GENERIC_WORDS)
    return core or fold(name)


def similar_name_pairs(names: list[str], ratio: float = SIMILAR_NAME_RATIO) -> list[tuple[int, int]]:
    """Index pairs ``(i, j)``, ``i < j``, whose ``SequenceMatcher`` ratio is at least ``ratio`` —
    the same pairs as comparing every pair, in about linear time for distinct names.

    Why this finds every pair: the ratio is ``2·M / (la + lb)`` where the ``M`` matched characters
    form a common subsequence, so ``b`` is ``a`` with ``d = la + lb − 2·M ≤ (1 − ratio)(la + lb)``
    characters deleted or inserted. For ``la ≥ lb`` that is at most ``⌊2(1 − ratio)·la⌋`` edits;
    cut ``a`` into one piece more than that and one piece survives untouched, i.e. is a substring
    of ``b``. So each name is indexed by its pieces and only names that contain one of a longer
    (or equally long) name's pieces are compared. Lengths outside ``ratio`` are never compared.

    >>> similar_name_pairs(["mora", "morra", "falun", "faluun", "x"])
    [(0, 1), (2, 3)]
    """
    n = len(names)
    if n < 2:
        return []
    if ratio <= 0.5 or n < 40:  # the piece bound needs ratio > 1/2; small groups: compare all
        return [(i, j) for i in range(n) for j in range(i + 1, n)
                if SequenceMatcher(None, names[i], names[j]).ratio() >= ratio]
    eps = 1e-9

    def max_edits(la: int, lb: int) -> int:
        """Most insertions + deletions between lengths ``la`` and ``lb`` at this ratio (-1: none)."""
        need = math.ceil(ratio * (la + lb) / 2 - eps)  # matched characters needed
        return la + lb - 2 * need if need <= min(la, lb) else -1

    def shorter_range(la: int) -> range:
        return range(max(1, math.ceil(la * ratio / (2 - ratio) - eps)), la + 1)

    def cuts(la: int) -> list[tuple[int, int]]:
        """(start, size) of the pieces of a name of length ``la``: one more than the edits allowed."""
        count = max([max_edits(la, lb) for lb in shorter_range(la)] + [0]) + 1
        size, extra = divmod(la, count)
        out, at = [], 0
        for q in range(count):
            step = size + (q < extra)
            out.append((at, step))
            at += step
        return out

    # index: (length, piece number, piece) -> names of that length with that piece there
    index: dict[tuple[int, int, str], list[int]] = {}
    cut_of: dict[int, list[tuple[int, int]]] = {}
    empty: list[int] = []
    for i, s in enumerate(names):
        if not s:
            empty.append(i)
            continue
        la = len(s)
        if la not in cut_of:
            cut_of[la] = cuts(la)
        for q, (at, size) in enumerate(cut_of[la]):
            index.setdefault((la, q, s[at:at + size]), []).append(i)
    import numpy as np

    # character counts per name: their overlap bounds the matched characters (a cheap filter)
    alphabet = {ch: k for k, ch in enumerate(sorted({ch for s in names for ch in s}))}
    counts = np.zeros((n, max(len(alphabet), 1)), dtype=np.int32)
    for i, s in enumerate(names):
        for ch in s:
            counts[i, alphabet[ch]] += 1
    lens = np.array([len(s) for s in names], dtype=np.float64)
    pairs: set[tuple[int, int]] = set()
    for i, b in enumerate(names):
        lb = len(b)
        if not lb:
            continue
        cands: set[int] = set()
        # longer (or equal) names a with 2·lb / (la + lb) ≥ ratio
        for la in range(lb, int(lb * (2 - ratio) / ratio + eps) + 1):
            d = max_edits(la, lb)
            if la not in cut_of or d < 0:
                continue
            for q, (at, size) in enumerate(cut_of[la]):
                # a surviving piece moves by at most d places
                for start in range(max(0, at - d), min(lb - size, at + d) + 1):
                    hit = index.get((la, q, b[start:start + size]))
                    if hit:
                        cands.update(hit)
        # equal lengths find each other from both sides: keep one side
        js = np.fromiter((j for j in cands if j != i and (len(names[j]) > lb or j > i)), dtype=np.int64)
        if not len(js):
            continue
        common = np.minimum(counts[js], counts[i]).sum(axis=1)
        js = js[2 * common >= ratio * (lb + lens[js]) - eps]
        for j in js.tolist():
            pair = (min(i, j), max(i, j))
            if pair not in pairs and SequenceMatcher(None, names[pair[0]], names[pair[1]]).ratio() >= ratio:
                pairs.add(pair)
    # two empty names are equal (ratio 1); an empty and a non-empty one share nothing
    pairs.update((empty[x], empty[y]) for x in range(len(empty)) for y in range(x + 1, len(empty)))
    return sorted(pairs)


def likely_duplicates(
    units: Iterable[UnitRecord],
    existing: Iterable[dict[str, Any]] = (),
    distance_limit_m: float = DUPLICATE_DISTANCE_M,
    name_ratio: float = SIMILAR_NAME_RATIO,
) -> list[tuple[UnitRecord, str, str]]:
    """Pairs that may be the same unit: same kommun and similar names, or within 50 m.

    ``existing`` are units already stored (dicts with ``id``, ``name``, ``kommun_code``,
    ``lat``, ``lon``, ``precision``); those with an id in ``units`` are the same unit and are
    skipped. Only positions with precision ``exakt`` are compared by distance (postal-code and
    kommun points are shared by many units). Returns ``(unit, other, reason)`` — a person decides.
    """
    import numpy as np
    from scipy.spatial import cKDTree

    from fcatlas.register.geocode import to_sweref

    units = list(units)
    file_ids = {u.id for u in units}
    # candidates: (label, id, name, kommun, lat, lon, precision, order); order None = stored
    cands: list[tuple[str, str, str, str, float, float, str, int]] = []
    for e in existing:
        if str(e["id"]) in file_ids:
            continue
        cands.append((f"befintlig enhet {e['id']!r}", str(e["id"]), str(e["name"]), str(e["kommun_code"]),
                      float(e["lat"]), float(e["lon"]), str(e["precision"]), -1))
    for i, u in enumerate(units):
        f = u.fields
        cands.append((f"rad {u.row}", u.id, f["name"], f["kommun_code"], f["lat"], f["lon"], f["precision"], i))
    found: dict[tuple[int, int], str] = {}
    by_kommun: dict[str, list[int]] = {}
    for j, c in enumerate(cands):
        by_kommun.setdefault(c[3], []).append(j)
    folded = [_name_core(c[2]) for c in cands]
    for members in by_kommun.values():
        for j, k in similar_name_pairs([folded[m] for m in members], name_ratio):
            j, k = members[j], members[k]
            if cands[k][7] < 0:
                continue
            found[(j, k)] = (f"liknande namn som {cands[j][0]} ({cands[j][2]!r}) i samma kommun; "
                             "kontrollera om det är samma enhet")
    exact = [j for j, c in enumerate(cands) if c[6] == "exakt"]
    if len(exact) > 1:
        xy = np.array([to_sweref(cands[j][4], cands[j][5]) for j in exact])
        tree = cKDTree(xy)
        for a, b in sorted(tree.query_pairs(distance_limit_m)):
            j, k = sorted((exact[a], exact[b]))
            if cands[k][7] < 0 or (j, k) in found:
                continue
            d = float(np.hypot(*(xy[a] - xy[b])))
            found[(j, k)] = (f"ligger {d:.0f} m från {cands[j][0]} ({cands[j][2]!r}); kontrollera om det "
                             "är samma enhet")
    return [(units[cands[k][7]], cands[j][1], reason) for (j, k), reason in sorted(found.items())]


def round_from_filename(path: str | Path) -> int | None:
    """A year 2000–2099 in the file name (``dalarna_2026.csv`` → 2026), else ``None``."""
    years = _YEAR_IN_NAME.findall(Path(path).stem)
    return int(years[-1]) if len(years) >= 1 else None
