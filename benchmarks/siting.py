"""Siting benchmark: fcatlas's maximal covering with fixed sites vs spopt's MCLP on one instance.

Synthetic clustered demand (like children in towns), 6,000 demand points × 2,000 candidates,
p = 20 new sites beside 10 existing ones. fcatlas and spopt (if installed: ``pip install
'.[bench]'``) solve the same instance; the script prints both objectives, both times and the
ratio. spopt counts predefined facilities inside p, so it is given p + 10 with the 10 pinned.
Then 30,000 × 5,000 (national DeSO scale) for fcatlas alone: time and peak memory.

Goals (issue 14): equal objective, proven optimal, < 2 s end to end, ≥ 50 × faster than spopt.

Run: ``python benchmarks/siting.py`` (``--no-spopt`` to skip the slow dense comparator,
``--seed N`` for another instance).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc

import numpy as np

from fcatlas.analysis.siting import SitingProblem, maximal_covering


def instance(n_demand: int, n_cand: int, n_fixed: int, seed: int) -> dict[str, np.ndarray]:
    """Clustered demand in a 200 × 200 km square; candidates half near demand, half anywhere."""
    rng = np.random.default_rng(seed)
    n_clusters = max(10, n_demand // 150)
    centres = rng.uniform(0, 200_000, (n_clusters, 2))
    size = rng.uniform(1_000, 6_000, n_clusters)
    which = rng.integers(0, n_clusters, n_demand)
    demand = centres[which] + rng.normal(0, 1, (n_demand, 2)) * size[which, None]
    weights = rng.integers(1, 20, n_demand).astype(float)
    near = demand[rng.integers(0, n_demand, n_cand // 2)] + rng.normal(0, 1_500, (n_cand // 2, 2))
    cand = np.vstack([near, rng.uniform(0, 200_000, (n_cand - n_cand // 2, 2))])
    fixed = np.zeros(n_cand, dtype=bool)
    fixed[rng.choice(n_cand, n_fixed, replace=False)] = True
    return {"demand": demand, "weights": weights, "cand": cand, "fixed": fixed}


def run_fcatlas(inst: dict[str, np.ndarray], radius: float, p: int) -> tuple[float, float, object]:
    t = time.perf_counter()
    prob = SitingProblem.from_points(
        [f"d{i}" for i in range(len(inst["demand"]))], inst["demand"], inst["weights"],
        [f"c{j}" for j in range(len(inst["cand"]))], inst["cand"], radius, fixed=inst["fixed"],
    )
    res = maximal_covering(prob, p, time_limit=60)
    return res.covered_weight, time.perf_counter() - t, res


def run_spopt(inst: dict[str, np.ndarray], radius: float, p: int) -> tuple[float, float, float]:
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    t = time.perf_counter()
    cost = cdist(inst["demand"], inst["cand"])
    model = MCLP.from_cost_matrix(cost, inst["weights"], radius, p_facilities=p + int(inst["fixed"].sum()),
                                  predefined_facilities_arr=inst["fixed"], name="bench")
    t_build = time.perf_counter() - t
    model = model.solve(pulp.PULP_CBC_CMD(msg=False))
    elapsed = time.perf_counter() - t
    open_sites = [j for j, served in enumerate(model.fac2cli) if len(served) or model.fac_vars[j].value() > 0.5]
    within = cost[:, open_sites] <= radius
    covered = float(inst["weights"][within.any(axis=1)].sum())
    return covered, elapsed, t_build


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--no-spopt", action="store_true", help="skip the spopt comparison (slow: dense model)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--skip-large", action="store_true", help="skip the 30,000 × 5,000 run")
    ap.add_argument("--demand", type=int, default=6_000, help="demand points (default 6000)")
    ap.add_argument("--candidates", type=int, default=2_000, help="candidate sites (default 2000)")
    ap.add_argument("-p", type=int, default=20, help="new sites (default 20)")
    ap.add_argument("--fixed", type=int, default=10, help="existing (fixed) sites among the candidates (default 10)")
    ap.add_argument("--radius", type=float, default=2_500.0, help="reach in metres (default 2500)")
    args = ap.parse_args()
    radius, p = args.radius, args.p

    inst = instance(args.demand, args.candidates, args.fixed, args.seed)
    obj, secs, res = run_fcatlas(inst, radius, p)
    n_d, n_c = f"{args.demand:,}".replace(",", " "), f"{args.candidates:,}".replace(",", " ")
    print(f"{n_d} efterfrågepunkter × {n_c} kandidater, p = {p} nya + {args.fixed} befintliga, "
          f"räckvidd {radius:g} m, frö {args.seed}")
    print(f"  fcatlas: objektiv {obj:,.0f} av {res.total_weight:,.0f}, status {res.status}, "
          f"MIP-gap {res.mip_gap}, {secs:.2f} s totalt (reducerad modell: {res.model})")
    print(f"  fcatlas girig: {res.greedy.covered_weight:,.0f}")
    if not args.no_spopt:
        try:
            import spopt  # noqa: F401
        except ImportError:
            print("  spopt är inte installerat (pip install '.[bench]'); kör bara fcatlas")
        else:
            sobj, ssecs, sbuild = run_spopt(inst, radius, p)
            print(f"  spopt MCLP (CBC): objektiv {sobj:,.0f}, {ssecs:.1f} s totalt (varav bygga modellen {sbuild:.1f} s)")
            print(f"  samma objektiv: {'ja' if abs(sobj - obj) < 1e-6 else 'NEJ'}; "
                  f"fcatlas är {ssecs / secs:.0f} × snabbare")
    if not args.skip_large:
        inst = instance(30_000, 5_000, 50, args.seed)
        tracemalloc.start()
        obj, secs, res = run_fcatlas(inst, radius, p)
        _cur, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"30 000 × 5 000, p = {p} nya + 50 befintliga: objektiv {obj:,.0f}, status {res.status}, "
              f"MIP-gap {res.mip_gap}, {secs:.2f} s, topp-minne (Python-allokeringar) {peak / 1e6:.0f} MB, "
              f"maxRSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; modell {res.model}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
