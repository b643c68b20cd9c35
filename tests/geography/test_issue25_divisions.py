"""Issue 25: a bundle on either division from files in SCB's formats, and a 2023 (RegSO 2020) /
2025 (RegSO 2025) comparison with carried figures flagged. The 2025 files are SYNTHETIC (see
fixtures/scb2025_synthetic/PROVENANCE.md); the 2018 bundle is built from the real shared data."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fcatlas.cli import app
from fcatlas.errors import InputFileError
from fcatlas.geography.build import build_bundle
from fcatlas.geography.bundle import Bundle
from fcatlas.geography.divisions import compare_years, read_correspondence

SYN = Path(__file__).parent / "fixtures" / "scb2025_synthetic"


@pytest.fixture(scope="module")
def bundle_2025(tmp_path_factory):
    out = tmp_path_factory.mktemp("b25") / "paket2025"
    build_bundle(SYN, out)
    return Bundle.open(out)


def test_issue25_data_build_makes_a_bundle_on_the_2025_division(bundle_2025):
    b = bundle_2025
    assert b.division == 2025 and b.division_name == "DeSO 2025 / RegSO 2025"
    assert b.manifest["division"] == {"deso": 2025, "regso": 2025}
    assert b.years == [2025]
    a = b.areas("regso", year=2025).set_index("regso_code")
    assert list(a.index) == ["2403R001", "2403R002", "2403R003"]
    assert a.loc["2403R003", "population"] == 560 and a.loc["2403R003", "omradestyp"] == 4
    assert sorted(b.table("deso")["deso_code"]) == ["2403A0020", "2403A0030", "2403C1010"]
    src = next(s for s in b.manifest["sources"] if s["file"].startswith("regso/"))
    assert src["vintage"] == "DeSO 2025 / RegSO 2025"


def test_issue25_the_2018_bundle_states_its_division(real_bundle):
    assert real_bundle.division == 2018 and real_bundle.division_name == "DeSO 2018 / RegSO 2020"


def test_issue25_2023_basis_against_2025_follow_up_with_carried_figures_flagged(real_bundle, bundle_2025):
    corr = read_correspondence(SYN / "nyckel-deso2018-deso2025.csv")
    assert corr.set_index("deso_2025")["share"].round(4).to_dict() == {
        "2403C1010": 1.0, "2403A0020": round(800 / 1352, 4), "2403A0030": round(552 / 1352, 4)}
    df = compare_years(real_bundle, bundle_2025, corr, 2023, 2025, kommun="2403").set_index("regso_code")
    assert df["carried"].all()
    old = real_bundle.areas("regso", year=2023, kommun="2403").set_index("regso_code")
    assert list(old["population"]) == [996, 1352]
    # R001 is whole: carried as it was, områdestyp too
    assert df.loc["2403R001", "population_2023"] == 996 and df.loc["2403R001", "omradestyp_2023"] == 3
    # R002 (2020) was split 800 / 552 into R002 and R003 (2025): counts shared by population
    kids = old.loc["2403R002", "children_0_6"]
    assert df.loc["2403R002", "children_0_6_2023"] == round(kids * 800 / 1352)
    assert df.loc["2403R003", "children_0_6_2023"] == round(kids * 552 / 1352)
    assert df.loc["2403R002", "population_2023"] + df.loc["2403R003", "population_2023"] == 1352
    assert df[["from_regso"]].loc["2403R003"].item() == "2403R002"
    assert df["omradestyp_2023"].isna().tolist() == [False, True, True]  # a type is not shared out
    assert df.loc["2403R003", "population_2025"] == 560
    assert df.loc["2403R003", "children_change"] == (df.loc["2403R003", "children_0_6_2025"]
                                                     - df.loc["2403R003", "children_0_6_2023"])


def test_issue25_compare_from_the_cli_and_data_info_prints_the_division(real_bundle, bundle_2025):
    runner = CliRunner()
    r = runner.invoke(app, ["data", "compare", "--fran", str(real_bundle.path), "--till", str(bundle_2025.path),
                            "--nyckel", str(SYN / "nyckel-deso2018-deso2025.csv"), "--kommun", "2403",
                            "--format", "json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert [row["regso_code"] for row in rows] == ["2403R001", "2403R002", "2403R003"]
    assert all(row["carried"] for row in rows)
    r = runner.invoke(app, ["data", "info", str(bundle_2025.path)])
    assert r.exit_code == 0 and "Indelning: DeSO 2025 / RegSO 2025" in r.stdout


def test_issue25_a_split_area_without_the_population_of_its_pieces_is_refused(tmp_path):
    f = tmp_path / "nyckel.csv"
    f.write_text("DeSO_2018,DeSO_2025,Folkmängd\n2403C1010,2403C1010,\n2403A0010,2403A0020,800\n2403A0010,2403A0030,\n")
    with pytest.raises(InputFileError) as exc:
        read_correspondence(f)
    assert "2403A0010 delas på 2 DeSO 2025; folkmängden i varje del behövs för att fördela" in str(exc.value)
    f.write_text("DeSO,RegSO\n")
    with pytest.raises(InputFileError, match="väntat DeSO_2018,DeSO_2025,Folkmängd"):
        read_correspondence(f)


def test_issue25_a_2025_bundle_keeps_only_2025_age_rows(tmp_path):
    src = tmp_path / "data"
    shutil.copytree(SYN, src)
    (src / "befolkning_alder").mkdir()
    doc = {"version": "2.0", "class": "dataset", "id": ["Region", "Alder", "Kon", "Tid"], "size": [2, 2, 1, 1],
           "dimension": {"Region": {"category": {"index": {"2403R001_RegSO2025": 0, "2403R001": 1}}},
                         "Alder": {"category": {"index": {"0-6": 0, "7-54": 1},
                                                "label": {"0-6": "0-6 år", "7-54": "7-54 år"}}},
                         "Kon": {"category": {"index": {"2": 0}, "label": {"2": "kvinnor"}}},
                         "Tid": {"category": {"index": {"2025": 0}}}},
           "value": [30, 400, 99, 999]}
    (src / "befolkning_alder" / "TAB6574_2025_001.json").write_text(json.dumps(doc))
    m = build_bundle(src, tmp_path / "paket")
    assert m["age_data"]["rows_used"] == 1 and m["age_data"]["rows_other_division"] == 1
