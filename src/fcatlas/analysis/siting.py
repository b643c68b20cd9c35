"""Siting new centres beside the existing ones: maximal covering, set covering and p-median (pure).

The planner's question is *where do p new centres reach the most children, with the centres
that already operate kept?* Existing centres are **fixed**: they are always open, they count as
covering, and they are not among the p new sites (spopt's ``predefined_facilities_arr`` counts
them inside p, which planners find confusing).

One builder, two entry points (the idea of spopt's ``from_cost_matrix`` /
``from_geodataframe``, not its code):

* :meth:`SitingProblem.from_points` — coordinates in metres and a reach (one number or one per
  demand point); coverage sets from the pairs within reach (:func:`fcatlas.analysis.csr.pairs_within`),
  sparse;
* :meth:`SitingProblem.from_cost_matrix` — a long table ``candidate, demand, distance`` (e.g.
  road distances) and a reach.

Before solving, the model is reduced: demand already covered by a fixed site drops out, demand
that no candidate reaches drops out, demand points with the same coverage set become one row
(weights added) and candidates that cover nothing that is left are not variables. The reduced
model is solved to proven optimality by HiGHS (:mod:`fcatlas.analysis.milp`, as
``scipy.optimize.milp`` would) within a time limit; the result states the solver status and the
MIP gap. A greedy solution is computed beside it.

Neither scipy nor pandas is imported here for the generic problem (issue 24.5: their imports cost
more than a solve); pandas is imported by the functions that take or give a DataFrame.

Examples
--------
>>> import numpy as np
>>> prob = SitingProblem.from_points(
...     demand_ids=["a", "b", "c"], demand_xy=np.array([[0.0, 0], [10, 0], [20, 0]]),
...     weights=[5, 3, 4], candidate_ids=["s", "t", "u"],
...     candidate_xy=np.array([[0.0, 0], [10, 0], [20, 0]]), radius=5.0, fixed=["s"])
>>> r = maximal_covering(prob, p=1)
>>> r.selected, r.covered_weight, r.total_weight, r.status
(['u'], 9.0, 12.0, 'optimal')
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from fcatlas.analysis.csr import Csr, pairs_within
from fcatlas.analysis.milp import INFEASIBLE, LIMIT, OPTIMAL, OTHER, UNBOUNDED, MilpResult, Rows, milp
from fcatlas.domain import SitingObjective
from fcatlas.errors import ConfigError

if TYPE_CHECKING:
    import pandas as pd

#: Default time limit of one MILP solve (seconds).
DEFAULT_TIME_LIMIT = 60.0
#: Relative MIP gap at which HiGHS stops (integer weights: far below one unit).
MIP_REL_GAP = 1e-7
#: scipy.optimize.milp's status (:mod:`fcatlas.analysis.milp`) → the status reported to the user.
_STATUS = {OPTIMAL: "optimal", LIMIT: "time_limit", INFEASIBLE: "infeasible", UNBOUNDED: "unbounded", OTHER: "error"}
_EPS = 1e-9


class SitingError(ConfigError):
    """A siting problem that cannot be posed or solved as asked (Swedish message)."""


class TargetUnreachableError(SitingError):
    """The target share of the weight cannot be covered, whatever is chosen."""

    def __init__(self, target: float, best: float, total: float) -> None:
        self.target = target
        self.best_share = best / total if total > 0 else 0.0
        super().__init__(
            f"målet {target:.1%} av vikten går inte att nå: även med alla tillåtna kandidater når "
            f"man högst {self.best_share:.1%} ({_num(best)} av {_num(total)})"
        )


def _num(v: float) -> str:
    return f"{v:,.0f}".replace(",", " ") if float(v).is_integer() else f"{v:,.2f}".replace(",", " ")


# ---------------------------------------------------------------------------------------------
# The problem
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SitingProblem:
    """Demand points, candidate sites (some fixed) and who covers whom.

    Attributes
    ----------
    demand_ids, candidate_ids : ndarray of object
        Unique identifiers.
    weights : ndarray of float
        Non-negative demand weights (e.g. children 0–6).
    fixed : ndarray of bool
        Per candidate: an existing site (always open, not among the p new ones).
    cover : Csr of bool, shape (n_demand, n_candidates)
        ``cover[i, j]`` — candidate j reaches demand point i.
    distance : Csr of float or None
        Distances of the pairs held (p-median); ``None`` when not known.
    candidate_xy : ndarray (n_candidates, 2) or None
        Candidate coordinates in metres (minimum distance between sites).
    groups : ndarray of object or None
        Per candidate a group (kommun) for "at most k new sites per group".
    """

    demand_ids: np.ndarray
    weights: np.ndarray
    candidate_ids: np.ndarray
    fixed: np.ndarray
    cover: Csr
    distance: Csr | None = None
    candidate_xy: np.ndarray | None = None
    groups: np.ndarray | None = None
    demand_xy: np.ndarray | None = None

    # -- constructors ------------------------------------------------------------------------
    @classmethod
    def from_points(
        cls,
        demand_ids: Sequence[Any],
        demand_xy: np.ndarray,
        weights: Sequence[float] | np.ndarray,
        candidate_ids: Sequence[Any],
        candidate_xy: np.ndarray,
        radius: float | Sequence[float] | np.ndarray,
        fixed: Iterable[Any] | np.ndarray | None = None,
        groups: Sequence[Any] | None = None,
        inside: Iterable[tuple[Any, Any]] | None = None,
        keep_distances: float | None = None,
    ) -> SitingProblem:
        """Coverage by straight-line distance: candidate j covers demand i when
        ``dist(i, j) <= radius[i]`` (metres). ``inside`` adds pairs ``(candidate_id, demand_id)``
        that cover whatever the distance (a centre inside an area covers it, as in the atlas).
        ``keep_distances`` (metres, may be ``inf``) keeps the distances of every pair up to that
        length for p-median, beyond the reach.
        """
        dxy = _xy(demand_xy, "efterfrågepunkternas")
        cxy = _xy(candidate_xy, "kandidaternas")
        n, m = len(dxy), len(cxy)
        r = np.broadcast_to(np.asarray(radius, dtype=float), (n,)).copy() if n else np.zeros(0)
        if n and (~np.isfinite(r)).any() | (r < 0).any():
            raise SitingError("räckvidden ska vara ett icke-negativt tal (meter)")
        rows = np.zeros(0, dtype=np.int64)
        cols = np.zeros(0, dtype=np.int64)
        dist = np.zeros(0)
        if n and m:
            pi, pj, pv = pairs_within(dxy, cxy, float(r.max()))
            keep = pv <= r[pi] + _EPS
            rows, cols, dist = pi[keep], pj[keep], pv[keep]
        extra: dict[str, np.ndarray] = {}
        if keep_distances is not None and n and m:
            if np.isfinite(keep_distances):
                ai, aj, av = pairs_within(dxy, cxy, float(keep_distances))
                extra = {"all_rows": ai, "all_cols": aj, "all_dist": av}
            else:
                full = np.sqrt((dxy[:, None, 0] - cxy[None, :, 0]) ** 2 + (dxy[:, None, 1] - cxy[None, :, 1]) ** 2)
                ii, jj = np.indices(full.shape)
                extra = {"all_rows": ii.ravel(), "all_cols": jj.ravel(), "all_dist": full.ravel()}
        return _build(demand_ids, weights, candidate_ids, fixed, rows, cols, dist, inside=inside,
                      candidate_xy=cxy, groups=groups, demand_xy=dxy, **extra)

    @classmethod
    def from_cost_matrix(
        cls,
        demand_ids: Sequence[Any],
        weights: Sequence[float] | np.ndarray,
        candidate_ids: Sequence[Any],
        costs: pd.DataFrame,
        radius: float | None,
        fixed: Iterable[Any] | np.ndarray | None = None,
        groups: Sequence[Any] | None = None,
        candidate_xy: np.ndarray | None = None,
    ) -> SitingProblem:
        """Coverage from a long table ``candidate, demand, distance`` (pairs not listed are out of
        reach); a pair covers when ``distance <= radius`` (``radius=None``: every listed pair)."""
        import pandas as pd

        missing = {"candidate", "demand", "distance"} - set(costs.columns)
        if missing:
            raise SitingError("kostnadstabellen saknar kolumnerna " + ", ".join(sorted(missing)))
        _ids(demand_ids, "efterfrågepunktens")
        _ids(candidate_ids, "kandidatens")
        ci = _codes(costs["candidate"], candidate_ids)
        di = _codes(costs["demand"], demand_ids)
        for codes, col, what in ((ci, "candidate", "kandidaten"), (di, "demand", "efterfrågepunkten")):
            if (codes < 0).any():
                k = int(np.flatnonzero(codes < 0)[0])
                where = f" (rad {int(costs['row'].iloc[k])})" if "row" in costs else ""
                raise SitingError(f"kostnadstabellen nämner {what} {str(costs[col].iloc[k])!r}{where}, som inte finns "
                                  f"bland {'kandidaterna' if col == 'candidate' else 'efterfrågepunkterna'}")
        d = pd.to_numeric(costs["distance"], errors="coerce").to_numpy(dtype=float)
        if (~np.isfinite(d)).any() or (d < 0).any():
            raise SitingError("kostnadstabellens avstånd ska vara icke-negativa tal")
        keep = np.ones(len(d), dtype=bool) if radius is None else d <= float(radius) + _EPS
        return _build(demand_ids, weights, candidate_ids, fixed, di[keep], ci[keep], d[keep],
                      candidate_xy=candidate_xy, groups=groups, all_rows=di, all_cols=ci, all_dist=d)

    # -- derived -----------------------------------------------------------------------------
    @property
    def total_weight(self) -> float:
        return float(self.weights.sum())

    @property
    def n_candidates(self) -> int:
        return len(self.candidate_ids)

    def index_of(self, ids: Iterable[Any], what: str = "kandidaten") -> np.ndarray:
        """Positions of candidate ids; an unknown id is a Swedish error."""
        pos = _positions(self.candidate_ids)
        out = []
        for i in ids:
            key = _key(i)
            if key not in pos:
                raise SitingError(f"{what} {_key(i)!r} finns inte bland kandidaterna")
            out.append(pos[key])
        return np.asarray(out, dtype=np.int64)

    def covered_by(self, open_mask: np.ndarray) -> np.ndarray:
        """Boolean per demand point: reached by at least one open candidate."""
        if not open_mask.any():
            return np.zeros(len(self.weights), dtype=bool)
        return self.cover.any_in_cols(np.asarray(open_mask, dtype=bool))

    def covered_weight(self, open_mask: np.ndarray) -> float:
        return float(self.weights[self.covered_by(open_mask)].sum())


def _codes(values: pd.Series, ids: Sequence[Any]) -> np.ndarray:
    """Position of each value among ``ids`` (-1 when unknown), vectorised (millions of pairs)."""
    import pandas as pd

    cats = pd.Index([_key(v) for v in ids])
    if isinstance(values.dtype, pd.CategoricalDtype):
        cat_codes = cats.get_indexer(pd.Index(values.cat.categories.astype(str)))
        codes = values.cat.codes.to_numpy()
        out = np.where(codes >= 0, cat_codes[codes], -1)
    else:
        out = cats.get_indexer(pd.Index(values.astype(str)))
    return np.asarray(out, dtype=np.int64)


def _key(v: Any) -> Any:
    return str(v)


def _positions(ids: Iterable[Any]) -> dict[Any, int]:
    return {_key(v): i for i, v in enumerate(ids)}


def _xy(a: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(a, dtype=float).reshape(-1, 2) if np.size(a) else np.zeros((0, 2))
    if (~np.isfinite(arr)).any():
        i = int(np.flatnonzero(~np.isfinite(arr).all(axis=1))[0])
        raise SitingError(f"{what} koordinater saknas eller är inte tal (punkt {i + 1})")
    return arr


def _ids(ids: Sequence[Any], what: str) -> np.ndarray:
    arr = np.asarray([_key(v) for v in ids], dtype=object)
    if len(set(arr)) != len(arr):
        seen: set[Any] = set()
        for dup in arr:  # the first that repeats an earlier one
            if dup in seen:
                break
            seen.add(dup)
        raise SitingError(f"{what} id {dup!r} förekommer mer än en gång")
    return arr


def _isna(v: Any) -> bool:
    """``pandas.isna`` of one value, without importing pandas: a pandas missing value (``pd.NA``,
    ``NaT``) can only come from a pandas already imported."""
    if v is None:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    pd_ = sys.modules.get("pandas")
    return bool(pd_ is not None and pd_.api.types.is_scalar(v) and pd_.isna(v))


def _build(  # noqa: PLR0913  # the one builder behind both public constructors takes what either passes
    demand_ids: Sequence[Any],
    weights: Sequence[float] | np.ndarray,
    candidate_ids: Sequence[Any],
    fixed: Iterable[Any] | np.ndarray | None,
    rows: np.ndarray,
    cols: np.ndarray,
    dist: np.ndarray,
    inside: Iterable[tuple[Any, Any]] | None = None,
    candidate_xy: np.ndarray | None = None,
    groups: Sequence[Any] | None = None,
    demand_xy: np.ndarray | None = None,
    all_rows: np.ndarray | None = None,
    all_cols: np.ndarray | None = None,
    all_dist: np.ndarray | None = None,
) -> SitingProblem:
    """The one builder behind both constructors: checks, then sparse matrices."""
    d_ids = _ids(demand_ids, "efterfrågepunktens")
    c_ids = _ids(candidate_ids, "kandidatens")
    w = np.asarray(weights, dtype=float)
    if w.shape != (len(d_ids),):
        raise SitingError("en vikt per efterfrågepunkt behövs")
    if (~np.isfinite(w)).any() or (w < 0).any():
        i = int(np.flatnonzero(~np.isfinite(w) | (w < 0))[0])
        raise SitingError(f"vikten för {str(d_ids[i])!r} ska vara ett icke-negativt tal")
    n, m = len(d_ids), len(c_ids)
    fx = np.zeros(m, dtype=bool)
    if fixed is not None:
        f = np.asarray(list(fixed) if not isinstance(fixed, np.ndarray) else fixed)
        if f.dtype == bool and len(f) == m:
            fx = f.copy()
        elif len(f):
            pos = _positions(c_ids)
            for v in f:
                if _key(v) not in pos:
                    raise SitingError(f"den befintliga (fasta) platsen {_key(v)!r} finns inte bland kandidaterna")
                fx[pos[_key(v)]] = True
    if inside is not None:
        dpos, cpos = _positions(d_ids), _positions(c_ids)
        extra = [(dpos[_key(d)], cpos[_key(c)]) for c, d in inside if _key(d) in dpos and _key(c) in cpos]
        if extra:
            er, ec = np.asarray(extra, dtype=np.int64).T
            rows = np.concatenate([rows, er])
            cols = np.concatenate([cols, ec])
            dist = np.concatenate([dist, np.zeros(len(er))])
    cover = Csr.from_pairs(rows, cols, np.ones(len(rows), dtype=bool), (n, m))
    if all_rows is not None and all_cols is not None and all_dist is not None:
        rows, cols, dist = all_rows, all_cols, all_dist
    dm = Csr.from_pairs(rows, cols, np.asarray(dist, dtype=float) + _EPS, (n, m))  # +eps: a 0 stays stored
    g = None
    if groups is not None:
        g = np.asarray([None if _isna(v) else str(v) for v in groups], dtype=object)
        if len(g) != m:
            raise SitingError("en grupp (kommun) per kandidat behövs")
    return SitingProblem(d_ids, w, c_ids, fx, cover, dm, candidate_xy, g, demand_xy)


# ---------------------------------------------------------------------------------------------
# Constraints and results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Constraints:
    """Constraints on the new sites.

    ``max_per_group``: at most this many new sites per group (kommun); ``excluded``: candidate
    ids that may not be chosen; ``min_distance``: metres between any two sites (new–new and
    new–existing).
    """

    max_per_group: int | None = None
    excluded: frozenset[str] = frozenset()
    min_distance: float | None = None


@dataclass
class GreedyResult:
    selected: list[str]
    covered_weight: float
    share: float | None
    seconds: float
    weighted_distance: float | None = None  # p-median only

    def to_dict(self) -> dict[str, Any]:
        out = {"selected": self.selected, "covered_weight": _clean(self.covered_weight), "share": self.share,
               "seconds": round(self.seconds, 4)}
        if self.weighted_distance is not None:
            out["weighted_distance"] = self.weighted_distance
        return out


@dataclass
class SitingResult:
    """A solution: the new sites (ranked by their added weight), the fixed ones and the figures."""

    objective: SitingObjective
    selected: list[str]
    fixed: list[str]
    covered_weight: float
    total_weight: float
    fixed_weight: float  # covered by the fixed sites alone
    status: str
    mip_gap: float | None
    seconds: float
    greedy: GreedyResult | None
    gains: list[float] = field(default_factory=list)  # per selected site, in rank order
    newly_covered: list[list[str]] = field(default_factory=list)  # demand ids each site adds
    weighted_distance: float | None = None
    target_share: float | None = None
    model: dict[str, int] = field(default_factory=dict)

    @property
    def share(self) -> float | None:
        return self.covered_weight / self.total_weight if self.total_weight > 0 else None

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract: ``selected, fixed, covered_weight, total_weight, share, status,
        mip_gap, seconds, greedy`` (+ ``weighted_distance`` / ``target_share`` for the other
        objectives)."""
        out: dict[str, Any] = {
            "selected": self.selected,
            "fixed": self.fixed,
            "covered_weight": _clean(self.covered_weight),
            "total_weight": _clean(self.total_weight),
            "share": None if self.share is None else round(self.share, 6),
            "status": self.status,
            "mip_gap": None if self.mip_gap is None else float(self.mip_gap),
            "seconds": round(self.seconds, 4),
            "greedy": None if self.greedy is None else self.greedy.to_dict(),
        }
        if self.objective is SitingObjective.AVSTAND:
            out["weighted_distance"] = self.weighted_distance
        if self.objective is SitingObjective.ANTAL:
            out["target_share"] = self.target_share
        return out


