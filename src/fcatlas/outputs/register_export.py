"""Rendering of the register: CSV, XLSX (Swedish headers, filterable) and GeoJSON (WGS 84).

Text that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or
carriage return) is neutralised: in CSV by a leading apostrophe (OWASP's advice), in XLSX by
writing every text cell as a string (never a formula) — its value is kept as it was entered.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from fcatlas.domain import CATEGORY_LABELS, GOVERNANCE_LABELS, STATUS_LABELS, Category, Status
from fcatlas.files import Target, neutralise, neutralise_frame, output_to, write_text, xlsx_workbook

#: Swedish headers of the XLSX export.
XLSX_HEADERS: dict[str, str] = {
    "id": "Id",
    "name": "Namn",
    "kommun_code": "Kommunkod",
    "kommun_name": "Kommun",
    "lan_code": "Länskod",
    "lan_name": "Län",
    "category": "Kategori",
    "status": "Status",
    "status_date": "Statusdatum",
    "mvc": "MVC",
    "bvc": "BVC",
    "of": "Öppen förskola",
    "soc": "Socialtjänst",
    "co_located": "Samlokaliserad",
    "other_partners": "Övriga samverkanspartner",
    "address": "Adress",
    "postcode": "Postnummer",
    "locality": "Ort",
    "lat": "Latitud (WGS 84)",
    "lon": "Longitud (WGS 84)",
    "precision": "Lägesprecision",
    "stated_accuracy": "Angiven noggrannhet",
    "source_coordinates": "Koordinater i filen",
    "note": "Anmärkning",
    **GOVERNANCE_LABELS,
    "round": "Inventeringsomgång",
    "status_reason": "Orsak till status",
}
PRECISION_LABELS = {"exakt": "exakt (koordinater)", "postnummer": "postnummer", "ort": "ort (ortens mitt)",
                    "kommun": "kommun"}




def _plain(v: Any) -> Any:
    if v is None or v is pd.NA:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "item"):
        return v.item()
    return v


def units_to_csv(df: pd.DataFrame, out: Path | io.TextIOBase | None = None) -> str:
    """CSV (UTF-8, comma, English snake_case columns, booleans as true/false). Returns the text
    and writes it to ``out`` when given."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(list(df.columns))
    for row in df.itertuples(index=False):
        cells = []
        for v in row:
            v = _plain(v)
            if v is None:
                cells.append("")
            elif isinstance(v, bool):
                cells.append("true" if v else "false")
            else:
                cells.append(neutralise(v) if isinstance(v, str) else v)
        w.writerow(cells)
    text = buf.getvalue()
    if isinstance(out, Path):
        write_text(out, text)
    elif out is not None:
        out.write(text)
    return text


def frame_to_csv(df: pd.DataFrame, sep: str = ";") -> bytes:
    """A table as a Swedish Excel opens it (``;``, UTF-8 with BOM), every text cell and column name
    through the formula guard (:func:`fcatlas.files.neutralise`)."""
    return bytes(neutralise_frame(df).to_csv(index=False, sep=sep).encode("utf-8-sig"))


def frame_to_xlsx(df: pd.DataFrame, target: Target, sheet: str = "Enheter") -> Target:
    """A table as one sheet: numbers as numbers, every text cell written as text through the
    formula guard (never a formula or a URL). ``target`` may be a binary stream."""
    with output_to(target, suffix=".xlsx") as tmp:
        wb = xlsx_workbook(tmp)
        try:
            ws = wb.add_worksheet(sheet)
            for j, c in enumerate(df.columns):
                ws.write_string(0, j, str(c))
            for i, row in enumerate(df.itertuples(index=False), start=1):
                for j, v in enumerate(row):
                    _write_cell(ws, i, j, _plain(v))
        finally:
            wb.close()
    return target


def _write_cell(ws: Any, i: int, j: int, v: Any) -> None:
    if v is None:
        return
    if isinstance(v, bool):
        ws.write_boolean(i, j, v)
    elif isinstance(v, int | float) and math.isfinite(v):
        ws.write_number(i, j, v)
    else:
        ws.write_string(i, j, str(v))


def units_to_xlsx(df: pd.DataFrame, path: Target, title: str = "Familjecentraler") -> Target:
    """A filterable workbook: sheet *Enheter* (Swedish headers and labels, frozen header row,
    autofilter) and sheet *Om* (what the columns mean, sources). ``path`` may be a binary stream."""
    with output_to(path, suffix=".xlsx") as tmp:
        _units_xlsx(df, tmp, title)
    return path


