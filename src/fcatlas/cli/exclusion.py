"""``--exclusion`` as the commands take it. A list (``lista:FIL``) is read here, by the face,
through the one table reader (:mod:`fcatlas.tables`) into RegSO codes; the definition is then
built from the codes (:func:`fcatlas.geography.exclusion.parse_exclusion`), so that the analysis
never opens a file."""

from __future__ import annotations

from pathlib import Path

from fcatlas.errors import InputFileError
from fcatlas.geography.exclusion import (
    ExclusionDefinition,
    code_list_header,
    codes_from_table,
    list_file,
    parse_exclusion,
)
from fcatlas.tables import read_table_file


def read_code_list(path: str | Path) -> frozenset[str]:
    """The RegSO codes of a list file: one per line, or a CSV with a column ``regso_code``
    (any separator and encoding the register accepts, or XLSX); every line checked."""
    try:
        table = read_table_file(path, code_list_header, check_headers=False, require_rows=False)
    except InputFileError as exc:
        if exc.reason == "filen är tom":
            raise InputFileError(exc.file, "filen är tom; väntat en RegSO-kod per rad") from None
        raise
    return codes_from_table(table)


def exclusion_definition(spec: str | None) -> ExclusionDefinition:
    """The definition of ``--exclusion SPEC``; a ``lista:FIL`` has its file read first."""
    path = list_file(spec)
    return parse_exclusion(spec, read_code_list(path) if path is not None else None)