def _clean(v: float) -> float | int:
    return int(v) if float(v).is_integer() else float(v)


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


# ---------------------------------------------------------------------------------------------
# The reduced model
# ---------------------------------------------------------------------------------------------


@dataclass
class _Reduced:
    cand: np.ndarray  # positions (in the problem) of the candidates that are variables
    A: Csr  # aggregated demand rows × cand (0/1 as floats)
    w: np.ndarray  # weights of the aggregated rows
    base: float  # weight covered by the fixed sites
    conflicts: np.ndarray  # pairs (a, b) of positions in ``cand`` too close to each other
    groups: np.ndarray | None  # group per variable
    bound: float = 0.0  # upper bound on the reduced weight from the last solve


def _allowed(prob: SitingProblem, cons: Constraints) -> np.ndarray:
    ok = ~prob.fixed.copy()
    if cons.excluded:
        ok &= ~np.isin(prob.candidate_ids, list(cons.excluded))
    if cons.min_distance and prob.fixed.any():
        if prob.candidate_xy is None:
            raise SitingError("minsta avstånd mellan platser kräver kandidaternas koordinater")
        near, _, _ = pairs_within(prob.candidate_xy, prob.candidate_xy[prob.fixed], cons.min_distance - _EPS)
        ok[near] = False
    return ok


