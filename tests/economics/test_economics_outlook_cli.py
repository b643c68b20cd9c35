"""`fcatlas ekonomi prognos` on a small bundle (the grants tests' on-disk bundle: two years)."""

from __future__ import annotations

import csv
import importlib.util
import io
from pathlib import Path

_spec = importlib.util.spec_from_file_location("grants_bundle", Path(__file__).parents[1] / "grants" / "conftest.py")
assert _spec is not None and _spec.loader is not None
_grants = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_grants)


def test_prognos_per_kommun_and_regso(tmp_path: Path, cli) -> None:
    paket = _grants.write_bundle(tmp_path / "paket")
    r = cli("ekonomi", "prognos", "--bundle", paket, "--kommun", "2080", "--format", "csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["ar"], x["barn_0_6"], x["prognos"]) for x in rows[:2]] == [("2022", "1200", "False"), ("2023", "1200", "False")]
    fc = rows[2:]
    assert [x["ar"] for x in fc] == [str(y) for y in range(2024, 2031)]
    assert all(x["prognos"] == "True" and x["skattat"] == "True" and "linjär trend" in x["metod"] for x in fc)
    # no change observed: the central path stays, the range widens by ±2 % of 1 200 a year
    assert [(x["barn_0_6"], x["lag"], x["hog"]) for x in fc][-1] == ("1200", "1032", "1368")
    r = cli("ekonomi", "prognos", "--bundle", paket, "--lan", "18", "--niva", "regso", "--till", "2026", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    r001 = [(x["ar"], x["barn_0_6"]) for x in rows if x["kod"] == "1880R001"]
    assert r001 == [("2022", "400"), ("2023", "410"), ("2024", "420"), ("2025", "430"), ("2026", "440")]
    r = cli("ekonomi", "prognos", "--bundle", paket, "--kommun", "2080")
    assert r.returncode == 0 and "PROGNOS — metod:" in r.stdout and "skattat" in r.stdout
