"""Benchmark: build a bundle from ../shared/data and query it; prints time and peak memory.

    .venv/bin/python benchmarks/bundle_build.py [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    args = ap.parse_args()
    from fcatlas.geography.build import build_bundle
    from fcatlas.geography.bundle import Bundle
    from fcatlas.geography.demo import build_demo_bundle

    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        build_bundle(args.data, Path(tmp) / "paket")
        rows.append(("bygg datapaket (3 363 RegSO, 5 984 DeSO, Dalarnas gränser)", time.perf_counter() - t))
        t = time.perf_counter()
        b = Bundle.open(Path(tmp) / "paket", verify=True)
        rows.append(("öppna + kontrollsummor", time.perf_counter() - t))
        t = time.perf_counter()
        a = b.areas(year=2023)
        rows.append((f"areas() hela riket ({len(a)} rader)", time.perf_counter() - t))
        t = time.perf_counter()
        d = b.areas("deso", year=2022)
        rows.append((f"areas('deso') hela riket ({len(d)} rader)", time.perf_counter() - t))
        t = time.perf_counter()
        build_demo_bundle(Path(tmp) / "demo")
        rows.append(("bygg demopaketet", time.perf_counter() - t))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    width = max(len(r[0]) for r in rows)
    print(f"{'steg':<{width}}  sekunder")
    for name, s in rows:
        print(f"{name:<{width}}  {s:8.3f}")
    print(f"{'toppminne (RSS)':<{width}}  {peak_mb:8.0f} MB")


if __name__ == "__main__":
    main()
