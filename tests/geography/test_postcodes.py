"""Readers for GeoNames SE.txt and postal_to_municipality.csv, on the real files and on broken ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from fcatlas.errors import InputFileError
from fcatlas.geography.sources import postcodes as pc

GOOD_LINE = "SE\t791 71\tFalun\tDalarna\tW\tFalun\t2080\t\t\t60.6036\t15.6259\t4\n"


def test_real_geonames_file(shared_data: Path) -> None:
    df = pc.read_geonames(shared_data / "postnummer" / "SE.txt")
    assert len(df) == 18_815
    assert df["postal_code"].is_unique
    assert df["postal_code"].str.fullmatch(r"\d{5}").all()
    first = df.iloc[0]
    assert (first["postal_code"], first["place"], first["kommun_code"]) == ("18600", "Vallentuna", "0115")
    assert first["lat"] == pytest.approx(59.5344) and first["lon"] == pytest.approx(18.0776)
    assert df["lat"].min() == pytest.approx(55.33, abs=0.01) and df["lat"].max() == pytest.approx(68.44, abs=0.01)
    assert df["lon"].min() == pytest.approx(11.17, abs=0.01) and df["lon"].max() == pytest.approx(24.14, abs=0.01)
    assert int(df["kommun_code"].isna().sum()) == 3_049
    assert int(df["kommun_code"].str.startswith("20", na=False).sum()) == 498


def test_real_postal_to_municipality(shared_data: Path) -> None:
    df = pc.read_postal_to_municipality(shared_data / "postnummer" / "postal_to_municipality.csv")
    assert len(df) == 15_463
    assert df.iloc[0].to_dict() == {
        "postal_code": "10004", "locality": "Stockholm", "kommun_code": "0180", "kommun_name": "Stockholms kommun",
    }
    assert df["kommun_code"].str.fullmatch(r"\d{4}").all()


def test_find_files_from_folder_or_file(shared_data: Path) -> None:
    folder = shared_data / "postnummer"
    assert pc.find_postcode_files(folder) == (folder / "SE.txt", folder / "postal_to_municipality.csv")
    assert pc.find_postcode_files(folder / "SE.txt") == (folder / "SE.txt", folder / "postal_to_municipality.csv")
    with pytest.raises(InputFileError, match="finns inte"):
        pc.find_postcode_files(folder / "saknas.txt")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("791 71", "79171"), ("79171", "79171"), (79171, "79171"), (79171.0, "79171"), ("7917", None),
     ("SE-79171", None), ("", None), (None, None), (float("nan"), None), (79171.5, None)],
)
def test_normalise_postcode(value: object, expected: str | None) -> None:
    assert pc.normalise_postcode(value) == expected


@pytest.mark.parametrize(
    ("content", "line", "column", "reason"),
    [
        (GOOD_LINE + "SE\t791 72\tFalun\n", 2, None, "3 tabbseparerade fält, väntat 12"),
        (GOOD_LINE + GOOD_LINE.replace("SE\t", "NO\t", 1), 2, "country", "landskoden är 'NO'"),
        (GOOD_LINE.replace("791 71", "79 171x"), 1, "postal code", "inget svenskt postnummer"),
        (GOOD_LINE + GOOD_LINE, 2, "postal code", "finns redan på rad 1"),
        (GOOD_LINE.replace("60.6036", "6.6036"), 1, "latitude", "utanför Sverige"),
        (GOOD_LINE.replace("15.6259", "öst"), 1, "longitude", "'öst' är inget tal"),
        (GOOD_LINE.replace("\t2080\t", "\t208\t"), 1, "admin2 code", "ingen kommunkod"),
        (GOOD_LINE.replace("\t4\n", "\tfyra\n"), 1, "accuracy", "ingen noggrannhetskod"),
    ],
)
def test_geonames_errors_name_file_line_and_column(
    tmp_path: Path, content: str, line: int, column: str | None, reason: str
) -> None:
    f = tmp_path / "SE.txt"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        pc.read_geonames(f)
    assert err.value.file == str(f)
    assert err.value.row == line
    assert err.value.column == column
    assert reason in err.value.reason


def test_geonames_not_utf8_and_empty(tmp_path: Path) -> None:
    f = tmp_path / "SE.txt"
    f.write_bytes(GOOD_LINE.encode() + "SE\t791 72\tÖrsundsbro".encode("cp1252") + b"\n")
    with pytest.raises(InputFileError, match="inte kodad i UTF-8") as err:
        pc.read_geonames(f)
    assert err.value.row == 2
    f.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="inga postnummer"):
        pc.read_geonames(f)
    with pytest.raises(InputFileError, match="finns inte"):
        pc.read_geonames(tmp_path / "nope.txt")


def test_optional_accuracy_and_missing_kommun(tmp_path: Path) -> None:
    f = tmp_path / "SE.txt"
    f.write_text(GOOD_LINE.replace("\t2080\t", "\t\t").replace("\t4\n", "\t\n"), encoding="utf-8")
    df = pc.read_geonames(f)
    assert df.loc[0, "kommun_code"] is None
    assert df["accuracy"].isna().all()


@pytest.mark.parametrize(
    ("content", "line", "column", "reason"),
    [
        ("postnr,ort,kommun,namn\n", 1, None, "rubrikraden"),
        ("postal_code,locality,municipality_code,municipality_name\n79171,Falun,2080\n", 2, None, "3 fält"),
        ("postal_code,locality,municipality_code,municipality_name\n791 71,Falun,2080,Falu kommun\n", 2,
         "postal_code", "inget postnummer"),
        ("postal_code,locality,municipality_code,municipality_name\n79171,Falun,208,Falu kommun\n", 2,
         "municipality_code", "ingen kommunkod"),
        ("postal_code,locality,municipality_code,municipality_name\n79171,Falun,2080,Falu kommun\n"
         "79171,Falun,2080,Falu kommun\n", 3, "postal_code", "finns redan på rad 2"),
        ("postal_code,locality,municipality_code,municipality_name\n79171,\"Falun,2080,Falu kommun\n", 2, None,
         "trasig CSV"),
    ],
)
def test_postal_to_municipality_errors(
    tmp_path: Path, content: str, line: int, column: str | None, reason: str
) -> None:
    f = tmp_path / "postal_to_municipality.csv"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError) as err:
        pc.read_postal_to_municipality(f)
    assert err.value.row == line
    assert err.value.column == column
    assert reason in err.value.reason
    assert str(f) in str(err.value)
