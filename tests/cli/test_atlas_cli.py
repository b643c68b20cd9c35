"""``fcatlas atlas`` / ``fcatlas similar`` end to end, with the golden test on Dalarna.

The golden test builds the bundle from ../shared/data, imports dalarna_2026.csv into the
register (SQLite and PostgreSQL) through the real CLI, runs the atlas for län 20, and checks
summary.json against an independent plain-Python computation (raw GeoPackage + csv module +
shapely point-in-polygon + math.hypot, see fcatlas.analysis.reference).
"""

from __future__ import annotations

import csv
import json
import math
from pathlib import Path

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest

from fcatlas.analysis import reference as ref
from fcatlas.analysis.atlas import AREAS_CSV_COLUMNS
from fcatlas.domain import classify

DALARNA_WITHOUT_CENTRE = ["2021", "2023", "2034", "2039", "2061", "2082", "2083"]
STATUS = {"i drift": "i_drift", "planerad": "planerad", "avsiktsförklaring": "avsiktsforklaring"}
SERVICES = [("MVC", "MVC"), ("BVC", "BVC"), ("ÖF", "Öppen förskola"), ("SOC", "Socialtjänst")]


def read_areas_csv(path: Path) -> pd.DataFrame:
    """:func:`fcatlas.outputs.atlas.read_areas_csv`, imported when first used: the outputs module
    loads matplotlib, which collecting the tests need not."""
    from fcatlas.outputs.atlas import read_areas_csv as read

    return read(path)


def _reference_units(path: Path) -> list[dict]:
    out = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for i, r in enumerate(csv.DictReader(f, delimiter=";"), start=1):
            services = [s for s, col in SERVICES if r[col].strip().lower() == "ja"]
            out.append({
                "id": str(i), "name": r["Namn"], "kommun_code": r["Kommunkod"],
                "category": classify(services, r["Samlokaliserad"].strip().lower() == "ja").value,
                "status": STATUS[r["Status"].strip()], "lat": float(r["Latitud"]), "lon": float(r["Longitud"]),
            })
    return out


def _reference_dalarna(shared: Path, bundle) -> dict:
    g = gpd.read_file(shared / "deso" / "deso_dalarna.gpkg")
    deso_polys = dict(zip(g["deso"], g.geometry, strict=True))
    d2r = {}
    with (shared / "regso" / "koppling-deso2018-regso2020.csv").open(encoding="utf-8-sig", newline="") as f:
        for r in csv.DictReader(f):
            d2r[r["DeSO_2018"]] = r["RegSOkod_2020"]
    d2r_dalarna = {d: r for d, r in d2r.items() if d[:2] == "20"}
    regso_polys = ref.regso_polygons(deso_polys, d2r_dalarna)
    units = ref.link(_reference_units(shared / "familjecentraler" / "dalarna_2026.csv"), regso_polys)
    areas = []
    for r in bundle.areas("regso", lan="20").to_dict("records"):
        areas.append({"regso_code": r["regso_code"], "kommun_code": r["kommun_code"],
                      "omradestyp": int(r["omradestyp"]), "children_0_6": int(r["children_0_6"])})
    cats = ["familjecentral", "familjecentralsliknande"]
    cov = ref.area_coverage(areas, regso_polys, units, d2r_dalarna, cats, {"C": 2.0, "B": 5.0, "A": 10.0})
    kommuner = sorted({a["kommun_code"] for a in areas})
    return {
        "kommuner_without_centre": ref.kommuner_without_centre(kommuner, units, cats),
        "coverage": cov,
        "units": units,
        **ref.exclusion_summary(areas, cov, [1, 2]),
    }


@pytest.fixture(scope="module")
def bundle_dir(real_bundle):
    """The bundle built from ../shared/data (session fixture of conftest)."""
    return real_bundle.path


