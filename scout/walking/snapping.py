"""Where an origin or a place joins the walking graph: the :class:`Start` of a walk on an edge,
the grid of the edges' segments that finds the nearest one (:class:`SegmentGrid`, arrays that
live in the graph's files, see :mod:`scout.walking.graphfiles`) and the per-process cache of
the places' snaps (valid for one network).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

SNAP_CACHE_MAX = 5_000_000  # place ids above are snapped every time


GRID_CELL_M = 50.0  # the snapping grid's cells, metres


def grid_arrays(xy: np.ndarray, seg_v: np.ndarray) -> tuple[dict[str, float], np.ndarray, ...]:
    """A grid of ``GRID_CELL_M`` cells over the segments ``xy[seg_v] → xy[seg_v + 1]``: each
    segment is listed in every cell its bounding box touches (``cell_seg``, by cell from
    ``cell_ptr``)."""
    size = GRID_CELL_M
    a, b = xy[seg_v], xy[seg_v + 1]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    x0, y0 = (lo.min(axis=0) - size) if len(seg_v) else (0.0, 0.0)
    i0 = np.floor((lo - (x0, y0)) / size).astype(np.int64)
    i1 = np.floor((hi - (x0, y0)) / size).astype(np.int64)
    nx = int(i1[:, 0].max()) + 2 if len(seg_v) else 1
    ny = int(i1[:, 1].max()) + 2 if len(seg_v) else 1
    width = i1[:, 0] - i0[:, 0] + 1
    counts = width * (i1[:, 1] - i0[:, 1] + 1)
    seg = np.repeat(np.arange(len(seg_v)), counts)
    k = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    cells = (i0[seg, 1] + k // width[seg]) * nx + i0[seg, 0] + k % width[seg]
    order = np.argsort(cells, kind="stable")
    cell_ptr = np.concatenate([[0], np.cumsum(np.bincount(cells, minlength=nx * ny))])
    grid = {"x0": float(x0), "y0": float(y0), "size": size, "nx": nx, "ny": ny}
    return grid, cell_ptr.astype(np.int64), seg[order].astype(np.int32)


def index_ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + counts[i] - 1`` of every ``i``, concatenated."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    shift = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
    return np.arange(total) + shift


class SegmentGrid:
    """The nearest segment of an allowed edge to many points at once (exact: the blocks of
    cells looked at grow until they hold every segment nearer than the best one found)."""

    def __init__(self, arrays: Any) -> None:
        grid = arrays.meta["grid"]
        self.x0, self.y0, self.size = grid["x0"], grid["y0"], grid["size"]
        self.nx, self.ny = grid["nx"], grid["ny"]
        self.xy = arrays["xy"]
        self.seg_v = arrays["seg_v"]
        self.seg_edge = arrays["seg_edge"]
        self.cell_ptr = arrays["cell_ptr"]
        self.cell_seg = arrays["cell_seg"]

    def _cells(self, ci: np.ndarray, cj: np.ndarray, r: int) -> tuple[np.ndarray, np.ndarray]:
        """(point, cell) of the cells within ``r`` of each point's cell ``(ci, cj)``."""
        d = np.arange(-r, r + 1)
        dx, dy = (a.ravel() for a in np.meshgrid(d, d))
        cx, cy = ci[:, None] + dx, cj[:, None] + dy
        ok = (cx >= 0) & (cx < self.nx) & (cy >= 0) & (cy < self.ny)
        owner = np.nonzero(ok)[0]
        return owner, (cy * self.nx + cx)[ok]

    def segments_near(self, owner: np.ndarray, cells: np.ndarray) -> tuple[np.ndarray, ...]:
        starts = self.cell_ptr[cells]
        counts = self.cell_ptr[cells + 1] - starts
        return np.repeat(owner, counts), self.cell_seg[index_ranges(starts, counts)]

    def nearest(
        self, pts: np.ndarray, allowed: np.ndarray, max_dist: float
    ) -> tuple[np.ndarray, ...]:
        """For each point: the segment (index into ``seg_v``; -1 when none of an ``allowed``
        edge is within ``max_dist``), the fraction along it of the nearest point, the
        distance and that point."""
        n = len(pts)
        best_d = np.full(n, np.inf)
        best_s = np.full(n, -1, dtype=np.int64)
        best_t = np.zeros(n)
        if n == 0:
            return best_s, best_t, best_d, np.zeros((0, 2))
        ci = np.floor((pts[:, 0] - self.x0) / self.size).astype(np.int64)
        cj = np.floor((pts[:, 1] - self.y0) / self.size).astype(np.int64)
        pending = np.arange(n)
        r = 1
        while len(pending):
            owner, cells = self._cells(ci[pending], cj[pending], r)
            owner, seg = self.segments_near(pending[owner], cells)
            keep = allowed[self.seg_edge[seg]]
            owner, seg = owner[keep], seg[keep]
            if len(seg):
                v = self.seg_v[seg]
                a, b, p = self.xy[v], self.xy[v + 1], pts[owner]
                ab = b - a
                den = (ab * ab).sum(axis=1)
                dot = ((p - a) * ab).sum(axis=1)
                t = np.divide(dot, den, out=np.zeros(len(den)), where=den > 0)
                t = np.clip(t, 0.0, 1.0)
                d = np.hypot(*(a + t[:, None] * ab - p).T)
                order = np.lexsort((d, owner))
                first = order[np.r_[True, owner[order][1:] != owner[order][:-1]]]
                o = owner[first]
                better = d[first] < best_d[o]
                o, first = o[better], first[better]
                best_d[o], best_s[o], best_t[o] = d[first], seg[first], t[first]
            # Within the block every segment nearer than r cells is seen.
            reach = r * self.size
            done = (best_d[pending] <= reach) | (reach >= max_dist)
            pending = pending[~done]
            r += 1
        far = best_d > max_dist
        best_s[far], best_d[far] = -1, np.inf
        ok = best_s >= 0
        v = self.seg_v[np.where(ok, best_s, 0)]
        a, b = self.xy[v], self.xy[v + 1]
        at = a + best_t[:, None] * (b - a)
        return best_s, best_t, best_d, at

    def segments_in_box(self, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
        """The segments listed in the cells the box ``lo``–``hi`` touches (a superset of
        those crossing it)."""
        i0 = np.floor((lo - (self.x0, self.y0)) / self.size).astype(np.int64)
        i1 = np.floor((hi - (self.x0, self.y0)) / self.size).astype(np.int64)
        i0 = np.clip(i0, 0, (self.nx - 1, self.ny - 1))
        i1 = np.clip(i1, 0, (self.nx - 1, self.ny - 1))
        xs, ys = np.meshgrid(np.arange(i0[0], i1[0] + 1), np.arange(i0[1], i1[1] + 1))
        cells = (ys * self.nx + xs).ravel()
        return np.unique(self.segments_near(np.zeros(len(cells), dtype=np.int64), cells)[1])


@dataclass(frozen=True, slots=True)
class Start:
    """An origin snapped to a view of the graph."""

    view: int  # 0: every edge; 1: no steps
    edge: int
    pos: float  # metres from the edge's source node
    dist: float  # metres from the origin to the edge
    x: float
    y: float
    sx: float
    sy: float


class _SnapCache:
    """Snaps of places by place id, in arrays (looked up a thousand at a time).

    ``arrays`` is replaced as a whole when it grows, so a reader that took it once sees one
    consistent set; a row is marked unknown (NaN) while it is rewritten."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.arrays = self._alloc(0)

    @staticmethod
    def _alloc(size: int) -> tuple[np.ndarray, ...]:
        return (
            np.full(size, np.nan),  # lon
            np.full(size, np.nan),  # lat
            np.full(size, -1, dtype=np.int64),  # edge
            np.zeros(size),  # pos
            np.full(size, np.inf),  # dist
        )

    def store(self, keys: np.ndarray, *values: np.ndarray) -> None:
        if len(keys) == 0 or keys.min() < 0 or keys.max() >= SNAP_CACHE_MAX:
            return
        with self.lock:
            arrays = self.arrays
            if keys.max() >= len(arrays[0]):
                grown = self._alloc(max(int(keys.max()) + 1, len(arrays[0]) * 5 // 4))
                for new, old in zip(grown, arrays, strict=True):
                    new[: len(old)] = old
                arrays = grown
            lon, lat, edge, pos, dist = arrays
            lon[keys] = np.nan
            edge[keys], pos[keys], dist[keys] = values[2], values[3], values[4]
            lat[keys] = values[1]
            lon[keys] = values[0]
            self.arrays = arrays
