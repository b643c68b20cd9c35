"""Benchmark: the economics models at national scale (pure functions, no database).

* add-on payment for 1,200 health centres (about all of Sweden's) over a pot that must be scaled;
* visit settlement for 1,200 centres and 200,000 visit rows;
* listed-children trend for 1,200 centres × 6 years on every level;
* outlook for 6,160 areas × 4 years to 2030.

Prints the time of each step and the peak memory. Target: each step well under 5 s on 2 cores.

Usage::

    .venv/bin/python benchmarks/economics_models.py [--centres 1200] [--visits 200000] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import resource
import time

import pandas as pd


def main(argv: list[str] | None = None) -> int:
    from fcatlas.economics.listed import trend
    from fcatlas.economics.outlook import outlook
    from fcatlas.economics.payment import AddonParams, Centre, addon_payment
    from fcatlas.economics.visits import Visits, settle

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--centres", type=int, default=1200)
    ap.add_argument("--visits", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rnd = random.Random(a.seed)
    names = [f"Vårdcentral {i:04d}" for i in range(a.centres)]

    t = time.perf_counter()
    cs = [Centre(n, rnd.randint(200, 3000), rnd.randint(500, 8000)) for n in names]
    r = addon_payment(cs, AddonParams(90, 55, 50_000_000))
    print(f"tilläggsersättning, {a.centres} vårdcentraler: {time.perf_counter() - t:.3f} s "
          f"(summa {r.total_sek} kr, nedskalad: {r.scaled})")

    t = time.perf_counter()
    vs = []
    for _ in range(a.visits):
        x, y = rnd.sample(names, 2)
        vs.append(Visits(x, y, rnd.randint(1, 20)))
    s = settle(vs)
    print(f"besöksavräkning, {a.visits} rader: {time.perf_counter() - t:.3f} s "
          f"({len(s.pairs)} par, brutto {s.gross_sek} kr, netto {s.netted_sek} kr)")

    rows = []
    for i, n in enumerate(names):
        base = rnd.randint(200, 3000)
        for y in range(2020, 2026):
            rows.append((f"{2080 + i % 5}-{i}", n, str(2080 + i % 5), y, max(0, base - 30 * (y - 2020))))
    df = pd.DataFrame(rows, columns=["centre_id", "name", "kommun_code", "year", "children"])
    for level in ("vardcentral", "kommun", "lan"):
        t = time.perf_counter()
        tr = trend(df, 2020, 2025, level)
        print(f"trend {level}, {len(df)} rader: {time.perf_counter() - t:.3f} s ({len(tr)} enheter)")

    areas = [(f"A{i:04d}", f"Område {i}", str(2080 + i % 5), y, rnd.randint(0, 400))
             for i in range(6160) for y in range(2020, 2024)]
    sdf = pd.DataFrame(areas, columns=["kod", "namn", "kommun_code", "year", "children"])
    t = time.perf_counter()
    o = outlook(sdf, "deso")
    print(f"prognos, 6160 områden × 4 år till 2030: {time.perf_counter() - t:.3f} s ({len(o)} rader)")
    print(f"högsta minne: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
