"""Sparse matrices and near pairs of points for siting, in numpy alone (issue 24.5).

``fcatlas site`` on two CSV files solves in a few tenths of a second; importing scipy (its sparse
matrices, k-d tree and optimiser) took longer than that, since any scipy module first imports the
whole of numpy through scipy's array-API layer. Siting needs little of it: a compressed sparse
row matrix with the handful of operations below, and the pairs of points within a distance.

:class:`Csr` is always canonical: the column indices of a row are increasing and a position is
stored once (duplicates are added when it is built). Explicit zeros are kept, as scipy keeps
them, so a model handed to the solver is the same matrix, entry for entry.

>>> m = Csr.from_pairs([1, 0, 1, 1], [2, 0, 0, 2], [1.0, 2.0, 3.0, 4.0], (2, 3))
>>> m.indptr.tolist(), m.indices.tolist(), m.data.tolist()
([0, 1, 3], [0, 0, 2], [2.0, 3.0, 5.0])
>>> m.transpose().indptr.tolist(), m.transpose().indices.tolist()
([0, 2, 2, 3], [0, 1, 1])
>>> i, j, d = pairs_within(np.array([[0.0, 0], [5, 0]]), np.array([[3.0, 4], [100, 0]]), 5.0)
>>> i.tolist(), j.tolist(), d.tolist()
([0, 1], [0, 0], [5.0, 4.47213595499958])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Most candidate pairs examined at once by :func:`pairs_within` (bounds its memory).
PAIR_CHUNK = 4_000_000


@dataclass(frozen=True, eq=False)
class Csr:
    """A sparse matrix in compressed sparse row form (canonical; see the module's text)."""

    indptr: np.ndarray  # int64, n_rows + 1
    indices: np.ndarray  # int64, column of each stored entry
    data: np.ndarray
    shape: tuple[int, int]

    @classmethod
    def from_pairs(cls, rows: Any, cols: Any, data: Any, shape: tuple[int, int]) -> Csr:
        """The matrix with ``data[k]`` at ``(rows[k], cols[k])``; repeated positions are added
        (booleans: or-ed)."""
        r = np.asarray(rows, dtype=np.int64)
        c = np.asarray(cols, dtype=np.int64)
        v = np.asarray(data)
        key = r * max(shape[1], 1) + c
        if len(key) > 1 and not (key[1:] > key[:-1]).all():  # not already in order (pairs_within's is)
            order = np.argsort(key, kind="stable")
            r, c, v = r[order], c[order], v[order]
        if len(r) > 1:
            first = np.ones(len(r), dtype=bool)
            first[1:] = (r[1:] != r[:-1]) | (c[1:] != c[:-1])
            if not first.all():
                starts = np.flatnonzero(first)
                v = np.logical_or.reduceat(v, starts) if v.dtype == bool else np.add.reduceat(v, starts)
                r, c = r[starts], c[starts]
        indptr = np.zeros(shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=shape[0]), out=indptr[1:])
        return cls(indptr, c, v, shape)

    @classmethod
    def empty(cls, shape: tuple[int, int], dtype: Any = float) -> Csr:
        return cls(np.zeros(shape[0] + 1, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=dtype),
                   shape)

    @property
    def nnz(self) -> int:
        return len(self.indices)

    def entry_rows(self) -> np.ndarray:
        """The row of each stored entry."""
        return np.repeat(np.arange(self.shape[0], dtype=np.int64), np.diff(self.indptr))

    def row(self, i: int) -> np.ndarray:
        """The columns stored in row ``i`` (increasing)."""
        return self.indices[self.indptr[i]:self.indptr[i + 1]]

    def row_counts(self) -> np.ndarray:
        return np.diff(self.indptr)

    def take_rows(self, rows: np.ndarray) -> Csr:
        """The rows ``rows`` (positions or a boolean mask), in that order."""
        idx = np.flatnonzero(rows) if np.asarray(rows).dtype == bool else np.asarray(rows, dtype=np.int64)
        counts = np.diff(self.indptr)[idx]
        indptr = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        starts = np.repeat(self.indptr[idx] - indptr[:-1], counts)
        take = starts + np.arange(indptr[-1], dtype=np.int64)
        return Csr(indptr, self.indices[take], self.data[take], (len(idx), self.shape[1]))

    def take_cols(self, cols: np.ndarray) -> Csr:
        """The columns ``cols`` (increasing positions or a boolean mask), renumbered 0, 1, …"""
        idx = np.flatnonzero(cols) if np.asarray(cols).dtype == bool else np.asarray(cols, dtype=np.int64)
        if len(idx) > 1 and (np.diff(idx) <= 0).any():
            raise ValueError("take_cols: columns must be increasing")
        new = np.full(self.shape[1], -1, dtype=np.int64)
        new[idx] = np.arange(len(idx), dtype=np.int64)
        mapped = new[self.indices]
        keep = mapped >= 0
        indptr = np.zeros(self.shape[0] + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.entry_rows()[keep], minlength=self.shape[0]), out=indptr[1:])
        return Csr(indptr, mapped[keep], self.data[keep], (self.shape[0], len(idx)))

    def transpose(self) -> Csr:
        """The transpose (equally: the matrix by columns), canonical."""
        order = np.argsort(self.indices, kind="stable")
        indptr = np.zeros(self.shape[1] + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.indices, minlength=self.shape[1]), out=indptr[1:])
        return Csr(indptr, self.entry_rows()[order], self.data[order], (self.shape[1], self.shape[0]))

    def col_counts(self) -> np.ndarray:
        """Stored entries per column."""
        return np.bincount(self.indices, minlength=self.shape[1])

    def weighted_col_sums(self, weights: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
        """Per column, the sum of ``weights`` of the rows with an entry there (a 0/1 matrix
        transposed times ``weights``), over every row or the rows ``rows`` only."""
        if rows is None:
            return np.bincount(self.indices, weights=weights[self.entry_rows()], minlength=self.shape[1])
        sub = self.take_rows(rows)
        return np.bincount(sub.indices, weights=weights[rows][sub.entry_rows()], minlength=self.shape[1])

    def any_in_cols(self, cols: np.ndarray) -> np.ndarray:
        """Per row: an entry in one of the columns ``cols`` (a boolean mask of columns)."""
        hit = cols[self.indices]
        return np.bincount(self.entry_rows()[hit], minlength=self.shape[0]) > 0

    def astype(self, dtype: Any) -> Csr:
        return Csr(self.indptr, self.indices, self.data.astype(dtype), self.shape)

    def equals(self, other: Csr) -> bool:
        """The same shape and the same stored entries."""
        return (self.shape == other.shape and np.array_equal(self.indptr, other.indptr)
                and np.array_equal(self.indices, other.indices) and np.array_equal(self.data, other.data))


def vstack(blocks: Sequence[Csr]) -> Csr:
    """The blocks' rows one after the other (the same number of columns)."""
    indptr = [np.zeros(1, dtype=np.int64)]
    at = 0
    for b in blocks:
        indptr.append(b.indptr[1:] + at)
        at += b.nnz
    return Csr(np.concatenate(indptr), np.concatenate([b.indices for b in blocks]),
               np.concatenate([b.data for b in blocks]), (sum(b.shape[0] for b in blocks), blocks[0].shape[1]))


def _cells(xy: np.ndarray, origin: np.ndarray, size: float) -> np.ndarray:
    cells: np.ndarray = np.floor((xy - origin) / size).astype(np.int64)
    return cells


def pairs_within(a: np.ndarray, b: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair ``(i, j, distance)`` of a point ``a[i]`` and a point ``b[j]`` (``(n, 2)`` arrays
    in metres) at most ``radius`` apart (straight line), ordered by ``i`` then ``j``.

    The points are put in square cells as wide as the radius, so only the 3 × 3 cells around a
    point are searched; memory stays bounded by :data:`PAIR_CHUNK` whatever the radius.
    """
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    if not len(a) or not len(b) or not radius >= 0:
        return empty
    both = np.concatenate([a, b])
    origin = both.min(axis=0)
    span = float((both.max(axis=0) - origin).max())
    # cells a little wider than the radius: a pair within it is never two cells apart, even rounded
    size = max(float(radius) * (1 + 1e-6), span / 2**20, 1e-9) if np.isfinite(radius) else max(span, 1e-9) * 2
    ca, cb = _cells(a, origin, size), _cells(b, origin, size)
    width = int(max(ca[:, 1].max(), cb[:, 1].max())) + 3  # a spare column each side: no wrap-around
    ka, kb = ca[:, 0] * width + ca[:, 1], cb[:, 0] * width + cb[:, 1]
    order = np.argsort(kb, kind="stable")
    kb_sorted = kb[order]
    offsets = [dx * width + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)]
    lo = np.stack([np.searchsorted(kb_sorted, ka + o, side="left") for o in offsets], axis=1)
    hi = np.stack([np.searchsorted(kb_sorted, ka + o, side="right") for o in offsets], axis=1)
    per_point = (hi - lo).sum(axis=1)
    out_i, out_j, out_d = [], [], []
    start = 0
    bounds = np.cumsum(per_point)
    while start < len(a):
        base = bounds[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(bounds, base + PAIR_CHUNK, side="right")))
        counts = (hi[start:stop] - lo[start:stop]).ravel()
        total = int(counts.sum())
        first = np.repeat(lo[start:stop].ravel(), counts)
        within = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
        j = order[first + within]
        i = np.repeat(np.arange(start, stop, dtype=np.int64), counts.reshape(-1, 9).sum(axis=1))
        d = np.sqrt((a[i, 0] - b[j, 0]) ** 2 + (a[i, 1] - b[j, 1]) ** 2)
        keep = d <= radius
        out_i.append(i[keep])
        out_j.append(j[keep])
        out_d.append(d[keep])
        start = stop
    i, j, d = np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_d)
    o = np.lexsort((j, i))
    return i[o], j[o], d[o]
