"""Region Dalarna's published figures on listed children, reproduced through the CLI from a file
constructed to match them (see dalarna.py)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import dalarna


def test_trend_states_dalarnas_published_figures(tmp_path: Path, cli) -> None:
    f = dalarna.write_csv(tmp_path / "listade.csv")
    db = tmp_path / "r.sqlite"
    r = cli("listade", "import", f, "--db", db)
    assert r.returncode == 0, r.stderr
    assert "2020: 28 vårdcentraler, 22 054 listade barn" in r.stdout
    assert "2025: 29 vårdcentraler, 18 266 listade barn" in r.stdout

    r = cli("listade", "trend", "--db", db, "--fran", "2020", "--till", "2025", "--topp", "3")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Totalt: 22 054 listade barn 2020 → 18 266 2025, förändring −3 788" in out
    top = out[out.index("Största minskningar"):out.index("Ökningar")].splitlines()[1:]
    assert [ln.strip() for ln in top] == [
        "Vårdcentral Jakobsgårdarna (−707)",
        "Vårdcentral Kvarnporten (−412, 2025 jämfört med 2021)",
        "Vårdcentral Ludvika-Grängesberg (−388)",
    ]
    assert "Ökningar (vårdcentral): Vårdcentral Avestahälsa (+14)" in out

    r = cli("listade", "trend", "--db", db, "--fran", "2020", "--till", "2025", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == ["niva_kod", "namn", "kommun_code", "fran_ar", "till_ar", "fran", "till", "forandring",
                             "forandring_procent", "anmarkning"]
    assert len(rows) == 29
    kvarn = next(x for x in rows if x["namn"] == "Vårdcentral Kvarnporten")
    assert (kvarn["fran_ar"], kvarn["forandring"], kvarn["anmarkning"]) == ("2021", "-412", "öppnade 2021; förändring från 2021")
    smallest = [x["namn"] for x in rows if int(x["forandring"]) < 0][-3:]
    assert set(smallest) == {"Vårdcentral Engelbrekt", "Vårdcentral Särna", "Vårdcentral Orsa"}
    assert [x["namn"] for x in rows if int(x["forandring"]) > 0] == ["Vårdcentral Avestahälsa"]


def test_kommun_and_lan_levels(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.sqlite"
    assert cli("listade", "import", dalarna.write_csv(tmp_path / "l.csv"), "--db", db).returncode == 0
    r = cli("listade", "trend", "--db", db, "--fran", "2020", "--till", "2025", "--niva", "kommun", "--format", "json")
    rows = json.loads(r.stdout)
    assert len(rows) == 15 and all(x["forandring"] < 0 for x in rows)
    assert [(x["namn"], x["forandring"]) for x in rows[:3]] == [("Borlänge", -1234), ("Falun", -664), ("Ludvika", -456)]
    least = {x["namn"]: x["forandring"] for x in rows[-3:]}
    assert least == {"Vansbro": -47, "Rättvik": -42, "Orsa": -16}
    r = cli("listade", "trend", "--db", db, "--fran", "2020", "--till", "2025", "--niva", "lan", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["niva_kod"], x["namn"], x["fran"], x["till"], x["forandring"], x["forandring_procent"]) for x in rows] == [
        ("20", "Dalarnas län", "22054", "18266", "-3788", "-17.2")
    ]


def test_charts_and_xlsx(tmp_path: Path, cli) -> None:
    db = tmp_path / "r.sqlite"
    assert cli("listade", "import", dalarna.write_csv(tmp_path / "l.csv"), "--db", db).returncode == 0
    r = cli("listade", "trend", "--db", db, "--fran", "2020", "--till", "2025", "--niva", "kommun", "--format", "xlsx",
            "--out", tmp_path / "t.xlsx", "--linjediagram", tmp_path / "linjer.png", "--stapeldiagram",
            tmp_path / "staplar.svg")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "linjer.png").read_bytes()[:4] == b"\x89PNG"
    svg = (tmp_path / "staplar.svg").read_text(encoding="utf-8")
    assert "Förändring i listade barn" in svg and "1\u202f234" in svg and "Borlänge" in svg
    import openpyxl

    ws = openpyxl.load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert [c.value for c in ws[1]][:3] == ["Kod", "Namn", "Kommunkod"]
    assert ws.max_row == 16
