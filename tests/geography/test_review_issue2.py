"""Regressions found in the review of issue 2 (foundation): each test is named after what it fixes."""

import doctest
import shutil

import geopandas as gpd
import pytest
import shapely
from shapely.geometry import Point

from fcatlas.cli.exclusion import exclusion_definition
from fcatlas.errors import ConfigError, InputFileError
from fcatlas.geography.build import build_bundle
from fcatlas.geography.sources import pxweb, textfile
from fcatlas.geography.sources.boundaries import read_boundaries
from fcatlas.geography.sources.pxweb import jsonstat_frame
from fcatlas.geography.sources.scb_files import read_key


def _data(shared_data, tmp_path, *dirs):
    src = tmp_path / "data"
    for d in dirs:
        shutil.copytree(shared_data / d, src / d, ignore=shutil.ignore_patterns("*.md"))
    return src


# -- boundaries ---------------------------------------------------------------------------------

def test_geopackage_with_two_layers_uses_the_deso_layer_whatever_its_order(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(3)
    p = tmp_path / "two.gpkg"
    gpd.GeoDataFrame({"namn": ["a"]}, geometry=[Point(500000, 6700000)], crs=3006).to_file(p, layer="aaa_punkter")
    deso.to_file(p, layer="zzz_deso")
    g = read_boundaries(p, "deso")
    assert g["deso_code"].tolist() == sorted(deso["deso"])


def test_geopackage_with_two_deso_layers_is_refused_with_the_layers_listed(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(3)
    p = tmp_path / "two.gpkg"
    deso.to_file(p, layer="a")
    deso.to_file(p, layer="b")
    with pytest.raises(InputFileError) as exc:
        read_boundaries(p, "deso")
    assert str(exc.value) == (
        f"{p}: GeoPackage med 2 lager: a (Polygon), b (Polygon); 2 av dem har DESO-polygoner med en kodkolumn "
        "(deso, deso_code, desokod, deso_2018, deso_2025); spara det lager som ska användas som en egen fil")


def test_points_are_not_accepted_as_deso_boundaries(shared_data, tmp_path):
    deso = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(2)
    deso["geometry"] = deso.geometry.centroid
    p = tmp_path / "punkter.gpkg"
    deso.to_file(p, layer="deso")
    with pytest.raises(InputFileError) as exc:
        read_boundaries(p, "deso")
    assert [str(pr) for pr in exc.value.problems] == [
        f"{p}, rad 1, kolumn 'geometry': geometrin är Point, väntat Polygon eller MultiPolygon",
        f"{p}, rad 2, kolumn 'geometry': geometrin är Point, väntat Polygon eller MultiPolygon",
    ]


def test_multipolygon_deso_are_read_and_dissolved(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp")
    (src / "deso").mkdir()
    g = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg")
    g = g.loc[g["kommun"] == "2021"]  # Vansbro: 4 DeSO
    g["geometry"] = [shapely.MultiPolygon([p]) if p.geom_type == "Polygon" else p for p in g.geometry]
    g.to_file(src / "deso" / "multi.gpkg", layer="deso")
    m = build_bundle(src, tmp_path / "out")
    assert m["geometry"]["deso"] == 4 and m["geometry"]["regso"] > 0
    assert m["geometry"]["regso_without_all_deso"] == []


def test_regso_left_undissolved_for_want_of_deso_are_listed_in_the_manifest(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp")
    (src / "deso").mkdir()
    key = read_key(src / "regso" / "koppling-deso2018-regso2020.csv")
    falun = key.loc[key["kommun_code"] == "2080"]
    sizes = falun.groupby("regso_code").size()
    regso = sizes[sizes > 1].index[0]  # a Falun RegSO of several DeSO
    dropped = falun.loc[falun["regso_code"] == regso, "deso_code"].iloc[0]
    g = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg")
    g = g.loc[(g["kommun"] == "2080") & (g["deso"] != dropped)]
    g.to_file(src / "deso" / "falun_utan_en.gpkg", layer="deso")
    m = build_bundle(src, tmp_path / "out")
    assert m["geometry"]["regso_without_all_deso"] == [regso]
    assert m["geometry"]["regso"] == falun["regso_code"].nunique() - 1


# -- build: one year in one file ------------------------------------------------------------------

def test_duplicate_omradestyp_year_names_both_files(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp")
    first = src / "omradestyp" / "regso_socioekonomisk_index_2022.csv"
    shutil.copy(first, src / "omradestyp" / "zz_kopia.csv")
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == (f"{src / 'omradestyp' / 'zz_kopia.csv'}, rad 1, kolumn '2022': områdestyp för 2022 "
                              f"finns redan i {first}; behåll en fil per år")


def test_duplicate_population_year_names_both_files(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp", "population")
    first = src / "population" / "deso_foreign_born.csv"
    shutil.copy(first, src / "population" / "zz_kopia.csv")
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == (f"{src / 'population' / 'zz_kopia.csv'}, rad 1, kolumn 'Antal 2020': folkmängd för "
                              f"2020 finns redan i {first}; ett år får bara finnas i en fil")


def test_empty_population_file_is_named(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp")
    (src / "population").mkdir()
    (src / "population" / "tom.csv").write_bytes(b"\xef\xbb\xbf\r\n")
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == f"{src / 'population' / 'tom.csv'}: filen är tom"


def test_omradestyp_saved_as_windows_1252_is_named_with_line_and_hint(shared_data, tmp_path):
    src = _data(shared_data, tmp_path, "regso", "omradestyp")
    p = src / "omradestyp" / "regso_socioekonomisk_index_2023.csv"
    p.write_bytes(p.read_text(encoding="utf-8-sig").encode("cp1252"))
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == (f"{p}, rad 1: fel teckenkodning: byte 0xe5 går inte att läsa som UTF-8 "
                              "(filen verkar vara sparad som Windows-1252 (ANSI); spara den som UTF-8)")


# -- bundle.areas ---------------------------------------------------------------------------------

@pytest.mark.parametrize("kwargs,message", [
    ({"lan": "99"}, "länskoden 99 finns inte bland Sveriges 21 län"),
    ({"kommun": "9999"}, "kommunkoden 9999 finns inte bland Sveriges 290 kommuner"),
    ({"lan": "20", "kommun": "0114"}, "kommun 0114 ligger inte i län 20; ange bara kommunen eller ett län den ligger i"),
    ({"omradestyp": []}, "områdestyp ska vara 1–5, fick ingen"),
])
def test_unknown_or_contradicting_filters_are_errors_not_empty_tables(real_bundle, kwargs, message):
    with pytest.raises(ConfigError) as exc:
        real_bundle.areas(**kwargs)
    assert str(exc.value) == message


def test_year_with_population_but_no_omradestyp_is_explained(real_bundle):
    with pytest.raises(ConfigError) as exc:
        real_bundle.areas(year=2020)
    assert str(exc.value) == ("året 2020 finns inte i datapaketet (folkmängd finns för 2020, men inte områdestyp); "
                              "tillgängliga år: 2022, 2023")


# -- CLI ------------------------------------------------------------------------------------------

def test_data_info_on_the_demo_bundle_does_not_crash(cli, demo_bundle):
    r = cli("data", "info", str(demo_bundle.path))
    assert r.returncode == 0, r.stderr
    assert "SYNTETISKA EXEMPELDATA" in r.stdout
    assert "Barn 0–6 år: påhittade värden (syntetiska värden)" in r.stdout


def test_data_info_prints_the_share_the_swedish_way(cli, real_bundle):
    r = cli("data", "info", str(real_bundle.path))
    assert r.returncode == 0, r.stderr
    assert "(andel 7,4 % av folkmängden)" in r.stdout


def test_areas_with_an_empty_type_list_is_an_error(cli, real_bundle):
    r = cli("areas", "--bundle", str(real_bundle.path), "--omradestyp", ",")
    assert r.returncode == 1
    assert "Fel: områdestyp ska vara 1–5, fick ingen" in r.stderr


# -- exclusion list -------------------------------------------------------------------------------

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


# -- JSON-stat 2.0 --------------------------------------------------------------------------------

def _doc(**over):
    doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Tid"], "size": [2, 2],
           "dimension": {"Region": {"category": {"index": ["20", "2080"], "label": {"20": "Dalarna", "2080": "Falun"}}},
                         "Tid": {"category": {"index": {"2023": 1, "2022": 0}}}},
           "value": [1, 2, 3, None]}
    doc.update(over)
    return doc


def test_jsonstat_status_as_string_list_or_sparse_object():
    assert jsonstat_frame(_doc(status="p"))["status"].tolist() == ["p"] * 4
    assert jsonstat_frame(_doc(status=["a", None, "b", ".."]))["status"].tolist()[2:] == ["b", ".."]
    f = jsonstat_frame(_doc(status={"3": ".."}))
    assert f["status"].iloc[3] == ".." and f["status"].iloc[:3].isna().all()
    assert f["value"].isna().tolist() == [False, False, False, True]


def test_jsonstat_index_object_orders_the_categories():
    f = jsonstat_frame(_doc())
    assert f["Tid"].tolist() == ["2022", "2023", "2022", "2023"]
    assert f["Region_label"].tolist() == ["Dalarna", "Dalarna", "Falun", "Falun"]


@pytest.mark.parametrize("over,message", [
    ({"value": {"9": 1}}, "value: cellposition 9 ligger utanför 0…3"),
    ({"value": {"x": 1}}, "value: nyckeln 'x' är ingen cellposition"),
    ({"value": [1, "två", 3, 4]}, "value i cell 1 är 'två', väntat ett tal eller null"),
    ({"status": ["a"]}, "status har 1 värden men dimensionerna ger 4"),
    ({"size": [2]}, "id har 2 dimensioner men size 1"),
])
def test_malformed_jsonstat_is_a_swedish_error_not_a_traceback(over, message):
    with pytest.raises(InputFileError) as exc:
        jsonstat_frame(_doc(**over), "svar.json")
    assert str(exc.value) == f"svar.json: {message}"


def test_content_variable_takes_the_category_at_index_zero():
    assert pxweb._first_category({"index": {"B": 1, "A": 0}}) == ["A"]
    assert pxweb._first_category({"index": ["BE0101N1", "X"]}) == ["BE0101N1"]
    assert pxweb._first_category({"label": {"BE0101N1": "Folkmängd"}}) == ["BE0101N1"]


@pytest.mark.parametrize("module", [textfile, pxweb])
def test_docstring_examples_of_the_readers_run(module):
    res = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0 and res.failed == 0


@pytest.mark.parametrize("value,offline", [("", False), ("0", False), ("False", False), ("nej", False),
                                           ("NO", False), ("1", True), ("ja", True)])
def test_fcatlas_offline_false_in_any_case_means_online(value, offline):
    from fcatlas.settings import Settings

    assert Settings.from_env({"FCATLAS_OFFLINE": value}).offline is offline
