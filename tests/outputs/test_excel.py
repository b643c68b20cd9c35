"""atlas.xlsx: sheets, Swedish headers, filters, frozen header, formats, no formulas; opens in LibreOffice."""

from __future__ import annotations

import shutil
import subprocess
import uuid

import openpyxl
import pytest

from fcatlas.analysis.atlas import AtlasParams, compute_atlas
from fcatlas.outputs.excel import (
    SHEET_AREAS,
    SHEET_DEFS,
    SHEET_GAPS,
    SHEET_KEYS,
    SHEET_KOMMUNER,
    SHEET_LAN,
    SHEET_LEVELS,
    SHEET_UNITS,
    write_excel,
)
from synthetic_country import make_instance

MANIFEST = {
    "label": "Testpaket",
    "created": "2026-01-01T00:00:00+00:00",
    "synthetic": True,
    "children_0_6_estimate": {"share": 0.074, "method": "folkmängd × andel", "rows_estimated": 60},
    "sources": [{"file": "regso/koppling.csv", "publisher": "SCB", "what": "kopplingstabell",
                 "vintage": "DeSO 2018", "sha256": "ab" * 32}],
}
EVIL = ["=HYPERLINK(\"http://x\",\"klicka\")", "+SUM(1,2)", "@cmd", "-1+1"]


@pytest.fixture(scope="module")
def workbook(tmp_path_factory):
    inst = make_instance(n_regso=60, n_deso=90, n_units=30, n_kommuner=8, n_lan=2, seed=11,
                         width=200_000.0, height=300_000.0)
    units = inst.units.copy()
    units.loc[: len(EVIL) - 1, "name"] = EVIL
    units["precision"] = "exakt"
    units.loc[len(EVIL), "precision"] = "kommun"
    units["stated_accuracy"] = "ungefärlig"
    res = compute_atlas(inst.areas, units, inst.deso_key, inst.kommuner, inst.lan, AtlasParams(year=2023),
                        kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)
    path = write_excel(res, MANIFEST, tmp_path_factory.mktemp("xl") / "atlas.xlsx", outlook=None)
    return path, res


def test_sheets_headers_filters_freeze(workbook):
    path, res = workbook
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[:5] == [SHEET_KEYS, SHEET_AREAS, SHEET_UNITS, SHEET_KOMMUNER, SHEET_LAN]
    assert {SHEET_DEFS, SHEET_GAPS, SHEET_LEVELS} <= set(wb.sheetnames)
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws.auto_filter.ref, ws.title
        assert ws.auto_filter.ref.startswith("A1:")
        last_col = ws.auto_filter.ref.split(":")[1].rstrip("0123456789")
        assert last_col == openpyxl.utils.get_column_letter(ws.max_column), ws.title
    areas = wb[SHEET_AREAS]
    headers = [c.value for c in areas[1]]
    assert headers[:4] == ["RegSO-kod", "Område", "Kommunkod", "Kommun"]
    assert "Barn 0–6 år" in headers and "Familjecentral inom räckhåll" in headers
    assert areas.max_row == len(res.areas) + 1  # one row per RegSO
    kom = wb[SHEET_KOMMUNER]
    assert kom.max_row == len(res.kommuner) + 1
    assert wb[SHEET_LAN].max_row == len(res.lan) + 1
    assert wb[SHEET_UNITS].max_row == len(res.units) + 1


def test_formats_and_widths(workbook):
    path, res = workbook
    ws = openpyxl.load_workbook(path)[SHEET_AREAS]
    headers = {c.value: c.column_letter for c in ws[1]}
    child = ws[f"{headers['Barn 0–6 år']}2"]
    assert isinstance(child.value, int | float) and child.number_format == "# ##0"
    km = ws[f"{headers['Avstånd till närmaste (km)']}2"]
    assert km.number_format == "0.0"
    code = ws[f"{headers['RegSO-kod']}2"]
    assert code.data_type == "s" and code.value == res.areas["regso_code"].iloc[0]
    cov = {ws[f"{headers['Familjecentral inom räckhåll']}{r}"].value for r in range(2, ws.max_row + 1)}
    assert cov <= {"Ja", "Nej", "okänt"} and "Ja" in cov
    assert ws.column_dimensions[headers["Område"]].width >= 12
    share = openpyxl.load_workbook(path)[SHEET_KOMMUNER]
    h = {c.value: c.column_letter for c in share[1]}
    assert share[f"{h['Andel barn 0–6 inom räckhåll']}2"].number_format == "0.0%"


def test_no_formulas_from_input(workbook):
    path, _ = workbook
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"{ws.title}!{c.coordinate}: {c.value!r}"
    names = {c.value for c in wb[SHEET_UNITS]["B"]}
    # kept, as text neutralised with a leading apostrophe (issue 9, point 6)
    assert {"'" + e for e in EVIL} <= names


