"""Reading publishers' text files exactly as they come: encoding, BOM, line endings, CSV records
with their line numbers (records may span several lines inside quotes)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from fcatlas.errors import InputFileError
from fcatlas.files import read_input_bytes
from fcatlas.workbook import XLSX_EMPTY_RUN as XLSX_EMPTY_RUN  # re-exported (older callers)
from fcatlas.workbook import XLSX_MAX_UNPACKED as XLSX_MAX_UNPACKED

#: Cap for publishers' source files (larger than the cap on the regions' submissions).
SOURCE_MAX_BYTES = 2_000_000_000


def read_text(path: Path, encodings: tuple[str, ...] = ("utf-8-sig",), max_bytes: int | None = None) -> str:
    """The whole file as text; a Swedish error for a missing, empty, too large, not regular or
    wrongly encoded file.

    Only the encodings listed are accepted (SCB's exports are UTF-8, often with a BOM).
    ``max_bytes`` defaults to the configured cap on input files (:mod:`fcatlas.files`).
    """
    raw = read_input_bytes(path, max_bytes)
    if not raw.strip(b"\xef\xbb\xbf \r\n\t"):
        raise InputFileError(path, "filen är tom")
    return decode_bytes(path, raw, encodings)[0]


def decode_bytes(path: Path, raw: bytes, encodings: tuple[str, ...] = ("utf-8-sig",)) -> tuple[str, str]:
    """Decode a file's bytes with the first of ``encodings`` that fits; returns (text, encoding).

    A UTF-8 byte-order mark is dropped when ``utf-8-sig`` is allowed; UTF-16 is used only when the
    file starts with a UTF-16 byte-order mark and ``utf-16`` is allowed (any even number of bytes
    would otherwise "decode"). Line endings LF, CRLF and (seen in SCB exports re-saved on Windows)
    CR CR LF all become one line break, so line numbers match what an editor shows. A byte that
    fits no allowed encoding is a Swedish error naming the line and how to fix the file.
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) and "utf-16" in encodings:
        tries: tuple[str, ...] = ("utf-16",)
    else:
        if raw.startswith(b"\xef\xbb\xbf") and "utf-8-sig" in encodings:
            raw = raw[3:]
        tries = tuple(e for e in encodings if e != "utf-16")
    if "cp1252" in tries and tries[0].startswith("utf-8"):
        _refuse_mixed_encodings(path, raw)
    last: UnicodeDecodeError | None = None
    for enc in tries:
        try:
            return raw.decode(enc).replace("\r\r\n", "\n").replace("\r\n", "\n"), enc
        except UnicodeDecodeError as exc:
            last = exc
    assert last is not None
    line = raw[: last.start].count(b"\n") + 1
    hint = "spara filen som UTF-8"
    if "cp1252" not in tries:
        try:
            raw.decode("cp1252")
            hint = "filen verkar vara sparad som Windows-1252 (ANSI); spara den som UTF-8"
        except UnicodeDecodeError:
            pass
    raise InputFileError(
        path,
        f"fel teckenkodning: byte 0x{raw[last.start]:02x} går inte att läsa som "
        f"{' eller '.join(_ENCODING_NAMES.get(e, e.upper()) for e in tries)} ({hint})",
        row=line,
    )


def _refuse_mixed_encodings(path: Path, raw: bytes) -> None:
    """A file that is UTF-8 on some lines and not on others (typically one row pasted from a
    Windows-1252 file) would be read as Windows-1252 and turn every å, ä, ö of the UTF-8 lines
    into "Ã¥"-garbage: refuse it and name the lines that are not UTF-8."""
    try:
        raw.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    utf8_lines = 0
    bad: list[int] = []
    for i, line in enumerate(raw.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_lines += 1
        except UnicodeDecodeError:
            bad.append(i)
    if utf8_lines and bad:
        shown = ", ".join(map(str, bad[:10])) + (f" … ({len(bad)} rader)" if len(bad) > 10 else "")
        raise InputFileError(
            path,
            f"blandad teckenkodning: filen är UTF-8 men rad {shown} är inte UTF-8 (troligen Windows-1252, "
            "inklistrade från en annan fil); spara hela filen som UTF-8",
            row=bad[0],
        )


_ENCODING_NAMES = {"utf-8-sig": "UTF-8", "utf-8": "UTF-8", "utf-16": "UTF-16", "cp1252": "Windows-1252"}


def sniff_delimiter(text: str, allowed: str = ",;\t") -> str:
    r"""The field separator of a CSV text, read from its first line (the header): the allowed
    separator that occurs most often outside quotes; ``,`` when none occurs.

    >>> sniff_delimiter("Område;2023\nFalun (Centrum);1\n")
    ';'
    >>> sniff_delimiter('"region","kön","Antal 2023"\n')
    ','
    """
    head = text.split("\n", 1)[0]
    outside = "".join(part for i, part in enumerate(head.split('"')) if i % 2 == 0)
    counts = {d: outside.count(d) for d in allowed}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


@dataclass(frozen=True)
class Record:
    """One CSV record and the line (1-based) where it starts."""

    line: int
    fields: list[str]

    @property
    def blank(self) -> bool:
        return all(not f.strip() for f in self.fields)


def records(path: Path, text: str, delimiter: str = ",") -> Iterator[Record]:
    """CSV records with their starting line numbers; broken quoting is a Swedish error."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputFileError(path, f"trasig CSV: {_csv_reason(exc, delimiter)}", row=start) from exc
        yield Record(start, fields)
        start = reader.line_num + 1


def _csv_reason(exc: csv.Error, delimiter: str) -> str:
    """Python's csv error in Swedish (the module's messages are English)."""
    text = str(exc)
    sep = {",": "kommatecken", ";": "semikolon", "\t": "tabb"}.get(delimiter, repr(delimiter))
    if "expected after" in text:
        return f"citattecken mitt i ett fält (väntat {sep} efter avslutande citattecken); kontrollera citattecken"
    if "unexpected end of data" in text or "EOF" in text:
        return "ett citattecken stängs aldrig (filen tar slut inuti ett citerat fält); kontrollera citattecken"
    if "NUL" in text or "line contains NUL" in text:
        return "filen innehåller NUL-tecken; är det verkligen en textfil?"
    return f"{text}; kontrollera citattecken"


def xlsx_rows(path: Path, data: bytes, max_rows: int | None = None) -> list[tuple[int, list[object]]]:
    """The non-empty rows of the first sheet of a workbook as ``(row number, values)``, values as
    stored (formulas as their text, never evaluated), trailing empty cells dropped — read as a
    stream with caps on cells, rows and the unpacked size (:func:`fcatlas.workbook.sheet_rows`).
    ``max_rows`` defaults to the configured cap."""
    from fcatlas.files import max_input_rows
    from fcatlas.workbook import sheet_rows

    return sheet_rows(path, data, max_rows=int(max_rows or max_input_rows()))
