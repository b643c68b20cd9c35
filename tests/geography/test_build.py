"""Golden tests: a bundle built from the real extracts in ../shared/data."""

import json
import shutil

import geopandas as gpd
import pytest
import shapely

from fcatlas.errors import BundleError, ConfigError, InputFileError
from fcatlas.geography.build import build_bundle
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.sources.scb_files import read_key


def test_all_regso_carry_omradestyp_and_population(real_bundle):
    for year, counts in ((2022, {1: 160, 2: 289, 3: 855, 4: 1770, 5: 289}),
                         (2023, {1: 162, 2: 293, 3: 835, 4: 1781, 5: 292})):
        a = real_bundle.areas(year=year)
        assert len(a) == 3363
        assert a["omradestyp"].notna().all()
        assert a["omradestyp"].value_counts().to_dict() == counts
        assert a["population"].notna().all()
    ry = real_bundle.table("regso_years")
    for year in (2020, 2021, 2022, 2023):
        assert ry.loc[ry.year == year, "population"].notna().sum() == 3363
    assert ry.loc[ry.year == 2023, "population"].sum() == 10_551_707
    assert real_bundle.years == [2022, 2023]


def test_dalarna_has_polygons_for_175_deso_and_119_regso(real_bundle):
    deso = real_bundle.geometries("deso")
    regso = real_bundle.geometries("regso")
    assert len(deso) == 175 and deso["deso_code"].str.startswith("20").all()
    assert len(regso) == 119 and regso["regso_code"].str.startswith("20").all()
    assert regso.crs.to_epsg() == 3006
    # the RegSO union equals the DeSO union (dissolve lost nothing)
    assert abs(regso.area.sum() - deso.area.sum()) < 1.0
    dal = real_bundle.areas(lan="20", year=2023)
    assert len(dal) == 119
    assert dal["omradestyp"].value_counts().to_dict() == {1: 9, 2: 6, 3: 39, 4: 64, 5: 1}
    assert dal["population"].sum() == 287_253


def test_children_are_estimated_flagged_and_share_recorded(real_bundle):
    a = real_bundle.areas(year=2023)
    assert a["children_0_6_estimated"].all()
    share = real_bundle.manifest["children_0_6_estimate"]["share"]
    row = a.iloc[0]
    assert row["children_0_6"] == round(row["population"] * share)
    assert real_bundle.manifest["children_0_6_estimate"]["rows_estimated"] == 4 * 3363


def test_manifest_records_sources_checksums_and_rows(real_bundle):
    m = real_bundle.manifest
    files = {s["file"] for s in m["sources"]}
    assert "regso/koppling-deso2018-regso2020.csv" in files
    assert "deso/deso_dalarna.gpkg" in files
    assert all(len(s["sha256"]) == 64 for s in m["sources"] if "sha256" in s)
    assert m["tables"]["regso"]["rows"] == 3363 and m["tables"]["deso"]["rows"] == 5984
    Bundle.open(real_bundle.path, verify=True)  # checksums hold


def test_deso_level_inherits_regso_type(real_bundle):
    d = real_bundle.areas("deso", kommun="2080")
    assert len(d) == 37
    r = real_bundle.areas("regso", kommun="2080").set_index("regso_code")["omradestyp"]
    assert (d["omradestyp"].values == d["regso_code"].map(r).values).all()


def test_year_the_bundle_lacks_lists_the_years(real_bundle):
    with pytest.raises(ConfigError) as exc:
        real_bundle.areas(year=2019)
    assert str(exc.value) == "året 2019 finns inte i datapaketet; tillgängliga år: 2022, 2023"


def test_missing_key_is_named(tmp_path):
    (tmp_path / "omradestyp").mkdir()
    with pytest.raises(InputFileError) as exc:
        build_bundle(tmp_path, tmp_path / "out")
    assert str(exc.value) == (f"{tmp_path / 'regso'}: SCB:s kopplingstabell DeSO–RegSO saknas "
                              "(väntat regso/koppling-deso2018-regso2020.csv)")


