"""services.atlas.run_atlas is the one atlas computation behind `fcatlas atlas` and `fcatlas rapport`."""

from __future__ import annotations

import json
import subprocess

import pytest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The ``fcatlas`` command as a user runs it (in-process, :mod:`cli_runner`)."""
    from cli_runner import fcatlas

    return fcatlas(*args)


def test_run_atlas_equals_the_atlas_command(demo_bundle, tmp_path):
    from fcatlas.geography.demo import write_demo_register
    from fcatlas.register.store import Register
    from fcatlas.services.atlas import run_atlas

    src = write_demo_register(demo_bundle, tmp_path / "enheter.csv")
    db = tmp_path / "r.sqlite"
    with Register.open(f"sqlite:///{db}") as reg:
        reg.import_file(src, round=2026, user="t")
    r = run_cli("atlas", "--bundle", str(demo_bundle.path), "--db", str(db), "--lan", "20", "--out",
                str(tmp_path / "atlas"), "--maps", "none")
    assert r.returncode == 0, r.stderr
    cli = json.loads((tmp_path / "atlas" / "summary.json").read_text(encoding="utf-8"))
    run = run_atlas(demo_bundle, db_url=str(db), lan="20")
    mine = json.loads(json.dumps(run.result.summary, default=str))
    for k in ("bundle", "created", "files"):
        cli.pop(k)
    assert mine == cli


def test_missing_register_file_is_a_warning_not_a_file(demo_bundle, tmp_path):
    from fcatlas.services.atlas import run_atlas

    seen: list[str] = []
    run = run_atlas(demo_bundle, db_url=str(tmp_path / "saknas.sqlite"), on_warning=seen.append)
    assert len(run.units) == 0 and run.result.summary["units_total"] == 0
    assert seen and "finns inte" in seen[0]
    assert not (tmp_path / "saknas.sqlite").exists()


def test_similar_with_centre_agrees_with_similar_areas(demo_bundle, tmp_path):
    from fcatlas.analysis.coverage import is_true
    from fcatlas.analysis.gaps import gaps
    from fcatlas.analysis.report import similar_with_centre
    from fcatlas.analysis.similar import similar_areas
    from fcatlas.geography.demo import write_demo_register
    from fcatlas.register.store import Register
    from fcatlas.services.atlas import run_atlas

    src = write_demo_register(demo_bundle, tmp_path / "enheter.csv")
    db = f"sqlite:///{tmp_path / 'r.sqlite'}"
    with Register.open(db) as reg:
        reg.import_file(src, round=2026, user="t")
    res = run_atlas(demo_bundle, db_url=db).result
    g = gaps(res.areas_all)
    assert len(g) > 0
    fast = similar_with_centre(res, g)
    a = res.areas_all
    covered = set(a.loc[is_true(a["covered"]), "regso_code"])
    for code, kommun in zip(g["regso_code"], g["kommun_code"], strict=True):
        ref = similar_areas(a, code, k=len(a))
        ref = ref.loc[ref["regso_code"].isin(covered) & (ref["kommun_code"] != kommun)].head(3)
        assert fast[code]["regso_code"].tolist() == ref["regso_code"].tolist()
        assert fast[code]["distance"].tolist() == pytest.approx(ref["distance"].tolist())
