"""The filterable Excel file of the atlas (xlsxwriter).

Every sheet is one table: Swedish headers in row 1, an autofilter over the whole table, the
header row frozen, column widths from the content, number formats per column. Text from input
data is always written with ``write_string`` (never interpreted as a formula, URL or number).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
import xlsxwriter.exceptions

from fcatlas.analysis.atlas import AtlasResult
from fcatlas.analysis.coverage import COVERAGE_LEVEL_LABELS
from fcatlas.domain import CATEGORY_LABELS, OMRADESTYP_LABELS, STATUS_LABELS, Category, Status
from fcatlas.errors import FcatlasError
from fcatlas.files import Target, is_stream, output_to, xlsx_workbook

SHEET_KEYS = "Nyckeltal"
SHEET_AREAS = "Områden"
SHEET_UNITS = "Enheter"
SHEET_KOMMUNER = "Kommuner"
SHEET_LAN = "Län"
SHEET_LEVELS = "Enheter per kategori och status"
SHEET_COVERAGE = "Täckning per områdestyp"
SHEET_GAPS = "Luckor"
SHEET_DEFS = "Definitioner och källor"
SHEET_OUTLOOK = "Prognos barn 0–6"

URBANITY_LABELS = {"C": "C – centralort", "B": "B – annan tätort", "A": "A – landsbygd"}
LINK_LABELS = {
    "deso": "DeSO-gräns",
    "regso": "RegSO-gräns",
    "kommun": "kommungräns",
    "register": "registrets kommunkod",
    "none": "okänd",
}
#: how the register got the position (``precision``); a kommun point locates no area
PRECISION_LABELS = {
    "exakt": "koordinater i inlämningen",
    "adress": "adress (geokodad)",
    "postnummer": "postnummerområdets mitt",
    "ort": "ortens mitt (postnumret delar punkt med andra)",
    "kommun": "punkt i kommunen (läge okänt)",
}
LEVEL_LABELS = {"total": "Totalt", "lan": "Län", "kommun": "Kommun"}
CAT_LABELS = {c.value: lbl for c, lbl in CATEGORY_LABELS.items()}
STAT_LABELS = {s.value: lbl for s, lbl in STATUS_LABELS.items()}


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    kind: str = "text"  # text | int | km | share | bool | code | float
    width: float | None = None


AREA_COLS = [
    Col("regso_code", "RegSO-kod", "code"),
    Col("name", "Område"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("lan_code", "Länskod", "code"),
    Col("lan_name", "Län"),
    Col("year", "År", "year"),
    Col("omradestyp", "Områdestyp", "int"),
    Col("omradestyp_label", "Områdestyp (text)"),
    Col("exclusion", "Utanförskapsområde", "bool"),
    Col("population", "Folkmängd", "int"),
    Col("children_0_6", "Barn 0–6 år", "int"),
    Col("children_0_6_estimated", "Barn 0–6 skattat", "bool"),
    Col("urbanity_label", "Tätortsklass"),
    Col("has_geometry", "Områdesgräns finns", "bool"),
    Col("n_familjecentral", "Familjecentraler i drift", "int"),
    Col("n_familjecentralsliknande", "Familjecentralsliknande i drift", "int"),
    Col("n_annan_samverkan", "Annan samverkan i drift", "int"),
    Col("nearest_centre_id", "Närmaste familjecentral, id", "code"),
    Col("nearest_centre_name", "Närmaste familjecentral"),
    Col("nearest_centre_km", "Avstånd till närmaste (km)", "km"),
    Col("reach_km", "Räckvidd (km)", "km"),
    Col("covered", "Familjecentral inom räckhåll", "bool"),
    Col("coverage_level_label", "Svaret bygger på"),
]
UNIT_COLS = [
    Col("id", "Id", "code"),
    Col("name", "Namn"),
    Col("category_label", "Kategori"),
    Col("status_label", "Status"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("lan_code", "Länskod", "code"),
    Col("deso_code", "DeSO-kod", "code"),
    Col("regso_code", "RegSO-kod", "code"),
    Col("regso_name", "Område"),
    Col("omradestyp", "Områdestyp", "int"),
    Col("exclusion", "I utanförskapsområde", "bool"),
    Col("link_label", "Kopplad via"),
    Col("kommun_mismatch", "Kommunkod i registret avviker", "bool"),
    Col("lat", "Latitud", "float"),
    Col("lon", "Longitud", "float"),
    Col("precision_label", "Läget bygger på"),
    Col("stated_accuracy", "Uppgiven noggrannhet"),
]
LEVEL_COLS = [
    Col("level_label", "Nivå"),
    Col("code", "Kod", "code"),
    Col("name", "Namn"),
    Col("lan_code", "Länskod", "code"),
    Col("category_label", "Kategori"),
    *(Col(s.value, STATUS_LABELS[s], "int") for s in Status),
    Col("total", "Totalt", "int"),
]
_AGG_COLS = [
    Col("n_regso", "RegSO", "int"),
    Col("n_regso_with_geometry", "RegSO med gräns", "int"),
    Col("n_exclusion_areas", "Utanförskapsområden", "int"),
    Col("n_exclusion_areas_covered", "Utanförskapsområden med familjecentral inom räckhåll", "int"),
    Col("n_exclusion_areas_not_covered", "Utanförskapsområden utan familjecentral inom räckhåll", "int"),
    Col("n_exclusion_areas_not_covered_kommun_level",
        "varav utan familjecentral i kommunen (gräns saknas; kommunnivå)", "int"),
    Col("n_exclusion_areas_unknown", "Utanförskapsområden med okänd täckning", "int"),
    Col("n_exclusion_areas_no_report", "varav regionen har inte rapporterat", "int"),
    Col("population", "Folkmängd", "int"),
    Col("exclusion_population_share", "Andel av folkmängden i utanförskapsområden", "share"),
    Col("children_0_6", "Barn 0–6 år", "int"),
    Col("children_0_6_exclusion", "Barn 0–6 i utanförskapsområden", "int"),
    Col("children_0_6_exclusion_covered", "Barn 0–6 i utanförskapsområden inom räckhåll", "int"),
    Col("children_0_6_exclusion_not_covered", "Barn 0–6 i utanförskapsområden inte inom räckhåll", "int"),
    Col("children_0_6_exclusion_unknown", "Barn 0–6 i utanförskapsområden, täckning okänd", "int"),
    Col("children_0_6_covered", "Barn 0–6 inom räckhåll", "int"),
    Col("children_0_6_known", "Barn 0–6 i områden med känd gräns", "int"),
    Col("coverage_share", "Andel barn 0–6 inom räckhåll", "share"),
]
_UNIT_COUNT_COLS = [
    Col("n_familjecentral", "Familjecentraler i drift", "int"),
    Col("n_familjecentralsliknande", "Familjecentralsliknande i drift", "int"),
    Col("n_annan_samverkan", "Annan samverkan i drift", "int"),
    Col("n_planned", "Planerade/avsiktsförklaringar", "int"),
]
KOMMUN_COLS = [
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("lan_code", "Länskod", "code"),
    *_UNIT_COUNT_COLS,
    Col("has_centre", "Har familjecentral i drift", "bool"),
    Col("reported", "Regionen har rapporterat", "bool"),
    *_AGG_COLS,
]
LAN_COLS = [
    Col("lan_code", "Länskod", "code"),
    Col("lan_name", "Län"),
    Col("n_kommuner", "Kommuner", "int"),
    Col("n_kommuner_with_centre", "Kommuner med familjecentral", "int"),
    Col("n_kommuner_without_centre", "Kommuner utan familjecentral", "int"),
    Col("all_kommuner_with_centre", "Familjecentral i alla kommuner", "bool"),
    Col("no_kommun_with_centre", "Familjecentral i ingen kommun", "bool"),
    Col("reported", "Regionen har rapporterat", "bool"),
    *_UNIT_COUNT_COLS,
    *_AGG_COLS,
]
COVERAGE_COLS = [
    Col("omradestyp", "Områdestyp", "int"),
    Col("omradestyp_label", "Områdestyp (text)"),
    Col("children_0_6", "Barn 0–6 år", "int"),
    Col("children_0_6_known", "Barn 0–6 i områden med känd gräns", "int"),
    Col("children_0_6_covered", "Barn 0–6 inom räckhåll", "int"),
    Col("children_0_6_not_covered", "Barn 0–6 inte inom räckhåll", "int"),
    Col("children_0_6_unknown", "Barn 0–6, täckning okänd", "int"),
    Col("coverage_share", "Andel inom räckhåll", "share"),
]
GAP_COLS = [
    Col("rank", "Prioritet", "int"),
    Col("regso_code", "RegSO-kod", "code"),
    Col("name", "Område"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("omradestyp", "Områdestyp", "int"),
    Col("children_0_6", "Barn 0–6 år", "int"),
    Col("children_0_6_estimated", "Barn 0–6 skattat", "bool"),
    Col("population", "Folkmängd", "int"),
    Col("urbanity_label", "Tätortsklass"),
    Col("reach_km", "Räckvidd (km)", "km"),
    Col("nearest_centre_name", "Närmaste familjecentral"),
    Col("nearest_centre_km", "Avstånd (km)", "km"),
    Col("coverage_level_label", "Svaret bygger på"),
]


#: Swedish headers of the area and gap columns, for the service's downloads of the same tables
#: (``/tabell.csv?vad=omraden``, ``/luckor.csv``): the atlas workbook's, and the reach answer's
AREA_HEADERS: dict[str, str] = {c.key: c.header for c in (*GAP_COLS, *AREA_COLS)} | {
    "omradestyp_label": "Områdestyp (text)", "coverage_level": "Svaret bygger på",
    "reach": "Familjecentral inom räckhåll", "reach_reason": "Varför det inte kan bedömas",
    "gap_reason": "Varför området är en lucka"}

OUTLOOK_COLS = [
    Col("level_label", "Nivå"),
    Col("kod", "Kod", "code"),
    Col("namn", "Namn"),
    Col("kommun_code", "Kommunkod", "code"),
    Col("kommun_name", "Kommun"),
    Col("exclusion_label", "Utanförskapsområde"),
    Col("senaste_ar", "Senaste observerade år", "year"),
    Col("senaste", "Barn 0–6 år senaste år (utfall)", "int"),
    Col("ar", "Prognosår", "year"),
    Col("barn_0_6", "PROGNOS barn 0–6 år", "int"),
    Col("lag", "PROGNOS lågt", "int"),
    Col("hog", "PROGNOS högt", "int"),
    Col("forandring", "Förändring (prognos − senaste)", "int"),
    Col("skattat", "Skattat underlag", "bool"),
]


@dataclass(frozen=True)
class Share:
    """A share 0–1 (written with a percent format); ``None`` = undefined."""

    value: float | None


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    try:
        return bool(isinstance(v, float) and math.isnan(v))
    except TypeError:
        return False


class _Writer:
    def __init__(self, path: Path) -> None:
        self.wb = xlsx_workbook(path, {"nan_inf_to_errors": False})
        wb = self.wb
        self.fmt = {
            "header": wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDE5EE",
                                     "border": 1}),
            "text": wb.add_format({}),
            "code": wb.add_format({"num_format": "@"}),
            "int": wb.add_format({"num_format": "# ##0"}),
            "year": wb.add_format({"num_format": "0"}),
            "km": wb.add_format({"num_format": "0.0"}),
            "float": wb.add_format({"num_format": "0.000000"}),
            "share": wb.add_format({"num_format": "0.0%"}),
            "bool": wb.add_format({"align": "center"}),
            "title": wb.add_format({"bold": True, "font_size": 14}),
            "note": wb.add_format({"italic": True}),
            "wrap": wb.add_format({"text_wrap": True, "valign": "top"}),
            "wrap_left": wb.add_format({"text_wrap": True, "valign": "top", "align": "left"}),
        }

    def table(self, name: str, df: pd.DataFrame, cols: Sequence[Col], empty_note: str | None = None, *,
              note: str | None = None) -> None:
        """One table; ``note``: a line of text above the header row (the header is then row 2); an
        empty table says why in the sheet itself (``empty_note``, below the header)."""
        ws = self.wb.add_worksheet(name)
        cols = [c for c in cols if c.key in df.columns]
        top = 0
        if note is not None:
            ws.merge_range(0, 0, 0, len(cols) - 1, "", self.fmt["wrap"])
            ws.write_string(0, 0, note, self.fmt["wrap"])
            ws.set_row(0, 15 * (2 + len(note) // 150))
            top = 1
        # bold headers wrap in a row of three lines: a third of the header, at least the longest word
        widths = [
            max(8.0, min(40.0, max(len(c.header) / 2.5, max(len(w) for w in c.header.split())) * 1.15 + 2))
            for c in cols
        ]
        for j, c in enumerate(cols):
            ws.write_string(top, j, c.header, self.fmt["header"])
        for i, row in enumerate(df[[c.key for c in cols]].itertuples(index=False), start=1 + top):
            for j, (c, v) in enumerate(zip(cols, row, strict=True)):
                text = self._cell(ws, i, j, c, v)
                if text is not None and len(text) + 2 > widths[j]:
                    widths[j] = min(50.0, len(text) + 2)
        if df.empty:
            ws.write_string(top + 1, 0, empty_note or "Inga rader för urvalet.", self.fmt["note"])
        for j, c in enumerate(cols):
            ws.set_column(j, j, c.width or widths[j], self.fmt.get(c.kind, self.fmt["text"]) if c.kind == "code" else None)
        ws.set_row(top, 45)
        self._print_setup(ws, name, top)
        ws.freeze_panes(top + 1, 0)
        ws.autofilter(top, 0, top + max(len(df), 1), len(cols) - 1)

    @staticmethod
    def _print_setup(ws: Any, name: str, header_row: int = 0) -> None:
        """A4 landscape, all columns on one page width, header row on every page."""
        ws.set_paper(9)
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(header_row)
        ws.set_header(f"&L&\"-,Bold\"{name.replace('&', '&&')}&Rsida &P av &N")

    def _cell(self, ws: Any, i: int, j: int, c: Col, v: Any) -> str | None:
        if _is_missing(v):
            if c.kind == "bool":
                ws.write_string(i, j, "okänt", self.fmt["bool"])
                return "okänt"
            ws.write_blank(i, j, None)
            return None
        if c.kind == "bool":
            s = "Ja" if bool(v) else "Nej"
            ws.write_string(i, j, s, self.fmt["bool"])
            return s
        if c.kind in ("int", "km", "share", "float", "year"):
            ws.write_number(i, j, float(v), self.fmt[c.kind])
            return f"{float(v):,.1f}" if c.kind != "share" else "100,0 %"
        s = str(v)
        ws.write_string(i, j, s, self.fmt["code" if c.kind == "code" else "text"])
        return s

    def keyfigures(self, rows: list[tuple[str, object]]) -> None:
        """A two-column table: key figure (Swedish) and value (number, share or text)."""
        ws = self.wb.add_worksheet(SHEET_KEYS)
        ws.write_string(0, 0, "Nyckeltal", self.fmt["header"])
        ws.write_string(0, 1, "Värde", self.fmt["header"])
        for i, (k, v) in enumerate(rows, start=1):
            ws.write_string(i, 0, k, self.fmt["wrap"])
            if isinstance(v, Share):
                ws.write_number(i, 1, v.value, self.fmt["share"]) if v.value is not None else ws.write_blank(
                    i, 1, None)
            elif isinstance(v, int | float) and not isinstance(v, bool):
                ws.write_number(i, 1, float(v), self.fmt["int"])
            else:
                ws.write_string(i, 1, str(v), self.fmt["wrap_left"])
        ws.set_column(0, 0, 62)
        ws.set_column(1, 1, 70)
        self._print_setup(ws, SHEET_KEYS)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), 1)

    def definitions(self, rows: list[tuple[str, str]]) -> None:
        ws = self.wb.add_worksheet(SHEET_DEFS)
        ws.write_string(0, 0, "Begrepp", self.fmt["header"])
        ws.write_string(0, 1, "Förklaring / värde", self.fmt["header"])
        for i, (k, v) in enumerate(rows, start=1):
            ws.write_string(i, 0, k, self.fmt["wrap"])
            ws.write_string(i, 1, v, self.fmt["wrap"])
        ws.set_column(0, 0, 38)
        ws.set_column(1, 1, 100)
        self._print_setup(ws, SHEET_DEFS)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, len(rows), 1)

    def close(self) -> None:
        try:
            self.wb.close()
        except xlsxwriter.exceptions.FileCreateError as exc:
            raise FcatlasError(
                f"kan inte skriva Excel-filen {self.wb.filename} ({exc.args[0] if exc.args else exc}); "
                "finns katalogen, och är filen stängd i Excel?"
            ) from exc


def _level_labels(df: pd.DataFrame) -> pd.DataFrame:
    if "coverage_level" in df:
        df["coverage_level_label"] = df["coverage_level"].map(COVERAGE_LEVEL_LABELS)
    return df


def _area_frame(areas: pd.DataFrame) -> pd.DataFrame:
    a = _level_labels(areas.copy())
    a["omradestyp_label"] = a["omradestyp"].map(lambda t: OMRADESTYP_LABELS.get(int(t)) if pd.notna(t) else None)
    a["urbanity_label"] = a["urbanity"].map(URBANITY_LABELS) if "urbanity" in a else None
    return a


def _unit_frame(units: pd.DataFrame, areas_all: pd.DataFrame) -> pd.DataFrame:
    u = units.copy()
    u["category_label"] = u["category"].astype(str).map(CAT_LABELS).fillna(u["category"].astype(str))
    u["status_label"] = u["status"].astype(str).map(STAT_LABELS).fillna(u["status"].astype(str))
    u["link_label"] = u["link_level"].map(LINK_LABELS)
    if "precision" in u:
        u["precision_label"] = u["precision"].map(PRECISION_LABELS).fillna(u["precision"])
    a = areas_all.set_index("regso_code")
    u["omradestyp"] = u["regso_code"].map(a["omradestyp"])
    u["exclusion"] = u["regso_code"].map(a["exclusion"]).astype("boolean")
    cat_order = {c.value: i for i, c in enumerate(Category)}
    st_order = {s.value: i for i, s in enumerate(Status)}
    u["_o"] = u["category"].astype(str).map(cat_order).fillna(9) * 10 + u["status"].astype(str).map(st_order).fillna(9)
    return u.sort_values(["lan_code", "kommun_code", "_o", "name"], na_position="last").drop(columns="_o")


def _names(codes: list[str], names: pd.Series) -> str:
    return ", ".join(f"{names.get(c, c)} ({c})" for c in codes) or "inga"


def scope_label(result: AtlasResult) -> str:
    """What the run covers, in Swedish: the län's name, ``hela Sverige`` or ``hela datapaketet``."""
    p = result.params
    if p.lan:
        return str(result.lan["lan_name"].iloc[0]) if len(result.lan) else f"län {p.lan}"
    return "hela Sverige" if len(result.kommuner) == 290 else "hela datapaketet"