def _units_xlsx(df: pd.DataFrame, path: Path, title: str) -> None:
    wb = xlsx_workbook(path)
    try:
        ws = wb.add_worksheet("Enheter")
        bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True})
        coord = wb.add_format({"num_format": "0.000000"})
        cols = [c for c in df.columns if c in XLSX_HEADERS] + [c for c in df.columns if c not in XLSX_HEADERS]
        for j, c in enumerate(cols):
            ws.write_string(0, j, XLSX_HEADERS.get(c, c), bold)
        for i, row in enumerate(df[cols].itertuples(index=False), start=1):
            for j, (c, v) in enumerate(zip(cols, row, strict=True)):
                v = _plain(v)
                if v is None:
                    if c in GOVERNANCE_LABELS:
                        ws.write_string(i, j, "okänt")
                    continue
                if c == "category" and v in {x.value for x in Category}:
                    ws.write_string(i, j, CATEGORY_LABELS[Category(v)])
                elif c == "status" and v in {x.value for x in Status}:
                    ws.write_string(i, j, STATUS_LABELS[Status(v)])
                elif c == "precision":
                    ws.write_string(i, j, PRECISION_LABELS.get(v, str(v)))
                elif isinstance(v, bool):
                    ws.write_string(i, j, "ja" if v else "nej")
                elif isinstance(v, int | float):
                    ws.write_number(i, j, v, coord if c in ("lat", "lon") else None)
                else:
                    ws.write_string(i, j, _xml_safe(str(v)))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(df), 1), max(len(cols) - 1, 0))
        widths = {"name": 36, "kommun_name": 16, "lan_name": 18, "category": 30, "note": 40, "address": 28}
        for j, c in enumerate(cols):
            ws.set_column(j, j, widths.get(c, 13))
        about = wb.add_worksheet("Om")
        lines = [
            title,
            f"{len(df)} enheter.",
            "Kategorier enligt Socialstyrelsens definitioner: familjecentral (MVC, BVC, öppen förskola och "
            "socialtjänst samlokaliserade), familjecentralsliknande verksamhet (BVC samlokaliserad med minst "
            "öppen förskola eller socialtjänst) och annan form av samverkan.",
            "Lägesprecision: exakt = koordinater från regionens fil; postnummer = postnumrets mittpunkt "
            "(GeoNames, CC BY 4.0); kommun = kommunens mittpunkt.",
            "Angiven noggrannhet: vad regionens fil säger om koordinaternas noggrannhet (t.ex. ungefärlig).",
            "Koordinater i WGS 84 (EPSG:4326).",
        ]
        about.set_column(0, 0, 120)
        for i, text in enumerate(lines):
            about.write_string(i, 0, text)
    finally:
        wb.close()


_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    return _XML_ILLEGAL.sub("\ufffd", text)


def units_to_geojson(df: pd.DataFrame) -> dict[str, Any]:
    """A GeoJSON FeatureCollection (WGS 84, ``[lon, lat]``), properties = the other columns."""
    features = []
    props_cols = [c for c in df.columns if c not in ("lat", "lon")]
    for rec in df.to_dict("records"):
        props = {c: _plain(rec[c]) for c in props_cols}
        features.append({
            "type": "Feature",
            "id": props.get("id"),
            "geometry": {"type": "Point", "coordinates": [round(float(rec["lon"]), 7), round(float(rec["lat"]), 7)]},
            "properties": props,
        })
    return {"type": "FeatureCollection", "features": features}


def geojson_text(df: pd.DataFrame) -> str:
    return json.dumps(units_to_geojson(df), ensure_ascii=False, indent=1) + "\n"


#: Swedish headers of the error report (it opens in a Swedish Excel as columns: ``;`` + BOM).
PROBLEM_HEADERS = ["Fil", "Rad", "Kolumn", "Typ", "Orsak"]


