"""Reading a region's list: the one table reader (:mod:`fcatlas.tables`) with the register's
header test, from a path (the CLI) or from bytes and a file name (an upload)."""

from __future__ import annotations

import re
from pathlib import Path

from fcatlas.register.intake.headers import header_like as _header_like
from fcatlas.tables import HeaderTest, RawTable, read_table_file
from fcatlas.tables import read_table as _read_bytes

_YEAR_IN_NAME = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def read_table(path: str | Path, header_like: HeaderTest | None = None, what: str = "enheter",
               header_row: int | None = None) -> RawTable:
    """Read a CSV or XLSX submission into a header and text rows (see :func:`fcatlas.tables.read_table`).

    ``header_like`` tells a header row from a title above it and picks the CSV separator
    (default: the register's, a unit name and a kommun column); ``what`` names the rows in
    messages; ``header_row`` is the row a person said is the header (``--rubrikrad``).

    Raises
    ------
    InputFileError
        The file is missing, unreadable, not text in a known encoding, has broken quoting,
        no header row, repeated or empty column names, or no data rows.
    """
    return read_table_file(path, header_like or _header_like, what=what, header_row=header_row)


def read_upload(data: bytes, file_name: str, header_row: int | None = None) -> RawTable:
    """A list uploaded as bytes, named ``file_name`` in every message."""
    return _read_bytes(data, file_name, _header_like, what="enheter", header_row=header_row)


def round_from_filename(path: str | Path) -> int | None:
    """A year 2000–2099 in the file name (``dalarna_2026.csv`` → 2026), else ``None``."""
    years = _YEAR_IN_NAME.findall(Path(path).stem)
    return int(years[-1]) if len(years) >= 1 else None
