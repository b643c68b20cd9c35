"""Export to CSV, XLSX and GeoJSON (WGS 84); formula-like text neutralised; CSV round trip."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from fcatlas.outputs import register_export as rx
from fcatlas.register.store import Register

from .helpers import dalarna_lines, write

EVIL = "=cmd|' /C calc'!A0"


@pytest.fixture
def units(sqlite_url: str, tmp_path: Path, shared_data: Path) -> pd.DataFrame:
    lines = dalarna_lines(shared_data)
    lines[2] = lines[2].replace("Familjecentral Elsborg", EVIL)
    lines[3] = lines[3].replace("Läge satt till", "@SUM(A1) Läge satt till")
    f = write(tmp_path / "lista_2026.csv", lines)
    with Register.open(sqlite_url) as reg:
        reg.import_file(f, user="t")
        return reg.list_units()


def test_csv_neutralises_formulas_and_keeps_numbers(units: pd.DataFrame) -> None:
    text = rx.units_to_csv(units)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 15
    assert list(rows[0]) == list(units.columns)
    names = {r["name"] for r in rows}
    assert "'" + EVIL in names and EVIL not in names
    assert any(r["note"].startswith("'@SUM(A1)") for r in rows)
    brits = next(r for r in rows if r["name"] == "Familjecentral Britsarvet")
    assert (brits["lat"], brits["lon"], brits["mvc"], brits["co_located"]) == ("60.6209423", "15.6227411", "true", "true")
    assert rx.neutralise("-15.5") == "-15.5" and rx.neutralise("-x") == "'-x"


def test_xlsx_has_swedish_headers_text_cells_and_opens_in_libreoffice(units: pd.DataFrame, tmp_path: Path) -> None:
    out = rx.units_to_xlsx(units, tmp_path / "register.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Enheter"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["Id", "Namn", "Kommunkod", "Kommun"]
    assert "Latitud (WGS 84)" in headers and "Lägesprecision" in headers
    assert ws.auto_filter.ref is not None and ws.freeze_panes == "A2"
    name_col = headers.index("Namn") + 1
    # neutralised as in the CSV (issue 9, point 6), and a string, never a formula
    evil = [ws.cell(r, name_col) for r in range(2, ws.max_row + 1) if ws.cell(r, name_col).value == "'" + EVIL]
    assert len(evil) == 1 and evil[0].data_type == "s"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    cat = headers.index("Kategori") + 1
    assert {ws.cell(r, cat).value for r in range(2, ws.max_row + 1)} == {"Familjecentral", "Annan form av samverkan"}
    assert "Om" in wb.sheetnames

    soffice = shutil.which("libreoffice") or shutil.which("soffice")
    assert soffice, "LibreOffice saknas (installeras av README:ns testkommando)"
    profile = tmp_path / "lo-profile"
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "csv", "--outdir",
         str(tmp_path / "lo"), str(out)],
        capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)},
    )
    assert proc.returncode == 0, proc.stderr
    text = (tmp_path / "lo" / "register.csv").read_text(encoding="utf-8", errors="replace")
    assert EVIL in text  # shown as the text it is, not evaluated
    assert "Familjecentral Britsarvet" in text


def test_geojson_is_wgs84_lon_lat(units: pd.DataFrame) -> None:
    gj = json.loads(rx.geojson_text(units))
    assert gj["type"] == "FeatureCollection" and len(gj["features"]) == 15
    f = next(x for x in gj["features"] if x["id"] == "2080-familjecentral-britsarvet")
    assert f["geometry"] == {"type": "Point", "coordinates": [15.6227411, 60.6209423]}
    props = f["properties"]
    assert (props["category"], props["status"], props["precision"], props["mvc"]) == (
        "familjecentral", "i_drift", "exakt", True)
    assert "lat" not in props and props["round"] == 2026


def test_csv_export_can_be_imported_again(units: pd.DataFrame, tmp_path: Path, sqlite_url: str) -> None:
    f = tmp_path / "export_2026.csv"
    rx.units_to_csv(units[units["name"] != EVIL], f)
    url = sqlite_url.replace("register.sqlite", "copy.sqlite")
    with Register.open(url) as reg:
        res = reg.import_file(f, user="t")
        assert (res.n_accepted, res.n_rejected) == (14, 0)
        again = reg.list_units()
    expected = units[units["name"] != EVIL].reset_index(drop=True)
    cols = ["id", "name", "kommun_code", "category", "status", "lat", "lon", "precision", "mvc", "co_located",
            "stated_accuracy", "note"]
    # text neutralised on export keeps its apostrophe when read back (never stripped silently)
    sopranen = again["id"] == "2081-familjecentralen-sopranen"
    assert again.loc[sopranen, "note"].item() == "'@SUM(A1) Läge satt till en vårdcentral i kommunen"
    pd.testing.assert_frame_equal(again.loc[~sopranen, cols], expected.loc[~sopranen, cols])


def test_issue8_error_report_opens_as_columns_in_swedish_excel(tmp_path: Path) -> None:
    """The error report was ','-separated with English headers: one column in a Swedish Excel."""
    from fcatlas.outputs.register_export import problems_to_csv
    from fcatlas.register.intake import RowProblem

    probs = [RowProblem(3, "Kommunkod", "kommunkoden '9999' finns inte", "fel",
                        {"Namn": "=HYPERLINK(\"x\")", "Kommunkod": "9999", "Rad": "x"})]
    out = problems_to_csv(probs, ["Namn", "Kommunkod", "Rad"], "/hem/anna/Listor/orebro_2026.xlsx",
                          tmp_path / "fel.csv")
    raw = out.read_bytes()
    assert raw.startswith("\ufeffFil;Rad;Kolumn;Typ;Orsak;Namn;Kommunkod;Rad (i filen);(extra)\r\n".encode())
    line = raw.decode("utf-8-sig").splitlines()[1]
    assert line.startswith("orebro_2026.xlsx;3;Kommunkod;fel;kommunkoden '9999' finns inte;")
    assert "/hem/anna" not in raw.decode("utf-8-sig")
    assert "'=HYPERLINK" in line
