"""Postal codes: GeoNames ``SE.txt`` (coordinates) and ``postal_to_municipality.csv`` (kommun).

Both files are read exactly as they are published (see ``shared/data/postnummer/PROVENANCE.md``):

* ``SE.txt`` — GeoNames postal codes, CC BY 4.0: UTF-8, tab separated, **no header**, 12 columns
  (country, postal code *with* a space, place, län name, län letter, kommun name, kommun code,
  admin3 name, admin3 code, latitude, longitude, accuracy). Coordinates are place centroids.
* ``postal_to_municipality.csv`` — sjbrg/swedish-geodata, CC0: UTF-8, comma separated, header
  ``postal_code,locality,municipality_code,municipality_name``; codes are zero-padded strings.

Postal codes are returned as five digits without a space (``"79171"``). Any malformed line
raises :class:`~fcatlas.errors.InputFileError` naming the file, the line and the column.
"""

from __future__ import annotations

import csv
import io
import math
import re
from pathlib import Path

import pandas as pd

from fcatlas.errors import InputFileError

POSTCODE_RE = re.compile(r"^\d{5}$")
_GEONAMES_COLUMNS = (
    "country",
    "postal_code",
    "place",
    "lan_name",
    "lan_letter",
    "kommun_name",
    "kommun_code",
    "admin3_name",
    "admin3_code",
    "lat",
    "lon",
    "accuracy",
)
#: Generous box around Sweden (WGS 84) used to reject garbage coordinates in SE.txt.
_LAT_RANGE = (55.0, 69.5)
_LON_RANGE = (10.5, 24.5)

#: File names as published.
GEONAMES_FILE = "SE.txt"
POSTAL_MUNICIPALITY_FILE = "postal_to_municipality.csv"


def normalise_postcode(value: object) -> str | None:
    """Five digits without a space, or ``None`` when ``value`` is not a Swedish postal code.

    >>> normalise_postcode("791 71")
    '79171'
    >>> normalise_postcode(79171.0)
    '79171'
    >>> normalise_postcode("SE-791 71") is None
    True
    """
    if value is None:
        return None
    if isinstance(value, float):
        if math.isnan(value) or not value.is_integer():
            return None
        value = int(value)
    text = str(value).strip().replace(" ", "").replace("\u00a0", "")
    return text if POSTCODE_RE.match(text) else None


def _read_text(path: Path) -> str:
    from fcatlas.files import read_input_bytes

    data = read_input_bytes(path, 2_000_000_000)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(path, "filen är inte kodad i UTF-8 som väntat", row=line) from exc


def _float(path: Path, line: int, column: str, text: str, lo: float, hi: float) -> float:
    try:
        value = float(text)
    except ValueError:
        raise InputFileError(path, f"{text!r} är inget tal", row=line, column=column) from None
    if not lo <= value <= hi:
        raise InputFileError(
            path, f"{value} ligger utanför Sverige (väntat {lo}–{hi})", row=line, column=column
        )
    return value


