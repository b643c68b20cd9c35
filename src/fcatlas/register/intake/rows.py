"""The rows of a region's list: every row checked by the unit rules (:mod:`fcatlas.register.rules`),
giving the accepted units and one problem per rejected row (or warning)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fcatlas.domain import GOVERNANCE_FIELDS, Category, Status
from fcatlas.register import rules
from fcatlas.register.geocode import Geocoder
from fcatlas.register.intake.cells import cell, check_cells, kommun_of_cells, make_unit_id
from fcatlas.register.intake.headers import map_headers
from fcatlas.register.intake.table import read_table
from fcatlas.register.rules import SERVICE_FIELDS, RuleError, short
from fcatlas.tables import RawTable, fold


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


def _classify(cells: dict[str, str], labels: dict[str, str]) -> tuple[Category, rules.Services, bool | None]:
    """Category, services and co-location of a row (services columns, or a Typ, or both)."""
    co_located = rules.yes_no(cells["co_located"], labels["co_located"], None) if "co_located" in cells else None
    typ = rules.category(cells["category"], labels["category"]) if cells.get("category", "").strip() else None
    given = all(f in cells for f in SERVICE_FIELDS)
    services: rules.Services = {
        f: (bool(rules.yes_no(cells[f], labels[f], False)) if given else None) for f in SERVICE_FIELDS
    }
    return rules.classification(services, co_located, typ, labels)


_PRECISIONS = rules.PRECISIONS


def _place(cells: dict[str, str], labels: dict[str, str], kommun_code: str, postcode: str | None,
           geocoder: Geocoder, tolerance_m: float) -> tuple[float, float, str, str | None, list[str]]:
    """``(lat, lon, precision, source coordinates, warnings)``: the row's coordinates (WGS 84 or
    SWEREF 99 TM, inside the kommun), else a place found from postcode, address or kommun."""
    pair = ("coord_a", "coord_b") if "coord_a" in cells else ("coord_x", "coord_y") if "coord_x" in cells else None
    texts = (cells[pair[0]].strip(), cells[pair[1]].strip()) if pair else ("", "")
    stated_precision = fold(cells.get("precision", ""))
    if stated_precision and stated_precision not in _PRECISIONS:
        raise RuleError(labels["precision"], f"{short(cells['precision'])}: väntat exakt, postnummer, ort eller kommun")
    if pair and (texts[0] or texts[1]):
        if not (texts[0] and texts[1]):
            missing = pair[1] if texts[0] else pair[0]
            raise RuleError(labels[missing], "bara den ena koordinaten är ifylld")
        a = rules.number(texts[0], labels[pair[0]])
        b = rules.number(texts[1], labels[pair[1]])
        system, lat, lon = rules.coordinates(a, b, kommun_code, tolerance_m, f"{labels[pair[0]]}/{labels[pair[1]]}",
                                             either_order=pair[0] == "coord_x")
        precision = stated_precision if stated_precision in _PRECISIONS[1:] else "exakt"
        return lat, lon, precision, f"{system}: {texts[0]}; {texts[1]}", []
    loc = geocoder.locate(kommun_code, postcode, cell(cells, "address"), cell(cells, "locality"))
    return loc.lat, loc.lon, loc.precision, None, list(loc.warnings)


def _parse_row(
    cells: dict[str, str],
    labels: dict[str, str],
    geocoder: Geocoder,
    tolerance_m: float,
    has_status: bool,
) -> tuple[str, dict[str, Any], list[str]]:
    check_cells(cells, labels)
    name = rules.name(cells.get("name", ""), labels.get("name"))
    kommun_code = kommun_of_cells(cells, labels)
    for f in ("lan", "lan_name"):
        if cells.get(f, "").strip():
            rules.check_lan(kommun_code, cells[f], labels[f])
    category, services, co_located = _classify(cells, labels)
    status = rules.status(cells["status"], labels["status"]) if has_status else Status.I_DRIFT
    status_date = rules.status_date(cells["status_date"], labels["status_date"]) if "status_date" in cells else None
    postcode = rules.postcode(cells.get("postcode", ""), labels.get("postcode"))
    lat, lon, precision, source, warnings = _place(cells, labels, kommun_code, postcode, geocoder, tolerance_m)
    fields: dict[str, Any] = {
        "name": name,
        "kommun_code": kommun_code,
        "lan_code": kommun_code[:2],
        "category": category.value,
        "status": status.value,
        "status_date": status_date,
        "has_mvc": services["mvc"],
        "has_bvc": services["bvc"],
        "has_of": services["of"],
        "has_soc": services["soc"],
        "co_located": co_located,
        "other_partners": cell(cells, "other_partners"),
        "address": cell(cells, "address"),
        "postcode": postcode,
        "locality": cell(cells, "locality"),
        "lat": float(lat),
        "lon": float(lon),
        "precision": precision,
        "stated_accuracy": cell(cells, "stated_accuracy"),
        "source_coordinates": source,
        "note": cell(cells, "note"),
        **{f: rules.governance_value(cells[f], labels[f]) if f in cells else None for f in GOVERNANCE_FIELDS},
    }
    given_id = cells.get("id", "").strip()
    unit_id = rules.unit_id(given_id, labels["id"]) if given_id else make_unit_id(kommun_code, name)
    return unit_id, fields, warnings


def _notes(table: RawTable, mapping: dict[str, int], unknown: list[str]) -> list[str]:
    notes: list[str] = []
    if table.header_row > 1:
        above = "rad 1" if table.header_row == 2 else f"rad 1–{table.header_row - 1}"
        notes.append(f"Rubrikraden är rad {table.header_row}; {above} ovanför (t.ex. en titel) räknas inte som enheter.")
    if unknown:
        notes.append("Kolumner som inte används: " + ", ".join(repr(u) for u in unknown))
    if "status" not in mapping:
        notes.append("Kolumnen Status saknas: alla enheter räknas som i drift.")
    return notes


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
        except RuleError as exc:
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
        problems.extend(RowProblem(row_no, labels.get("postcode"), w, "varning", values) for w in warns)
    return Submission(table, units, problems, _notes(table, mapping, unknown))
