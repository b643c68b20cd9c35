"""Issue 25: the web's atlas.xlsx is the workbook 'fcatlas atlas' writes, sheet for sheet —
including "Prognos barn 0–6", which the download used to lack."""

from __future__ import annotations

import io

import openpyxl

from fcatlas.outputs.excel import SHEET_OUTLOOK

from .test_atlas_api import published  # noqa: F401  (module fixture: Dalarna published on the real bundle)


def _cells(wb, name):
    return [tuple(c.value for c in row) for row in wb[name].iter_rows()]


def test_issue25_web_atlas_xlsx_has_the_outlook_sheet_like_the_cli(published, real_bundle, cli):  # noqa: F811
    client, db, base = published
    r = cli("atlas", "--bundle", str(real_bundle.path), "--db", str(db), "--lan", "20", "--out", str(base / "a25"),
            "--maps", "none")
    assert r.returncode == 0, r.stderr
    cli_wb = openpyxl.load_workbook(base / "a25" / "atlas.xlsx")
    got = client.get("/api/v1/downloads/atlas.xlsx?lan=20")
    assert got.status_code == 200
    web_wb = openpyxl.load_workbook(io.BytesIO(got.content))
    assert SHEET_OUTLOOK in web_wb.sheetnames
    assert web_wb.sheetnames == cli_wb.sheetnames
    assert _cells(web_wb, SHEET_OUTLOOK) == _cells(cli_wb, SHEET_OUTLOOK)