def keyfigure_rows(result: AtlasResult) -> list[tuple[str, object]]:
    """The four questions for the run's scope, as the rows of the sheet *Nyckeltal*."""
    s: dict[str, Any] = result.summary
    p = result.params
    ubc: dict[str, dict[str, int]] = s["units_by_category"]
    kn = result.kommuner.set_index("kommun_code")["kommun_name"]
    ln = result.lan.set_index("lan_code")["lan_name"]
    rows: list[tuple[str, object]] = [
        ("Urval", f"{scope_label(result)}, {p.year}; utanförskapsområde = {p.exclusion.label}"),
        ("1. Enheter i registret", int(s["units_total"])),
    ]
    for c in Category:
        for st in (Status.I_DRIFT, Status.PLANERAD, Status.AVSIKTSFORKLARING):
            rows.append((f"   {CAT_LABELS[c.value]}, {STAT_LABELS[st.value].lower()}", ubc[c.value][st.value]))
    kw = list(s["kommuner_without_centre"])
    knr = list(s.get("kommuner_no_report", []))
    n_k = int(s["kommuner_total"])
    rows += [
        ("2. Kommuner", n_k),
        ("   med familjecentral i drift", n_k - len(kw) - len(knr)),
        ("   utan familjecentral i drift", len(kw)),
        ("   regionen har inte rapporterat (varken med eller utan)", len(knr)),
        ("   kommuner utan familjecentral i drift", _names(kw, kn)),
        ("   län vars region inte har rapporterat", _names(list(s.get("lan_no_report", [])), ln)),
        ("   län med familjecentral i alla kommuner",
         _names(list(s["lan_all_kommuner_with_centre"]), ln)),
        ("   län utan familjecentral i någon kommun", _names(list(s["lan_without_centre"]), ln)),
        ("3. Utanförskapsområden (RegSO)", int(s["exclusion_areas_total"])),
        ("   med familjecentral i området eller inom räckhåll", int(s["exclusion_areas_covered"])),
        ("   utan familjecentral inom räckhåll (se bladet Luckor)",
         len(s["exclusion_areas_without_centre"])),
        ("      varav på kommunnivå (gräns saknas, ingen familjecentral i kommunen)",
         len(s.get("exclusion_areas_without_centre_kommun_level", []))),
        ("   täckning okänd", len(s["exclusion_areas_coverage_unknown"])),
        ("      varav regionen har inte rapporterat", len(s.get("exclusion_areas_no_report", []))),
        ("Svaren bygger på", _basis_text(result)),
        ("4. Barn 0–6 år" + (" (skattat)" if s["children_0_6_estimated"] else ""), int(s["children_0_6_total"])),
        ("   i utanförskapsområden", int(s["children_0_6_in_exclusion_areas"])),
        ("   i utanförskapsområden med familjecentral inom räckhåll",
         int(s["children_0_6_in_exclusion_areas_covered"])),
        ("   i utanförskapsområden utan familjecentral inom räckhåll",
         int(s["children_0_6_in_exclusion_areas_not_covered"])),
        ("   i utanförskapsområden, täckning okänd", int(s["children_0_6_in_exclusion_areas_coverage_unknown"])),
        ("Andel barn 0–6 år inom räckhåll (områden med känd gräns)",
         Share(_ratio(s["children_0_6_covered"], s["children_0_6_coverage_known"]))),
        ("Andel barn 0–6 år i utanförskapsområden inom räckhåll (känd gräns)",
         Share(_ratio(s["children_0_6_in_exclusion_areas_covered"],
                      int(s["children_0_6_in_exclusion_areas"])
                      - int(s["children_0_6_in_exclusion_areas_coverage_unknown"])))),
    ]
    return rows