def _import(cli, shared_data: Path, db: str, tmp_path: Path) -> None:
    r = cli("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", db,
            "--rapport", str(tmp_path / "fel.csv"))
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.mark.slow
def test_golden_dalarna(cli, shared_data, bundle_dir, db_url, tmp_path):
    from fcatlas.geography.bundle import Bundle

    _import(cli, shared_data, db_url, tmp_path)
    out = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(bundle_dir), "--db", db_url, "--lan", "20", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    assert "Vansbro (2021)" in r.stdout
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    expected = _reference_dalarna(shared_data, Bundle.open(bundle_dir))

    # question 2: kommuner without an operating centre — exactly what the register implies
    assert s["kommuner_without_centre"] == DALARNA_WITHOUT_CENTRE == expected["kommuner_without_centre"]
    assert s["lan_all_kommuner_with_centre"] == [] and s["lan_without_centre"] == []
    # question 1
    assert s["units_by_category"]["familjecentral"] == {
        "i_drift": 9, "planerad": 1, "avsiktsforklaring": 3, "nedlagd": 0, "total": 13}
    assert s["units_by_category"]["annan_samverkan"]["i_drift"] == 2
    # questions 3 and 4: exclusion areas, their coverage and children
    assert sorted(e["regso_code"] for e in s["exclusion_areas"]) == expected["exclusion_areas"]
    assert s["exclusion_areas_without_centre"] == expected["exclusion_areas_without_centre"]
    assert s["children_0_6_in_exclusion_areas"] == expected["children_0_6_in_exclusion_areas"]
    assert s["children_0_6_in_exclusion_areas_covered"] == expected["children_0_6_in_exclusion_areas_covered"]
    assert s["exclusion_areas_coverage_unknown"] == [] and s["areas_without_geometry"] == 0
    kommuner_with_exclusion = {e["kommun_code"] for e in s["exclusion_areas"]}
    assert {"2080", "2081", "2084", "2085"} <= kommuner_with_exclusion
    for e in s["exclusion_areas"]:
        c = expected["coverage"][e["regso_code"]]
        assert e["covered"] is c["covered"]
        assert math.isclose(e["nearest_centre_km"], c["nearest_km"], abs_tol=0.002)
    # every unit sits in the RegSO the reference finds (ids differ: compare by name)
    units = pd.read_excel(out / "atlas.xlsx", sheet_name="Enheter", dtype=str)
    by_name = dict(zip(units["Namn"], units["RegSO-kod"], strict=True))
    assert by_name == {u["name"]: u["regso_code"] for u in expected["units"]}

    areas = read_areas_csv(out / "areas.csv")
    assert list(areas.columns) == AREAS_CSV_COLUMNS
    assert len(areas) == 119 and areas["covered"].notna().all()
    assert areas["children_0_6_estimated"].all()
    assert s["parameters"]["exclusion"]["spec"] == "omradestyp:1,2" and s["parameters"]["year"] == 2023
    assert {f"maps/lan_20.{x}" for x in ("png", "svg", "pdf")} <= set(s["files"])
    wb = openpyxl.load_workbook(out / "atlas.xlsx")
    assert wb["Områden"].max_row == 120


@pytest.mark.slow
def test_national_run_reports_missing_geometry_as_unknown(cli, shared_data, bundle_dir, tmp_path):
    db = str(tmp_path / "register.sqlite")
    _import(cli, shared_data, db, tmp_path)
    out = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(bundle_dir), "--db", db, "--maps", "national", "--year", "2022",
            "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["areas_total"] == 3363 and s["areas_without_geometry"] == 3363 - 119
    # only Dalarna has reported: the other 20 regions' kommuner are "no report", not "without" (8.4)
    assert s["kommuner_without_centre"] == DALARNA_WITHOUT_CENTRE
    assert len(s["kommuner_no_report"]) == 290 - 15 and len(s["lan_no_report"]) == 20
    assert s["exclusion_areas_coverage_unknown"]  # outside Dalarna: unknown, not "without centre"
    assert all(c.startswith("20") for c in s["exclusion_areas_without_centre"])
    assert s["children_0_6_in_exclusion_areas_coverage_unknown"] > 0
    # the console: a summary and where the lists are, not 270 names (8.13)
    assert "Älvdalen" in r.stdout and "Ljusdal" not in r.stdout and "20 län (275 kommuner)" in r.stdout
    areas = read_areas_csv(out / "areas.csv")
    outside = areas.loc[areas["lan_code"] != "20"]
    assert (outside["coverage_level"] == "ingen_rapport").all()
    assert outside["covered"].isna().all() and outside["nearest_centre_km"].isna().all()
    assert outside["n_familjecentral"].isna().all()
    assert areas.loc[areas["lan_code"] == "20", "covered"].notna().all()
    assert s["parameters"]["year"] == 2022
    assert (out / "maps" / "sverige.png").is_file()


def test_demo_bundle_atlas_is_labelled_synthetic(cli, demo_bundle, tmp_path):
    out = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "tom.sqlite"), "--out", str(out),
            "--maps", "none", "--exclusion", "omradestyp:1", "--reach", "3")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "finns inte" in r.stderr  # empty register: a warning, not a crash
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert s["bundle"]["synthetic"] is True and s["units_total"] == 0
    assert s["parameters"]["reach_km_by_urbanity"] == {"C": 3.0, "B": 3.0, "A": 3.0}
    assert s["parameters"]["exclusion"]["omradestyper"] == [1]
    wb = openpyxl.load_workbook(out / "atlas.xlsx")
    defs = {r[0].value: r[1].value for r in wb["Definitioner och källor"].iter_rows(min_row=2)}
    assert defs["Syntetiska exempeldata"].startswith("Ja")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--year", "1999"], "tillgängliga år: 2022, 2023"),
        (["--exclusion", "omradestyp:7"], "områdestyper ska vara heltal 1–5"),
        (["--lan", "99"], "99"),
        (["--reach", "X=3"], "okänd tätortsklass"),
        (["--categories", "bibliotek"], "okänd kategori"),
    ],
)
def test_atlas_errors_are_swedish(cli, demo_bundle, tmp_path, args, message):
    r = cli("atlas", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "x.sqlite"), "--out",
            str(tmp_path / "o"), "--maps", "none", *args)
    assert r.returncode == 1
    assert "Fel:" in r.stderr and message in r.stderr
    assert "Traceback" not in r.stderr


