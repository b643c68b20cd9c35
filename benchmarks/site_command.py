"""Benchmark: ``fcatlas site`` on the operator's files as a process, end to end (issue 24.5).

The instance of ``benchmarks/siting.py`` (6,000 clustered demand points × 2,000 candidates, p = 20
new sites beside 10 existing, reach 2,500 m) is written as two CSV files and the command is run
as a user runs it (``python -m fcatlas.cli site --demand … --candidates … --format json``).
Prints:

* the process's wall time (best and median of ``--runs``) and its CPU time;
* the imports' time, from ``-X importtime`` (the sum of the top-level imports), the heaviest
  top-level imports, and whether any of the geo stack was imported (it should not be);
* the solve time the command reports (reduction + HiGHS + greedy, ``seconds`` in its JSON);
* spopt's MCLP on the same instance (in-process, its imports not counted) and the ratio
  spopt time / the command's median wall time, and whether both found the same objective.

Goals (issue 24.5): under 1.5 s as a process; ≥ 80 × spopt; no geopandas, pyproj or shapely.

    .venv/bin/python benchmarks/site_command.py [--runs 5] [--no-spopt]
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from siting import instance, run_spopt  # noqa: E402  (the sibling benchmark's instance and comparator)

GEO = ("geopandas", "pyproj", "shapely", "matplotlib", "weasyprint", "sqlalchemy", "fastapi")


def write_files(inst: dict, folder: Path) -> tuple[Path, Path]:
    d, c = folder / "barn.csv", folder / "platser.csv"
    rows = [f"d{i},{w:g},{x:.3f},{y:.3f}" for i, (w, (x, y)) in enumerate(zip(inst["weights"], inst["demand"],
                                                                            strict=True))]
    d.write_text("id,weight,x,y\n" + "\n".join(rows) + "\n", encoding="utf-8")
    rows = [f"c{j},{x:.3f},{y:.3f},{int(f)}" for j, ((x, y), f) in enumerate(zip(inst["cand"], inst["fixed"],
                                                                              strict=True))]
    c.write_text("id,x,y,fixed\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return d, c


def run_command(args: list[str], runs: int) -> tuple[list[float], list[float], dict]:
    walls, cpus, out = [], [], {}
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "fcatlas.cli", *args], capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        out = json.loads(r.stdout)
    return walls, cpus, out


def import_profile(args: list[str]) -> tuple[float, list[tuple[str, float]], list[str]]:
    """Total import time (s), the heaviest top-level imports, the geo modules imported."""
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "fcatlas.cli", *args], capture_output=True,
                       text=True, check=True)
    top: list[tuple[str, float]] = []
    names = set()
    for line in r.stderr.splitlines():
        m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
        if not m:
            continue
        names.add(m.group(4))
        if m.group(3) == " ":  # depth 0: a top-level import (its time includes its children)
            top.append((m.group(4), int(m.group(2)) / 1e6))
    total = sum(t for _, t in top)
    heaviest = sorted(top, key=lambda x: -x[1])[:6]
    return total, heaviest, [g for g in GEO if g in names]


def _n(v: float) -> str:
    return f"{v:,.0f}".replace(",", " ")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-spopt", action="store_true", help="skip spopt (slow: about two minutes)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    radius, p = 2_500.0, 20
    inst = instance(6_000, 2_000, 10, a.seed)
    with tempfile.TemporaryDirectory() as tmp:
        d, c = write_files(inst, Path(tmp))
        args = ["site", "--demand", str(d), "--candidates", str(c), "--radius", f"{radius:g}", "-p", str(p),
                "--format", "json"]
        walls, cpus, out = run_command(args, a.runs)
        imports, heaviest, geo = import_profile(args)
    wall = statistics.median(walls)
    print(f"fcatlas site, 6 000 × 2 000, p = {p} nya + 10 befintliga, räckvidd {radius:g} m ({a.runs} körningar):")
    print(f"  process: bäst {min(walls):.2f} s, median {wall:.2f} s vägg; CPU median {statistics.median(cpus):.2f} s")
    print(f"  importer (-X importtime, en körning): {imports:.2f} s; tyngst: "
          + ", ".join(f"{n} {t:.2f}" for n, t in heaviest))
    print(f"  geo-stack importerad: {', '.join(geo) or 'ingen'}")
    print(f"  lösning (kommandots egen tid): {out['seconds']:.2f} s; objektiv {_n(out['covered_weight'])} av "
          f"{_n(out['total_weight'])}, status {out['status']}")
    if not a.no_spopt:
        try:
            import spopt  # noqa: F401
        except ImportError:
            print("  spopt är inte installerat (pip install '.[bench]'); issue 24 anger 135 s för spopt: "
                  f"{135 / wall:.0f} × mot den siffran")
            return 0
        sobj, ssecs, _ = run_spopt(inst, radius, p)
        same = abs(sobj - out["covered_weight"]) < 1e-6
        print(f"  spopt MCLP (CBC, i processen, utan importer): {ssecs:.1f} s, objektiv {_n(sobj)}; "
              f"samma objektiv: {'ja' if same else 'NEJ'}")
        print(f"  kvot: spopt / fcatlas site som process (median) = {ssecs / wall:.0f} ×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
