"""Benchmark: the national atlas on a synthetic country at real scale.

6,160 DeSO, 3,363 RegSO (all with boundaries), 290 kommuner, 21 län and 1,000 units. Times every
stage and the whole run (analyses, Excel, areas.csv/summary.json and the national map in PNG,
SVG and PDF), and reports the peak memory of the process (``ru_maxrss``).

Targets on a 2-core machine: whole national atlas < 30 s and < 2 GB; linking + coverage < 1 s.

Usage::

    .venv/bin/python benchmarks/atlas_national.py [--units 1000] [--seed 0] [--out DIR]
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports KiB)."""
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

    t_import = time.perf_counter()
    from fcatlas.analysis.atlas import AtlasParams, compute_atlas, link_and_cover
    from fcatlas.analysis.similar import similar_areas
    from fcatlas.outputs.atlas import map_layers, write_atlas
    from fcatlas.outputs.excel import write_excel
    from fcatlas.outputs.maps import draw_map

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from synthetic_country import make_instance  # test support, not part of the package

    rows.append(("import fcatlas", time.perf_counter() - t_import, rss_mb()))
    inst = timed("synthetic country (not part of the atlas)", lambda: make_instance(
        n_regso=args.regso, n_deso=args.deso, n_units=args.units, seed=args.seed))
    params = AtlasParams(year=2023)
    out = args.out or Path(tempfile.mkdtemp(prefix="fcatlas-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    geoms = {"kommun": inst.kommun_geom, "lan": inst.lan_geom, "regso": inst.regso_geom}
    manifest = {"label": "benchmark", "synthetic": True, "sources": []}

    # stage by stage
    timed("  linking + coverage (link_and_cover)", lambda: link_and_cover(
        inst.areas, inst.units, inst.deso_key, inst.kommun_geom, inst.regso_geom, inst.deso_geom, params,
        kommun_names=inst.kommuner))
    res = timed("  all analyses (compute_atlas)", lambda: compute_atlas(
        inst.areas, inst.units, inst.deso_key, inst.kommuner, inst.lan, params,
        kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom))
    for k, v in res.timings.items():
        rows.append((f"    of which {k}", v, float("nan")))
    timed("  Excel (atlas.xlsx)", lambda: write_excel(res, manifest, out / "stage.xlsx"))
    timed("  national map (PNG+SVG+PDF)", lambda: draw_map(map_layers(res, geoms, None, manifest),
                                                             out / "stage_map"))
    code = inst.areas["regso_code"].iloc[100]
    timed("  similar areas (k=10, national)", lambda: similar_areas(res.areas_all, code, k=10))

    # end to end, as `fcatlas atlas --maps national` does it after reading the inputs
    def whole() -> None:
        r = compute_atlas(inst.areas, inst.units, inst.deso_key, inst.kommuner, inst.lan, params,
                          kommun_geom=inst.kommun_geom, regso_geom=inst.regso_geom, deso_geom=inst.deso_geom)
        write_atlas(r, manifest, geoms, out / "atlas", maps="national")

    timed("WHOLE national atlas (analyses, Excel, csv/json, map)", whole)

    print(f"\nNational atlas benchmark: {args.regso:,} RegSO, {args.deso:,} DeSO, {args.units:,} units "
          f"(seed {args.seed}); output in {out}")
    print(f"{'stage':<58} {'seconds':>9} {'peak RSS MB':>12}")
    print("-" * 81)
    for name, sec, mb in rows:
        mbs = "" if mb != mb else f"{mb:12.0f}"
        print(f"{name:<58} {sec:9.3f} {mbs:>12}")
    whole_s = rows[-1][1]
    link_s = next(s for n, s, _ in rows if "link_and_cover)" in n)
    peak = rss_mb()
    print("-" * 81)
    ok_whole = whole_s < 30 and peak < 2048
    ok_link = link_s < 1.0
    print(f"target whole < 30 s and < 2 GB: {'OK' if ok_whole else 'MISSED'} ({whole_s:.1f} s, {peak:.0f} MB)")
    print(f"target linking + coverage < 1 s: {'OK' if ok_link else 'MISSED'} ({link_s:.2f} s)")
    return 0 if ok_whole and ok_link else 1


if __name__ == "__main__":
    sys.exit(main())