def _check_constraints(prob: SitingProblem, cons: Constraints) -> None:
    if cons.excluded:
        prob.index_of(sorted(cons.excluded), "den uteslutna kandidaten")
    if cons.max_per_group is not None:
        if cons.max_per_group < 0:
            raise SitingError("högst antal per kommun ska vara 0 eller mer")
        if prob.groups is None:
            raise SitingError("högst antal per kommun kräver en kommun (grupp) per kandidat")
    if cons.min_distance is not None and cons.min_distance < 0:
        raise SitingError("minsta avstånd ska vara 0 eller mer")


def _reduce(prob: SitingProblem, cons: Constraints, keep_all_candidates: bool = False) -> _Reduced:
    """Drop demand the fixed sites cover, aggregate equal coverage sets, drop idle candidates."""
    _check_constraints(prob, cons)
    fixed_cov = prob.covered_by(prob.fixed)
    base = float(prob.weights[fixed_cov].sum())
    allowed = np.flatnonzero(_allowed(prob, cons))
    rows = np.flatnonzero(~fixed_cov & (prob.weights > 0))
    sub = prob.cover.take_rows(rows).take_cols(allowed)
    reach = sub.row_counts() > 0
    sub = sub.take_rows(reach)
    w = prob.weights[rows][reach]
    sub, w = _aggregate(sub, w)
    used = sub.col_counts() > 0 if not keep_all_candidates else np.ones(len(allowed), bool)
    if not keep_all_candidates and cons.max_per_group is None and not cons.min_distance:
        used &= ~_dominated(sub)
    cand = allowed[used]
    sub, w = _aggregate(sub.take_cols(np.flatnonzero(used)), w)
    A = sub.astype(np.float64)
    conflicts = np.zeros((0, 2), dtype=np.int64)
    if cons.min_distance and len(cand) > 1:
        if prob.candidate_xy is None:
            raise SitingError("minsta avstånd mellan platser kräver kandidaternas koordinater")
        conflicts = _close_pairs(prob.candidate_xy[cand], cons.min_distance - _EPS)
    groups = prob.groups[cand] if prob.groups is not None else None
    return _Reduced(cand, A, w, base, conflicts, groups)


def _close_pairs(xy: np.ndarray, distance: float) -> np.ndarray:
    """Pairs ``(a, b)``, ``a < b``, of points at most ``distance`` apart, in increasing order."""
    i, j, _ = pairs_within(xy, xy, distance)
    keep = i < j
    return np.column_stack([i[keep], j[keep]]).astype(np.int64)


