"""The data/areas commands, run as a user runs them (in-process, :mod:`cli_runner`)."""

import json

import pandas as pd


def test_build_info_and_areas_end_to_end(cli, shared_data, tmp_path):
    r = cli("data", "build", "--from", str(shared_data), "--out", str(tmp_path / "paket"))
    assert r.returncode == 0, r.stderr
    assert "RegSO: 3 363" in r.stdout and "Områdestyp 2023: typ 1: 162" in r.stdout
    r = cli("data", "info", str(tmp_path / "paket"), "--kontrollera")
    assert r.returncode == 0 and "Kontrollsummor: OK" in r.stdout
    r = cli("areas", "--bundle", str(tmp_path / "paket"), "--lan", "20", "--omradestyp", "1,2", "--format", "csv")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(pd.io.common.StringIO(r.stdout), dtype={"regso_code": str, "kommun_code": str, "lan_code": str})
    for col in ("regso_code", "name", "kommun_code", "kommun_name", "lan_code", "omradestyp", "population",
                "children_0_6", "children_0_6_estimated"):
        assert col in df.columns
    assert len(df) == 15 and set(df["omradestyp"]) == {1, 2}
    assert set(df["kommun_name"]) >= {"Falun", "Borlänge", "Avesta", "Ludvika"}
    r = cli("areas", "--bundle", str(tmp_path / "paket"), "--level", "deso", "--kommun", "2080", "--year", "2022",
            "--format", "json")
    rows = json.loads(r.stdout)
    assert len(rows) == 37 and rows[0]["deso_code"].startswith("2080") and rows[0]["year"] == 2022


def test_year_missing_is_a_swedish_error_with_exit_1(cli, real_bundle):
    r = cli("areas", "--bundle", str(real_bundle.path), "--year", "2030")
    assert r.returncode == 1
    assert "Fel: året 2030 finns inte i datapaketet; tillgängliga år: 2022, 2023" in r.stderr
    r = cli("areas", "--bundle", str(real_bundle.path), "--lan", "2O")
    assert r.returncode == 1 and "'2O' är inget län" in r.stderr


def test_build_from_missing_dir_is_a_swedish_error(cli, tmp_path):
    r = cli("data", "build", "--from", str(tmp_path / "finns-inte"), "--out", str(tmp_path / "p"))
    assert r.returncode == 1
    assert f"{tmp_path / 'finns-inte'}: katalogen finns inte" in r.stderr
    assert "Traceback" not in r.stderr


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