def test_failed_build_leaves_no_bundle(shared_data, tmp_path):
    src = tmp_path / "data"
    for d in ("regso", "omradestyp", "population"):
        shutil.copytree(shared_data / d, src / d)
    (src / "omradestyp" / "regso_socioekonomisk_index_2023.csv").write_text(",2023\nFalun (Atlantis),1\n")
    with pytest.raises(InputFileError):
        build_bundle(src, tmp_path / "out")
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / ".out.tmp").exists() or not (tmp_path / ".out.tmp" / "manifest.json").exists()


def test_wrong_crs_boundaries_are_refused(shared_data, tmp_path):
    src = tmp_path / "data"
    for d in ("regso", "omradestyp"):
        shutil.copytree(shared_data / d, src / d)
    (src / "deso").mkdir()
    g = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(3).to_crs(4326)
    g.to_file(src / "deso" / "wgs84.gpkg", driver="GPKG")
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == (f"{src / 'deso' / 'wgs84.gpkg'}: fel koordinatsystem EPSG:4326 (WGS 84); "
                              "väntat EPSG:3006 (SWEREF 99 TM)")


def test_boundary_codes_not_in_key_are_refused(shared_data, tmp_path):
    src = tmp_path / "data"
    for d in ("regso", "omradestyp"):
        shutil.copytree(shared_data / d, src / d)
    (src / "deso").mkdir()
    g = gpd.read_file(shared_data / "deso" / "deso_dalarna.gpkg").head(2)
    g.loc[0, "deso"] = "2080C9999"
    g.to_file(src / "deso" / "x.gpkg", driver="GPKG")
    with pytest.raises(InputFileError) as exc:
        build_bundle(src, tmp_path / "out")
    assert str(exc.value) == (f"{src / 'deso' / 'x.gpkg'}, kolumn 'deso': 1 DeSO-koder finns inte i "
                              "kopplingstabellen (annan indelning?): 2080C9999")


def test_not_a_geopackage(shared_data, tmp_path):
    from fcatlas.geography.sources.boundaries import read_boundaries

    p = tmp_path / "x.gpkg"
    p.write_text("inte en geopackage")
    with pytest.raises(InputFileError) as exc:
        read_boundaries(p)
    assert str(exc.value).startswith(f"{p}: går inte att läsa som GeoPackage")


def test_open_refuses_non_bundles(tmp_path):
    with pytest.raises(BundleError, match="finns inte"):
        Bundle.open(tmp_path / "nope")
    with pytest.raises(BundleError, match="manifest.json saknas"):
        Bundle.open(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"format_version": 99}))
    with pytest.raises(BundleError, match="formatversion 99 stöds inte"):
        Bundle.open(tmp_path)


def test_existing_output_is_not_overwritten_without_flag(shared_data, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "annat.txt").write_text("x")
    with pytest.raises(BundleError, match="finns redan och är inte tom"):
        build_bundle(shared_data, out)
    assert (out / "annat.txt").exists()


def test_regso_boundary_file_is_used_when_given(shared_data, real_bundle, tmp_path):
    src = tmp_path / "data"
    for d in ("regso", "omradestyp"):
        shutil.copytree(shared_data / d, src / d)
    g = real_bundle.geometries("regso")
    g = g.loc[g["regso_code"].isin(["2080R001", "2080R002"])].rename(columns={"regso_code": "regsokod"})
    g.to_file(src / "regso" / "regso_falun.gpkg", driver="GPKG")
    build_bundle(src, tmp_path / "paket")
    b = Bundle.open(tmp_path / "paket")
    assert b.geometries("regso")["regso_code"].tolist() == ["2080R001", "2080R002"]
    assert len(b.geometries("deso")) == 0
    assert any(s["what"] == "RegSO-gränser" for s in b.manifest["sources"])


def _data(shared_data, tmp_path, *dirs):
    src = tmp_path / "data"
    for d in dirs:
        shutil.copytree(shared_data / d, src / d, ignore=shutil.ignore_patterns("*.md"))
    return src


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
