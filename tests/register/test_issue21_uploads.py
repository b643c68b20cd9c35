"""Issue 21 (hostile uploads): very wide CSV files, huge xlsx rows and many similar names cost
milliseconds to seconds, never minutes or gigabytes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fcatlas.errors import InputFileError
from fcatlas.register import intake
from fcatlas.tables import MAX_COLUMNS

from .hostile_files import five_million_cells, hand_made_xlsx, head_row, million_empty_rows, wide_csv


def test_issue21_a_million_columns_are_refused_in_well_under_a_second(tmp_path: Path) -> None:
    data = wide_csv(1_000_000)
    assert 9_000_000 < len(data) < 10_000_000
    path = tmp_path / "bred.csv"
    path.write_bytes(data)
    t0 = time.perf_counter()
    with pytest.raises(InputFileError) as err:
        intake.read_table(path)
    took = time.perf_counter() - t0
    assert took < 1.0, took
    assert "bred.csv" in str(err.value) and "1000000 kolumner" in str(err.value)
    assert f"högst {MAX_COLUMNS}" in str(err.value) and err.value.row == 1


def test_issue21_just_over_the_column_cap_is_refused_and_at_it_accepted(tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_bytes(wide_csv(MAX_COLUMNS + 1))
    with pytest.raises(InputFileError, match="högst 500 tillåts"):
        intake.read_table(path)
    path.write_bytes(wide_csv(MAX_COLUMNS))
    assert len(intake.read_table(path).headers) == MAX_COLUMNS


def test_issue21_a_wide_data_row_is_refused_naming_its_row(tmp_path: Path) -> None:
    path = tmp_path / "lista.csv"
    path.write_text("Namn;Kommun\r\nA;Falun\r\nB;Falun" + ";x" * 600 + "\r\n", encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        intake.read_table(path)
    assert err.value.row == 3 and "lista.csv" in str(err.value)


# -- xlsx: cells per row and in total capped, read as a stream ------------------------------------

_MEASURE = """
import sys, time, tracemalloc
from pathlib import Path
from fcatlas.errors import InputFileError
from fcatlas.register import intake
path = Path(sys.argv[1])
def read():
    try:
        return f"läst {len(intake.read_table(path).rows)} rader"
    except InputFileError as exc:
        return str(exc)
t0 = time.perf_counter()
outcome = read()
took = time.perf_counter() - t0
tracemalloc.start()  # a second reading for the memory: the peak of everything it allocates
read()
peak = tracemalloc.get_traced_memory()[1]
print(f"{took:.3f}\\t{peak / 2**20:.1f}\\t{outcome}")
"""


def measure(path: Path) -> tuple[float, float, str]:
    """(seconds, peak memory allocated by the reading in MB, outcome) of reading ``path`` in a fresh
    process (the file's bytes included)."""
    import os
    import subprocess
    import sys

    # warm the imports first so that only the reading is measured
    code = "import fcatlas.register.intake, fcatlas.workbook, openpyxl.styles.numbers, openpyxl.utils.datetime\n" + _MEASURE
    out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2] / "src")})
    assert out.returncode == 0, out.stderr
    took, grew, outcome = out.stdout.strip().split("\t", 2)
    return float(took), float(grew), outcome


def test_issue21_a_row_of_five_million_cells_is_refused_quickly_and_small(tmp_path: Path) -> None:
    path = five_million_cells(tmp_path / "fem_miljoner.xlsx")
    assert path.stat().st_size < 400_000
    took, grew, outcome = measure(path)
    assert took < 5 and grew < 200, (took, grew)
    assert "fem_miljoner.xlsx, rad 2" in outcome and "högst 500 kolumner" in outcome


def test_issue21_a_million_empty_formatted_rows_are_handled_quickly(tmp_path: Path) -> None:
    path = million_empty_rows(tmp_path / "tomma.xlsx")
    took, grew, outcome = measure(path)
    assert took < 5 and grew < 200, (took, grew)
    assert outcome == "läst 1 rader"


def test_issue21_too_many_cells_in_the_sheet_are_refused(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from fcatlas import workbook

    monkeypatch.setattr(workbook, "MAX_CELLS", 1_000)
    path = hand_made_xlsx(tmp_path / "manga.xlsx", [head_row()] + [
        b'<row r="%d"><c r="A%d"><v>%d</v></c><c r="B%d"><v>1</v></c></row>' % (r, r, r, r) for r in range(2, 600)])
    with pytest.raises(InputFileError, match="fler än 1000 celler"):
        intake.read_table(path)


def test_issue21_a_dtd_in_a_workbook_is_refused(tmp_path: Path) -> None:
    dtd = b'<!DOCTYPE worksheet [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    path = hand_made_xlsx(tmp_path / "dtd.xlsx", [b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>'],
                          prolog=dtd)
    with pytest.raises(InputFileError, match="DTD"):
        intake.read_table(path)


# -- 10,000 similar names: one warning with a count, bounded work ---------------------------------


def test_issue21_ten_thousand_numbered_names_import_quickly_with_one_warning(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    from .hostile_files import similar_names_file

    f = similar_names_file(tmp_path / "falun_2027.csv")
    t0 = time.perf_counter()
    r = cli("register", "import", str(f), "--db", str(tmp_path / "r.sqlite"), "--round", "2027")
    took = time.perf_counter() - t0
    assert r.returncode == 0, r.stderr
    assert took < 30, took
    report = (tmp_path / "falun_2027.fel.csv").read_text(encoding="utf-8-sig") if (
        tmp_path / "falun_2027.fel.csv").exists() else r.stdout + r.stderr
    assert report.count("möjlig dubblett") == 1
    assert "10000 enheter i samma kommun har namn som bara skiljer sig i ett nummer" in report


def test_issue21_duplicate_warnings_are_capped() -> None:
    from fcatlas.register.intake.duplicates import MAX_DUPLICATE_WARNINGS, likely_duplicates
    from fcatlas.register.intake.rows import UnitRecord

    # 300 pairs of near-identical names (no numbers): one warning each, but at most the cap
    units = []
    for i in range(300):
        base = "".join(chr(97 + (i // 26 ** k) % 26) for k in range(3))
        for j, name in enumerate((f"Familjecentralen {base}sjön", f"Familjecentralen {base}sjöns")):
            units.append(UnitRecord(row=2 * i + j + 2, id=f"u{i}-{j}", fields={
                "name": name, "kommun_code": "2080", "lat": 60.0, "lon": 15.0, "precision": "kommun"}))
    out = likely_duplicates(units)
    assert len(out) == MAX_DUPLICATE_WARNINGS + 1
    assert "ytterligare 200 möjliga dubbletter visas inte" in out[-1][2]