def _aggregate(sub: Csr, w: np.ndarray) -> tuple[Csr, np.ndarray]:
    """Rows with the same coverage set (same column pattern) become one row, weights added; the
    rows keep the order of their first occurrence."""
    if not sub.shape[0]:
        return sub, w
    first: dict[bytes, int] = {}
    codes = np.empty(sub.shape[0], dtype=np.int64)
    for i in range(sub.shape[0]):
        codes[i] = first.setdefault(sub.row(i).tobytes(), len(first))
    _, firsts = np.unique(codes, return_index=True)  # codes count up in order of first occurrence
    return sub.take_rows(firsts), np.bincount(codes, weights=w)


def _dominated(sub: Csr) -> np.ndarray:
    """Columns whose coverage set lies inside another column's (equal sets: all but the first).

    Without per-group or distance constraints such a column can always be swapped for the one
    that dominates it without losing weight, so it need not be a variable.
    """
    m = sub.shape[1]
    out = np.zeros(m, dtype=bool)
    if m < 2 or sub.nnz == 0:
        return out
    size = sub.col_counts()
    r, c, v = _overlaps(sub)
    dom = (r != c) & (size[r] > 0) & (v == size[r]) & ((size[c] > size[r]) | ((size[c] == size[r]) & (c < r)))
    out[r[dom]] = True
    return out


def _overlaps(sub: Csr, chunk: int = 4_000_000) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For every two columns sharing a row: ``(r, c, rows shared)`` (both orders; a column with
    itself too), counted over blocks of rows of at most ``chunk`` pairs."""
    m = sub.shape[1]
    deg = sub.row_counts()
    per_row = deg * deg
    keys: list[np.ndarray] = []
    counts: list[np.ndarray] = []
    start, bounds = 0, np.cumsum(per_row)
    while start < sub.shape[0]:
        base = bounds[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(bounds, base + chunk, side="right")))
        lo, hi = sub.indptr[start], sub.indptr[stop]
        d = deg[start:stop]
        cols = sub.indices[lo:hi]
        # each entry paired with every entry of its row
        rep = np.repeat(d, d)
        left = np.repeat(cols, rep)
        row_start = np.repeat(np.cumsum(d) - d, d)
        within = np.arange(len(left), dtype=np.int64) - np.repeat(np.cumsum(rep) - rep, rep)
        right = cols[np.repeat(row_start, rep) + within]
        k, n = np.unique(left * m + right, return_counts=True)
        keys.append(k)
        counts.append(n)
        start = stop
    k = np.concatenate(keys)
    n = np.concatenate(counts)
    if len(keys) > 1:
        k, inv = np.unique(k, return_inverse=True)
        n = np.bincount(inv, weights=n).astype(np.int64)
    return k // m, k % m, n


def _group_rows(red: _Reduced, k: int | None, nvar_y: int) -> list[Rows]:
    if k is None or red.groups is None or not len(red.cand):
        return []
    first: dict[Any, int] = {}  # groups numbered in order of appearance; no group is a group of its own
    codes = np.asarray([first.setdefault("\x00" if g is None else g, len(first)) for g in red.groups], dtype=np.int64)
    counts = np.bincount(codes)
    big = np.flatnonzero(counts > k)
    if not len(big):
        return []
    rows, cols = [], []
    for r, g in enumerate(big):
        idx = np.flatnonzero(codes == g)
        rows += [r] * len(idx)
        cols += idx.tolist()
    M = Csr.from_pairs(rows, cols, np.ones(len(rows)), (len(big), len(red.cand) + nvar_y))
    return [_le(M, float(k))]


def _le(M: Csr, upper: float) -> Rows:
    return Rows(M, np.full(M.shape[0], -np.inf), np.full(M.shape[0], upper))


def _conflict_rows(red: _Reduced, nvar_y: int) -> list[Rows]:
    if not len(red.conflicts):
        return []
    c = red.conflicts
    r = np.repeat(np.arange(len(c)), 2)
    M = Csr.from_pairs(r, c.ravel(), np.ones(2 * len(c)), (len(c), len(red.cand) + nvar_y))
    return [_le(M, 1.0)]


def _solve(c: np.ndarray, cons: list[Rows], integrality: np.ndarray, ub: np.ndarray, time_limit: float) -> MilpResult:
    return milp(c, cons, integrality, np.zeros(len(c)), ub, time_limit=time_limit, mip_rel_gap=MIP_REL_GAP)


def _cover_rows(red: _Reduced) -> Csr:
    """``y_i - Σ_j A_ij x_j`` per aggregated demand row: the x columns first, then y."""
    nx, ny = len(red.cand), len(red.w)
    r = np.concatenate([red.A.entry_rows(), np.arange(ny)])
    c = np.concatenate([red.A.indices, nx + np.arange(ny)])
    return Csr.from_pairs(r, c, np.concatenate([-red.A.data, np.ones(ny)]), (ny, nx + ny))


def _one_row(values: np.ndarray) -> Csr:
    """A row of the nonzero ``values`` (scipy drops the zeros of a dense row)."""
    nz = np.flatnonzero(values)
    return Csr.from_pairs(np.zeros(len(nz)), nz, values[nz], (1, len(values)))


def _max_cover_milp(red: _Reduced, p: int, cons: Constraints, time_limit: float) -> tuple[np.ndarray, str, float | None]:
    """Choose at most ``p`` columns of the reduced model; returns (chosen positions in ``cand``,
    status, gap). ``red.bound`` is set to the solver's upper bound on the reduced weight."""
    nx, ny = len(red.cand), len(red.w)
    red.bound = 0.0
    if nx == 0 or ny == 0 or p == 0:
        return np.zeros(0, dtype=np.int64), "optimal", 0.0
    # variables: x (nx, binary) then y (ny, continuous in [0, 1]); maximise w·y
    c = np.concatenate([np.zeros(nx), -red.w])
    card = _one_row(np.concatenate([np.ones(nx), np.zeros(ny)]))
    lcons = [_le(_cover_rows(red), 0.0), Rows(card, np.zeros(1), np.full(1, float(p)))]  # y_i - Σ x_j ≤ 0
    lcons += _group_rows(red, cons.max_per_group, ny) + _conflict_rows(red, ny)
    res = _solve(c, lcons, np.concatenate([np.ones(nx), np.zeros(ny)]), np.ones(nx + ny), time_limit)
    status = _STATUS.get(int(res.status), "error")
    dual = res.mip_dual_bound
    red.bound = float(-dual) if dual is not None and np.isfinite(dual) else float(red.w.sum())
    if res.x is None:
        return np.zeros(0, dtype=np.int64), status, None
    gap = res.mip_gap
    return np.flatnonzero(res.x[:nx] > 0.5), status, (None if gap is None else max(0.0, float(gap)))


