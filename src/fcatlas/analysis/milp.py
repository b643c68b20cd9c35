"""Mixed-integer linear programs, solved by HiGHS through ``highspy`` (issue 24.5).

The model and the options are handed to HiGHS exactly as :func:`scipy.optimize.milp` hands them
(the constraint matrix by columns, ``log_to_console`` off, ``presolve`` on, the time limit and
the relative MIP gap), and the answer is read the same way, with scipy's status codes; but
``highspy`` imports in a hundredth of a second where ``scipy.optimize`` takes about a third of
one (see :mod:`fcatlas.analysis.csr`). ``highspy`` is pinned to the HiGHS release inside the
scipy it replaced, so the same model gives the same solution.

>>> from fcatlas.analysis.csr import Csr
>>> A = Csr.from_pairs([0, 0, 1, 1], [0, 1, 1, 2], [1.0, 1.0, 1.0, 1.0], (2, 3))
>>> r = milp(np.array([-3.0, -2.0, -4.0]), [Rows(A, np.full(2, -np.inf), np.ones(2))], np.ones(3),
...          np.zeros(3), np.ones(3), time_limit=10.0, mip_rel_gap=1e-7)
>>> r.status, r.x.round().tolist()
(0, [1.0, 0.0, 1.0])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from fcatlas.analysis.csr import Csr, vstack

#: scipy.optimize.milp's status codes
OPTIMAL, LIMIT, INFEASIBLE, UNBOUNDED, OTHER = 0, 1, 2, 3, 4


@dataclass(frozen=True)
class Rows:
    """Constraints ``lower <= A @ x <= upper`` (``-inf``/``inf`` for a missing side)."""

    A: Csr
    lower: np.ndarray
    upper: np.ndarray


@dataclass(frozen=True)
class MilpResult:
    status: int  # scipy.optimize.milp's: 0 optimal, 1 time limit, 2 infeasible, 3 unbounded, 4 other
    x: np.ndarray | None  # None when HiGHS has no feasible solution to give
    mip_dual_bound: float | None = None
    mip_gap: float | None = None


def _status(model_status: Any) -> int:
    import highspy

    s = highspy.HighsModelStatus
    codes = {s.kOptimal: OPTIMAL, s.kTimeLimit: LIMIT, s.kIterationLimit: LIMIT, s.kInfeasible: INFEASIBLE,
             s.kModelError: INFEASIBLE, s.kUnbounded: UNBOUNDED}
    return codes.get(model_status, OTHER)


def milp(c: np.ndarray, rows: Sequence[Rows], integrality: np.ndarray, lb: np.ndarray, ub: np.ndarray, *,
         time_limit: float, mip_rel_gap: float) -> MilpResult:
    """Minimise ``c @ x`` subject to ``rows`` and ``lb <= x <= ub``; ``integrality[k]`` is 1 for
    an integer variable, 0 for a continuous one."""
    import highspy

    n = len(c)
    A = vstack([r.A for r in rows]) if rows else Csr.empty((0, n))
    by_col = A.transpose()
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = A.shape[0]
    lp.a_matrix_.num_col_ = n
    lp.a_matrix_.num_row_ = A.shape[0]
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.col_cost_ = np.asarray(c, dtype=np.float64)
    lp.col_lower_ = np.asarray(lb, dtype=np.float64)
    lp.col_upper_ = np.asarray(ub, dtype=np.float64)
    lp.row_lower_ = np.concatenate([np.asarray(r.lower, dtype=np.float64) for r in rows]) if rows else np.zeros(0)
    lp.row_upper_ = np.concatenate([np.asarray(r.upper, dtype=np.float64) for r in rows]) if rows else np.zeros(0)
    lp.a_matrix_.start_ = by_col.indptr.astype(np.int32)
    lp.a_matrix_.index_ = by_col.indices.astype(np.int32)
    lp.a_matrix_.value_ = by_col.data.astype(np.float64)
    kinds = np.asarray(integrality, dtype=np.uint8)
    if kinds.size:
        lp.integrality_ = [highspy.HighsVarType(int(k)) for k in kinds]
    h = highspy.Highs()
    h.disableCallbacks()
    for key, value in (("log_to_console", False), ("time_limit", float(time_limit)),
                       ("mip_rel_gap", float(mip_rel_gap)), ("presolve", "on")):
        h.setOptionValue(key, value)
    if h.passModel(lp) == highspy.HighsStatus.kError:
        return MilpResult(INFEASIBLE, None)  # as scipy: a model HiGHS refuses is a model error
    if h.run() == highspy.HighsStatus.kError:
        return MilpResult(_status(h.getModelStatus()), None)
    return _answer(h, bool(kinds.sum() > 0))


def _answer(h: Any, is_mip: bool) -> MilpResult:
    import highspy

    s = highspy.HighsModelStatus
    model_status = h.getModelStatus()
    info = h.getInfo()
    limits = (s.kTimeLimit, s.kIterationLimit, s.kSolutionLimit)
    mip_failed = model_status not in (s.kOptimal, *limits) or (
        model_status in limits and info.objective_function_value == highspy.kHighsInf)
    if (is_mip and mip_failed) or (not is_mip and model_status != s.kOptimal):
        return MilpResult(_status(model_status), None)
    x = np.array(h.getSolution().col_value)
    if not is_mip:
        return MilpResult(_status(model_status), x)
    return MilpResult(_status(model_status), x, float(info.mip_dual_bound), float(info.mip_gap))