def _basis_text(result: AtlasResult) -> str:
    """Which level the coverage answers of the scope rest on, counted over the exclusion areas."""
    a = result.areas
    e = a.loc[a["exclusion"].astype(bool)]
    if e.empty or "coverage_level" not in e:
        return "inga utanförskapsområden i urvalet"
    counts = e["coverage_level"].value_counts()
    return "; ".join(f"{int(counts[k])} områden: {COVERAGE_LEVEL_LABELS[k]}" for k in COVERAGE_LEVEL_LABELS
                     if k in counts)


def gaps_empty_note(result: AtlasResult) -> str:
    """Why the sheet *Luckor* is empty, in words."""
    s: dict[str, Any] = result.summary
    n = int(s["exclusion_areas_total"])
    if n == 0:
        return "Inga luckor: urvalet har inga utanförskapsområden enligt definitionen."
    unknown = len(s["exclusion_areas_coverage_unknown"])
    no_rep = len(s.get("exclusion_areas_no_report", []))
    covered = int(s["exclusion_areas_covered"])
    parts = [f"Inga luckor att visa. Av {n} utanförskapsområden har {covered} familjecentral inom räckhåll"]
    if unknown:
        parts.append(
            f"{unknown} har okänd täckning ({no_rep} där regionen inte har rapporterat, {unknown - no_rep} där "
            "områdesgränsen saknas och kommunen har familjecentral) och kan inte bedömas; se bladet Områden"
        )
    return "; ".join(parts) + "."