def problems_to_csv(problems: Iterable[Any], headers: list[str], file: str, path: Path) -> Path:
    """The import's error report for a Swedish Excel: ``;``-separated, UTF-8 with BOM, headers
    ``Fil, Rad, Kolumn, Typ, Orsak`` then the row's original cells under their original headers
    (formula-like text neutralised). ``file`` is named by its file name, not its local path."""
    fixed = PROBLEM_HEADERS
    extra = [h if h not in fixed else f"{h} (i filen)" for h in headers]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(fixed + extra + ["(extra)"])
    name = Path(file).name
    for p in problems:
        vals = [p.values.get(h, "") for h in headers] + [p.values.get("(extra)", "")]
        w.writerow([neutralise(x) for x in [name, "" if p.row is None else p.row, p.column or "", p.severity,
                                              p.reason, *vals]])
    write_text(path, buf.getvalue(), encoding="utf-8-sig", what="felrapporten")
    return path


#: GeoPackage version written: GDAL ≥ 3.7 writes 1.4 by default, which GDAL 3.6 (Debian 12, QGIS on
#: LTS systems) opens with a warning ("may only be partially supported"); 1.2 every GDAL since 2.2 reads.
GPKG_VERSION = "1.2"


def units_to_gpkg(df: pd.DataFrame, path: Path, layer: str = "familjecentraler") -> Path:
    """A GeoPackage for QGIS: one point layer in SWEREF 99 TM (EPSG:3006), the same columns as the
    CSV export; text that a spreadsheet would run is neutralised as in every other export.

    Yes/no columns (``mvc``, ``bvc``, ``of``, ``soc``, ``co_located`` …) are integers 0/1 with
    GDAL's boolean subtype (``Integer(Boolean)`` in ogrinfo, a checkbox in QGIS), empty where
    unknown; the file is GeoPackage :data:`GPKG_VERSION`.
    """
    import geopandas as gpd

    plain = df.copy()
    for c in plain.columns:
        if _is_yes_no(plain[c]):
            plain[c] = plain[c].astype("boolean")  # pyogrio writes it as Integer(Boolean), NULL for NA
        elif plain[c].dtype == object:
            plain[c] = [neutralise(_plain(v)) if isinstance(_plain(v), str) else _plain(v) for v in plain[c]]
    geo = gpd.GeoDataFrame(plain, geometry=gpd.points_from_xy(df["lon"].astype(float), df["lat"].astype(float)),
                           crs="EPSG:4326").to_crs("EPSG:3006")
    geo.to_file(path, layer=layer, driver="GPKG", engine="pyogrio", VERSION=GPKG_VERSION)
    return path


def _is_yes_no(col: pd.Series) -> bool:
    """A column of booleans (bool, nullable boolean, or objects that are all True/False/None)."""
    if str(col.dtype) in ("bool", "boolean"):
        return True
    if col.dtype != object:
        return False
    values = [v for v in col if v is not None and not (isinstance(v, float) and math.isnan(v))]
    return bool(values) and all(isinstance(v, bool) for v in values)


# -- files meant for people (a Swedish Excel): Swedish headers and labels ----------------------------

#: Swedish headers of every column a unit table may have (the XLSX export's, and the table's own)
PEOPLE_HEADERS: dict[str, str] = {**XLSX_HEADERS, "lat": "Latitud", "lon": "Longitud",
                                  "category_label": "Kategori", "status_label": "Status"}


def people_frame(df: pd.DataFrame, *, decimal_comma: bool, headers: dict[str, str] | None = None) -> pd.DataFrame:
    """A unit table as people read it: Swedish headers, ja/nej for yes/no, the category's and the
    status's names, the precision in words, and (for CSV) numbers with a decimal comma.
    ``headers``: the Swedish headers of another table's columns (they win over the units')."""
    out = df.copy()
    for c in out.columns:
        col = out[c]
        if c == "category":
            out[c] = [CATEGORY_LABELS.get(Category(v), v) if v in {x.value for x in Category} else v for v in col]
        elif c == "status":
            out[c] = [STATUS_LABELS.get(Status(v), v) if v in {x.value for x in Status} else v for v in col]
        elif c == "precision":
            out[c] = [PRECISION_LABELS.get(v, v) for v in col]
        elif _is_yes_no(col):
            out[c] = ["" if pd.isna(v) else ("ja" if bool(v) else "nej") for v in col]
        elif decimal_comma and pd.api.types.is_float_dtype(col):
            out[c] = ["" if pd.isna(v) else f"{v:.6f}".rstrip("0").rstrip(".").replace(".", ",") for v in col]
    drop = [c for c in ("category_label", "status_label") if c in out.columns and c.split("_")[0] in out.columns]
    out = out.drop(columns=drop)
    names = PEOPLE_HEADERS | (headers or {})
    return out.rename(columns={c: names.get(c, c) for c in out.columns})


