"""Intake of the regions' lists (CSV or XLSX, in their own shape) — no database access here.

The package is split by concern: :mod:`.table` (reading a file or an upload through the one
table reader, :mod:`fcatlas.tables`), :mod:`.headers` (column names and aliases), :mod:`.cells`
(cell text), :mod:`.rows` (every row checked by the unit rules, :mod:`fcatlas.register.rules`)
and :mod:`.duplicates` (units that may be the same).

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

from fcatlas.register.intake.cells import make_unit_id
from fcatlas.register.intake.duplicates import (
    DUPLICATE_DISTANCE_M,
    SIMILAR_NAME_RATIO,
    likely_duplicates,
    similar_name_pairs,
)
from fcatlas.register.intake.headers import ALIASES, IGNORED, header_help, header_like, map_headers
from fcatlas.register.intake.rows import RowProblem, Submission, UnitRecord, parse_submission
from fcatlas.register.intake.table import read_table, read_upload, round_from_filename
from fcatlas.register.rules import (
    DEFAULT_MAX_LENGTH,
    FIELD_LABELS,
    LAN_LETTERS,
    MAX_LENGTH,
    MAX_YEAR,
    MIN_YEAR,
    SERVICE_FIELDS,
    category_of,
    governance_value,
    lan_code_of,
    status_of,
)
from fcatlas.register.rules import RuleError as _RowError
from fcatlas.register.rules import status_date as _date
from fcatlas.tables import HEADER_SEARCH_ROWS, HeaderTest, RawTable, fold

__all__ = [
    "ALIASES", "DEFAULT_MAX_LENGTH", "DUPLICATE_DISTANCE_M", "FIELD_LABELS", "HEADER_SEARCH_ROWS", "IGNORED",
    "LAN_LETTERS", "MAX_LENGTH", "MAX_YEAR", "MIN_YEAR", "SERVICE_FIELDS", "SIMILAR_NAME_RATIO", "HeaderTest",
    "RawTable", "RowProblem", "Submission", "UnitRecord", "_RowError", "_date", "category_of", "fold",
    "governance_value", "header_help", "header_like", "lan_code_of", "likely_duplicates", "make_unit_id",
    "map_headers", "parse_submission", "read_table", "read_upload", "round_from_filename", "similar_name_pairs",
    "status_of",
]