def _ratio(part: object, whole: object) -> float | None:
    w = int(whole)  # type: ignore[call-overload]
    return round(int(part) / w, 4) if w > 0 else None  # type: ignore[call-overload]


def _level_frame(t: pd.DataFrame) -> pd.DataFrame:
    t = t.copy()
    t["level_label"] = t["level"].map(LEVEL_LABELS)
    t["category_label"] = t["category"].map(CAT_LABELS).fillna(t["category"])
    return t


def incomplete_notes(manifest: dict[str, Any], *years: int | None) -> list[str]:
    """Swedish notes for the years among ``years`` whose områdestyp is incomplete in the bundle."""
    raw = manifest.get("incomplete_omradestyp") or {}
    out = []
    for y in sorted({int(y) for y in years if y is not None}):
        info = raw.get(str(y)) if isinstance(raw, dict) else None
        if info:
            out.append(f"Områdestyp {y} är ofullständig i datapaketet: {info.get('missing')} av {info.get('of')} "
                       f"RegSO saknas i {info.get('file')}; resultaten för {y} är inte fullständiga.")
    return out


def definitions_rows(result: AtlasResult, manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The rows of the definitions sheet: the run's parameters, the definitions, the sources."""
    p = result.params
    est = manifest.get("children_0_6_estimate") or {}
    reach = ", ".join(f"{URBANITY_LABELS[k]}: {v:g} km" for k, v in p.reach_km.items())
    rows: list[tuple[str, str]] = [
        ("Skapad", date.today().isoformat()),
        ("Datapaket", f"{manifest.get('label', '')} (skapat {manifest.get('created', '?')})"),
        ("Syntetiska exempeldata", "Ja – inte verkliga uppgifter" if manifest.get("synthetic") else "Nej"),
        ("År (områdestyp, folkmängd)", str(p.year)),
        ("Urval", scope_label(result)),
        ("Utanförskapsområde", f"{p.exclusion.label} (definition '{p.exclusion.public_spec}')"),
        ("Familjecentral (i rapporten)", ", ".join(
            CAT_LABELS.get(c, c) for c in sorted(p.centre_categories)) + " med status I drift"),
        ("Familjecentral", "MVC, BVC, öppen förskola och socialtjänst samlokaliserade"),
        ("Familjecentralsliknande verksamhet",
         "BVC samlokaliserad med öppen förskola och/eller socialtjänst (två eller tre parter)"),
        ("Annan form av samverkan", "samverkan för barn 0–6 år utan samlokalisering enligt ovan"),
        ("Räckvidd", reach),
        ("Tätortsklass", "RegSO:s vanligaste DeSO-bokstav (SCB): C = centralort, B = annan tätort, "
                         "A = huvudsakligen utanför tätort; lika antal ger den mer tätortsartade"),
        ("Inom räckhåll", "en familjecentral i drift finns i området eller inom räckvidden fågelvägen "
                          "från områdets tyngdpunkt (SWEREF 99 TM)"),
        ("Områden utan gräns", f"{result.summary.get('areas_without_geometry', 0)} av "
                               f"{result.summary.get('areas_total', 0)} RegSO saknar gräns i datapaketet. "
                               "Där avgör kommunen: finns ingen familjecentral i drift i kommunen saknar "
                               "området familjecentral (kommunnivå); har kommunen en är täckningen okänd"),
        ("Regioner utan rapport", "en region som inte har några enheter i registret har inte rapporterat: "
                                  "dess kommuner och områden räknas som okända, inte som 'utan familjecentral'"),
        ("Svaret bygger på", "; ".join(f"{v}" for v in COVERAGE_LEVEL_LABELS.values())),
        ("Enheter räknas per område", "endast status " + ", ".join(
            STAT_LABELS.get(s, s) for s in p.count_statuses)),
    ]
    rows += [("OFULLSTÄNDIGT ÅR", n) for n in incomplete_notes(manifest, p.year, p.exclusion.year)]
    if est and est.get("share") is not None and est.get("rows_estimated"):
        rows.append((
            "Barn 0–6 år",
            f"SKATTAT där SCB:s åldersdata saknas: folkmängd × {float(est.get('share', 0)):.1%} "
            f"({est.get('method', '')}; {est.get('rows_estimated', '?')} rader skattade)",
        ))
    elif est:
        rows.append(("Barn 0–6 år", f"{est.get('method') or 'från SCB:s åldersdata'} "
                                    f"({est.get('rows_from_age_data', '?')} rader)"))
    for k, lbl in OMRADESTYP_LABELS.items():
        rows.append((f"Områdestyp {k}", lbl))
    for i, s in enumerate(manifest.get("sources", []), start=1):
        parts = [str(s.get(k)) for k in ("publisher", "what") if s.get(k)]
        vint = s.get("vintage") or s.get("year") or s.get("years")
        if vint:
            parts.append(f"årgång {vint}")
        parts.append(f"fil {s.get('file', '?')}")
        if s.get("sha256"):
            parts.append(f"sha256 {str(s['sha256'])[:12]}…")
        rows.append((f"Källa {i}", " · ".join(parts)))
    return rows


def outlook_frame(outlook: Any) -> pd.DataFrame:
    """The rows of the sheet *Prognos barn 0–6*: every kommun, then every RegSO of the scope
    (an :class:`fcatlas.services.outlook.OutlookTables`)."""
    k = outlook.kommuner.assign(level_label="Kommun", kommun_name=outlook.kommuner["namn"], exclusion_label=None)
    a = outlook.areas.assign(level_label="RegSO",
                             exclusion_label=outlook.areas["exclusion"].map({True: "Ja", False: "Nej"}))
    frame: pd.DataFrame = pd.concat([k, a], ignore_index=True)
    return frame


def outlook_note(outlook: Any) -> str:
    """The note above the outlook sheet's header: these are forecasts, and the method."""
    if outlook.reason:
        return f"PROGNOS för barn 0–6 år kunde inte göras: {outlook.reason}."
    est = " Underlaget är delvis skattat (folkmängd × andel barn 0–6 år)." if outlook.estimated else ""
    return (f"PROGNOS, inte utfall: barn 0–6 år {outlook.to_year} per kommun och RegSO, med intervall lågt–högt. "
            f"Metod: {outlook.method}.{est} Samma siffror som fcatlas ekonomi prognos.")


def write_excel(result: AtlasResult, manifest: dict[str, Any], path: Target, *, outlook: Any) -> Any:
    """Write ``atlas.xlsx`` for ``result`` to a path (returned as a ``Path``) or into a binary
    stream (returned as it is). ``outlook``: an :class:`fcatlas.services.outlook.OutlookTables`
    for the sheet *Prognos barn 0–6*; required, so no caller leaves the sheet out unawares
    (``None`` only where there is deliberately no outlook). Callers with a bundle use
    :func:`fcatlas.services.outlook.atlas_excel`."""
    out = path if is_stream(path) else Path(path)  # type: ignore[arg-type]
    with output_to(out, suffix=".xlsx") as tmp:
        _write_excel(result, manifest, tmp, outlook)
    return out


def _write_excel(result: AtlasResult, manifest: dict[str, Any], out: Path, outlook: Any = None) -> None:
    w = _Writer(out)
    w.keyfigures(keyfigure_rows(result))
    w.table(SHEET_AREAS, _area_frame(result.areas), AREA_COLS, "Urvalet har inga områden i datapaketet.")
    w.table(SHEET_UNITS, _unit_frame(result.units, result.areas_all), UNIT_COLS,
            "Inga enheter i registret för urvalet: regionen har inte rapporterat (importera listan med "
            "'fcatlas register import').")
    k = result.kommuner.copy()
    if "reported" in k:  # no report from the region: "okänt", not "Nej" (issue 8.4)
        k["has_centre"] = k["has_centre"].astype("boolean").where(  # type: ignore[call-overload]  # pandas-stubs
            k["reported"].astype(bool), pd.NA)
    w.table(SHEET_KOMMUNER, k, KOMMUN_COLS)
    w.table(SHEET_LAN, result.lan, LAN_COLS)
    w.table(SHEET_LEVELS, _level_frame(result.units_by_level), LEVEL_COLS)
    cov = result.coverage_by_omradestyp.copy()
    cov["omradestyp_label"] = cov["omradestyp"].map(lambda t: OMRADESTYP_LABELS.get(int(t)) if pd.notna(t) else None)
    w.table(SHEET_COVERAGE, cov, COVERAGE_COLS)
    g = _level_labels(result.gaps.copy())
    if "urbanity" in g:
        g["urbanity_label"] = g["urbanity"].map(URBANITY_LABELS)
    w.table(SHEET_GAPS, g, GAP_COLS, empty_note=gaps_empty_note(result))
    if outlook is not None:
        w.table(SHEET_OUTLOOK, outlook_frame(outlook) if not outlook.reason else pd.DataFrame(
            columns=[c.key for c in OUTLOOK_COLS]), OUTLOOK_COLS, note=outlook_note(outlook))
    w.definitions(definitions_rows(result, manifest))
    w.close()
