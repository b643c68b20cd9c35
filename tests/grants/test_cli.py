"""The `fcatlas grant` commands, run as a user runs them (in-process, :mod:`cli_runner`), against real files and
databases."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cli_runner import fcatlas
from fcatlas.grants.followup import write_template

BASIS = """region_code;region_name;basis_children
01;Region Stockholm;29800
03;Region Uppsala;5500
04;Region Sörmland;5900
05;Region Östergötland;6500
06;Region Jönköpings län;4000
07;Region Kronoberg;3700
08;Region Kalmar län;2500
09;Region Gotland;470
10;Region Blekinge;1550
12;Region Skåne;26000
13;Region Halland;2600
14;Västra Götalandsregionen;22700
17;Region Värmland;3600
18;Region Örebro län;2740
19;Region Västmanland;5200
20;Region Dalarna;3400
21;Region Gävleborg;4650
22;Region Västernorrland;3500
23;Region Jämtland Härjedalen;630
24;Region Västerbotten;1460
25;Region Norrbotten;600
"""


def run(*args: str, cwd: Path, ok: bool = True) -> subprocess.CompletedProcess[str]:
    r = fcatlas(*args, cwd=cwd, env={"COLUMNS": "160", "FCATLAS_HOME": str(cwd / "home")})
    if ok:
        assert r.returncode == 0, r.stderr + r.stdout
    return r


@pytest.fixture
def basis_file(tmp_path: Path) -> Path:
    f = tmp_path / "underlag.csv"
    f.write_bytes(b"\xef\xbb\xbf" + BASIS.replace("\n", "\r\n").encode("utf-8"))
    return f


def test_allocate_contract_reproduces_the_seed(tmp_path: Path, basis_file: Path) -> None:
    r = run("grant", "allocate", "--year", "2026", "--total", "51 365 000", "--basis", str(basis_file),
            "--format", "csv", cwd=tmp_path)
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["region_code", "region_name", "basis_children", "fixed_sek", "variable_sek", "total_sek"]
    orebro = next(x for x in rows if x["region_code"] == "18")
    assert orebro == {"region_code": "18", "region_name": "Region Örebro län", "basis_children": "2740",
                      "fixed_sek": "815000", "variable_sek": "685000", "total_sek": "1500000"}
    assert sum(int(x["total_sek"]) for x in rows) == 51_365_000
    j = run("grant", "allocate", "--year", "2026", "--total", "51365000", "--basis", str(basis_file),
            "--format", "json", cwd=tmp_path)
    data = json.loads(j.stdout)
    assert data[0]["region_code"] == "01" and data[0]["total_sek"] == 8_265_000
    t = run("grant", "allocate", "--year", "2026", "--total", "51365000", "--basis", str(basis_file), cwd=tmp_path)
    assert "Summa: 51 365 000 kr" in t.stdout and "Region Örebro län" in t.stdout


def test_allocate_from_bundle_comma_file_and_xlsx(tmp_path: Path, bundle_dir: Path) -> None:
    r = run("grant", "allocate", "--year", "2026", "--total", "5000000", "--bundle", str(bundle_dir),
            "--exclusion", "omradestyp:1,2@2022", "--data-year", "2023", "--format", "json", cwd=tmp_path)
    data = {d["region_code"]: d for d in json.loads(r.stdout)}
    assert data["18"]["basis_children"] == 700 and data["09"]["total_sek"] == 0
    assert sum(d["total_sek"] for d in data.values()) == 5_000_000
    assert "skattat" in r.stderr
    f = tmp_path / "b.csv"
    f.write_text("region_code,basis_children\n18,1\n20,3\n" + "".join(
        f"{c},0\n" for c in ("01", "03", "04", "05", "06", "07", "08", "09", "10", "12", "13", "14", "17", "19", "21",
                             "22", "23", "24", "25")), encoding="utf-8")
    out = tmp_path / "f.xlsx"
    run("grant", "allocate", "--year", "2027", "--total", "2000000", "--basis", str(f), "--format", "xlsx",
        "--out", str(out), cwd=tmp_path)
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["2027", "Utbetalningar", "Metod och källor"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--total", "1000", "--basis", "B"], "räcker inte till den fasta delen: 21 regioner × 815 000 kr"),
        (["--total", "9000000"], "ange antingen --bundle PAKET"),
        (["--total", "tio", "--basis", "B"], "inget belopp i hela kronor"),
        (["--total", "9000000", "--basis", "saknas.csv"], "saknas.csv: filen finns inte"),
    ],
)
def test_allocate_errors_are_swedish(tmp_path: Path, basis_file: Path, args: list[str], message: str) -> None:
    args = [str(basis_file) if a == "B" else a for a in args]
    r = run("grant", "allocate", "--year", "2026", *args, cwd=tmp_path, ok=False)
    assert r.returncode == 1
    assert message in r.stderr and "Traceback" not in r.stderr


def test_compare_plan_and_annex(tmp_path: Path, bundle_dir: Path, basis_file: Path) -> None:
    r = run("grant", "compare", "--bundle", str(bundle_dir), "--year", "2026", "--total", "10000000",
            "--a", "omradestyp:1,2@2022", "--b", "omradestyp:1,2@2023", "--format", "csv", cwd=tmp_path)
    rows = {x["region_code"]: x for x in csv.DictReader(io.StringIO(r.stdout))}
    assert int(rows["18"]["change_sek"]) < 0 < int(rows["20"]["change_sek"])
    assert sum(int(x["change_sek"]) for x in rows.values()) == 0
    r = run("grant", "compare", "--bundle", str(bundle_dir), "--year", "2026", "--total", "10000000",
            "--a", "omradestyp:1,2", "--b", f"fil:{basis_file}", "--total-b", "51365000", "--format", "json",
            cwd=tmp_path)
    assert {d["region_code"]: d for d in json.loads(r.stdout)}["18"]["total_b_sek"] == 1_500_000
    p = run("grant", "plan", "--basis", str(basis_file), "--total", "51365000", "--instalments", "2",
            "--schedule", "--format", "csv", cwd=tmp_path)
    sched = list(csv.DictReader(io.StringIO(p.stdout)))
    assert len(sched) == 5 * 2 * 21
    assert sum(int(x["amount_sek"]) for x in sched if x["year"] == "2030") == 51_365_000
    assert {x["payout_date"] for x in sched if x["year"] == "2026"} == {"2026-03-31", "2026-09-30"}
    a = run("grant", "annex", "--basis", str(basis_file), "--total", "2026=51365000,2027=52000000",
            "--years", "2026-2027", "--xlsx", "bilaga.xlsx", "--pdf", "bilaga.pdf", cwd=tmp_path)
    assert "Skrev bilaga.pdf" in a.stdout
    assert (tmp_path / "bilaga.pdf").read_bytes()[:5] == b"%PDF-"
    assert openpyxl.load_workbook(tmp_path / "bilaga.xlsx").sheetnames[:2] == ["2026", "2027"]


def test_report_round_trip(tmp_path: Path, db_url: str) -> None:
    db = db_url if db_url.startswith("postgresql") else "uppfoljning.sqlite"
    run("grant", "report", "template", "--out", "mall.xlsx", cwd=tmp_path)
    alloc = tmp_path / "fordelning.csv"
    alloc.write_text("region_code,total_sek\n18,1500000\n20,1665000\n", encoding="utf-8")
    run("grant", "report", "open", "--year", "2026", "--allocation", str(alloc), "--db", db, cwd=tmp_path)
    # a bad file: every problem listed, nothing saved
    bad = tmp_path / "fel.csv"
    bad.write_text("Länskod;År;Mottaget belopp (kr);Nya familjecentraler (kr);Familjecentraler (id i registret)\n"
                   "18;2026;1500000;1600000;\n20;2026;abc;0;finns-inte\n", encoding="utf-8")
    r = run("grant", "report", "import", str(bad), "--db", db, cwd=tmp_path, ok=False)
    assert r.returncode == 1
    assert "rad 2, kolumn 'Mottaget belopp (kr)': använt belopp 1 600 000 kr är större" in r.stderr
    assert "rad 3, kolumn 'Mottaget belopp (kr)'" in r.stderr
    assert "enheten 'finns-inte' finns inte i registret" in r.stderr
    # the template's example row imports (submitted 2027-01-20, on time)
    write_template(tmp_path / "rapport.csv")
    r = run("grant", "report", "import", "rapport.csv", "--db", db, cwd=tmp_path)
    assert "1 inskickade varav 0 försenade" in r.stdout
    run("grant", "report", "approve", "18", "2026", "--db", db, cwd=tmp_path)
    r = run("grant", "report", "return", "18", "2026", "--kommentar", "mer", "--db", db, cwd=tmp_path, ok=False)
    assert "kan inte ändras från godkänd till returnerad" in r.stderr
    lst = json.loads(run("grant", "report", "list", "--format", "json", "--db", db, cwd=tmp_path).stdout)
    assert {x["region_code"]: x["status"] for x in lst} == {"18": "godkand", "20": "ej_paborjad"}
    od = json.loads(run("grant", "report", "overdue", "--today", "2027-02-01", "--format", "json", "--db", db,
                        cwd=tmp_path).stdout)
    assert [(x["region_code"], x["days_late"]) for x in od] == [("20", 1)]
    sm = json.loads(run("grant", "report", "summary", "--format", "json", "--db", db, cwd=tmp_path).stdout)
    assert sm[0]["amount_received_sek"] == 3_165_000 and sm[0]["godkand"] == 1
    show = run("grant", "report", "show", "18", "2026", "--db", db, cwd=tmp_path)
    assert "Godkänd" in show.stdout and "Behovs- och lägesanalys: 150 000 kr" in show.stdout
    run("grant", "report", "export", "--out", "uppfoljning.xlsx", "--today", "2027-02-01", "--db", db, cwd=tmp_path)
    assert openpyxl.load_workbook(tmp_path / "uppfoljning.xlsx").sheetnames[0] == "Rapporter"


def test_issue8_report_list_table_when_regions_have_not_reported(tmp_path: Path) -> None:
    """The README's sequence: 21 reports opened, one imported; the table view ended in a traceback
    ('float' object is not subscriptable) on the regions without a submission date."""
    alloc = tmp_path / "fordelning.csv"
    alloc.write_text("region_code,total_sek\n18,1500000\n20,1665000\n01,8265000\n", encoding="utf-8")
    run("grant", "report", "open", "--year", "2026", "--allocation", str(alloc), "--db", "u.sqlite", cwd=tmp_path)
    write_template(tmp_path / "rapport.csv")
    run("grant", "report", "import", "rapport.csv", "--db", "u.sqlite", cwd=tmp_path)
    r = run("grant", "report", "list", "--db", "u.sqlite", cwd=tmp_path)
    assert "Traceback" not in r.stderr
    lines = {ln.split("│")[1].strip(): ln for ln in r.stdout.splitlines() if ln.count("│") > 3}
    assert "2027-01-20" in lines["18"] and "1 500 000" in lines["18"]  # date without time, grouped kronor
    assert "8 265 000" in lines["01"] and "Ej påbörjad" in lines["01"]
    assert "2 026" not in r.stdout and "2026" in lines["01"]  # a year is not an amount


def test_issue8_report_amount_and_units_checked_against_decision_and_region(tmp_path: Path, shared_data: Path) -> None:
    """A received amount other than the decided one passed silently, and so did units of
    another region."""
    db = "u.sqlite"
    run("register", "import", str(shared_data / "familjecentraler" / "dalarna_2026.csv"), "--db", db,
        "--rapport", "f.csv", cwd=tmp_path)
    alloc = tmp_path / "fordelning.csv"
    alloc.write_text("region_code,total_sek\n18,1500000\n20,1665000\n", encoding="utf-8")
    run("grant", "report", "open", "--year", "2026", "--allocation", str(alloc), "--db", db, cwd=tmp_path)
    header = ("Länskod;År;Mottaget belopp (kr);Nya familjecentraler (kr);Familjecentraler (id i registret);"
              "Ej använt belopp att återbetala (kr)\n")
    other = tmp_path / "orebro.csv"
    other.write_text(header + "18;2026;1500000;100000;2080-familjecentral-elsborg;1400000\n", encoding="utf-8")
    r = run("grant", "report", "import", str(other), "--db", db, cwd=tmp_path, ok=False)
    assert r.returncode == 1
    assert ("enheten '2080-familjecentral-elsborg' hör till Region Dalarna (20), inte till Region Örebro län (18)"
            in r.stderr)
    less = tmp_path / "dalarna.csv"
    less.write_text(header + "20;2026;1600000;100000;2080-familjecentral-elsborg;1500000\n", encoding="utf-8")
    r = run("grant", "report", "import", str(less), "--db", db, cwd=tmp_path)
    assert "kolumn 'Mottaget belopp (kr)': 1 600 000 kr men beslutad fördelning för 20 år 2026 är 1 665 000 kr" in r.stderr
    assert "(−65 000 kr)" in r.stderr
    show = run("grant", "report", "show", "20", "2026", "--db", db, cwd=tmp_path)
    assert "Beslutad fördelning: 1 665 000 kr" in show.stdout and "varning:" in show.stdout
    assert "skiljer sig från beslutad fördelning 1 665 000 kr" in show.stdout


def test_issue8_report_file_errors_all_at_once(tmp_path: Path) -> None:
    """The import showed errors in stages (header first, then rows, then the rules), and named
    a column ('Använt per ändamål (kr)') that is not in the template."""
    bad = tmp_path / "fel.csv"
    bad.write_text("Länskod;År;Mottaget belopp (kr);Nya familjecentraler (kr);Fika (kr);Roll;Årsarbetskrafter\n"
                   "18;2026;1500000;1600000;;;\n"
                   "20;20x6;abc;0;;;\n"
                   "21;2026;500000;100000;;;1,5\n", encoding="utf-8")
    r = run("grant", "report", "import", str(bad), "--db", "u.sqlite", cwd=tmp_path, ok=False)
    assert r.returncode == 1
    err = r.stderr
    assert "kolumn 'Fika (kr)': inget tillåtet ändamål" in err  # the header
    assert "rad 2, kolumn 'Mottaget belopp (kr)': använt belopp 1 600 000 kr är större" in err  # a rule
    assert "rad 3, kolumn 'År'" in err and "rad 3, kolumn 'Mottaget belopp (kr)'" in err  # cells
    assert "rad 4, kolumn 'Roll'" in err  # a rule on a later row
    assert "5 fel i rapportfilen" in err
    from fcatlas.grants.followup import TEMPLATE_COLUMNS

    headers = {h for _, h in TEMPLATE_COLUMNS} | {"Fika (kr)"}
    import re as _re

    named = set(_re.findall(r"kolumn '([^']+)'", err))
    assert named <= headers, named - headers


def test_issue8_plan_table_in_swedish_with_grouped_kronor(tmp_path: Path, basis_file: Path) -> None:
    r = run("grant", "plan", "--basis", str(basis_file), "--years", "2026-2027", "--total", "51365000", cwd=tmp_path)
    head = next(ln for ln in r.stdout.splitlines() if "Region" in ln)
    for h in ("Län", "Region", "2026 (kr)", "2027 (kr)", "Totalt (kr)"):
        assert h in head
    assert "total_2026" not in r.stdout and "region_code" not in r.stdout
    orebro = next(ln for ln in r.stdout.splitlines() if "Region Örebro län" in ln)
    assert "1 500 000" in orebro and "3 000 000" in orebro
    s = run("grant", "plan", "--basis", str(basis_file), "--years", "2026", "--total", "51365000", "--schedule",
            "--instalments", "2", cwd=tmp_path)
    assert "Utbetalas" in s.stdout and "Belopp (kr)" in s.stdout and "2026-03-31" not in s.stdout.split("Utbetalas")[0]
