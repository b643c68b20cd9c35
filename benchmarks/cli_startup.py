"""Benchmark: how long ``fcatlas --help`` takes to start (target: under 0.5 s).

Heavy libraries (pandas, numpy, geopandas, SQLAlchemy) are imported lazily by the commands that
use them, so the help starts with typer and rich only. Prints wall time (best and median of
``--runs``) and the process's CPU time, and which heavy modules the help imported (should be none).

    .venv/bin/python benchmarks/cli_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time

HEAVY = ("pandas", "numpy", "geopandas", "shapely", "sqlalchemy", "pyproj", "matplotlib", "scipy")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    walls = []
    cpu = []
    for _ in range(args.runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "fcatlas.cli", "--help"], check=True, capture_output=True,
                       env={"COLUMNS": "100", "PATH": ""})
        walls.append(time.perf_counter() - t)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    probe = subprocess.run(
        [sys.executable, "-c", "import sys, runpy; sys.argv=['fcatlas','--help']\n"
         "try:\n runpy.run_module('fcatlas.cli', run_name='__main__')\nexcept SystemExit: pass\n"
         f"print(','.join(m for m in {HEAVY!r} if m in sys.modules), file=sys.stderr)"],
        capture_output=True, text=True, env={"COLUMNS": "100", "PATH": ""},
    )
    heavy = probe.stderr.strip().splitlines()[-1] if probe.stderr.strip() else ""
    print(f"fcatlas --help: best {min(walls):.3f} s, median {statistics.median(walls):.3f} s wall; "
          f"CPU median {statistics.median(cpu):.3f} s ({args.runs} runs)")
    print(f"heavy modules imported by --help: {heavy or 'inga'}")


if __name__ == "__main__":
    main()
