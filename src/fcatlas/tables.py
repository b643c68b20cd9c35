"""The one reader for uploaded and given tables: bytes and a file name in, header and rows out.

Every intake of fcatlas — the regions' lists, listed children and the other economics files, the
grant basis, grant reports and allocations, exclusion lists — reads its file here, so that every
face (a path on the command line, an upload to the web service) gets the same rules:

* CSV separated by ``;``, ``,`` or tab; UTF-8 with or without BOM, UTF-16 with BOM, or
  Windows-1252 (a file mixing UTF-8 and Windows-1252 lines is refused, never garbled);
* XLSX (first sheet; formulas read as their text, never evaluated), recognised by its content or
  its name, read as a stream with a cap on the unpacked size;
* at most ``FCATLAS_MAX_FILE_MB`` bytes and ``FCATLAS_MAX_ROWS`` rows
  (:func:`fcatlas.files.max_input_bytes`, :func:`fcatlas.files.max_input_rows`).

File-level problems raise :class:`~fcatlas.errors.InputFileError` naming the file (as the caller
names it: the path given, or the uploaded file's name), the row and, where it applies, the
column. :func:`read_table_file` is the path-based entry: it reads the file through
:func:`fcatlas.files.read_input_bytes` (a regular file within the cap) and passes on its bytes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from fcatlas.errors import InputFileError
from fcatlas.files import max_input_bytes, max_input_rows, read_input_bytes
from fcatlas.geography.sources.textfile import Record, decode_bytes, records, sniff_delimiter
from fcatlas.workbook import sheet_rows

#: Encodings and separators every intake accepts.
ENCODINGS = ("utf-8-sig", "utf-16", "cp1252")
DELIMITERS = (";", "\t", ",")
#: How many non-empty rows at the top of a file are searched for the header row (regions often
#: put a title and a blank line above it).
HEADER_SEARCH_ROWS = 10
#: Most columns a row may have (every list fcatlas reads has a few dozen at most). A wider file is
#: refused before any header matching, which costs time per column.
MAX_COLUMNS = 500

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

HeaderTest = Callable[[Iterable[str]], bool]

#: the reason given for a workbook whose first sheet has no row at all (readers may word it for their file)
EMPTY_SHEET = "första bladet har ingen rubrikrad"


def fold(text: str) -> str:
    """Case-, accent-, space- and punctuation-free form used to match headers and values.

    >>> fold(" Öppen  förskola ")
    'oppenforskola'
    """
    t = unicodedata.normalize("NFKD", str(text)).lower()
    t = "".join(ch for ch in t if not unicodedata.combining(ch))
    return re.sub(r"[^0-9a-z]+", "", t)


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


def is_xlsx(data: bytes, name: str | Path) -> bool:
    """Whether a file is a workbook: its content starts like a zip, or its name says so."""
    return data[:4] == b"PK\x03\x04" or Path(name).suffix.lower() in (".xlsx", ".xlsm")


def read_table_file(path: str | Path, header_like: HeaderTest | None = None, *, what: str = "rader",
                    header_row: int | None = None, check_headers: bool = True, require_rows: bool = True) -> RawTable:
    """:func:`read_table` of the file at ``path`` (read through :func:`fcatlas.files.read_input_bytes`:
    a regular file within the byte cap; it is then protected from being written over)."""
    return read_table(read_input_bytes(path), path, header_like, what=what, header_row=header_row,
                      check_headers=check_headers, require_rows=require_rows)


def read_table(data: bytes, name: str | Path, header_like: HeaderTest | None = None, *, what: str = "rader",
               header_row: int | None = None, check_headers: bool = True, require_rows: bool = True) -> RawTable:
    """Read a CSV or XLSX file's bytes into a header and text rows.

    ``name`` names the file in messages (and tells an ``.xlsx`` by its suffix). ``header_like``
    tells a header row from a title above it and picks the CSV separator; without it the header
    is the first non-empty row and the separator the one its first line uses most.
    ``header_row`` is the row a person said is the header (``--rubrikrad``). ``what`` names the
    data rows in messages. ``check_headers=False`` leaves the header row as it is (for files
    whose header the caller checks itself, or that have none); ``require_rows=False`` accepts a
    file with a header and no data rows (the caller says what is missing).

    Raises
    ------
    InputFileError
        Too large, empty, not text in a known encoding, broken quoting, no header row, repeated
        or empty column names, no data rows, or more rows than allowed.
    """
    p = Path(name)
    if len(data) > max_input_bytes():
        cap = max_input_bytes()
        raise InputFileError(p, f"filen är {len(data) / 1e6:.1f} MB, högst {cap / 1e6:g} MB tillåts")
    if not data.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InputFileError(p, "filen är tom")
    if is_xlsx(data, p):
        table = _read_xlsx(p, data, header_like, header_row)
    else:
        table = _read_csv(p, data, header_like, header_row)
    table.sha256 = hashlib.sha256(data).hexdigest()
    if check_headers:
        _check_headers(table)
    if require_rows and not table.rows:
        raise InputFileError(p, f"filen har en rubrikrad men inga {what}")
    if len(table.rows) > max_input_rows():
        raise InputFileError(p, f"filen har {len(table.rows)} rader, fler än {max_input_rows()} tillåts")
    return table


def _header_index(rows: list[list[str]], header_like: HeaderTest | None) -> int:
    """Index of the header among the first non-empty ``rows``: the first that looks like one,
    else the first row (whose problems are then reported as header problems)."""
    if header_like is not None:
        for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
            if header_like(cells):
                return i
    return 0


def sniff(text: str, header_like: HeaderTest | None) -> str:
    """The separator of a CSV text: the one that splits a line near the top into a recognisable
    header; else the one found on most of the first lines (a title line above the header has
    none), then the most frequent one. Without ``header_like``: the first line's separator."""
    if header_like is None:
        return sniff_delimiter(text, ",;\t")
    lines = [ln for ln in text.splitlines() if ln.strip()][:HEADER_SEARCH_ROWS]
    for ln in lines:
        for d in DELIMITERS:
            if d in ln and ln.count(d) < MAX_COLUMNS and header_like(ln.split(d)):
                return d
    counts = {d: (sum(d in ln for ln in lines), sum(ln.count(d) for ln in lines)) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best][1] else ";"


