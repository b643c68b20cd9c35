"""A plan may use a different basis per year: ``--basis 2026=a.csv,2027=b.csv`` and
``--data-year 2026=2022,2027=2023`` (regression: the CLI used one basis for every year)."""

import csv
import io

import pandas as pd

HEADER = "region_code;basis_children\n" + "".join(
    f"{c};0\n" for c in ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "19", "21", "22",
                         "23", "24", "25"))


def test_plan_with_one_basis_file_per_year(cli, tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + "18;100\n20;100\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text(HEADER + "18;300\n20;100\n", encoding="utf-8")
    r = cli("grant", "plan", "--basis", "2026=a.csv,2027=b.csv", "--years", "2026-2027",
            "--total", "2630000", "--format", "csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    rows = {row["region_code"]: row for row in csv.DictReader(io.StringIO(r.stdout))}
    # pool 1,000,000: 2026 split 1:1, 2027 split 3:1
    assert rows["18"]["total_2026"] == "1315000" and rows["18"]["total_2027"] == "1565000"
    assert rows["20"]["total_2027"] == "1065000"
    assert sum(int(x["total_sek"]) for x in rows.values()) == 2 * 2_630_000


def test_plan_basis_missing_for_a_year_is_refused(cli, tmp_path):
    (tmp_path / "a.csv").write_text(HEADER + "18;100\n", encoding="utf-8")
    r = cli("grant", "plan", "--basis", "2026=a.csv", "--years", "2026-2027", "--total", "2000000", cwd=tmp_path)
    assert r.returncode == 1 and "Fel: --basis saknar värde för år 2027" in r.stderr


def test_plan_data_year_per_grant_year_from_bundle(cli, real_bundle, tmp_path):
    r = cli("grant", "plan", "--bundle", str(real_bundle.path), "--data-year", "2026=2022,2027=2023",
            "--years", "2026-2027", "--total", "60000000", "--format", "csv")
    assert r.returncode == 0, r.stderr
    df = pd.read_csv(io.StringIO(r.stdout), dtype={"region_code": str})
    assert (df["total_2026"] != df["total_2027"]).any()  # 2022 and 2023 types differ
    assert df["total_2026"].sum() == df["total_2027"].sum() == 60_000_000
