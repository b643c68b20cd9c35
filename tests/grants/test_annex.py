"""Decision annex (Excel + PDF) and follow-up export: produced, opened by LibreOffice, content checked."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from fcatlas.geography.bundle import Bundle
from fcatlas.geography.exclusion import parse_exclusion
from fcatlas.grants.basis import basis_from_bundle
from fcatlas.grants.followup import ReportData
from fcatlas.grants.plan import make_plan
from fcatlas.grants.store import GrantStore
from fcatlas.outputs.grant_annex import (
    render_annex_html,
    write_annex_pdf,
    write_annex_xlsx,
    write_followup_xlsx,
)


@pytest.fixture
def plan(bundle_dir: Path):  # type: ignore[no-untyped-def]
    b = Bundle.open(bundle_dir)
    bases = {y: basis_from_bundle(b, parse_exclusion("omradestyp:1,2"), 2023) for y in range(2026, 2031)}
    totals = {y: 10_000_001 + 1000 * (y - 2026) for y in range(2026, 2031)}
    return make_plan(bases, totals, instalments=2)


def libreoffice_pdf(src: Path, out_dir: Path) -> Path:
    exe = shutil.which("libreoffice") or shutil.which("soffice")
    assert exe, "libreoffice saknas"
    profile = out_dir / "lo-profile"
    subprocess.run(
        [exe, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(src)],
        check=True, capture_output=True, timeout=180, env={"HOME": str(out_dir), "PATH": "/usr/bin:/bin"},
    )
    pdf = out_dir / (src.stem + ".pdf")
    assert pdf.is_file() and pdf.stat().st_size > 1000
    return pdf


def pdf_text(pdf: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_annex_xlsx_sheets_numbers_and_libreoffice(plan, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    f = write_annex_xlsx(plan, tmp_path / "bilaga.xlsx")
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["2026", "2027", "2028", "2029", "2030", "Utbetalningar", "Metod och källor"]
    ws = wb["2026"]
    rows = list(ws.iter_rows(values_only=True))
    head = next(i for i, r in enumerate(rows) if r[0] == "Länskod")
    assert rows[head][:7] == ("Länskod", "Region", "Barn 0–6 år i områden med stort utanförskap",
                              "Andel av underlaget", "Fast del (kr)", "Rörlig del (kr)", "Totalt (kr)")
    data = {r[0]: r for r in rows[head + 1: head + 22]}
    assert data["18"][1] == "Region Örebro län" and data["18"][4] == 815_000
    assert sum(r[6] for r in data.values()) == 10_000_001
    assert data["09"][7] == "nej" and data["18"][8] == "ja"
    assert any("skattat" in str(r[0]) for r in rows[:head])
    method = " ".join(str(c.value) for c in wb["Metod och källor"]["A"] if c.value)
    assert "största restmetoden" in method and "skattat" in method and "testpaket" in method
    pay = list(wb["Utbetalningar"].iter_rows(values_only=True))
    assert pay[0] == ("År", "Utbetalning", "Datum", "Länskod", "Region", "Belopp (kr)")
    assert sum(r[5] for r in pay[1:] if r[0] == 2030) == 10_004_001
    # LibreOffice opens it and computes the SUM formulas to the same total
    text = pdf_text(libreoffice_pdf(f, tmp_path))
    assert "Fördelning 2026" in text
    assert "10,000,001" in text or "10 000 001" in text or "10\u00a0000\u00a0001" in text


def test_annex_pdf_renders_with_method_and_tables(plan, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    html = render_annex_html(plan)
    assert "Fördelning av statsbidrag för familjecentraler 2026–2030" in html
    f = write_annex_pdf(plan, tmp_path / "bilaga.pdf")
    assert f.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(f)
    for needle in ("Metod", "största restmetoden", "Fördelning 2026", "Fördelning 2030", "Örebro län",
                   "skattat", "Utbetalningar", "Källor", "2027-01-31"):
        assert needle in text, needle
    # one page for method + summary, one per year at least
    pages = subprocess.run(["pdfinfo", str(f)], capture_output=True, text=True, check=True).stdout
    assert int(next(line.split()[-1] for line in pages.splitlines() if line.startswith("Pages:"))) >= 6
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "2", str(f), str(tmp_path / "sida")],
                   check=True)
    pngs = sorted(tmp_path.glob("sida-*.png"))
    assert len(pngs) == 2 and all(x.stat().st_size > 10_000 for x in pngs)


def test_followup_export(db_url: str, tmp_path: Path) -> None:
    store = GrantStore.open(db_url)
    try:
        store.open_year(2026, {"18": 1_500_000, "20": 1_600_000})
        store.submit(ReportData("18", 2026, 1_500_000, {"coordinator": 1_500_000}, unused_sek=0),
                     at=dt.datetime(2027, 1, 20, 9, tzinfo=dt.UTC))
        f = write_followup_xlsx(store.frame(), store.summary(), store.overdue(dt.date(2027, 2, 15)),
                                tmp_path / "uppfoljning.xlsx")
    finally:
        store.close()
    wb = openpyxl.load_workbook(f)
    assert wb.sheetnames == ["Rapporter", "Nationell sammanställning", "Försenade"]
    rep = list(wb["Rapporter"].iter_rows(values_only=True))
    assert rep[0][:3] == ("Länskod", "År", "Status")
    assert {r[0]: r[2] for r in rep[1:]} == {"18": "Inskickad", "20": "Ej påbörjad"}
    summ = list(wb["Nationell sammanställning"].iter_rows(values_only=True))
    assert summ[1][0] == 2026 and summ[1][1] == 2
    late = list(wb["Försenade"].iter_rows(values_only=True))
    assert [r[0] for r in late[1:]] == ["20"]
    libreoffice_pdf(f, tmp_path)
