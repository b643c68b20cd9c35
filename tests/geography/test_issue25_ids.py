"""Issue 25: identifiers that look like numbers stay text in every reader — a cost table whose
demand ids are ``060750479.01`` used to be read as ``60750479.01`` and no longer matched its
demand file; kommun and län codes keep their leading zero."""

import json

import openpyxl
from typer.testing import CliRunner

from fcatlas.cli import app
from fcatlas.economics.intake import read_listed
from fcatlas.geography.sources.points import read_costs, read_points
from fcatlas.grants.basis import read_basis_file


def _siting_files(tmp_path):
    (tmp_path / "demand.csv").write_text("id,x,y,weight\n060750479.01,500000,6700000,5\n"
                                         "060750479.02,500100,6700000,3\n0607,500900,6700000,1\n")
    (tmp_path / "cand.csv").write_text("id,x,y\n0101,500000,6700000\n0202,500100,6700000\n")
    (tmp_path / "cost.csv").write_text("candidate,demand,distance\n0101,060750479.01,100\n0101,060750479.02,200\n"
                                       "0202,060750479.02,50\n0202,0607,120\n")


def test_issue25_cost_table_ids_keep_their_leading_zeros(tmp_path):
    _siting_files(tmp_path)
    costs = read_costs(tmp_path / "cost.csv")
    assert list(costs["demand"].astype(str)) == ["060750479.01", "060750479.02", "060750479.02", "0607"]
    assert list(costs["candidate"].astype(str)) == ["0101", "0101", "0202", "0202"]
    assert list(read_points(tmp_path / "demand.csv", "demand")["id"]) == ["060750479.01", "060750479.02", "0607"]


def test_issue25_a_siting_run_whose_ids_have_leading_zeros_works(tmp_path):
    _siting_files(tmp_path)
    r = CliRunner().invoke(app, ["site", "--demand", str(tmp_path / "demand.csv"), "--candidates",
                                 str(tmp_path / "cand.csv"), "--cost", str(tmp_path / "cost.csv"),
                                 "--radius", "150", "-p", "1", "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    # 0202 reaches 060750479.02 (50 m) and 0607 (120 m): weight 4; 0101 reaches only weight 5
    assert out["selected"] == ["0101"] and out["covered_weight"] == 5 and out["total_weight"] == 9


def test_issue25_listed_children_and_basis_keep_codes_as_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Vårdcentral", "Kommunkod", "År", "Listade barn 0-6"])
    ws.append(["VC Väsby", "0114", 2025, 120])  # a text cell, as a region types a code
    wb.save(tmp_path / "listade.xlsx")
    rows = read_listed(tmp_path / "listade.xlsx")
    assert [(r.kommun_code, r.children) for r in rows] == [("0114", 120)]
    codes = ["01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "18", "19", "20", "21",
             "22", "23", "24", "25"]
    (tmp_path / "basis.csv").write_text("region_code;basis_children\n" + "".join(f"{c};100\n" for c in codes),
                                        encoding="utf-8")
    basis = read_basis_file(tmp_path / "basis.csv")
    assert sorted(basis.table["region_code"])[:3] == ["01", "03", "04"]