def test_definitions_sheet(workbook):
    path, _ = workbook
    ws = openpyxl.load_workbook(path)[SHEET_DEFS]
    rows = {r[0].value: r[1].value for r in ws.iter_rows(min_row=2)}
    assert "SKATTAT" in rows["Barn 0–6 år"] and "7.4%" in rows["Barn 0–6 år"]
    assert rows["Syntetiska exempeldata"].startswith("Ja")
    assert "områdestyp 1, 2" in rows["Utanförskapsområde"]
    assert "2 km" in rows["Räckvidd"] and "10 km" in rows["Räckvidd"]
    assert "SCB" in rows["Källa 1"] and "DeSO 2018" in rows["Källa 1"]


@pytest.mark.slow
def test_opens_in_libreoffice(workbook, tmp_path):
    path, _ = workbook
    lo = shutil.which("libreoffice") or shutil.which("soffice")
    assert lo, "LibreOffice saknas"
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    subprocess.run(
        [lo, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = tmp_path / "atlas.pdf"
    assert pdf.is_file() and pdf.read_bytes()[:4] == b"%PDF"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "RegSO-kod" in text and "Familjecentral" in text


def test_issue4_key_figures_sheet_answers_the_four_questions(workbook):
    path, res = workbook
    ws = openpyxl.load_workbook(path)[SHEET_KEYS]
    rows = {r[0].value.strip(): r[1] for r in ws.iter_rows(min_row=2)}
    s = res.summary
    assert rows["1. Enheter i registret"].value == s["units_total"]
    assert rows["Familjecentral, i drift"].value == s["units_by_category"]["familjecentral"]["i_drift"]
    assert rows["utan familjecentral i drift"].value == len(s["kommuner_without_centre"])
    assert rows["3. Utanförskapsområden (RegSO)"].value == s["exclusion_areas_total"]
    assert rows["i utanförskapsområden"].value == s["children_0_6_in_exclusion_areas"]
    assert (rows["i utanförskapsområden med familjecentral inom räckhåll"].value
            == s["children_0_6_in_exclusion_areas_covered"])
    share = rows["Andel barn 0–6 år inom räckhåll (områden med känd gräns)"]
    assert share.number_format == "0.0%"
    assert abs(share.value - s["children_0_6_covered"] / s["children_0_6_coverage_known"]) < 1e-4
    assert rows["Urval"].value.startswith("hela datapaketet, 2023")


def test_issue4_units_per_category_and_status_per_lan_and_kommun(workbook):
    path, res = workbook
    ws = openpyxl.load_workbook(path)[SHEET_LEVELS]
    head = [c.value for c in ws[1]]
    assert head[:5] == ["Nivå", "Kod", "Namn", "Länskod", "Kategori"]
    assert {"I drift", "Planerad", "Avsiktsförklaring", "Nedlagd", "Totalt"} <= set(head)
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 * (1 + len(res.lan) + len(res.kommuner))
    assert {r[0] for r in rows} == {"Totalt", "Län", "Kommun"}
    total = head.index("Totalt")
    for level in ("Totalt", "Län", "Kommun"):
        assert sum(r[total] for r in rows if r[0] == level) == len(res.units)


def test_issue4_position_source_is_not_called_exact_accuracy(workbook):
    """The register's ``precision`` says where the position came from; the region's own statement
    ("ungefärlig") is shown beside it instead of a bare "exakt"."""
    path, res = workbook
    ws = openpyxl.load_workbook(path)[SHEET_UNITS]
    h = {c.value: c.column_letter for c in ws[1]}
    assert "Lägesnoggrannhet" not in h
    src = {ws[f"{h['Läget bygger på']}{r}"].value for r in range(2, ws.max_row + 1)}
    assert src == {"koordinater i inlämningen", "punkt i kommunen (läge okänt)"}
    assert {ws[f"{h['Uppgiven noggrannhet']}{r}"].value for r in range(2, ws.max_row + 1)} == {"ungefärlig"}


def test_a_table_for_people_has_columns_as_wide_as_their_longest_value(tmp_path):
    """The service's downloads (/tabell.xlsx, /luckor.xlsx): an area's name is readable without
    widening its column (the columns were as wide as their headers), within 10–40 characters."""
    import openpyxl
    import pandas as pd

    from fcatlas.outputs.register_export import people_xlsx

    df = pd.DataFrame({"Område": ["Jakobsgårdarna-Paradiset-Nygårdsdalen", "Tjärna Ängar"], "Kod": ["2081R004", "x"],
                       "Lång": ["ö" * 80, ""]})
    ws = openpyxl.load_workbook(people_xlsx(df, tmp_path / "t.xlsx", sheet="Luckor")).active
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths[0] >= len("Jakobsgårdarna-Paradiset-Nygårdsdalen") and widths[1] < 15 and widths[2] < 45
