from __future__ import annotations

from pathlib import Path

import pytest

from fcatlas.errors import InputFileError
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.exclusion import parse_exclusion
from fcatlas.grants.allocation import allocate, lan_names
from fcatlas.grants.basis import ESTIMATE_NOTE, basis_from_bundle, read_basis_file


def test_basis_from_bundle_sums_children_in_exclusion_areas(bundle_dir: Path) -> None:
    b = Bundle.open(bundle_dir)
    basis = basis_from_bundle(b, parse_exclusion("omradestyp:1,2"), year=2023)
    t = basis.table.set_index("region_code")
    assert len(t) == 21
    # 2023 types: Örebro 1880R001 (1) only; Dalarna both (1, 2); Stockholm 0180R001 (2)
    assert t.loc["18", "basis_children"] == 410 and t.loc["18", "n_areas"] == 1
    assert t.loc["20", "basis_children"] == 520 + 680
    assert t.loc["01", "basis_children"] == 2100 and not t.loc["01", "estimated"]
    assert t.loc["09", "basis_children"] == 0 and t.loc["09", "n_areas"] == 0
    assert t.loc["18", "estimated"] and basis.estimated and ESTIMATE_NOTE in basis.notes
    assert basis.data_year == 2023 and basis.definition == "områdestyp 1, 2"
    assert t.loc["09", "region_name"] == "Region Gotland" and t.loc["14", "region_name"] == "Västra Götalandsregionen"
    assert str(bundle_dir) not in basis.source and "testpaket" in basis.source  # no local path (8.12)


def test_definition_vintage_changes_the_basis(bundle_dir: Path) -> None:
    b = Bundle.open(bundle_dir)
    old = basis_from_bundle(b, parse_exclusion("omradestyp:1,2@2022"), year=2023).table.set_index("region_code")
    # 2022 types: Örebro R001 (1) and R002 (2) count, Dalarna only R001
    assert old.loc["18", "basis_children"] == 410 + 290
    assert old.loc["20", "basis_children"] == 520
    alloc = allocate(old.reset_index(), total_sek=10_000_000)
    assert set(alloc.loc[alloc["eligible"], "region_code"]) == {"01", "18", "20"}
    assert alloc["total_sek"].sum() == 10_000_000


def others(sep: str = ";", skip: tuple[str, ...] = ("18", "20"), end: str = "\r\n", cols: int = 2) -> str:
    """Rows with 0 for every other region (a basis names all 21)."""
    return "".join(f"{c}{sep}0{sep * (cols - 2)}{end}" for c in sorted(lan_names()) if c not in skip)


def write(p: Path, text: str, bom: bool = False) -> Path:
    p.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return p


@pytest.mark.parametrize("bom", [False, True])
@pytest.mark.parametrize("sep", [";", ","])
def test_read_basis_file_separators_and_bom(tmp_path: Path, sep: str, bom: bool) -> None:
    f = write(tmp_path / "b.csv", f"region_code{sep}basis_children{sep}region_name\r\n18{sep}2740{sep}Region Örebro län\r\n"
              f"20{sep}1000{sep}\r\n" + others(sep, cols=3), bom=bom)
    t = read_basis_file(f).table.set_index("region_code")
    assert t.loc["18", "basis_children"] == 2740 and t.loc["18", "region_name"] == "Region Örebro län"
    assert t.loc["20", "region_name"] == "Region Dalarna"  # the recipient is the region (8.12)


@pytest.mark.parametrize(
    ("text", "row", "column", "reason"),
    [
        ("region_code;basis_children\n18;12\n18;3\n", 3, "region_code", "finns redan på rad 2"),
        ("region_code;basis_children\n99;12\n", 2, "region_code", "ingen länskod"),
        ("region_code;basis_children\n18;-4\n", 2, "basis_children", "icke-negativt heltal"),
        ("region_code;basis_children\n18;12,5\n", 2, "basis_children", "icke-negativt heltal"),
        ("region_code;basis_children\n18;\n", 2, "basis_children", "saknas"),
        ("region_code;barn\n18;1\n", 1, None, "kolumnen 'basis_children' saknas"),
    ],
)
def test_read_basis_file_errors_name_row_and_column(
    tmp_path: Path, text: str, row: int, column: str | None, reason: str
) -> None:
    f = write(tmp_path / "b.csv", text)
    with pytest.raises(InputFileError) as err:
        read_basis_file(f)
    assert err.value.row == row and err.value.column == column
    assert reason in err.value.reason
    assert str(err.value).startswith(str(f))


def test_read_basis_file_windows_1252(tmp_path: Path) -> None:
    """Regression: a basis saved by Excel as CSV (Windows-1252) was refused as 'inte UTF-8'."""
    f = tmp_path / "b.csv"
    f.write_bytes(("region_code;basis_children;region_name\r\n18;2740;Region Örebro län\r\n"
                   + others(cols=3, skip=("18",))).encode("cp1252"))
    t = read_basis_file(f).table
    assert t.loc[t["region_code"] == "18", ["basis_children", "region_name"]].values.tolist() == [
        [2740, "Region Örebro län"]]


def test_read_basis_file_row_numbers_count_quoted_line_breaks(tmp_path: Path) -> None:
    """Regression: rows were numbered by records, so a quoted name with a line break shifted
    every later row number."""
    f = write(tmp_path / "b.csv", 'region_code;basis_children;region_name\n18;1;"Region\nÖrebro"\n20;x;\n')
    with pytest.raises(InputFileError) as err:
        read_basis_file(f)
    assert (err.value.row, err.value.column) == (4, "basis_children")


def test_read_basis_file_rejects_an_impossible_child_count(tmp_path: Path) -> None:
    f = write(tmp_path / "b.csv", "region_code;basis_children\n18;10000000000000000\n")
    with pytest.raises(InputFileError) as err:
        read_basis_file(f)
    assert (err.value.row, err.value.column) == (2, "basis_children") and "orimligt" in err.value.reason


def test_issue8_a_basis_lacking_a_region_is_refused_naming_it(tmp_path: Path) -> None:
    """A basis without Gotland gave a 20-region allocation without a word."""
    f = write(tmp_path / "b.csv", "region_code;basis_children\n18;2740\n20;3400\n" + others(skip=("18", "20", "09")))
    with pytest.raises(InputFileError) as err:
        read_basis_file(f)
    assert "1 av 21 regioner saknas i underlaget: 09 Region Gotland" in err.value.reason
    assert "skriv 0" in err.value.reason
