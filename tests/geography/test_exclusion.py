import pandas as pd
import pytest

from fcatlas.cli.exclusion import exclusion_definition
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
    d = exclusion_definition(f"lista:{f}")
    assert d.codes == {"2080R001", "2081R005"}
    bad = tmp_path / "bad.txt"
    bad.write_text("2080R001\nFalun\n", encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        exclusion_definition(f"lista:{bad}")
    assert str(exc.value) == f"{bad}, rad 2: 'Falun' är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)"


@pytest.mark.parametrize("spec", ["omradestyp:", "omradestyp:0,6", "omradestyp:a", "karta:x", "omradestyp:1@22"])
def test_bad_definitions_are_refused(spec):
    with pytest.raises(ConfigError):
        parse_exclusion(spec)


def test_issue8_a_list_code_that_does_not_exist_is_refused_naming_it(tmp_path):
    """A list with a non-existent code was labelled '2 RegSO' and counted 1."""
    f = tmp_path / "karta.txt"
    f.write_text("2080R001\n2080R999\n", encoding="utf-8")
    d = exclusion_definition(f"lista:{f}")
    areas = pd.DataFrame({"regso_code": ["2080R001", "2080R002"]})
    with pytest.raises(ConfigError) as exc:
        d.mask(areas)
    assert "listan karta.txt: 1 RegSO-koder finns inte i datapaketet: 2080R999" in str(exc.value)
    ok = tmp_path / "ok.txt"
    ok.write_text("2080R002\n", encoding="utf-8")
    assert exclusion_definition(f"lista:{ok}").mask(areas).tolist() == [False, True]


def test_issue8_a_list_definition_never_cites_a_local_path(tmp_path):
    f = tmp_path / "karta.txt"
    f.write_text("2080R001\n", encoding="utf-8")
    d = exclusion_definition(f"lista:{f}")
    assert d.public_spec == "lista:karta.txt" and str(tmp_path) not in str(d.to_dict())


def test_exclusion_list_saved_by_excel_windows_1252_semicolons_is_read(tmp_path):
    f = tmp_path / "karta.csv"
    f.write_bytes("Område;regso_code\r\nFalun Östra;2080R001\r\n\r\nBorlänge Jakobsgårdarna;2081R005\r\n".encode("cp1252"))
    assert exclusion_definition(f"lista:{f}").codes == {"2080R001", "2081R005"}


def test_exclusion_list_bad_code_has_its_true_line_number_after_blank_lines(tmp_path):
    f = tmp_path / "karta.csv"
    f.write_text("regso_code\n2080R001\n\n\nFalun\n", encoding="utf-8")
    with pytest.raises(InputFileError) as exc:
        exclusion_definition(f"lista:{f}")
    assert str(exc.value) == f"{f}, rad 5, kolumn 'regso_code': 'Falun' är ingen RegSO-kod (väntat KKKKRNNN, t.ex. 2080R001)"


def test_a_list_is_built_from_codes_and_the_room_opens_no_file(tmp_path):
    """``lista:FIL`` is read by the face; the geography room only builds the definition from codes."""
    import ast
    import inspect

    from fcatlas.geography import exclusion

    d = parse_exclusion("lista:/hemlig/karta.txt", codes=["2080R001", " 2081R005 "])
    assert d.codes == {"2080R001", "2081R005"} and d.public_spec == "lista:karta.txt"
    with pytest.raises(ConfigError, match="har inte lästs"):
        parse_exclusion(f"lista:{tmp_path / 'karta.txt'}")
    with pytest.raises(ConfigError, match="'Falun' är ingen RegSO-kod"):
        parse_exclusion("lista:karta.txt", codes=["Falun"])
    tree = ast.parse(inspect.getsource(exclusion))
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | {
        n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom | ast.Import) for a in n.names}
    assert not names & {"open", "read_bytes", "read_text", "read_input_bytes"}
    assert not imported & {"read_input_bytes", "read_text", "read_table_file"}


def test_a_list_is_read_by_the_one_table_reader_in_any_accepted_form(tmp_path):
    import openpyxl

    utf16 = tmp_path / "karta.txt"
    utf16.write_bytes("\ufeff2080R001\r\n2081R005\r\n".encode("utf-16-le"))
    assert exclusion_definition(f"lista:{utf16}").codes == {"2080R001", "2081R005"}
    tabs = tmp_path / "karta.tsv"
    tabs.write_text("Område\tregso_code\nFalun\t2080R001\n", encoding="utf-8")
    assert exclusion_definition(f"lista:{tabs}").codes == {"2080R001"}
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Utanförskapets karta"])
    ws.append(["Område", "regso_code"])
    ws.append(["Borlänge", "2081R005"])
    wb.save(tmp_path / "karta.xlsx")
    assert exclusion_definition(f"lista:{tmp_path / 'karta.xlsx'}").codes == {"2081R005"}
    with pytest.raises(InputFileError, match="filen är tom; väntat en RegSO-kod per rad"):
        (tmp_path / "tom.txt").write_bytes(b"\r\n")
        exclusion_definition(f"lista:{tmp_path / 'tom.txt'}")


def test_cli_keeps_lista_fil(tmp_path, demo_bundle, cli):
    """``--exclusion lista:FIL`` on the command line: the CLI reads the file, the count uses its codes."""
    import json

    codes = sorted(demo_bundle.areas()["regso_code"].astype(str))[:3]
    f = tmp_path / "karta.txt"
    f.write_text("\n".join(codes) + "\n", encoding="utf-8")
    r = cli("grant", "allocate", "--year", "2026", "--total", "51365000", "--bundle", str(demo_bundle.path),
            "--exclusion", f"lista:{f}", "--format", "json")
    assert r.returncode == 0, r.stderr
    counted = {row["region_code"] for row in json.loads(r.stdout) if row["basis_children"] > 0}
    assert counted and counted <= {c[:2] for c in codes}  # only the listed areas' regions count
    bad = tmp_path / "fel.txt"
    bad.write_text(f"{codes[0]}\nFalun\n", encoding="utf-8")
    r = cli("grant", "allocate", "--year", "2026", "--total", "51365000", "--bundle", str(demo_bundle.path),
            "--exclusion", f"lista:{bad}")
    assert r.returncode == 1 and f"{bad}, rad 2: 'Falun' är ingen RegSO-kod" in r.stderr
