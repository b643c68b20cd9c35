"""A streaming reader of a workbook's first sheet (xlsx) that a hostile file cannot make expensive.

A 147 kB workbook can hold one row of five million cells, or a million formatted empty rows; a
reader that builds whole rows (or the whole sheet) spends minutes and gigabytes on it. This one
reads the sheet's XML from the zip as a stream (expat, chunk by chunk), keeps only the cells that
hold a value, and refuses early:

* a row with more than ``max_columns`` filled cells (the table reader's column cap), or with
  more than :data:`MAX_ROW_CELLS` cell elements at all;
* a sheet with more than :data:`MAX_CELLS` cell elements, or more non-empty rows than allowed;
* a workbook that unpacks to more than :data:`XLSX_MAX_UNPACKED` bytes, a shared-string table
  larger than :data:`MAX_SHARED_STRINGS` or :data:`MAX_SHARED_CHARS`, or any part with a DTD
  (no entity tricks).

Reading stops (without an error) after :data:`XLSX_EMPTY_RUN` empty rows in a row: formatted but
empty trailing rows hold nothing. Values come as the cell holds them: formulas as their text
(``=SUM(A1:A3)``, never evaluated), numbers as int or float, date-formatted numbers as datetimes,
booleans as bool, text as str.
"""

from __future__ import annotations

import datetime as dt
import io
import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from fcatlas.errors import InputFileError

#: Most decompressed bytes a workbook may hold (a small xlsx can unpack to gigabytes).
XLSX_MAX_UNPACKED = 500_000_000
#: Reading stops after this many empty rows in a row that are present in the file (trailing rows
#: that are formatted but empty cost time to parse and hold nothing).
XLSX_EMPTY_RUN = 10_000
#: Most cell elements in one row (Excel's widest sheet has 16 384 columns).
MAX_ROW_CELLS = 16_384
#: Most cell elements in the sheet (50 000 rows of 40 columns).
MAX_CELLS = 2_000_000
#: Most entries and characters in the shared-string table.
MAX_SHARED_STRINGS = 2_000_000
MAX_SHARED_CHARS = 100_000_000

_CHUNK = 1 << 16
_COLUMN = re.compile(r"^([A-Za-z]{1,3})")


class _Stop(Exception):
    """Reading ends early without an error (a long run of empty rows)."""


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1]


def _parse(path: Path, stream: IO[bytes], start: Callable[[str, dict[str, str]], None],
           end: Callable[[str], None], text: Callable[[str], None] | None = None) -> None:
    """Feed ``stream`` to expat chunk by chunk; element names without their prefix. A DTD is refused."""
    import pyexpat

    parser = pyexpat.ParserCreate()
    parser.buffer_text = True

    def _dtd(*_: Any) -> None:
        raise InputFileError(path, "Excel-filen innehåller en DTD (inte en vanlig Excel-fil)")

    parser.StartDoctypeDeclHandler = _dtd
    parser.EntityDeclHandler = _dtd
    parser.StartElementHandler = lambda name, attrs: start(_local(name), attrs)
    parser.EndElementHandler = lambda name: end(_local(name))
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        while chunk := stream.read(_CHUNK):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except pyexpat.ExpatError as exc:
        raise InputFileError(path, f"Excel-filen är trasig (XML: {pyexpat.ErrorString(exc.code)})") from None


def _attr(attrs: dict[str, str], name: str) -> str | None:
    """An attribute by its local name (``r:id`` and ``id`` alike)."""
    if name in attrs:
        return attrs[name]
    for key, value in attrs.items():
        if _local(key) == name:
            return value
    return None


def column_index(ref: str) -> int:
    """1-based column of a cell reference: ``A1`` → 1, ``AB7`` → 28 (0 when there is none).

    >>> column_index("A1"), column_index("AB7"), column_index("XFD1048576")
    (1, 28, 16384)
    """
    m = _COLUMN.match(ref)
    if not m:
        return 0
    n = 0
    for ch in m.group(1).upper():
        n = n * 26 + ord(ch) - 64
    return n