def test_similar_cli(cli, demo_bundle, tmp_path):
    code = demo_bundle.areas()["regso_code"].iloc[3]
    r = cli("similar", code, "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "x.sqlite"), "-k", "4",
            "--format", "json", "--weights", "children_0_6=2")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert len(rows) == 4 and code not in {x["regso_code"] for x in rows}
    assert [x["rank"] for x in rows] == [1, 2, 3, 4]
    d = [x["distance"] for x in rows]
    assert d == sorted(d)
    for x in rows:
        assert math.isclose(math.sqrt(sum(x[f"d_{f}"] ** 2 for f in
                                          ("children_0_6", "omradestyp", "exclusion", "centre", "urbanity"))),
                            x["distance"], abs_tol=1e-3)
    t = cli("similar", code, "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "x.sqlite"), "-k", "3")
    assert t.returncode == 0 and "Störst skillnad" in t.stdout
    bad = cli("similar", "9999R999", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "x.sqlite"))
    assert bad.returncode == 1 and "finns inte" in bad.stderr
    bad = cli("similar", code, "--bundle", str(demo_bundle.path), "--weights", "foo=1")
    assert bad.returncode == 1 and "okänd egenskap" in bad.stderr


@pytest.mark.slow
def test_issue8_region_without_boundaries_gets_kommun_level_answers(cli, shared_data, bundle_dir, tmp_path):
    """Region Örebro län's own list (no boundaries in the bundle): every exclusion area was
    'okänd', Luckor empty without a word, 'varav inom räckhåll 0'."""
    f = tmp_path / "orebro_2026.csv"
    f.write_text("Namn;Kommun;Typ;Postnummer\n"
                 "Familjecentralen Vivalla;Örebro;Familjecentral;70344\n"
                 "Familjecentralen Karlskoga;Karlskoga;Familjecentral;\n", encoding="utf-8")
    db = str(tmp_path / "register.sqlite")
    r = cli("register", "import", str(f), "--db", db, "--rapport", str(tmp_path / "fel.csv"))
    assert r.returncode == 0, r.stdout + r.stderr
    out = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(bundle_dir), "--db", db, "--lan", "Örebro", "--maps", "none", "--out", str(out))
    assert r.returncode == 0, r.stdout + r.stderr
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    areas = read_areas_csv(out / "areas.csv")
    exc = areas.loc[areas["exclusion"]]
    in_centre_kommun = exc["kommun_code"].isin(["1880", "1883"])
    assert (exc.loc[in_centre_kommun, "coverage_level"] == "okand").all()
    assert (exc.loc[~in_centre_kommun, "coverage_level"] == "kommun").all() and (~in_centre_kommun).any()
    assert sorted(s["exclusion_areas_without_centre"]) == sorted(exc.loc[~in_centre_kommun, "regso_code"])
    assert "1880" not in s["kommuner_without_centre"] and "1881" in s["kommuner_without_centre"]
    assert "på kommunnivå" in r.stdout and "Svaren bygger på" in r.stdout
    wb = openpyxl.load_workbook(out / "atlas.xlsx")
    gaps = list(wb["Luckor"].iter_rows(min_row=1, values_only=True))
    assert gaps[0][-1] == "Svaret bygger på" and len(gaps) - 1 == len(s["exclusion_areas_without_centre"])
    assert all(str(row[-1]).startswith("kommunen") for row in gaps[1:])


def test_issue8_empty_gaps_sheet_explains_itself(cli, demo_bundle, tmp_path):
    out = tmp_path / "atlas"
    r = cli("atlas", "--bundle", str(demo_bundle.path), "--db", str(tmp_path / "tom.sqlite"), "--out", str(out),
            "--maps", "none")
    assert r.returncode == 0, r.stdout + r.stderr
    wb = openpyxl.load_workbook(out / "atlas.xlsx")
    note = wb["Luckor"]["A2"].value
    assert note.startswith("Inga luckor att visa.") and "regionen inte har rapporterat" in note
    assert wb["Enheter"]["A2"].value.startswith("Inga enheter i registret")
    rows = list(wb["Kommuner"].iter_rows(values_only=True))
    col = rows[0].index("Har familjecentral i drift")
    assert {r[col] for r in rows[1:]} == {"okänt"}  # no report: unknown, not "Nej" (8.4)