def _greedy_reduced(red: _Reduced, p: int, cons: Constraints) -> np.ndarray:
    """Greedy on the reduced model: repeatedly the feasible column with the largest added weight
    (ties: the lowest position)."""
    nx = len(red.cand)
    if nx == 0 or p == 0:
        return np.zeros(0, dtype=np.int64)
    A = red.A
    At = A.transpose()
    uncovered = np.ones(A.shape[0], dtype=bool)
    gain = A.weighted_col_sums(red.w)
    free = np.ones(nx, dtype=bool)
    conflict_of: dict[int, list[int]] = {}
    for a, b in red.conflicts:
        conflict_of.setdefault(int(a), []).append(int(b))
        conflict_of.setdefault(int(b), []).append(int(a))
    per_group: dict[Any, int] = {}
    chosen: list[int] = []
    while len(chosen) < p:
        g = np.where(free, gain, -np.inf)
        j = int(np.argmax(g))
        if not np.isfinite(g[j]) or g[j] <= 0:
            break
        chosen.append(j)
        free[j] = False
        for b in conflict_of.get(j, []):
            free[b] = False
        if cons.max_per_group is not None and red.groups is not None:
            grp = red.groups[j]
            per_group[grp] = per_group.get(grp, 0) + 1
            if per_group[grp] >= cons.max_per_group:
                free[red.groups == grp] = False
        col = At.row(j)
        rows = col[uncovered[col]]
        if len(rows):
            uncovered[rows] = False
            gain -= A.weighted_col_sums(red.w, rows)
    return np.asarray(chosen, dtype=np.int64)


def _rank(prob: SitingProblem, open_new: np.ndarray) -> tuple[list[int], list[float], list[list[str]]]:
    """Order the chosen sites: each next one adds the most weight to fixed + those before it."""
    covered = prob.covered_by(prob.fixed)
    left = [int(j) for j in open_new]
    order, gains, newly = [], [], []
    cov = prob.cover.transpose()
    while left:
        best, best_gain, best_rows = left[0], -1.0, np.zeros(0, dtype=np.int64)
        for j in left:
            rows = cov.row(j)
            rows = rows[~covered[rows]]
            g = float(prob.weights[rows].sum())
            if g > best_gain:
                best, best_gain, best_rows = j, g, rows
        order.append(best)
        gains.append(best_gain)
        newly.append(sorted(prob.demand_ids[best_rows].tolist()))
        covered[best_rows] = True
        left.remove(best)
    return order, gains, newly


def _check_p(prob: SitingProblem, p: int, cons: Constraints) -> None:
    if p < 0:
        raise SitingError("antalet nya platser (-p) ska vara 0 eller mer")
    if len(prob.weights) == 0:
        raise SitingError("det finns ingen efterfrågan (inga efterfrågepunkter)")
    n_free = int((~prob.fixed & ~np.isin(prob.candidate_ids, list(cons.excluded))).sum())
    if p > n_free:
        raise SitingError(
            f"{p} nya platser begärda men bara {n_free} kandidater kan väljas "
            f"({int(prob.fixed.sum())} är befintliga{', ' + str(len(cons.excluded)) + ' uteslutna' if cons.excluded else ''})"
        )


def _result(prob: SitingProblem, objective: SitingObjective, chosen: np.ndarray, status: str, gap: float | None,
            t0: float, greedy: GreedyResult | None, model: dict[str, int], **extra: Any) -> SitingResult:
    mask = prob.fixed.copy()
    mask[chosen] = True
    order, gains, newly = _rank(prob, chosen)
    if objective is SitingObjective.TACKNING:  # a site that adds nothing beside the others is not proposed
        keep = [i for i, g in enumerate(gains) if g > 0]
        order, gains, newly = [order[i] for i in keep], [gains[i] for i in keep], [newly[i] for i in keep]
    return SitingResult(
        objective=objective,
        selected=[str(prob.candidate_ids[j]) for j in order],
        fixed=[str(v) for v in prob.candidate_ids[prob.fixed]],
        covered_weight=prob.covered_weight(mask),
        total_weight=prob.total_weight,
        fixed_weight=prob.covered_weight(prob.fixed),
        status=status,
        mip_gap=gap,
        seconds=time.perf_counter() - t0,
        greedy=greedy,
        gains=gains,
        newly_covered=newly,
        model=model,
        **extra,
    )


def _greedy_result(prob: SitingProblem, red: _Reduced, p: int, cons: Constraints) -> GreedyResult:
    t = time.perf_counter()
    g = red.cand[_greedy_reduced(red, p, cons)]
    mask = prob.fixed.copy()
    mask[g] = True
    cw = prob.covered_weight(mask)
    order, _, _ = _rank(prob, g)
    return GreedyResult([str(prob.candidate_ids[j]) for j in order], cw, _share(cw, prob.total_weight),
                        time.perf_counter() - t)


# ---------------------------------------------------------------------------------------------
# Objectives
# ---------------------------------------------------------------------------------------------


def maximal_covering(
    prob: SitingProblem, p: int, constraints: Constraints | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
    greedy: bool = True,
) -> SitingResult:
    """Choose at most ``p`` new sites that, with the fixed sites, cover the most weight.

    The MILP on the reduced model is solved by HiGHS; ``status`` is ``optimal`` when proven,
    ``time_limit`` when the limit was reached (the best solution found is returned, with its
    gap). Fewer than ``p`` sites are returned only when more would add nothing.
    """
    cons = constraints or Constraints()
    t0 = time.perf_counter()
    _check_p(prob, p, cons)
    red = _reduce(prob, cons)
    chosen, status, gap = _max_cover_milp(red, p, cons, time_limit)
    g = _greedy_result(prob, red, p, cons) if greedy else None
    if status != "optimal" and g is not None:
        # keep the better of the solver's incumbent and greedy (never report worse than greedy)
        m = prob.fixed.copy()
        m[red.cand[chosen]] = True
        if prob.covered_weight(m) < g.covered_weight:
            chosen = np.searchsorted(red.cand, prob.index_of(g.selected))
        m = prob.fixed.copy()
        m[red.cand[chosen]] = True
        got = prob.covered_weight(m) - red.base
        gap = max(0.0, (red.bound - got) / got) if got > 0 else None
    model = {"demand_rows": int(red.A.shape[0]), "candidates": int(len(red.cand)),
             "demand_points": int(len(prob.weights)), "candidate_points": int(prob.n_candidates)}
    return _result(prob, SitingObjective.TACKNING, red.cand[chosen], status, gap, t0, g, model)


def set_covering(
    prob: SitingProblem, target_share: float, constraints: Constraints | None = None,
    time_limit: float = DEFAULT_TIME_LIMIT,
) -> SitingResult:
    """The fewest new sites such that, with the fixed sites, ``target_share`` of the weight is
    covered; among those counts, the selection covering the most. Raises
    :class:`TargetUnreachableError` when no selection reaches the target."""
    cons = constraints or Constraints()
    t0 = time.perf_counter()
    if not 0 < target_share <= 1:
        raise SitingError(f"målandelen ska vara större än 0 och högst 1, fick {target_share}")
    if len(prob.weights) == 0:
        raise SitingError("det finns ingen efterfrågan (inga efterfrågepunkter)")
    total = prob.total_weight
    target = target_share * total
    red = _reduce(prob, cons)
    need = target - red.base - 1e-9 * max(total, 1.0)
    nx, ny = len(red.cand), len(red.w)
    best_possible = red.base + float(red.w.sum())
    if best_possible + 1e-9 * max(total, 1.0) < target:
        raise TargetUnreachableError(target_share, best_possible, total)
    gap: float | None
    if need <= 0:
        chosen, status, gap = np.zeros(0, dtype=np.int64), "optimal", 0.0
    else:
        c = np.concatenate([np.ones(nx), np.zeros(ny)])
        wrow = _one_row(np.concatenate([np.zeros(nx), red.w]))
        lcons = [_le(_cover_rows(red), 0.0), Rows(wrow, np.full(1, need), np.full(1, np.inf))]
        lcons += _group_rows(red, cons.max_per_group, ny) + _conflict_rows(red, ny)
        res = _solve(c, lcons, np.concatenate([np.ones(nx), np.zeros(ny)]), np.ones(nx + ny), time_limit)
        status = _STATUS.get(int(res.status), "error")
        if status == "infeasible":
            raise SitingError(
                f"målet {target_share:.1%} går inte att nå med villkoren (högst per kommun, uteslutna "
                "kandidater, minsta avstånd); lätta på villkoren eller sänk målet"
            )
        if res.x is None:
            raise SitingError(f"ingen lösning hittades inom tidsgränsen {time_limit:g} s; höj --time-limit")
        chosen = np.flatnonzero(res.x[:nx] > 0.5)
        gap = res.mip_gap
        # the same count, the most weight
        if status == "optimal" and len(chosen):
            best, st2, _g2 = _max_cover_milp(red, len(chosen), cons, time_limit)
            picked = np.zeros(nx, dtype=bool)
            picked[best] = True
            got = float(red.w[red.A.any_in_cols(picked)].sum()) if len(best) else 0.0
            if st2 == "optimal" and got >= need:
                chosen = best
    g = _greedy_result(prob, red, max(len(chosen), 0), cons)
    model = {"demand_rows": int(ny), "candidates": int(nx), "demand_points": int(len(prob.weights)),
             "candidate_points": int(prob.n_candidates)}
    return _result(prob, SitingObjective.ANTAL, red.cand[chosen], status, None if gap is None else max(0.0, float(gap)),
                   t0, g, model, target_share=target_share)


