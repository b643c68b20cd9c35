import pandas as pd
import pytest

from fcatlas.errors import ConfigError, InputFileError
from fcatlas.geography.exclusion import parse_exclusion


def test_default_is_omradestyp_1_2():
    d = parse_exclusion(None)
    areas = pd.DataFrame({"regso_code": ["0114R001", "0114R002", "0114R003"],
                          "omradestyp": pd.array([1, 3, None], dtype="Int64")})
    assert d.mask(areas).tolist() == [True, False, False]
    assert d.label == "områdestyp 1, 2"


def test_year_bound_definition_uses_that_years_types():
    d = parse_exclusion("omradestyp:1@2022")
    areas = pd.DataFrame({"regso_code": ["A", "B"], "omradestyp": [1, 1]})
    by_year = pd.DataFrame({"regso_code": ["A", "B"], "year": [2022, 2022], "omradestyp": [1, 3]})
    assert d.mask(areas, by_year).tolist() == [True, False]
    with pytest.raises(ConfigError, match="områdestyp för 2022 finns inte; tillgängliga år: 2023"):
        d.mask(areas, by_year.assign(year=2023))


def test_list_definition_reads_codes(tmp_path):
    f = tmp_path / "utanforskapets_karta.csv"
    f.write_text("regso_code\n2080R001\n2081R005\n", encoding="utf-8")
    d = parse_exclusion(f"lista:{f}")
    assert d.codes == {"2080R001", "2081R005"}
    bad = tmp_path / "bad.txt"
    bad.write_text("2080R001\nFalun\n", encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        parse_exclusion(f"lista:{bad}")
    assert str(exc.value) == f"{bad}, rad 2: 'Falun' är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)"


@pytest.mark.parametrize("spec", ["omradestyp:", "omradestyp:0,6", "omradestyp:a", "karta:x", "omradestyp:1@22"])
def test_bad_definitions_are_refused(spec):
    with pytest.raises(ConfigError):
        parse_exclusion(spec)


def test_issue8_a_list_code_that_does_not_exist_is_refused_naming_it(tmp_path):
    """A list with a non-existent code was labelled '2 RegSO' and counted 1."""
    f = tmp_path / "karta.txt"
    f.write_text("2080R001\n2080R999\n", encoding="utf-8")
    d = parse_exclusion(f"lista:{f}")
    areas = pd.DataFrame({"regso_code": ["2080R001", "2080R002"]})
    with pytest.raises(ConfigError) as exc:
        d.mask(areas)
    assert "listan karta.txt: 1 RegSO-koder finns inte i datapaketet: 2080R999" in str(exc.value)
    ok = tmp_path / "ok.txt"
    ok.write_text("2080R002\n", encoding="utf-8")
    assert parse_exclusion(f"lista:{ok}").mask(areas).tolist() == [False, True]


def test_issue8_a_list_definition_never_cites_a_local_path(tmp_path):
    f = tmp_path / "karta.txt"
    f.write_text("2080R001\n", encoding="utf-8")
    d = parse_exclusion(f"lista:{f}")
    assert d.public_spec == "lista:karta.txt" and str(tmp_path) not in str(d.to_dict())


def test_exclusion_list_saved_by_excel_windows_1252_semicolons_is_read(tmp_path):
    f = tmp_path / "karta.csv"
    f.write_bytes("Område;regso_code\r\nFalun Östra;2080R001\r\n\r\nBorlänge Jakobsgårdarna;2081R005\r\n".encode("cp1252"))
    assert parse_exclusion(f"lista:{f}").codes == {"2080R001", "2081R005"}


def test_exclusion_list_bad_code_has_its_true_line_number_after_blank_lines(tmp_path):
    f = tmp_path / "karta.csv"
    f.write_text("regso_code\n2080R001\n\n\nFalun\n", encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        parse_exclusion(f"lista:{f}")
    assert str(exc.value) == f"{f}, rad 5, kolumn 'regso_code': 'Falun' är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)"