class _Package:
    """The parts of the workbook this reader needs: the first worksheet, shared strings, styles."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path, self.zf = path, zf
        self.names = set(zf.namelist())

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        folder, name = posixpath.split(part)
        rels_name = posixpath.join(folder, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if rels_name not in self.names:
            return out

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "Relationship" and attrs.get("Id") and attrs.get("Target"):
                target = attrs["Target"]
                full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                    posixpath.join(folder, target))
                out[attrs["Id"]] = (full, attrs.get("Type", ""))

        with self.zf.open(rels_name) as f:
            _parse(self.path, f, start, lambda _: None)
        return out

    def workbook(self) -> str:
        for target, kind in self._rels("").values():
            if kind.endswith("/officeDocument") and target in self.names:
                return target
        if "xl/workbook.xml" in self.names:
            return "xl/workbook.xml"
        raise InputFileError(self.path, "filen kunde inte läsas som Excel-fil (xlsx): arbetsboken saknas")

    def parts(self) -> tuple[str, str | None, str | None, bool]:
        """(first worksheet, shared strings, styles, 1904 date system) of the workbook."""
        book = self.workbook()
        rels = self._rels(book)
        sheets: list[str] = []
        flags = {"1904": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "sheet":
                rid = _attr(attrs, "id")
                if rid in rels and rels[rid][1].endswith("/worksheet"):
                    sheets.append(rels[rid][0])
            elif tag == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                flags["1904"] = True

        with self.zf.open(book) as f:
            _parse(self.path, f, start, lambda _: None)
        if not sheets or sheets[0] not in self.names:
            raise InputFileError(self.path, "Excel-filen har inget arbetsblad")
        by_kind = {kind.rsplit("/", 1)[-1]: target for target, kind in rels.values() if target in self.names}
        return sheets[0], by_kind.get("sharedStrings"), by_kind.get("styles"), flags["1904"]

    def shared_strings(self, part: str | None) -> list[str]:
        out: list[str] = []
        if part is None:
            return out
        state = {"in_t": 0, "in_ph": 0, "chars": 0}
        buf: list[str] = []

        def start(tag: str, _: dict[str, str]) -> None:
            if tag == "si":
                buf.clear()
            elif tag == "t":
                state["in_t"] += 1
            elif tag == "rPh":
                state["in_ph"] += 1

        def end(tag: str) -> None:
            if tag == "si":
                out.append("".join(buf))
                if len(out) > MAX_SHARED_STRINGS:
                    raise InputFileError(self.path, f"Excel-filen har fler än {MAX_SHARED_STRINGS} texter")
            elif tag == "t":
                state["in_t"] -= 1
            elif tag == "rPh":
                state["in_ph"] -= 1

        def text(data: str) -> None:
            if state["in_t"] and not state["in_ph"]:
                buf.append(data)
                state["chars"] += len(data)
                if state["chars"] > MAX_SHARED_CHARS:
                    raise InputFileError(self.path, "Excel-filens texter är för stora")

        with self.zf.open(part) as f:
            _parse(self.path, f, start, end, text)
        return out

    def date_styles(self, part: str | None) -> tuple[set[int], set[int]]:
        """Indexes of the cell formats that show a number as a date, and as a duration."""
        from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format

        if part is None:
            return set(), set()
        custom: dict[int, str] = {}
        xfs: list[int] = []
        where = {"cellXfs": False}

        def start(tag: str, attrs: dict[str, str]) -> None:
            if tag == "numFmt" and attrs.get("numFmtId", "").isdigit():
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
            elif tag == "cellXfs":
                where["cellXfs"] = True
            elif tag == "xf" and where["cellXfs"]:
                xfs.append(int(attrs.get("numFmtId", "0") or 0))

        def end(tag: str) -> None:
            if tag == "cellXfs":
                where["cellXfs"] = False

        with self.zf.open(part) as f:
            _parse(self.path, f, start, end)
        dates: set[int] = set()
        durations: set[int] = set()
        for i, fmt_id in enumerate(xfs):
            code = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id) or ""
            if code and is_date_format(code):
                (durations if is_timedelta_format(code) else dates).add(i)
        return dates, durations


class _SheetReader:
    """The expat handlers of a worksheet: rows of values, with the caps of the module."""

    def __init__(self, path: Path, strings: list[str], styles: tuple[set[int], set[int]], epoch: dt.datetime,
                 max_rows: int, max_columns: int) -> None:
        self.path, self.strings, self.epoch = path, strings, epoch
        self.dates, self.durations = styles
        self.max_rows, self.max_columns = max_rows, max_columns
        self.rows: list[tuple[int, list[object]]] = []
        self.row_no = 0
        self.values: dict[int, object] = {}
        self.row_cells = self.cells = self.empty_run = 0
        self.col = 0
        self.cell: dict[str, str] = {}
        self.part: str | None = None  # "v", "f" or "t" (inline string) being read
        self.text: dict[str, list[str]] = {"v": [], "f": [], "t": []}
        self.in_ph = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == "c":
            self._start_cell(attrs)
        elif tag in ("v", "f") or (tag == "t" and self.cell):
            self.part = tag
        elif tag == "row":
            r = attrs.get("r", "")
            self.row_no = int(r) if r.isdigit() else self.row_no + 1
            self.values, self.row_cells, self.col = {}, 0, 0
        elif tag == "rPh":
            self.in_ph += 1

    def _start_cell(self, attrs: dict[str, str]) -> None:
        self.row_cells += 1
        self.cells += 1
        if self.row_cells > MAX_ROW_CELLS:
            raise InputFileError(self.path, f"raden har fler än {MAX_ROW_CELLS} celler", row=self.row_no)
        if self.cells > MAX_CELLS:
            raise InputFileError(self.path, f"arbetsbladet har fler än {MAX_CELLS} celler", row=self.row_no)
        ref = attrs.get("r", "")
        self.col = column_index(ref) or self.col + 1
        self.cell = attrs or {"t": "n"}
        for parts in self.text.values():
            parts.clear()

    def end(self, tag: str) -> None:
        if tag == "c":
            value = self._value()
            self.cell = {}
            if value is None or (isinstance(value, str) and not value.strip()):
                return
            if self.col > MAX_ROW_CELLS:
                raise InputFileError(self.path, f"en cell ligger i kolumn {self.col}, bortom Excels sista "
                                                f"kolumn ({MAX_ROW_CELLS})", row=self.row_no)
            self.values[self.col] = value
            if len(self.values) > self.max_columns:
                raise InputFileError(self.path, f"raden har fler än {self.max_columns} ifyllda celler, högst "
                                                f"{self.max_columns} kolumner tillåts", row=self.row_no)
        elif tag == "row":
            self._end_row()
        elif tag == self.part:
            self.part = None
        elif tag == "rPh":
            self.in_ph -= 1

    def data(self, text: str) -> None:
        if self.part is not None and not self.in_ph:
            self.text[self.part].append(text)

    def _end_row(self) -> None:
        if not self.values:
            self.empty_run += 1
            if self.empty_run > XLSX_EMPTY_RUN:
                raise _Stop
            return
        self.empty_run = 0
        cells: list[object] = [None] * max(self.values)
        for col, value in self.values.items():
            cells[col - 1] = value
        self.rows.append((self.row_no, cells))
        if len(self.rows) > self.max_rows + 20:
            raise InputFileError(self.path, f"arbetsbladet har fler än {self.max_rows} ifyllda rader", row=self.row_no)

    def _value(self) -> object:
        kind = self.cell.get("t", "n")
        v = "".join(self.text["v"])
        if self.text["f"]:
            return "=" + "".join(self.text["f"])
        if kind == "inlineStr":
            return "".join(self.text["t"])
        if not v:
            return None
        return self._typed(kind, v)

    def _typed(self, kind: str, v: str) -> object:
        if kind == "s":
            i = int(v) if v.strip().isdigit() else -1
            return self.strings[i] if 0 <= i < len(self.strings) else None
        if kind == "b":
            return v.strip() in ("1", "true")
        if kind in ("str", "e"):
            return v
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(v)
            except ValueError:
                return v
        return self._number(v)

    def _number(self, v: str) -> object:
        try:
            number: int | float = float(v) if any(ch in v for ch in ".eE") else int(v)
        except ValueError:
            return v
        style = int(self.cell.get("s", "0") or 0) if self.cell.get("s", "0").isdigit() else 0
        if style in self.dates or style in self.durations:
            from openpyxl.utils.datetime import from_excel

            try:
                return from_excel(number, self.epoch, timedelta=style in self.durations)
            except (ValueError, OverflowError):
                return number
        return number


def sheet_rows(path: Path, data: bytes, *, max_rows: int, max_columns: int = MAX_ROW_CELLS,
               ) -> list[tuple[int, list[object]]]:
    """The non-empty rows of the first sheet of a workbook as ``(row number, values)``; values
    as stored (see the module), trailing empty cells dropped.

    Raises
    ------
    InputFileError
        Not a workbook, no worksheet, broken XML or a DTD, unpacks to too much, more than
        ``max_columns`` filled cells in a row, a row or a sheet with too many cells, more than ``max_rows`` non-empty rows.
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise InputFileError(path, f"filen kunde inte läsas som Excel-fil (xlsx): {exc}") from None
    with zf:
        unpacked = sum(i.file_size for i in zf.infolist())
        if unpacked > XLSX_MAX_UNPACKED:
            raise InputFileError(path, f"Excel-filen packas upp till {unpacked / 1e6:.0f} MB, högst "
                                       f"{XLSX_MAX_UNPACKED / 1e6:.0f} MB tillåts")
        try:
            pkg = _Package(path, zf)
            sheet, strings_part, styles_part, mac = pkg.parts()
            reader = _SheetReader(path, pkg.shared_strings(strings_part), pkg.date_styles(styles_part),
                                  CALENDAR_MAC_1904 if mac else CALENDAR_WINDOWS_1900, max_rows, max_columns)
            with zf.open(sheet) as f:
                try:
                    _parse(path, f, reader.start, reader.end, reader.data)
                except _Stop:
                    pass
        except (zipfile.BadZipFile, OSError, EOFError, KeyError, ValueError) as exc:
            raise InputFileError(path, f"Excel-filen är trasig: {type(exc).__name__}") from None
    return reader.rows
