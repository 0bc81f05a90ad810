"""Where an origin or a place joins the walking graph: the :class:`Start` of a walk on an edge,
and the per-process cache of the places' snaps (valid for one network).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import numpy as np

SNAP_CACHE_MAX = 5_000_000  # place ids above are snapped every time


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
                grown = self._alloc(max(int(keys.max()) + 1, 2 * len(arrays[0])))
                for new, old in zip(grown, arrays, strict=True):
                    new[: len(old)] = old
                arrays = grown
            lon, lat, edge, pos, dist = arrays
            lon[keys] = np.nan
            edge[keys], pos[keys], dist[keys] = values[2], values[3], values[4]
            lat[keys] = values[1]
            lon[keys] = values[0]
            self.arrays = arrays
