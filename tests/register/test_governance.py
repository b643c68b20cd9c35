"""Issue 13: optional governance columns are imported, stored, exported and re-imported."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from fcatlas.domain import GOVERNANCE_FIELDS
from fcatlas.register.intake import governance_value, parse_submission
from fcatlas.register.store import Register


def _csv(path: Path, cells: list[str]) -> Path:
    head = ("Namn;Kommunkod;Typ;Status;Latitud;Longitud;Styrgrupp;Samordnare;Skriftligt samverkansavtal;"
            "Gemensam verksamhetsplan;Gemensam uppföljning;Gemensamma möten för alla aktörer")
    path.write_text(head + "\n" + "Familjecentral Britsarvet;2080;familjecentral;i drift;60.6209423;15.6227411;" + ";".join(cells) + "\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("text, want", [("Ja", True), ("JA", True), ("x", True), ("nej", False), ("NEJ", False),
                                        ("-", None), ("", None), ("okänt", None), ("vet ej", None)])
def test_governance_values(text, want):
    assert governance_value(text) is want


def test_bad_governance_value_rejects_the_row_naming_the_column(tmp_path):
    sub = parse_submission(_csv(tmp_path / "a.csv", ["kanske", "ja", "ja", "ja", "ja", "ja"]))
    assert sub.units == [] and sub.problems[0].column == "Styrgrupp" and "kanske" in sub.problems[0].reason


def test_stored_exported_and_reimported(tmp_path):
    from fcatlas.outputs.register_export import units_to_csv

    f = _csv(tmp_path / "a_2026.csv", ["Ja", "x", "nej", "-", "", "JA"])
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with Register.open(db) as reg:
        assert reg.import_file(f, user="t").n_accepted == 1
        u = reg.list_units()
        got = [None if pd.isna(v) else bool(v) for v in u.loc[0, list(GOVERNANCE_FIELDS)]]
        assert got == [True, True, False, None, None, True]
        out = tmp_path / "export_2026.csv"
        units_to_csv(u, out)
        assert all(c in out.read_text(encoding="utf-8").splitlines()[0] for c in GOVERNANCE_FIELDS)
        again = reg.import_file(out, user="t")
        assert (again.n_changed, again.n_unchanged) == (0, 1)
