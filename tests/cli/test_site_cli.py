"""``fcatlas site`` end to end (issue 14): the generic CSV interface, its errors, and the bundle run."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

JSON_KEYS = ["selected", "fixed", "covered_weight", "total_weight", "share", "status", "mip_gap", "seconds",
             "greedy"]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """Five demand points on a line, four candidates (s existing); radius 10 m."""
    d = tmp_path / "D.csv"
    d.write_text("id;weight;x;y\na;5;0;0\nb;3;10;0\nc;4;30;0\nd;6;50;0\ne;2;60;0\n", encoding="utf-8")
    c = tmp_path / "C.csv"
    c.write_text("id,x,y,fixed,kommun\ns,0,0,1,k1\nt,20,0,0,k1\nu,40,0,,k2\nv,55,0,0,k2\n", encoding="utf-8")
    m = tmp_path / "M.csv"
    rows = ["candidate,demand,distance"]
    dxy = {"a": 0, "b": 10, "c": 30, "d": 50, "e": 60}
    cxy = {"s": 0, "t": 20, "u": 40, "v": 55}
    rows += [f"{k},{i},{abs(x - y)}" for k, x in cxy.items() for i, y in dxy.items()]
    m.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return {"D": d, "C": c, "M": m}


def test_generic_json_has_the_contract_keys(cli, files):
    r = cli("site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--radius", "10", "-p", "1",
            "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == JSON_KEYS
    assert out["selected"] == ["u"] and out["fixed"] == ["s"]
    assert (out["covered_weight"], out["total_weight"], out["status"]) == (18, 20, "optimal")
    assert out["share"] == pytest.approx(0.9) and out["mip_gap"] == pytest.approx(0, abs=1e-6)
    assert out["greedy"]["covered_weight"] == 18


def test_generic_cost_matrix_lat_lon_table_and_csv(cli, files, tmp_path):
    r = cli("site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--cost", str(files["M"]),
            "--radius", "10", "-p", "2", "--fixed", "t", "--format", "csv")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "rank,site_id,site_name,gain,n_newly_covered,newly_covered"
    assert len(lines) == 2  # with s and t fixed, v alone covers what is left (d, e)
    assert lines[1].startswith("1,v,v,8,2,")
    # lat/lon in both files: projected locally; one degree of latitude ≈ 111 km
    d = tmp_path / "dl.csv"
    d.write_text("id,weight,lat,lon\nn1,10,60.0,15.0\nn2,7,61.0,15.0\n", encoding="utf-8")
    c = tmp_path / "cl.csv"
    c.write_text("id,lat,lon\nk1,60.01,15.0\nk2,61.0,15.01\n", encoding="utf-8")
    r = cli("site", "--demand", str(d), "--candidates", str(c), "--radius", "2000", "-p", "1")
    assert r.returncode == 0, r.stderr
    assert "bevisat optimal" in r.stdout and "k1" in r.stdout


def test_generic_target_curve_and_evaluation(cli, files):
    base = ["site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--radius", "10"]
    r = cli(*base, "--objective", "antal", "--mal-andel", "0.9", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["selected"] == ["u"] and out["target_share"] == 0.9
    r = cli(*base, "--mal-andel", "1.0", "--uteslut", "v")
    assert r.returncode == 1 and "går inte att nå" in r.stderr and "Traceback" not in r.stderr
    r = cli(*base, "--kurva", "3", "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert [ln.split(",")[1] for ln in r.stdout.splitlines()[1:]] == ["8", "18", "20", "20"]
    r = cli(*base, "--utvardera", "t,u", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert [x["gain_in_order"] for x in json.loads(r.stdout)] == [4, 6, 10]
    r = cli(*base, "-p", "2", "--max-per-kommun", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert sorted(json.loads(r.stdout)["selected"]) in (["t", "u"], ["t", "v"])
    r = cli("site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--objective", "avstand", "-p",
            "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["weighted_distance"] == pytest.approx(
        min(sum(w * min(abs(x - s) for s in (0, c)) for w, x in ((5, 0), (3, 10), (4, 30), (6, 50), (2, 60)))
            for c in (20, 40, 55)))


@pytest.mark.parametrize(
    ("demand", "cands", "args", "message"),
    [
        ("id;weight;x;y\na;1;0;0\na;2;1;1\n", None, [], "D.csv, rad 3, kolumn 'id': id 'a' finns redan på rad 2"),
        ("id,weight,x,y\na,1,0,NaN\n", None, [], "D.csv, rad 2, kolumn 'y': värde saknas"),
        ("id,weight,x,y\na,1,0,0\nb,1,1,norr\n", None, [], "D.csv, rad 3, kolumn 'y': 'norr' är inget tal"),
        ("id,weight,x,y\na,-1,0,0\n", None, [], "D.csv, rad 2, kolumn 'weight': vikten -1 är negativ"),
        ("id,weight,x,y\n", None, [], "D.csv: efterfrågefilen har en rubrikrad men inga rader"),
        ("id,x,y\na,0,0\n", None, [], "saknar kolumnen/kolumnerna weight"),
        (None, "id,x,y\ns,0,0\ns,1,1\n", [], "C.csv, rad 3, kolumn 'id'"),
        (None, None, ["--fixed", "zz"], "'zz' finns inte"),
        (None, None, ["-p", "4"], "bara 3 kandidater kan väljas"),
        (None, None, ["--objective", "antal"], "kräver --mal-andel"),
        (None, None, ["--time-limit", "0"], "--time-limit"),
    ],
)
def test_generic_errors_are_swedish(cli, files, demand, cands, args, message):
    if demand is not None:
        files["D"].write_text(demand, encoding="utf-8")
    if cands is not None:
        files["C"].write_text(cands, encoding="utf-8")
    r = cli("site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--radius", "10", *args)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Fel:" in r.stderr and message in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr


def test_bundle_run_on_the_demo(cli, demo_bundle, tmp_path):
    out = tmp_path / "lok"
    r = cli("site", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "tom.sqlite"), "-p", "2",
            "--vikt", "barn", "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    res = json.loads(r.stdout)
    assert list(res) == JSON_KEYS and res["fixed"] == [] and len(res["selected"]) <= 2
    assert json.loads((out / "lokalisering.json").read_text(encoding="utf-8")) == {**res, "seconds": res["seconds"]}


def test_bundle_run_keeps_an_exclusion_list_file(cli, demo_bundle, tmp_path):
    """``--exclusion lista:FIL`` is read by the CLI, as in atlas, report and grant."""
    codes = sorted(demo_bundle.areas()["regso_code"].astype(str))[:3]
    f = tmp_path / "lista.txt"
    f.write_text("\n".join(codes) + "\n", encoding="utf-8")
    out = tmp_path / "lok"
    r = cli("site", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "tom.sqlite"), "-p", "1",
            "--exclusion", f"lista:{f}", "--out", str(out), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["selected"]
    bad = tmp_path / "fel.txt"
    bad.write_text("Falun\n", encoding="utf-8")
    r = cli("site", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "tom.sqlite"), "-p", "1",
            "--exclusion", f"lista:{bad}", "--out", str(out))
    assert r.returncode == 1 and f"{bad}, rad 1: 'Falun' är ingen RegSO-kod" in r.stderr


@pytest.mark.slow
def test_bundle_run_dalarna(cli, real_bundle, shared_data, tmp_path):
    db = str(tmp_path / "register.sqlite")
    r = cli("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", db,
            "--rapport", str(tmp_path / "fel.csv"))
    assert r.returncode == 0, r.stderr
    out = tmp_path / "lok"
    r = cli("site", "--bundle", str(real_bundle.path), "--db", db, "--lan", "20", "-p", "2", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert "bevisat optimal" in r.stdout and "Borlänge" in r.stdout
    res = json.loads((out / "lokalisering.json").read_text(encoding="utf-8"))
    assert len(res["selected"]) == 2 and len(res["fixed"]) == 9 and res["status"] == "optimal"
    atlas = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(real_bundle.path), "--db", db, "--lan", "20", "--maps", "none",
            "--out", str(atlas))
    s = json.loads((atlas / "summary.json").read_text(encoding="utf-8"))
    assert res["total_weight"] == s["children_0_6_in_exclusion_areas"]
    assert res["covered_weight"] > s["children_0_6_in_exclusion_areas_covered"]
    import csv

    with (out / "lokalisering.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(x["rank"]) for x in rows] == [1, 2]
    assert sum(int(x["children_0_6_gain"]) for x in rows) == (
        res["covered_weight"] - s["children_0_6_in_exclusion_areas_covered"])
    wb = openpyxl.load_workbook(out / "lokalisering.xlsx")
    ws = wb["Förslag"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    assert ws["A1"].value == "Rang" and ws.max_row == 3
    assert {"Förslag", "Områden", "Definitioner och källor"} <= set(wb.sheetnames)
    assert {f"karta.{x}" for x in ("png", "svg", "pdf")} <= {p.name for p in out.iterdir()}
    # health centres as candidates; one Falun site excluded
    r = cli("site", "--bundle", str(real_bundle.path), "--db", db, "--lan", "20", "-p", "2", "--out",
            str(tmp_path / "vc"), "--kandidater", str(shared_data / "vardcentraler" / "Utbudspunkter.xlsx"),
            "--max-per-kommun", "1", "--format", "json")
    assert r.returncode == 0, r.stderr
    vc = json.loads(r.stdout)
    assert vc["status"] == "optimal" and 0 < len(vc["selected"]) <= 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("candidate,demand,distance\nt,b,10\nt,c,tio\n", "M.csv, rad 3, kolumn 'distance': 'tio' är inget tal"),
        ("candidate;demand;distance\nt;b;10\nt;c;-1\n", "M.csv, rad 3, kolumn 'distance': avståndet -1 är negativt"),
        ("candidate,demand,distance\nt,b,10\nt,b,11\n", "M.csv, rad 3: paret 't'–'b' förekommer två gånger"),
        ("candidate,demand,distance\nt,b,10\nq,c,5\n", "nämner kandidaten 'q' (rad 3), som inte finns"),
        ("kandidat,demand\nt,b\n", "saknar kolumnen/kolumnerna distance"),
    ],
)
def test_cost_file_errors_name_the_row(cli, files, text, message):
    files["M"].write_text(text, encoding="utf-8")
    r = cli("site", "--demand", str(files["D"]), "--candidates", str(files["C"]), "--cost", str(files["M"]),
            "--radius", "10")
    assert r.returncode == 1, r.stdout + r.stderr
    assert message in " ".join(r.stderr.split()) and "Traceback" not in r.stderr


def test_cost_file_read_fast_and_carefully_gives_the_same(files, tmp_path):
    from fcatlas.geography.sources.points import _read_costs_rows, read_costs

    fast = read_costs(files["M"])
    slow = _read_costs_rows(files["M"])
    assert fast["candidate"].astype(str).tolist() == slow["candidate"].tolist()
    assert fast["distance"].tolist() == slow["distance"].tolist() and fast["row"].tolist() == slow["row"].tolist()