def p_median(
    prob: SitingProblem, p: int, constraints: Constraints | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
    max_pairs: int = 3_000_000,
) -> SitingResult:
    """Choose ``p`` new sites minimising the weighted distance from each demand point to its
    nearest open site (fixed or new). Only pairs in ``prob.distance`` are possible assignments;
    a demand point with no pair to any site makes the problem infeasible (a Swedish error).

    Reduction: a demand point is only ever assigned to a new site closer than its nearest fixed
    site, so only those pairs are variables.
    """
    cons = constraints or Constraints()
    t0 = time.perf_counter()
    _check_p(prob, p, cons)
    _check_constraints(prob, cons)
    if prob.distance is None:
        raise SitingError("avstånd saknas för p-median")
    D = prob.distance
    n, m = D.shape
    fixed_cols, dfix = _nearest_fixed(prob, D)
    allowed = _allowed(prob, cons)
    r, c, d = _median_pairs(prob, D, dfix, allowed, max_pairs)
    pos_w = prob.weights > 0
    cand = np.unique(c)
    cpos = np.searchsorted(cand, c)
    rows_i = np.flatnonzero(pos_w)
    ri = np.searchsorted(rows_i, r)
    nx, nz, nf = len(cand), len(r), len(rows_i)
    # variables: x (nx) | z (nz, assignment to a new site) | f (nf, assignment to the nearest fixed)
    fcost = np.where(np.isfinite(dfix[rows_i]), dfix[rows_i] + _EPS, 0.0)
    c_obj = np.concatenate([np.zeros(nx), prob.weights[r] * d, prob.weights[rows_i] * fcost])
    nvar, z0, f0 = nx + nz + nf, nx, nx + nz
    # each weighted demand point assigned once: to a new site (z) or to its nearest fixed one (f;
    # a 0 coefficient, kept as scipy keeps it, when it has none)
    assign = Csr.from_pairs(np.concatenate([ri, np.arange(nf)]), np.concatenate([z0 + np.arange(nz), f0 + np.arange(nf)]),
                            np.concatenate([np.ones(nz), np.isfinite(dfix[rows_i]).astype(float)]), (nf, nvar))
    link = Csr.from_pairs(np.concatenate([np.arange(nz), np.arange(nz)]), np.concatenate([cpos, z0 + np.arange(nz)]),
                          np.concatenate([-np.ones(nz), np.ones(nz)]), (nz, nvar))  # z_k ≤ x_j
    card = _one_row(np.concatenate([np.ones(nx), np.zeros(nz + nf)]))
    n_free = int(allowed.sum())
    lcons = [Rows(assign, np.ones(nf), np.ones(nf)), _le(link, 0.0),
             Rows(card, np.full(1, 0.0 if len(fixed_cols) else float(min(p, n_free))), np.full(1, float(p)))]
    red = _Reduced(cand, Csr.empty((0, nx)), np.zeros(0), 0.0, np.zeros((0, 2), dtype=np.int64),
                   prob.groups[cand] if prob.groups is not None else None)
    if cons.min_distance and nx > 1:
        if prob.candidate_xy is None:
            raise SitingError("minsta avstånd mellan platser kräver kandidaternas koordinater")
        red.conflicts = _close_pairs(prob.candidate_xy[cand], cons.min_distance - _EPS)
    lcons += _group_rows(red, cons.max_per_group, nz + nf) + _conflict_rows(red, nz + nf)
    ub = np.concatenate([np.ones(nx + nz), np.isfinite(dfix[rows_i]).astype(float)])
    res = _solve(c_obj, lcons, np.concatenate([np.ones(nx), np.zeros(nz + nf)]), ub, time_limit)
    status = _STATUS.get(int(res.status), "error")
    if res.x is None:
        if status == "infeasible":
            raise SitingError("p-median saknar lösning: någon efterfrågepunkt kan inte nå en öppen plats "
                              "med så få nya platser; öka -p eller ange fler avstånd")
        raise SitingError(f"ingen lösning hittades inom tidsgränsen {time_limit:g} s; höj --time-limit")
    chosen = cand[res.x[:nx] > 0.5]
    gap = res.mip_gap
    mask = prob.fixed.copy()
    mask[chosen] = True
    wd = weighted_distance(prob, mask)
    model = {"pairs": int(nz), "candidates": int(nx), "demand_points": int(n), "candidate_points": int(m)}
    greedy = _greedy_median(prob, r, c, d, dfix, p, cons, red)
    return _result(prob, SitingObjective.AVSTAND, chosen, status, None if gap is None else max(0.0, float(gap)), t0,
                   greedy, model, weighted_distance=wd)


def _nearest_fixed(prob: SitingProblem, D: Csr) -> tuple[np.ndarray, np.ndarray]:
    """The fixed sites' columns and the distance from each demand point to its nearest fixed
    site (less a tolerance; inf when none)."""
    n = D.shape[0]
    fixed_cols = np.flatnonzero(prob.fixed)
    dfix = np.full(n, np.inf)
    if len(fixed_cols):
        Df = D.take_cols(fixed_cols)
        for i in range(n):
            v = Df.data[Df.indptr[i]:Df.indptr[i + 1]]
            if len(v):
                dfix[i] = float(v.min()) - _EPS
    return fixed_cols, dfix


