"""Readers for SCB's file exports, exactly as SCB (and its Statistikdatabasen) publish them.

* the DeSO 2018 → RegSO 2020 key (``koppling-deso2018-regso2020.csv``: UTF-8 BOM, CRLF, commas);
* områdestyp per RegSO (socioekonomiskt index): an export whose rows carry the label
  ``"Kommun (RegSO-namn)"`` instead of a code, one year column, and footnote/metadata records;
* population per RegSO (``"region","födelseregion","kön","Antal 2020",…``), same label style
  with known quirks (a space before ``)``, a hyphen where the key has an en dash).

Every reader checks the shape and reports problems in Swedish with file and line. Labels are
joined to codes through the key; a label that matches no area is an error listing every such
row, so nothing is dropped silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from fcatlas.errors import InputFileError, Problem, problems_error
from fcatlas.geography.codes import DESO_RE, KOMMUN_RE, REGSO_RE
from fcatlas.geography.sources.textfile import SOURCE_MAX_BYTES, Record, read_text, records, sniff_delimiter

KEY_COLUMNS = ["Kommun", "Kommunnamn", "DeSO_2018", "RegSO_2020", "RegSOkod_2020"]
#: The same key for the 2025 division (DeSO 2025 → RegSO 2025), columns named for that division.
KEY_COLUMNS_2025 = ["Kommun", "Kommunnamn", "DeSO_2025", "RegSO_2025", "RegSOkod_2025"]
_LABEL_RE = re.compile(r"^(?P<kommun>.+?) \((?P<regso>.*)\)$", re.S)
_YEAR_RE = re.compile(r"^[0-9]{4}$")
#: More people than Sweden has in one area is a broken file (and would not fit a 64-bit column).
MAX_AREA_POPULATION = 20_000_000
_ANTAL_RE = re.compile(r"^Antal ([0-9]{4})$")
_TYPES = {"1", "2", "3", "4", "5"}


def normalise_label(label: str) -> str:
    """Fold a ``"Kommun (RegSO)"`` label: NFC, dashes to hyphens, no spaces inside the brackets'
    edges, single spaces.

    >>> normalise_label("Botkyrka (Tuna )")
    'Botkyrka (Tuna)'
    >>> normalise_label("Sotenäs (Kungshamn–Smögen)") == normalise_label("Sotenäs (Kungshamn-Smögen)")
    True
    """
    text = unicodedata.normalize("NFC", label)
    for dash in ("\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212"):
        text = text.replace(dash, "-")
    text = " ".join(text.split())
    text = re.sub(r"\(\s+", "(", text)
    text = re.sub(r"\s+\)", ")", text)
    return text


# ---------------------------------------------------------------------------------------------
# DeSO → RegSO key
# ---------------------------------------------------------------------------------------------


def read_key(path: Path) -> pd.DataFrame:
    """Read SCB's DeSO → RegSO key: DeSO 2018 → RegSO 2020 (:data:`KEY_COLUMNS`) or
    DeSO 2025 → RegSO 2025 (:data:`KEY_COLUMNS_2025`).

    Returns a DataFrame with ``kommun_code, kommun_name, deso_code, regso_name, regso_code``
    (all strings) and a ``label`` column ``"Kommunnamn (RegSO-namn)"`` used to join SCB's
    label-only exports; ``attrs["division"]`` is 2018 or 2025.
    """
    text = read_text(path, max_bytes=SOURCE_MAX_BYTES)
    recs = list(records(path, text, sniff_delimiter(text)))
    header = [h.strip() for h in recs[0].fields]
    if header not in (KEY_COLUMNS, KEY_COLUMNS_2025):
        raise InputFileError(
            path,
            f"fel rubrikrad {header!r}; väntat {','.join(KEY_COLUMNS)} "
            f"(SCB:s kopplingstabell DeSO 2018 – RegSO 2020) eller {','.join(KEY_COLUMNS_2025)} (DeSO 2025 – RegSO 2025)",
            row=1,
        )
    division = 2025 if header == KEY_COLUMNS_2025 else 2018
    rows: list[list[str]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    kommun_names: dict[str, tuple[str, int]] = {}
    regso_names: dict[str, tuple[str, int]] = {}
    for rec in recs[1:]:
        if rec.blank:
            continue
        f = [x.strip() for x in rec.fields]
        if len(f) != len(KEY_COLUMNS):
            problems.append(Problem(str(path), rec.line, None, f"{len(f)} fält, väntat {len(KEY_COLUMNS)}"))
            continue
        kommun, kname, deso, rname, rcode = f
        for col, value, rx in (
            ("Kommun", kommun, KOMMUN_RE),
            (header[2], deso, DESO_RE),
            (header[4], rcode, REGSO_RE),
        ):
            if not rx.match(value):
                problems.append(Problem(str(path), rec.line, col, f"{value!r} är ingen giltig kod"))
                break
        else:
            if deso[:4] != kommun or rcode[:4] != kommun:
                problems.append(
                    Problem(str(path), rec.line, "Kommun", f"{deso}/{rcode} ligger inte i kommun {kommun}")
                )
            elif deso in seen:
                problems.append(
                    Problem(str(path), rec.line, header[2], f"{deso} förekommer redan på rad {seen[deso]}")
                )
            elif not rname or not kname:
                problems.append(Problem(str(path), rec.line, "Kommunnamn" if not kname else header[3],
                                        "namn saknas"))
            else:
                problem = _same_name(path, rec.line, "Kommunnamn", f"kommun {kommun}", kname,
                                     kommun_names.setdefault(kommun, (kname, rec.line)))
                problem = problem or _same_name(path, rec.line, header[3], f"RegSO {rcode}", rname,
                                                regso_names.setdefault(rcode, (rname, rec.line)))
                if problem:
                    problems.append(problem)
                    continue
                seen[deso] = rec.line
                rows.append([kommun, kname, deso, rname, rcode])
    if problems:
        raise problems_error(path, problems)
    if not rows:
        raise InputFileError(path, "inga datarader efter rubrikraden")
    df = pd.DataFrame(rows, columns=["kommun_code", "kommun_name", "deso_code", "regso_name", "regso_code"])
    df["label"] = df["kommun_name"] + " (" + df["regso_name"] + ")"
    df.attrs["division"] = division
    return df


def _same_name(path: Path, line: int, column: str, what: str, name: str, first: tuple[str, int]) -> Problem | None:
    """A problem when ``name`` differs from the name ``what`` had on its first row in the key."""
    if name == first[0]:
        return None
    return Problem(str(path), line, column, f"{what} heter {first[0]!r} på rad {first[1]} men {name!r} här")


def regso_label_index(key: pd.DataFrame, path: Path) -> dict[str, str]:
    """Normalised ``"Kommun (RegSO)"`` label → RegSO code (unique, else an error)."""
    labels = key.drop_duplicates("regso_code")[["regso_code", "label"]]
    index: dict[str, str] = {}
    for code, label in zip(labels["regso_code"], labels["label"], strict=True):
        norm = normalise_label(label)
        if norm in index and index[norm] != code:
            raise InputFileError(path, f"etiketten {label!r} är inte unik i nyckeln ({index[norm]}, {code})")
        index[norm] = code
    return index


def _lookup(
    path: Path, rec: Record, column: str, label: str, index: dict[str, str], first_line: dict[str, int]
) -> tuple[str | None, Problem | None]:
    """The RegSO code of ``label``, or the problem (no such area, or already given) for its row."""
    code = index.get(normalise_label(label))
    if code is None:
        return None, Problem(str(path), rec.line, column, f"etiketten {label!r} matchar inget RegSO i nyckeln")
    if code in first_line:
        return None, Problem(str(path), rec.line, column, f"{label!r} förekommer redan på rad {first_line[code]}")
    return code, None


# ---------------------------------------------------------------------------------------------
# Områdestyp per RegSO
# ---------------------------------------------------------------------------------------------


@dataclass
class ReadReport:
    """How every record of a file was accounted for."""

    file: str
    records: int = 0
    data_rows: int = 0
    metadata_rows: int = 0
    missing_values: list[str] = field(default_factory=list)  # RegSO codes with '..' etc.
    other_rows: int = 0  # rows of another breakdown (e.g. born in Sweden), not used

    def to_dict(self) -> dict[str, object]:
        return {
            "records": self.records,
            "data_rows": self.data_rows,
            "metadata_rows": self.metadata_rows,
            "other_rows": self.other_rows,
            "missing_values": self.missing_values,
        }


def read_omradestyp(path: Path, key: pd.DataFrame) -> tuple[int, pd.DataFrame, ReadReport]:
    """Read one SCB export of områdestyp per RegSO.

    Returns ``(year, DataFrame[regso_code, omradestyp], report)``. The data block is the run of
    records after the header up to the first record that is neither blank nor shaped like data
    (two fields: a ``"Kommun (RegSO)"`` label or a value 1–5); SCB ends it with a blank record.
    The records after it (blank lines, notes, SCB's metadata) are counted as metadata. Inside
    the block every record must be a data row: a wrong label shape, a wrong number of fields or a
    value that is not 1–5 is an error for that row, except SCB's missing-value marks (``..``,
    ``-``, empty) which are kept as missing and reported. A data row after the block is an error
    too (and so is the record that ended the block early), so no row is dropped silently.
    Comma, semicolon or tab separated (read from the header).
    """
    text = read_text(path, max_bytes=SOURCE_MAX_BYTES)
    recs = list(records(path, text, sniff_delimiter(text)))
    header = [h.strip() for h in recs[0].fields]
    if len(header) != 2 or not _YEAR_RE.match(header[1]) or header[0] not in ("", "Område", "region"):
        raise InputFileError(
            path,
            f"fel rubrikrad {','.join(header)!r}; väntat två kolumner: områdesetikett och ett årtal "
            "(t.ex. ',2022' eller 'Område,2023')",
            row=1,
        )
    year = int(header[1])
    label_col = header[0] or "Område"
    index = regso_label_index(key, path)
    report = ReadReport(str(path), records=len(recs) - 1)
    out: dict[str, int | None] = {}
    first_line: dict[str, int] = {}
    problems: list[Problem] = []
    block_end: Record | None = None  # the record that ended the data block
    for rec in recs[1:]:
        f = [x.strip() for x in rec.fields]
        label_ok = bool(_LABEL_RE.match(f[0])) and "\n" not in f[0]
        value = f[1] if len(f) > 1 else ""
        if block_end is None and (rec.blank or not (len(f) >= 2 and (label_ok or value in _TYPES | {"..", "-"}))):
            block_end = rec
        if block_end is not None:
            if label_ok and len(f) == 2 and value in _TYPES:
                if not block_end.blank and not any(p.row == block_end.line for p in problems):
                    problems.append(Problem(
                        str(path), block_end.line, None,
                        "raden avbryter datablocket: väntat två fält, 'Kommun (RegSO-namn)' och områdestyp "
                        f"1–5, fick {','.join(f'{x[:40]!r}' for x in block_end.fields)}"))
                problems.append(
                    Problem(str(path), rec.line, None, "dataraden står efter fotnoterna; filen är inte i SCB:s form")
                )
            report.metadata_rows += 1
            continue
        if len(f) != 2:
            problems.append(Problem(str(path), rec.line, None, f"{len(f)} fält, väntat 2 (etikett och områdestyp)"))
            continue
        if not label_ok:
            problems.append(Problem(str(path), rec.line, label_col,
                                    f"etiketten {f[0]!r} har inte formen 'Kommun (RegSO-namn)'"))
            continue
        code, problem = _lookup(path, rec, label_col, f[0], index, first_line)
        if code is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        if value in _TYPES:
            out[code] = int(value)
        elif value in {"..", "-", ""}:
            out[code] = None
            report.missing_values.append(code)
        else:
            problems.append(
                Problem(str(path), rec.line, header[1], f"områdestyp {value!r} är inte 1–5")
            )
            continue
        first_line[code] = rec.line
        report.data_rows += 1
    if problems:
        raise problems_error(path, problems)
    if not out:
        raise InputFileError(path, "inga datarader med områdestyp hittades")
    df = pd.DataFrame({"regso_code": list(out), "omradestyp": pd.array(list(out.values()), dtype="Int64")})
    return year, df, report


# ---------------------------------------------------------------------------------------------
# Population per RegSO
# ---------------------------------------------------------------------------------------------


def read_population(path: Path, key: pd.DataFrame) -> tuple[pd.DataFrame, ReadReport]:
    """Read SCB's export of population per RegSO (``region, födelseregion, kön, Antal YYYY…``).

    Uses the rows with ``födelseregion == "totalt"`` and ``kön == "totalt"`` (all persons);
    rows of other breakdowns are counted in the report. Records after the first blank record
    (SCB's footnotes and metadata) are counted as metadata; a data row among them is an error.
    Returns a long DataFrame ``regso_code, year, population`` and the report. Comma, semicolon
    or tab separated (read from the header).
    """
    text = read_text(path, max_bytes=SOURCE_MAX_BYTES)
    recs = list(records(path, text, sniff_delimiter(text)))
    header = [h.strip() for h in recs[0].fields]
    years = {i: int(m.group(1)) for i, h in enumerate(header) if (m := _ANTAL_RE.match(h))}
    if not header or header[0] != "region" or not years:
        raise InputFileError(
            path,
            f"fel rubrikrad {','.join(header)!r}; väntat 'region' följt av kolumner 'Antal ÅÅÅÅ' "
            "(SCB:s export av folkmängd per RegSO)",
            row=1,
        )
    col_idx = {h: i for i, h in enumerate(header)}
    index = regso_label_index(key, path)
    report = ReadReport(str(path), records=len(recs) - 1)
    rows: list[tuple[str, int, int]] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    in_data = True
    for rec in recs[1:]:
        f = [x.strip() for x in rec.fields]
        if rec.blank:
            in_data = False
        if not in_data:
            if not rec.blank and len(f) == len(header) and _LABEL_RE.match(f[0]):
                problems.append(Problem(str(path), rec.line, None,
                                        "dataraden står efter en tom rad (fotnoterna); filen är inte i SCB:s form"))
            report.metadata_rows += 1
            continue
        if len(f) != len(header):
            problems.append(Problem(str(path), rec.line, None, f"{len(f)} fält, väntat {len(header)}"))
            continue
        breakdown_ok = all(
            f[col_idx[c]].lower() == "totalt" for c in ("födelseregion", "kön") if c in col_idx
        )
        if not breakdown_ok:
            report.other_rows += 1
            continue
        code, problem = _lookup(path, rec, "region", f[0], index, seen)
        if code is None:
            problems.append(problem)  # type: ignore[arg-type]
            continue
        seen[code] = rec.line
        for i, year in years.items():
            value = f[i]
            if not re.fullmatch(r"[0-9]+", value):
                problems.append(
                    Problem(str(path), rec.line, header[i], f"{value!r} är inget antal (heltal ≥ 0)")
                )
                continue
            if int(value) > MAX_AREA_POPULATION:
                problems.append(Problem(str(path), rec.line, header[i],
                                        f"{value[:30]} invånare i ett område är orimligt många "
                                        f"(högst {MAX_AREA_POPULATION})"))
                continue
            rows.append((code, year, int(value)))
        report.data_rows += 1
    if problems:
        raise problems_error(path, problems)
    if not rows:
        raise InputFileError(path, "inga datarader med folkmängd (födelseregion och kön 'totalt') hittades")
    df = pd.DataFrame(rows, columns=["regso_code", "year", "population"])
    df["population"] = df["population"].astype("Int64")
    return df, report
