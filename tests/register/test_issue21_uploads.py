"""Issue 21 (hostile uploads): very wide CSV files, huge xlsx rows and many similar names cost
milliseconds to seconds, never minutes or gigabytes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from fcatlas.errors import InputFileError
from fcatlas.register import intake
from fcatlas.tables import MAX_COLUMNS


def wide_csv(columns: int) -> bytes:
    """A header of ``columns`` columns (about 9.9 MB for a million) and one data row."""
    head = "Namn;Kommun;" + ";".join(f"k{i:07d}" for i in range(columns - 2))
    return (head + "\r\nFamiljecentral X;Falun\r\n").encode("utf-8")


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
