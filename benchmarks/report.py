"""Benchmark: the national overview report (all län), HTML + PDF, on a synthetic country at real scale.

6,160 DeSO, 3,363 RegSO (all with boundaries, so every exclusion area has a known coverage and
the gap list is long), 290 kommuner, 21 län, 1,000 units and two områdestyp years. Times the
atlas, the report's tables (including the similar areas of every gap), the charts and HTML, and
the PDF, and reports the peak memory of the process.

Target on a 2-core machine: the whole national overview (HTML + PDF) < 60 s.

Usage::

    .venv/bin/python benchmarks/report.py [--units 1000] [--seed 0] [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--regso", type=int, default=3363)
    ap.add_argument("--deso", type=int, default=6160)
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    rows: list[tuple[str, float, float]] = []

    def timed(name: str, fn):  # type: ignore[no-untyped-def]
        t = time.perf_counter()
        value = fn()
        rows.append((name, time.perf_counter() - t, rss_mb()))
        return value

    import numpy as np

    from fcatlas.analysis.atlas import AtlasParams, compute_atlas
    from fcatlas.analysis.report import report_tables
    from fcatlas.outputs.report import write_report_files
    from fcatlas.services.atlas import AtlasRun
    from fcatlas.services.report import Report

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from synthetic_country import make_instance  # test support, not part of the package

    inst = timed("synthetic country (not part of the report)", lambda: make_instance(
        n_regso=args.regso, n_deso=args.deso, n_units=args.units, seed=args.seed))
    out = args.out or Path(tempfile.mkdtemp(prefix="fcatlas-bench-report-"))
    # a second year: about 5 % of the areas change type by one step
    rng = np.random.default_rng(args.seed)
    a23 = inst.areas.assign(year=2023)
    a22 = a23.copy()
    a22["year"] = 2022
    step = rng.choice([-1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], size=len(a22))
    a22["omradestyp"] = (a22["omradestyp"].astype("Int64") + step).clip(1, 5)
    oby = pd_concat([a22[["regso_code", "year", "omradestyp"]], a23[["regso_code", "year", "omradestyp"]]])
    geoms = {"kommun": inst.kommun_geom, "lan": inst.lan_geom, "regso": inst.regso_geom, "deso": inst.deso_geom}
    manifest = {"label": "benchmark", "synthetic": True, "sources": [], "years": {"omradestyp": [2022, 2023]}}
    params = AtlasParams(year=2023)

    t0 = time.perf_counter()
    res = timed("  atlas (compute_atlas, national)", lambda: compute_atlas(
        inst.areas, inst.units, inst.deso_key, inst.kommuner, inst.lan, params,
        kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom,
        omradestyp_by_year=oby))
    tables = timed("  report tables (incl. similar areas of every gap)", lambda: report_tables(
        res, areas_by_year={2022: a22, 2023: a23}, omradestyp_by_year=oby))
    run = AtlasRun(bundle=SimpleNamespace(manifest=manifest), result=res, geoms=geoms, units=inst.units, db_url=None)
    rep = Report(run=run, tables=tables, text_sections={})
    stages: list[tuple[str, float]] = []
    last = [time.perf_counter()]

    def on_stage(text: str) -> None:
        now = time.perf_counter()
        stages.append((text, now))
        last[0] = now

    files = timed("  charts, HTML and PDF (write_report_files)", lambda: write_report_files(rep, out, on_stage=on_stage))
    end = time.perf_counter()
    for i, (text, at) in enumerate(stages):
        until = stages[i + 1][1] if i + 1 < len(stages) else end
        rows.append((f"    of which: {text}", until - at, float("nan")))
    whole = time.perf_counter() - t0
    rows.append(("WHOLE national overview (atlas, tables, HTML, PDF)", whole, rss_mb()))

    import subprocess

    pages = subprocess.run(["pdfinfo", str(files["pdf"])], capture_output=True, text=True).stdout
    n_pages = next((ln.split()[-1] for ln in pages.splitlines() if ln.startswith("Pages:")), "?")
    print(f"\nNational overview benchmark: {args.regso:,} RegSO, {args.deso:,} DeSO, {args.units:,} units, "
          f"{len(tables.gaps):,} gaps, {len(res.lan)} län (seed {args.seed}); output in {out}")
    print(f"rapport.html {files['html'].stat().st_size / 1e6:.1f} MB, rapport.pdf "
          f"{files['pdf'].stat().st_size / 1e6:.1f} MB, {n_pages} pages")
    print(f"{'stage':<58} {'seconds':>9} {'peak RSS MB':>12}")
    print("-" * 81)
    for name, sec, mb in rows:
        mbs = "" if mb != mb else f"{mb:12.0f}"
        print(f"{name:<58} {sec:9.3f} {mbs:>12}")
    print("-" * 81)
    ok = whole < 60
    print(f"target whole national overview (HTML + PDF) < 60 s: {'OK' if ok else 'MISSED'} ({whole:.1f} s)")
    return 0 if ok else 1


def pd_concat(frames):  # type: ignore[no-untyped-def]
    import pandas as pd

    return pd.concat(frames, ignore_index=True)


if __name__ == "__main__":
    sys.exit(main())