def _split_header(
    p: Path, found: list[tuple[int, list[str]]], kind: str, header_like: HeaderTest | None,
    header_row: int | None,
) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """Header, data rows and header row number from the non-empty records of a file."""
    if not found:
        raise InputFileError(p, "filen har ingen rubrikrad" if kind == "csv" else EMPTY_SHEET)
    if header_row is not None:
        at = [i for i, (row_no, _) in enumerate(found) if row_no == header_row]
        if not at:
            raise InputFileError(p, f"rad {header_row} (--rubrikrad) är tom eller finns inte i filen", row=header_row)
        i = at[0]
    else:
        i = _header_index([cells for _, cells in found], header_like)
    return found[i][1], found[i + 1:], found[i][0]


def decode(p: Path, data: bytes) -> tuple[str, str]:
    """The text of a CSV file and its encoding; NUL characters are refused (naming the line)."""
    text, enc = decode_bytes(p, data, ENCODINGS)
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputFileError(p, "filen innehåller NUL-tecken; är det verkligen en textfil (CSV)?", row=line)
    return text, enc


def _read_csv(p: Path, data: bytes, header_like: HeaderTest | None, header_row: int | None) -> RawTable:
    text, enc = decode(p, data)
    delim = sniff(text, header_like)
    _refuse_wide_lines(p, text, delim)
    csv.field_size_limit(max_input_bytes())
    found = [(r.line, r.fields) for r in _narrow(p, records(p, text, delim)) if r.fields and not r.blank]
    given = header_row is not None
    headers, rows, at = _split_header(p, found, "csv", header_like, header_row)
    return RawTable(p, headers, rows, "csv", encoding=enc, delimiter=delim, header_row=at,
                    top=found[:HEADER_SEARCH_ROWS], header_given=given)


def too_wide(p: Path, row: int, columns: int) -> InputFileError:
    """The refusal of a row with more than :data:`MAX_COLUMNS` columns."""
    return InputFileError(p, f"raden har {columns} kolumner, högst {MAX_COLUMNS} tillåts; kontrollera "
                             "avgränsaren och ta bort tomma kolumner", row=row)


_QUOTED = re.compile(r'"[^"]*"')


def _refuse_wide_lines(p: Path, text: str, delim: str) -> None:
    """Refuse a line with more than :data:`MAX_COLUMNS` fields before the CSV parser builds it
    (a million fields cost half a second to parse). Separators inside quotes do not count; a line
    whose quotes continue on the next line is left to :func:`_narrow`."""
    for no, line in enumerate(text.split("\n"), start=1):
        if line.count(delim) >= MAX_COLUMNS and line.count('"') % 2 == 0:
            n = _QUOTED.sub("", line).count(delim) + 1
            if n > MAX_COLUMNS:
                raise too_wide(p, no, n)


def _narrow(p: Path, recs: Iterable[Record]) -> Iterator[Record]:
    """``recs``, refused at the first row wider than :data:`MAX_COLUMNS`."""
    for r in recs:
        if len(r.fields) > MAX_COLUMNS:
            raise too_wide(p, r.line, len(r.fields))
        yield r


def cell_text(value: object) -> str:
    """A workbook cell as the text a person sees (whole numbers without ``.0``, dates as ISO)."""
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


def _read_xlsx(p: Path, data: bytes, header_like: HeaderTest | None, header_row: int | None) -> RawTable:
    found: list[tuple[int, list[str]]] = []
    for idx, values in sheet_rows(p, data, max_rows=max_input_rows(), max_columns=MAX_COLUMNS):
        cells = [cell_text(v) for v in values]
        while cells and not cells[-1].strip():
            cells.pop()
        if cells:
            found.append((idx, cells))
    given = header_row is not None
    headers, rows, at = _split_header(p, found, "xlsx", header_like, header_row)
    return RawTable(p, headers, rows, "xlsx", header_row=at, top=found[:HEADER_SEARCH_ROWS], header_given=given)


def _check_headers(table: RawTable) -> None:
    p = table.file
    headers = [h.strip() for h in table.headers]
    while headers and not headers[-1]:
        headers.pop()
    for i, h in enumerate(headers, start=1):
        if not h:
            raise InputFileError(p, f"kolumn {i} i rubrikraden saknar namn", row=table.header_row)
        if _CONTROL.search(h) or len(h) > 200:
            raise InputFileError(p, f"kolumnnamn {i} är inte ett rimligt namn", row=table.header_row)
    seen: dict[str, str] = {}
    for h in headers:
        key = fold(h) or h
        if key in seen:
            raise InputFileError(
                p, f"kolumnen {h!r} finns två gånger (även {seen[key]!r})", row=table.header_row, column=h
            )
        seen[key] = h
    table.headers = headers