def read_geonames(path: str | Path) -> pd.DataFrame:
    """Read GeoNames ``SE.txt``.

    Returns
    -------
    DataFrame
        One row per postal code: ``postal_code`` (five digits), ``place``, ``lan_name``,
        ``lan_letter``, ``kommun_name``, ``kommun_code`` (``None`` where GeoNames has none),
        ``lat``, ``lon`` (WGS 84), ``accuracy`` (``Int64``, may be missing).

    Raises
    ------
    InputFileError
        Wrong number of columns, a malformed postal code, coordinates outside Sweden or a
        postal code given twice — with file, line and column.
    """
    p = Path(path)
    text = _read_text(p)
    records: list[tuple[object, ...]] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(_GEONAMES_COLUMNS):
            raise InputFileError(
                p,
                f"raden har {len(cells)} tabbseparerade fält, väntat {len(_GEONAMES_COLUMNS)} "
                "(GeoNames-formatet utan rubrikrad)",
                row=line_no,
            )
        if cells[0] != "SE":
            raise InputFileError(p, f"landskoden är {cells[0]!r}, väntat 'SE'", row=line_no, column="country")
        code = normalise_postcode(cells[1])
        if code is None:
            raise InputFileError(
                p, f"{cells[1]!r} är inget svenskt postnummer (väntat t.ex. '186 00')",
                row=line_no, column="postal code",
            )
        if code in seen:
            raise InputFileError(
                p, f"postnumret {cells[1]} finns redan på rad {seen[code]}", row=line_no, column="postal code"
            )
        seen[code] = line_no
        kommun_code = cells[6].strip() or None
        if kommun_code is not None and not re.fullmatch(r"\d{4}", kommun_code):
            raise InputFileError(
                p, f"{kommun_code!r} är ingen kommunkod (fyra siffror)", row=line_no, column="admin2 code"
            )
        lat = _float(p, line_no, "latitude", cells[9].strip(), *_LAT_RANGE)
        lon = _float(p, line_no, "longitude", cells[10].strip(), *_LON_RANGE)
        acc_text = cells[11].strip()
        if acc_text and not acc_text.isdigit():
            raise InputFileError(p, f"{acc_text!r} är ingen noggrannhetskod", row=line_no, column="accuracy")
        records.append(
            (code, cells[2], cells[3], cells[4], cells[5] or None, kommun_code, lat, lon,
             int(acc_text) if acc_text else None)
        )
    if not records:
        raise InputFileError(p, "filen innehåller inga postnummer")
    df = pd.DataFrame.from_records(
        records,
        columns=["postal_code", "place", "lan_name", "lan_letter", "kommun_name", "kommun_code",
                 "lat", "lon", "accuracy"],
    )
    df["accuracy"] = df["accuracy"].astype("Int64")
    return df


def read_postal_to_municipality(path: str | Path) -> pd.DataFrame:
    """Read ``postal_to_municipality.csv`` (sjbrg/swedish-geodata).

    Returns
    -------
    DataFrame
        ``postal_code`` (five digits), ``locality``, ``kommun_code`` (four digits),
        ``kommun_name`` (as published, e.g. ``"Falu kommun"``).
    """
    p = Path(path)
    text = _read_text(p)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    expected = ["postal_code", "locality", "municipality_code", "municipality_name"]
    try:
        header = next(reader)
    except StopIteration:
        raise InputFileError(p, "filen är tom") from None
    if [h.strip() for h in header] != expected:
        raise InputFileError(p, f"rubrikraden är {header!r}, väntat {expected!r}", row=1)
    records: list[tuple[str, str, str, str]] = []
    seen: dict[str, int] = {}
    try:
        for cells in reader:
            line_no = reader.line_num
            if not cells:
                continue
            if len(cells) != 4:
                raise InputFileError(p, f"raden har {len(cells)} fält, väntat 4", row=line_no)
            code = cells[0].strip()
            if not POSTCODE_RE.match(code):
                raise InputFileError(p, f"{code!r} är inget postnummer (fem siffror)", row=line_no,
                                     column="postal_code")
            if code in seen:
                raise InputFileError(p, f"postnumret {code} finns redan på rad {seen[code]}", row=line_no,
                                     column="postal_code")
            seen[code] = line_no
            kommun = cells[2].strip()
            if not re.fullmatch(r"\d{4}", kommun):
                raise InputFileError(p, f"{kommun!r} är ingen kommunkod (fyra siffror, läs som text)",
                                     row=line_no, column="municipality_code")
            records.append((code, cells[1].strip(), kommun, cells[3].strip()))
    except csv.Error as exc:
        raise InputFileError(p, f"trasig CSV: {exc}", row=reader.line_num) from None
    return pd.DataFrame.from_records(records, columns=["postal_code", "locality", "kommun_code", "kommun_name"])


def find_postcode_files(path: str | Path) -> tuple[Path | None, Path | None]:
    """Given ``SE.txt`` itself or a folder holding it (and maybe ``postal_to_municipality.csv``),
    return the two paths (``None`` for what is not there)."""
    p = Path(path)
    if p.is_dir():
        geo = p / GEONAMES_FILE
        pm = p / POSTAL_MUNICIPALITY_FILE
        return (geo if geo.is_file() else None, pm if pm.is_file() else None)
    if not p.exists():
        raise InputFileError(p, "postnummerfilen (GeoNames SE.txt) eller katalogen finns inte")
    if p.name == POSTAL_MUNICIPALITY_FILE:
        sib = p.parent / GEONAMES_FILE
        return (sib if sib.is_file() else None, p)
    sib = p.parent / POSTAL_MUNICIPALITY_FILE
    return (p, sib if sib.is_file() else None)