def people_xlsx(df: pd.DataFrame, target: Target, sheet: str = "Enheter") -> Target:
    """A table for people as one sheet: bold header row frozen, a filter on every column, text
    through the formula guard, each column as wide as its header or its longest value (10–40
    characters)."""
    with output_to(target, suffix=".xlsx") as tmp:
        wb = xlsx_workbook(tmp)
        try:
            ws = wb.add_worksheet(sheet)
            bold = wb.add_format({"bold": True})
            widths = [len(str(c)) for c in df.columns]
            for j, c in enumerate(df.columns):
                ws.write_string(0, j, str(c), bold)
            for i, row in enumerate(df.itertuples(index=False), start=1):
                for j, v in enumerate(row):
                    value = _plain(v)
                    _write_cell(ws, i, j, value)
                    widths[j] = max(widths[j], len(str(value)) if value is not None else 0)
            for j, w in enumerate(widths):
                ws.set_column(j, j, max(10, min(40, w + 2)))
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(df), 1), max(len(df.columns) - 1, 0))
        finally:
            wb.close()
    return target


#: the columns of a region's list as the import reads them (field, header), in the template's order
IMPORT_COLUMNS: list[tuple[str, str]] = [
    ("id", "Id"), ("name", "Namn"), ("kommun_code", "Kommunkod"), ("kommun_name", "Kommun"),
    ("address", "Adress"), ("postcode", "Postnummer"), ("locality", "Ort"), ("category", "Typ"),
    ("mvc", "MVC"), ("bvc", "BVC"), ("of", "Öppen förskola"), ("soc", "Socialtjänst"),
    ("co_located", "Samlokaliserad"), ("other_partners", "Övriga samverkanspartner"), ("status", "Status"),
    ("status_date", "Statusdatum"), ("coord_a", "Latitud"), ("coord_b", "Longitud"),
    ("precision", "Lägesprecision"), ("stated_accuracy", "Koordinatnoggrannhet"), ("note", "Anmärkning"),
    ("gov_steering_group", "Styrgrupp"), ("gov_coordinator", "Samordnare"),
    ("gov_written_agreement", "Skriftligt samverkansavtal"), ("gov_joint_plan", "Gemensam verksamhetsplan"),
    ("gov_joint_followup", "Gemensam uppföljning"), ("gov_joint_meetings", "Gemensamma möten för alla aktörer"),
]
_SOURCE = re.compile(r"^[^:]+:\s*([^;]+);\s*(\S+)")


def _yes_no_cell(v: Any) -> str:
    return "" if v is None or v != v else ("ja" if bool(v) else "nej")


def _import_row(u: dict[str, Any]) -> list[str]:
    """One unit as a row of the import's columns: the coordinates as they were given (so that the
    file imported again changes nothing), only for a position given exactly."""
    source = _SOURCE.match(str(u.get("source_coordinates") or ""))
    given = (source.group(1).strip(), source.group(2).strip()) if source else ("", "")
    cells: list[str] = []
    for f, _ in IMPORT_COLUMNS:
        v = u.get(f)
        if f in ("coord_a", "coord_b"):
            cells.append(given[0 if f == "coord_a" else 1])
        elif f == "precision":
            cells.append(str(v) if source and v and v != "exakt" else "")
        elif f == "category":
            cells.append(CATEGORY_LABELS[Category(v)] if v else "")
        elif f == "status":
            cells.append(STATUS_LABELS[Status(v)] if v else "")
        elif f in ("mvc", "bvc", "of", "soc", "co_located") or f.startswith("gov_"):
            cells.append(_yes_no_cell(v))
        else:
            cells.append("" if v is None or v != v else str(v))
    return cells


def import_file_csv(units: Iterable[dict[str, Any]]) -> bytes:
    """A region's list in the import's own columns (``;``, UTF-8 with BOM, Swedish headers, ja/nej):
    with no units, the import template; with last year's units, the starting file of this year's
    list. Text cells go through the formula guard."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow([h for _, h in IMPORT_COLUMNS])
    for u in units:
        w.writerow([neutralise(c) for c in _import_row(u)])
    return buf.getvalue().encode("utf-8-sig")
