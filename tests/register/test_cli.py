"""``fcatlas register …`` end to end as a user runs it (in-process, :mod:`cli_runner`): messages, exit codes,
report files."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

import pytest

from cli_runner import fcatlas as run_fcatlas
from fcatlas.register.store import Register

from .helpers import HEADER, dalarna_lines, write


def read_report(path: Path) -> list[dict[str, str]]:
    assert path.read_bytes().startswith(b"\xef\xbb\xbfFil;Rad;Kolumn;Typ;Orsak;")  # Swedish Excel opens it (8.11)
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh, delimiter=";"))


def fcatlas(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    e: dict[str, str | None] = {"FCATLAS_HOME": str(cwd / "home"), "FCATLAS_POSTNUMMER": None, **(env or {})}
    proc = run_fcatlas(*args, cwd=cwd, env=e)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def test_import_list_export_diff(tmp_path: Path, dalarna: Path) -> None:
    db = "register.sqlite"
    p = fcatlas("register", "import", str(dalarna), "--db", db, "--rapport", "dalarna.fel.csv", "--user", "anna",
                cwd=tmp_path)
    assert p.returncode == 0, p.stderr
    assert "15 rader lästa (omgång 2026): 15 godkända, 0 avvisade. Sparat: 15 nya" in p.stdout
    report = read_report(tmp_path / "dalarna.fel.csv")
    assert [(r["Rad"], r["Typ"]) for r in report] == [("16", "varning")]
    assert report[0]["Namn"] == "Familjecentral Malung-Sälen 2"

    again = fcatlas("register", "import", str(dalarna), "--db", db, "--rapport", "x.csv", cwd=tmp_path)
    assert again.returncode == 0 and "0 nya, 0 ändrade, 15 oförändrade" in again.stdout

    listed = fcatlas("register", "list", "--db", db, "--lan", "20", "--category", "annan_samverkan", "--format",
                     "json", cwd=tmp_path)
    records = json.loads(listed.stdout)
    assert sorted(r["kommun_name"] for r in records) == ["Orsa", "Älvdalen"]
    assert {"id", "name", "kommun_code", "lan_code", "category", "status", "lat", "lon", "precision"} <= set(records[0])
    assert records[0]["co_located"] is False

    table = fcatlas("register", "list", "--db", db, "--status", "planerad", cwd=tmp_path)
    assert "Familjecentral Smedjebacken" in table.stdout and "Planerad" in table.stdout and "1 rad\n" in table.stdout

    as_csv = fcatlas("register", "list", "--db", db, "--format", "csv", cwd=tmp_path)
    assert as_csv.stdout.splitlines()[0].startswith("id,name,kommun_code,kommun_name,lan_code")
    assert len(as_csv.stdout.splitlines()) == 16

    for fmt, out in (("xlsx", "reg.xlsx"), ("geojson", "reg.geojson"), ("csv", "reg.csv")):
        e = fcatlas("register", "export", "--format", fmt, "--out", out, "--db", db, cwd=tmp_path)
        assert e.returncode == 0 and f"15 enheter skrivna till {out}" in e.stderr
        assert (tmp_path / out).stat().st_size > 1000
    gj = fcatlas("register", "export", "--format", "geojson", "--db", db, "--lan", "20", cwd=tmp_path)
    assert len(json.loads(gj.stdout)["features"]) == 15
    no_out = fcatlas("register", "export", "--format", "xlsx", "--db", db, cwd=tmp_path)
    assert no_out.returncode == 1 and "ange --out" in no_out.stderr

    d = fcatlas("register", "diff", "2026", "2026", "--db", db, cwd=tmp_path)
    assert d.returncode == 0 and "Inga skillnader." in d.stdout
    bad = fcatlas("register", "diff", "2023", "2026", "--db", db, cwd=tmp_path)
    assert bad.returncode == 1 and "omgången 2023 finns inte" in bad.stderr
    wrong = fcatlas("register", "list", "--db", db, "--category", "vårdcentral", cwd=tmp_path)
    assert wrong.returncode == 1 and "'vårdcentral' är ingen kategori" in wrong.stderr


def test_issue8_list_accepts_values_as_the_import_does(tmp_path: Path, dalarna: Path) -> None:
    db = "register.sqlite"
    assert fcatlas("register", "import", str(dalarna), "--db", db, "--rapport", "f.csv", cwd=tmp_path).returncode == 0
    for args in (("--status", "i drift", "--lan", "Dalarna"), ("--status", "i_drift", "--lan", "20"),
                 ("--status", "I drift", "--lan", "W"), ("--status", "i drift", "--lan", "Region Dalarna")):
        r = fcatlas("register", "list", "--db", db, *args, "--format", "csv", cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        assert len(r.stdout.splitlines()) == 1 + 11, args  # 9 centres + 2 annan samverkan
    r = fcatlas("register", "list", "--db", db, "--lan", "Örebro", cwd=tmp_path)
    assert r.returncode == 0 and "0 rader" in r.stdout
    r = fcatlas("register", "list", "--db", db, "--lan", "Atlantis", cwd=tmp_path)
    assert r.returncode == 1 and "'Atlantis' är inget län" in r.stderr


def test_issue8_import_summary_lists_closed_units_and_commands(tmp_path: Path, dalarna: Path) -> None:
    db = "register.sqlite"
    fcatlas("register", "import", str(dalarna), "--db", db, "--rapport", "f.csv", cwd=tmp_path)
    lines = dalarna.read_text(encoding="utf-8-sig").splitlines()
    (tmp_path / "dalarna_2027.csv").write_text("\n".join(ln for ln in lines if "Smedjebacken" not in ln) + "\n",
                                                encoding="utf-8")
    r = fcatlas("register", "import", "dalarna_2027.csv", "--db", db, "--rapport", "f.csv", cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1 stängda" in r.stdout and "2061-familjecentral-smedjebacken" in r.stdout
    assert 'saknas i inventering 2027' in r.stdout
    listed = fcatlas("register", "list", "--db", db, "--status", "nedlagd", cwd=tmp_path)
    assert "saknas i inventering 2027" in listed.stdout and "Orsak" in listed.stdout
    c = fcatlas("register", "close", "2080-familjecentral-elsborg", "--orsak", "flyttade", "--db", db, cwd=tmp_path)
    assert c.returncode == 0 and "nu nedlagd: flyttade" in c.stdout
    n = fcatlas("register", "rename", "2080-familjecentral-britsarvet", "Familjecentralen Britsarvet", "--db", db,
                cwd=tmp_path)
    assert n.returncode == 0 and "heter nu 'Familjecentralen Britsarvet'" in n.stdout
    m = fcatlas("register", "merge", "2023-familjecentral-malung-salen-1", "2023-familjecentral-malung-salen-2",
                "--db", db, cwd=tmp_path)
    assert m.returncode == 0 and "sammanslagen med 2023-familjecentral-malung-salen-1" in m.stdout
    missing = fcatlas("register", "close", "finns-inte", "--orsak", "x", "--db", db, cwd=tmp_path)
    assert missing.returncode == 1 and "finns inte i registret" in missing.stderr


def test_rejected_rows_exit_1_and_report_beside_input(tmp_path: Path, shared_data: Path) -> None:
    lines = dalarna_lines(shared_data)
    lines[4] = lines[4].replace(";2062;", ";9999;")
    lines[5] = lines[5].replace("60.7377126", "59.3293").replace("14.9998039", "18.0686")
    f = write(tmp_path / "lista_2025.csv", lines)
    p = fcatlas("register", "import", str(f), "--db", "r.sqlite", cwd=tmp_path)
    assert p.returncode == 1
    assert "2 rader avvisades och sparades INTE." in p.stderr
    assert "De 13 godkända raderna sparades." in p.stderr
    assert "Felrapport: " in p.stdout and "lista_2025.fel.csv" in p.stdout
    rows = read_report(tmp_path / "lista_2025.fel.csv")
    errors = [r for r in rows if r["Typ"] == "fel"]
    assert [(r["Rad"], r["Kolumn"]) for r in errors] == [("5", "Kommunkod"), ("6", "Latitud/Longitud")]
    assert errors[0]["Kommunkod"] == "9999" and errors[0]["Fil"] == "lista_2025.csv"  # a name, not a path
    assert "ligger i Stockholm kommun" in errors[1]["Orsak"]
    with Register.open("sqlite:///" + str(tmp_path / "r.sqlite")) as reg:
        assert len(reg.list_units(round=2025)) == 13


def test_file_level_error_stores_nothing(tmp_path: Path) -> None:
    f = write(tmp_path / "trasig.csv", ["Namn;Kommunkod;Typ", 'A;2080;"familjecentral'])
    p = fcatlas("register", "import", str(f), "--db", "r.sqlite", "--round", "2025", cwd=tmp_path)
    assert p.returncode == 1
    assert p.stderr.startswith("Fel: ") and "trasig.csv, rad 2: trasig CSV" in p.stderr
    with Register.open("sqlite:///" + str(tmp_path / "r.sqlite")) as reg:
        assert reg.counts()["register_units"] == 0
    missing = fcatlas("register", "import", "saknas.csv", "--db", "r.sqlite", cwd=tmp_path)
    assert missing.returncode == 1 and "saknas.csv: filen finns inte" in missing.stderr


def test_postcode_file_from_environment(tmp_path: Path, shared_data: Path) -> None:
    f = write(tmp_path / "lista_2026.csv", ["Namn;Kommunkod;Typ;Postnummer", "A;2080;familjecentral;791 71",
                                            "B;2080;familjecentral;"])
    env = {"FCATLAS_POSTNUMMER": str(shared_data / "postnummer" / "SE.txt")}
    p = fcatlas("register", "import", str(f), "--db", "r.sqlite", cwd=tmp_path, env=env)
    assert p.returncode == 0, p.stderr
    with Register.open("sqlite:///" + str(tmp_path / "r.sqlite")) as reg:
        assert reg.list_units().set_index("name")["precision"].to_dict() == {"A": "ort", "B": "kommun"}
    without = fcatlas("register", "import", str(f), "--db", "r2.sqlite", cwd=tmp_path)
    assert "ingen postnummerfil" in without.stderr and "2 enheter" in without.stderr


def test_default_database_comes_from_environment(tmp_path: Path, dalarna: Path) -> None:
    env = {"FCATLAS_DB": str(tmp_path / "from_env.sqlite")}
    p = fcatlas("register", "import", str(dalarna), "--rapport", "r.csv", cwd=tmp_path, env=env)
    assert p.returncode == 0
    assert (tmp_path / "from_env.sqlite").exists()
    listed = fcatlas("register", "list", "--format", "csv", cwd=tmp_path, env=env)
    assert len(listed.stdout.splitlines()) == 16


@pytest.mark.parametrize(
    "content",
    [b"\xff\xfe\x00", b"\x00\x01\x02" * 50, b"PK\x03\x04" + b"\x00" * 100, b"Namn;Kommunkod;Typ\n" +
     b"=cmd|' /C calc'!A0;2080;familjecentral\n" + b"x" * 5_000_000 + b";2080;fc\n",
     ("\ufeff" + HEADER + "\n" + ";" * 40 + "\n").encode()],
    ids=["utf16-stub", "binary", "zip-garbage", "formula-and-huge-cell", "only-separators"],
)
def test_hostile_files_give_swedish_messages(tmp_path: Path, content: bytes) -> None:
    f = tmp_path / "fientlig.csv"
    f.write_bytes(content)
    p = fcatlas("register", "import", str(f), "--db", "r.sqlite", "--round", "2025", "--rapport", "fel.csv",
                cwd=tmp_path)
    assert p.returncode in (0, 1)
    assert "Fel: " in p.stderr or "avvisades" in p.stderr