def _median_pairs(prob: SitingProblem, D: Csr, dfix: np.ndarray, allowed: np.ndarray,
                  max_pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The possible assignments (demand row, candidate column, distance): allowed new sites
    closer than the nearest fixed one. Too many pairs, or a demand point that reaches no site,
    is a Swedish error."""
    n = D.shape[0]
    rows = D.entry_rows()
    keep = allowed[D.indices] & (D.data - _EPS < dfix[rows]) & (prob.weights[rows] > 0)
    r, c, d = rows[keep], D.indices[keep], D.data[keep] - _EPS
    if len(r) > max_pairs:
        raise SitingError(
            f"p-median blir för stort ({len(r):,} par efterfrågan–kandidat); ange befintliga platser, "
            "en kostnadstabell med färre par eller färre kandidater".replace(",", " ")
        )
    served = np.isfinite(dfix) | np.isin(np.arange(n), r)
    pos_w = prob.weights > 0
    if (pos_w & ~served).any():
        i = int(np.flatnonzero(pos_w & ~served)[0])
        raise SitingError(f"efterfrågepunkten {str(prob.demand_ids[i])!r} når ingen plats (inget avstånd angivet)")
    return r, c, d


def _greedy_median(prob: SitingProblem, r: np.ndarray, c: np.ndarray, d: np.ndarray, dfix: np.ndarray, p: int,
                   cons: Constraints, red: _Reduced) -> GreedyResult:
    """Greedy p-median: repeatedly the site that lowers the weighted distance most (reference)."""
    t = time.perf_counter()
    w = prob.weights
    big = (float(d.max()) if len(d) else 0.0) * 10 + 1.0
    cur = np.where(np.isfinite(dfix), dfix, big)
    free = np.ones(prob.n_candidates, dtype=bool)
    conflict: dict[int, set[int]] = {}
    for a, b in red.conflicts:
        ja, jb = int(red.cand[a]), int(red.cand[b])
        conflict.setdefault(ja, set()).add(jb)
        conflict.setdefault(jb, set()).add(ja)
    per_group: dict[Any, int] = {}
    chosen: list[int] = []
    for _ in range(p):
        ok = free[c]
        saving = np.bincount(c[ok], weights=w[r[ok]] * np.maximum(0.0, cur[r[ok]] - d[ok]), minlength=prob.n_candidates)
        saving[~free] = -1.0
        j = int(np.argmax(saving))
        if saving[j] <= 0:
            break
        chosen.append(j)
        free[j] = False
        for b in conflict.get(j, ()):
            free[b] = False
        if cons.max_per_group is not None and prob.groups is not None:
            g = prob.groups[j]
            per_group[g] = per_group.get(g, 0) + 1
            if per_group[g] >= cons.max_per_group:
                free[prob.groups == g] = False
        sel = c == j
        np.minimum.at(cur, r[sel], d[sel])
    mask = prob.fixed.copy()
    mask[chosen] = True
    cw = prob.covered_weight(mask)
    return GreedyResult([str(prob.candidate_ids[j]) for j in chosen], cw, _share(cw, prob.total_weight),
                        time.perf_counter() - t, weighted_distance=weighted_distance(prob, mask))


def weighted_distance(prob: SitingProblem, open_mask: np.ndarray) -> float | None:
    """Σ weight × distance to the nearest open site; ``None`` when a weighted point reaches none."""
    if prob.distance is None:
        return None
    D = prob.distance.take_cols(np.flatnonzero(open_mask))
    total = 0.0
    for i in range(D.shape[0]):
        if prob.weights[i] == 0:
            continue
        v = D.data[D.indptr[i]:D.indptr[i + 1]]
        if not len(v):
            return None
        total += prob.weights[i] * (float(v.min()) - _EPS)
    return total


# ---------------------------------------------------------------------------------------------
# Curve, evaluation, brute force
# ---------------------------------------------------------------------------------------------


def gain_curve(
    prob: SitingProblem, n: int, constraints: Constraints | None = None, time_limit: float = DEFAULT_TIME_LIMIT,
) -> pd.DataFrame:
    """Covered weight for p = 0..n (optimal for each p): where more centres stop paying off.

    Columns: ``p, covered_weight, share, marginal_gain, status, mip_gap, selected``.
    """
    import pandas as pd

    cons = constraints or Constraints()
    _check_p(prob, n, cons)
    red = _reduce(prob, cons)
    rows = []
    prev = None
    for p in range(0, n + 1):
        chosen, status, gap = _max_cover_milp(red, p, cons, time_limit)
        mask = prob.fixed.copy()
        mask[red.cand[chosen]] = True
        cw = prob.covered_weight(mask)
        rows.append({"p": p, "covered_weight": _clean(cw), "share": _share(cw, prob.total_weight),
                     "marginal_gain": None if prev is None else _clean(cw - prev), "status": status,
                     "mip_gap": gap, "selected": ",".join(str(prob.candidate_ids[j]) for j in red.cand[chosen])})
        prev = cw
    return pd.DataFrame(rows)


def evaluate(prob: SitingProblem, sites: Sequence[Any]) -> pd.DataFrame:
    """The gain of named sites beside the fixed ones.

    One row per site: ``site, gain_alone`` (weight it adds to the fixed sites on its own),
    ``gain_in_order`` (added after the sites before it in the list) and ``newly_covered``;
    and a last row ``site="(alla)"`` with the total gain of the whole proposal.
    """
    import pandas as pd

    idx = prob.index_of(sites, "den föreslagna platsen")
    base_mask = prob.fixed.copy()
    base = prob.covered_by(base_mask)
    cov = prob.cover.transpose()
    covered = base.copy()
    out = []
    for j in idx:
        rows = cov.row(j)
        alone = float(prob.weights[rows[~base[rows]]].sum())
        new_rows = rows[~covered[rows]]
        out.append({"site": str(prob.candidate_ids[j]), "fixed": bool(prob.fixed[j]), "gain_alone": _clean(alone),
                    "gain_in_order": _clean(float(prob.weights[new_rows].sum())),
                    "newly_covered": ",".join(sorted(prob.demand_ids[new_rows].tolist()))})
        covered[new_rows] = True
    total = float(prob.weights[covered].sum()) - float(prob.weights[base].sum())
    out.append({"site": "(alla)", "fixed": False, "gain_alone": _clean(total), "gain_in_order": _clean(total),
                "newly_covered": ",".join(sorted(prob.demand_ids[covered & ~base].tolist()))})
    return pd.DataFrame(out)


def brute_force(prob: SitingProblem, p: int, constraints: Constraints | None = None) -> float:
    """Best covered weight over every subset of at most ``p`` allowed sites (reference; tiny
    instances only)."""
    cons = constraints or Constraints()
    allowed = np.flatnonzero(_allowed(prob, cons))
    best = prob.covered_weight(prob.fixed)
    xy = prob.candidate_xy
    for k in range(1, p + 1):
        for combo in itertools.combinations(allowed.tolist(), k):
            if cons.max_per_group is not None and prob.groups is not None:
                counts = Counter(g for g in prob.groups[list(combo)] if g is not None)
                if any(n > cons.max_per_group for n in counts.values()):
                    continue
            if cons.min_distance and xy is not None and k > 1:
                pts = xy[list(combo)]
                dd = np.sqrt(((pts[:, None, :] - pts[None, :, :]) ** 2).sum(-1))
                if (dd[np.triu_indices(k, 1)] < cons.min_distance - _EPS).any():
                    continue
            mask = prob.fixed.copy()
            mask[list(combo)] = True
            best = max(best, prob.covered_weight(mask))
    return best


def parse_ids(spec: str | Iterable[str] | None) -> list[str]:
    """``"a, b,c"`` → ``["a", "b", "c"]`` (empty parts dropped).

    >>> parse_ids(" a, b,,c ")
    ['a', 'b', 'c']
    """
    if spec is None:
        return []
    parts = spec.split(",") if isinstance(spec, str) else list(spec)
    return [p.strip() for p in parts if str(p).strip()]


def weights_by_type(omradestyp: pd.Series, factors: Mapping[int, float]) -> pd.Series:
    """Factor per områdestyp (``barn-viktat``); an unknown type gets 0 (stated by the caller)."""
    import pandas as pd

    return omradestyp.map(lambda t: float(factors.get(int(t), 0.0)) if pd.notna(t) else 0.0).astype(float)


# ---------------------------------------------------------------------------------------------
# From the atlas: children per area as demand, operating centres fixed, reach as in the atlas
# ---------------------------------------------------------------------------------------------

#: Demand weights of the bundle run (``--vikt``).
WEIGHT_KINDS = ("barn-utanforskap", "barn", "barn-viktat")
#: Factors per områdestyp of ``barn-viktat``: type 1 weighs most (stated in every output).
TYPE_FACTORS: dict[int, float] = {1: 5.0, 2: 4.0, 3: 3.0, 4: 2.0, 5: 1.0}
WEIGHT_LABELS = {
    "barn-utanforskap": "barn 0–6 år i utanförskapsområden",
    "barn": "barn 0–6 år i alla områden",
    "barn-viktat": "barn 0–6 år × faktor efter områdestyp",
}


def weight_label(kind: str, factors: Mapping[int, float] = TYPE_FACTORS) -> str:
    """Swedish description of a demand weight, with the factors of ``barn-viktat``.

    >>> weight_label("barn-viktat")
    'barn 0–6 år × faktor efter områdestyp (typ 1: 5, typ 2: 4, typ 3: 3, typ 4: 2, typ 5: 1)'
    """
    text = WEIGHT_LABELS[kind]
    if kind == "barn-viktat":
        text += " (" + ", ".join(f"typ {t}: {f:g}" for t, f in sorted(factors.items())) + ")"
    return text


def demand_from_areas(
    areas: pd.DataFrame, lan: str | None, kind: str = "barn-utanforskap",
    factors: Mapping[int, float] = TYPE_FACTORS,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Demand areas of a siting run and the areas left out because their boundary is unknown.

    ``areas`` is the atlas's area table (:func:`fcatlas.analysis.atlas.link_and_cover`: ``x, y,
    has_geometry, reach_km, covered, exclusion, children_0_6, omradestyp`` …). ``kind``:
    ``barn-utanforskap`` = children 0–6 in exclusion areas only (default), ``barn`` = children in
    every area, ``barn-viktat`` = children × the factor of the area's områdestyp. Returns
    ``(demand, unknown)``; ``demand`` has a column ``weight``.
    """
    if kind not in WEIGHT_KINDS:
        raise SitingError(f"okänd vikt {kind!r}; välj {', '.join(WEIGHT_KINDS)}")
    a = areas if lan is None else areas.loc[areas["lan_code"] == lan]
    if kind == "barn-utanforskap":
        a = a.loc[a["exclusion"].astype(bool)]
    children = a["children_0_6"].astype("Float64").fillna(0).astype(float)
    w = children * weights_by_type(a["omradestyp"], factors) if kind == "barn-viktat" else children
    a = a.assign(weight=w.to_numpy())
    has = a["has_geometry"].astype(bool)
    return a.loc[has].reset_index(drop=True), a.loc[~has].reset_index(drop=True)


def candidates_from_areas(areas: pd.DataFrame, lan: str | None) -> pd.DataFrame:
    """Candidate sites at the centroids of the areas (with a boundary) of a län: a units-shaped
    table (``id`` = RegSO code, ``name``, ``lat, lon`` in WGS 84) ready for
    :func:`fcatlas.analysis.linking.link_units`."""
    import pandas as pd

    from fcatlas.analysis.linking import to_wgs84

    a = areas if lan is None else areas.loc[areas["lan_code"] == lan]
    a = a.loc[a["has_geometry"].astype(bool)]
    lon, lat = to_wgs84(a["x"].to_numpy(dtype=float), a["y"].to_numpy(dtype=float))
    return pd.DataFrame({
        "id": a["regso_code"].astype(str).to_numpy(),
        "name": ("Mitten av " + a["name"].astype(str)).to_numpy(),
        "kommun_code": a["kommun_code"].astype(str).to_numpy(),
        "category": "familjecentral",
        "status": "i_drift",
        "lat": lat,
        "lon": lon,
        "precision": "exakt",
    })


def problem_from_atlas(
    demand: pd.DataFrame, centres: pd.DataFrame, candidates: pd.DataFrame,
    extra_fixed: Iterable[str] = (),
) -> SitingProblem:
    """The siting problem of a bundle run, by the atlas's own rule of "within reach".

    ``demand``: areas with ``regso_code, x, y, reach_km, weight``; ``centres`` (fixed) and
    ``candidates``: linked units with ``id, x, y, regso_code, kommun_code``. A site covers an area
    when it lies inside it or within the area's reach of its centroid
    (:func:`fcatlas.analysis.coverage.reach_pairs`) — so the chosen sites, added to the register as
    centres, raise the atlas's coverage by exactly the reported weight.
    """
    import pandas as pd

    from fcatlas.analysis.coverage import reach_pairs

    cols = ["id", "x", "y", "regso_code", "kommun_code"]
    sites = pd.concat([centres[cols].assign(_fixed=True), candidates[cols].assign(_fixed=False)],
                      ignore_index=True)
    dup = sites["id"].astype(str).duplicated()
    if dup.any():
        raise SitingError(f"kandidaten {sites.loc[dup, 'id'].iloc[0]!r} har samma id som en annan plats "
                          "(en befintlig familjecentral eller en annan kandidat)")
    sx = sites["x"].to_numpy(dtype=float, na_value=np.nan)
    sy = sites["y"].to_numpy(dtype=float, na_value=np.nan)
    i, j, km = reach_pairs(demand["x"].to_numpy(dtype=float), demand["y"].to_numpy(dtype=float),
                           demand["reach_km"].to_numpy(dtype=float), sx, sy)
    codes = demand["regso_code"].astype(str).reset_index(drop=True)
    pos = pd.Series(np.arange(len(codes)), index=codes)
    site_area = sites["regso_code"].astype("object")
    inside_j = np.flatnonzero(site_area.isin(set(codes)).to_numpy())
    inside_i = pos.loc[site_area.iloc[inside_j].astype(str)].to_numpy()
    ii = np.concatenate([i, inside_i])
    jj = np.concatenate([j, inside_j])
    dx = sx[jj] - demand["x"].to_numpy(dtype=float)[ii]
    dy = sy[jj] - demand["y"].to_numpy(dtype=float)[ii]
    costs = pd.DataFrame({
        "candidate": sites["id"].astype(str).to_numpy()[jj],
        "demand": codes.to_numpy()[ii],
        "distance": np.hypot(dx, dy),
    })
    fixed = sites["_fixed"].to_numpy(dtype=bool).copy()
    extra = set(extra_fixed)
    if extra:
        known = set(sites["id"].astype(str))
        bad = sorted(extra - known)
        if bad:
            raise SitingError(f"den befintliga (fasta) platsen {bad[0]!r} finns inte bland kandidaterna")
        fixed |= sites["id"].astype(str).isin(extra).to_numpy()
    return SitingProblem.from_cost_matrix(
        codes.tolist(), demand["weight"].to_numpy(dtype=float), sites["id"].astype(str).tolist(), costs,
        radius=None, fixed=fixed, groups=sites["kommun_code"].tolist(), candidate_xy=np.column_stack([sx, sy]),
    )
