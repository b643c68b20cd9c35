"""Issue 24.5: siting's own sparse matrices, near pairs and HiGHS call (``analysis/csr.py``,
``analysis/milp.py``) give what scipy's k-d tree and ``scipy.optimize.milp`` give, on seeded random
instances (scipy stays installed for the atlas's coverage; siting no longer imports it)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import LinearConstraint
from scipy.optimize import milp as scipy_milp
from scipy.sparse import csr_array
from scipy.spatial import cKDTree

from fcatlas.analysis.csr import Csr, pairs_within
from fcatlas.analysis.milp import Rows, milp


@pytest.mark.parametrize("seed", range(8))
def test_issue24_near_pairs_are_the_k_d_trees(seed):
    rng = np.random.default_rng(seed)
    a = rng.uniform(0, 20_000, size=(int(rng.integers(1, 400)), 2))
    b = rng.uniform(0, 20_000, size=(int(rng.integers(1, 300)), 2))
    radius = float(rng.choice([0.0, 500.0, 2_500.0, 30_000.0]))
    i, j, d = pairs_within(a, b, radius)
    expected = cKDTree(a).sparse_distance_matrix(cKDTree(b), radius, output_type="coo_matrix").tocsr()
    expected.sort_indices()
    mine = Csr.from_pairs(i, j, d, (len(a), len(b)))
    assert mine.nnz == expected.nnz
    assert np.array_equal(mine.indptr, expected.indptr) and np.array_equal(mine.indices, expected.indices)
    assert np.allclose(mine.data, expected.data, rtol=0, atol=1e-6)
    assert np.all(np.diff(i) >= 0)  # ordered by i, then j


@pytest.mark.parametrize("seed", range(10))
def test_issue24_milp_finds_scipys_optimum(seed):
    """A random max-cover: choose p of m sites to cover the most weight (as siting's model)."""
    rng = np.random.default_rng(100 + seed)
    n_demand, m, p = int(rng.integers(5, 40)), int(rng.integers(3, 15)), int(rng.integers(1, 4))
    cover = rng.random((n_demand, m)) < 0.25
    weight = rng.integers(1, 50, n_demand).astype(float)
    # x: m site variables, then n_demand covered variables; maximise covered weight
    c = np.concatenate([np.zeros(m), -weight])
    rows_a = np.hstack([-cover.astype(float), np.eye(n_demand)])  # y_i <= sum of x_j covering i
    pick = np.concatenate([np.ones(m), np.zeros(n_demand)])[None, :]  # sum x_j == p
    lb, ub = np.zeros(m + n_demand), np.ones(m + n_demand)
    integrality = np.concatenate([np.ones(m), np.zeros(n_demand)])
    r, k = np.nonzero(rows_a)
    mine = milp(c, [Rows(Csr.from_pairs(r, k, rows_a[r, k], rows_a.shape), np.full(n_demand, -np.inf),
                         np.zeros(n_demand)),
                    Rows(Csr.from_pairs(np.zeros(m, dtype=int), np.arange(m), np.ones(m), (1, m + n_demand)),
                         np.array([p]), np.array([p]))],
                integrality, lb, ub, time_limit=10.0, mip_rel_gap=1e-7)
    theirs = scipy_milp(c, constraints=[LinearConstraint(csr_array(rows_a), -np.inf, 0),
                                        LinearConstraint(pick, p, p)],
                        integrality=integrality, bounds=(lb, ub), options={"time_limit": 10.0, "mip_rel_gap": 1e-7})
    assert mine.status == theirs.status == 0
    assert mine.x is not None and c @ mine.x == pytest.approx(theirs.fun, abs=1e-6)
    assert int(round(mine.x[:m].sum())) == p
