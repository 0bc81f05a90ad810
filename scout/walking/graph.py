"""The imported walking network held in memory, one read-only copy per process.

:func:`current_graph` asks the database which network is current (one small query) and loads
it in a single statement when this process does not hold it yet, so a graph is always one whole
import. Shortest paths are scipy's Dijkstra bounded by the walking budget; snapping is a shapely
STRtree of the edges. Coordinates are projected to metres with a local equirectangular
projection centred on the network (WGS84 ellipsoid scale), exact enough at city scale; edge
lengths are the ones measured at import.
"""

from __future__ import annotations

import gc
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import shapely
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.ops import substring
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import spatial
from scout.geo import LonLat, metres_per_degree
from scout.models import WalkEdge, WalkNetwork

logger = logging.getLogger(__name__)

# Isochrone outline: concave hull of the reached points, then a margin for the street's width.
HULL_RATIO = 0.15
HULL_MARGIN_M = 25.0
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


class _View:
    """The graph as one profile may walk it: a symmetric CSR matrix and a snapping tree."""

    def __init__(self, g: Graph, allowed: np.ndarray) -> None:
        self.edges = np.flatnonzero(allowed)
        # Points snap to lines, not to the zero-length connectors at raised kerbs.
        self.snap_edges = self.edges[shapely.length(g.geoms[self.edges]) > 0]
        self.tree = shapely.STRtree(g.geoms[self.snap_edges])
        e = self.edges
        s = np.concatenate([g.src[e], g.dst[e]])
        t = np.concatenate([g.dst[e], g.src[e]])
        w = np.concatenate([g.length[e], g.length[e]])
        ids = np.concatenate([e, e])
        loop = s == t
        s, t, w, ids = s[~loop], t[~loop], w[~loop], ids[~loop]
        order = np.lexsort((w, t, s))
        s, t, w, ids = s[order], t[order], w[order], ids[order]
        first = np.ones(len(s), dtype=bool)
        first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])  # parallel edges: keep the shortest
        s, t, w, ids = s[first], t[first], w[first], ids[first]
        n = g.n_nodes
        indptr = np.concatenate([[0], np.cumsum(np.bincount(s, minlength=n))]).astype(np.int32)
        self.matrix = csr_matrix((w, t.astype(np.int32), indptr), shape=(n, n))
        self.edge_of = ids.astype(np.int32)  # aligned with matrix.indices
        self.snaps = _SnapCache()

    def edge_between(self, a: int, b: int) -> int:
        lo, hi = self.matrix.indptr[a], self.matrix.indptr[a + 1]
        k = lo + int(np.flatnonzero(self.matrix.indices[lo:hi] == b)[0])
        return int(self.edge_of[k])


class Graph:
    """One imported network: edges as arrays and projected LineStrings, and two views."""

    def __init__(
        self,
        network_id: int,
        osm_date: datetime | None,
        src: np.ndarray,
        dst: np.ndarray,
        length: np.ndarray,
        steps: np.ndarray,
        wkb: list[bytes],
    ) -> None:
        self.network_id = network_id
        self.osm_date = osm_date
        self.src = src.astype(np.int32)
        self.dst = dst.astype(np.int32)
        self.length = length.astype(np.float64)
        self.steps = steps.astype(bool)
        lonlat = shapely.from_wkb(wkb)
        coords = shapely.get_coordinates(lonlat)
        self.lon0, self.lat0 = (float(v) for v in coords.mean(axis=0))
        kx, ky = metres_per_degree(self.lat0)
        self.kx, self.ky = float(kx), float(ky)
        self.geoms = shapely.transform(lonlat, self._project_xy)
        del lonlat
        self.n_nodes = int(max(self.src.max(), self.dst.max())) + 1
        first = shapely.get_coordinates(shapely.get_point(self.geoms, 0))
        last = shapely.get_coordinates(shapely.get_point(self.geoms, -1))
        self.node_xy = np.zeros((self.n_nodes, 2))
        self.node_xy[self.src] = first
        self.node_xy[self.dst] = last
        self.views = (_View(self, np.ones(len(self.src), dtype=bool)), _View(self, ~self.steps))

    # -- projection ---------------------------------------------------------------------------

    def _project_xy(self, lonlat: np.ndarray) -> np.ndarray:
        return (lonlat - (self.lon0, self.lat0)) * (self.kx, self.ky)

    def _unproject_xy(self, xy: np.ndarray) -> np.ndarray:
        return xy / (self.kx, self.ky) + (self.lon0, self.lat0)

    def project(self, p: LonLat) -> tuple[float, float]:
        return (p.lon - self.lon0) * self.kx, (p.lat - self.lat0) * self.ky

    # -- snapping -----------------------------------------------------------------------------

    def _snap_many(
        self, view: _View, xy: np.ndarray, max_snap: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Nearest allowed edge, position on it (metres from its source) and distance to it;
        edge -1 where no edge is within ``max_snap``."""
        n = len(xy)
        edge = np.full(n, -1, dtype=np.int64)
        pos = np.zeros(n)
        dist = np.full(n, np.inf)
        if n == 0:
            return edge, pos, dist
        pts = shapely.points(xy)
        (inp, hit), d = view.tree.query_nearest(
            pts, max_distance=max_snap, return_distance=True, all_matches=False
        )
        e = view.snap_edges[hit]
        edge[inp] = e
        dist[inp] = d
        frac = shapely.line_locate_point(self.geoms[e], pts[inp], normalized=True)
        pos[inp] = frac * self.length[e]
        return edge, pos, dist

    def snap_origin(self, p: LonLat, avoid_steps: bool, max_snap: float) -> Start | None:
        view = 1 if avoid_steps else 0
        x, y = self.project(p)
        edge, pos, dist = self._snap_many(self.views[view], np.array([[x, y]]), max_snap)
        if edge[0] < 0:
            return None
        e = int(edge[0])
        frac = pos[0] / self.length[e]
        snapped = shapely.line_interpolate_point(self.geoms[e], frac, normalized=True)
        sx, sy = shapely.get_coordinates(snapped)[0]
        return Start(view, e, float(pos[0]), float(dist[0]), x, y, float(sx), float(sy))

    def _snap_cached(
        self, view: _View, rows: list[Any], max_snap: float, cache: bool
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Snaps of ``(key, lon, lat)`` rows; with ``cache`` (keys are place ids) they are
        kept per place, valid while the place's point stays the same."""
        n = len(rows)
        keys, lon, lat = (np.array([r[i] for r in rows]) for i in range(3))  # more: ignored
        if not cache:
            xy = self._project_xy(np.column_stack([lon, lat]).astype(np.float64))
            return self._snap_many(view, xy.reshape(n, 2), max_snap)
        keys = keys.astype(np.int64)
        c_lon, c_lat, c_edge, c_pos, c_dist = view.snaps.arrays
        known = (keys >= 0) & (keys < len(c_lon))
        k = np.where(known, keys, 0)
        if len(c_lon):
            known &= (c_lon[k] == lon) & (c_lat[k] == lat)
            edge, pos, dist = c_edge[k], c_pos[k], c_dist[k]
        else:
            edge, pos, dist = np.full(n, -1, dtype=np.int64), np.zeros(n), np.full(n, np.inf)
        missing = np.flatnonzero(~known)
        if len(missing):
            xy = self._project_xy(np.column_stack([lon[missing], lat[missing]]))
            me, mp, md = self._snap_many(view, xy, max_snap)
            edge[missing], pos[missing], dist[missing] = me, mp, md
            view.snaps.store(keys[missing], lon[missing], lat[missing], me, mp, md)
        return edge, pos, dist

    # -- shortest paths -----------------------------------------------------------------------

    def _node_metres(self, start: Start, budget: float) -> np.ndarray:
        """Walking metres on the network from the snapped origin to every node (inf beyond)."""
        view = self.views[start.view]
        e, a = start.edge, start.pos
        length = self.length[e]
        u, v = int(self.src[e]), int(self.dst[e])
        limit = budget - start.dist - min(a, length - a)
        if limit < 0:
            return np.full(self.n_nodes, np.inf)
        d = dijkstra(view.matrix, directed=True, indices=[u, v], limit=limit)
        return np.minimum(d[0] + a, d[1] + (length - a))

    def distances(
        self,
        start: Start,
        rows: list[Any],
        budget: float,
        max_snap: float,
        cache: bool = True,
        hint: float | None = None,
    ) -> dict[Any, float]:
        """Walking metres (snaps included) from ``start`` to each ``(key, lon, lat)`` of
        ``rows`` that is reachable within ``budget`` metres.

        With a ``hint`` below ``budget`` (e.g. an unbounded walk to targets all near), the
        search first stops at ``hint`` metres and walks on to ``budget`` only when a snapped
        target was not reached by then: the answer is the same, usually for far less work.
        """
        if not rows:
            return {}
        view = self.views[start.view]
        edge, pos, dist = self._snap_cached(view, rows, max_snap, cache)
        ok = edge >= 0
        if not ok.any():
            return {}
        idx = np.flatnonzero(ok)
        e = edge[idx]
        p = pos[idx]
        length = self.length[e]
        same = e == start.edge

        def totals(limit: float) -> np.ndarray:
            node_m = self._node_metres(start, limit)
            via = np.minimum(node_m[self.src[e]] + p, node_m[self.dst[e]] + (length - p))
            via[same] = np.minimum(via[same], np.abs(p[same] - start.pos))
            return start.dist + via + dist[idx]

        # Node distances are exact up to the limit, so a total within it is exact.
        first = budget if hint is None else min(hint, budget)
        total = totals(first)
        if first < budget and not (total <= first + 1e-6).all():
            total = totals(budget)
        good = np.isfinite(total) & (total <= budget + 1e-6)
        return {rows[i][0]: float(t) for i, t in zip(idx[good], total[good], strict=True)}

    def farthest_m(self, p: LonLat, rows: list[Any]) -> float:
        """The largest straight-line metres from ``p`` to a ``(key, lon, lat)`` of ``rows``."""
        if not rows:
            return 0.0
        lonlat = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        xy = self._project_xy(lonlat) - self.project(p)
        return float(np.sqrt((xy**2).sum(axis=1)).max())

    def isochrones(self, start: Start, budgets: list[float]) -> list[dict[str, Any]]:
        """GeoJSON polygons of the area reached within each budget (metres), in order."""
        view = self.views[start.view]
        node_m = self._node_metres(start, max(budgets))
        e = view.edges
        ms, mt = node_m[self.src[e]], node_m[self.dst[e]]
        length = self.length[e]
        out = []
        for budget in budgets:
            r = budget - start.dist
            if r <= 0:
                shape = shapely.Point(start.x, start.y).buffer(max(budget, 1.0), quad_segs=4)
                out.append(self._geojson(shape))
                continue
            reached = node_m <= r
            s1 = np.clip(r - ms, 0, length)
            s2 = np.clip(r - mt, 0, length)
            partial = (s1 + s2) < length
            from_s = partial & (ms < r)
            from_t = partial & (mt < r)
            frac = np.concatenate([s1[from_s] / length[from_s], 1 - s2[from_t] / length[from_t]])
            edges = np.concatenate([e[from_s], e[from_t]])
            # The origin's own edge, walked directly from the snapped point.
            own = self.length[start.edge]
            ends = np.clip([start.pos - r, start.pos + r], 0, own) / own
            frac = np.concatenate([frac, ends])
            edges = np.concatenate([edges, [start.edge, start.edge]])
            pts = shapely.get_coordinates(
                shapely.line_interpolate_point(self.geoms[edges], frac, normalized=True)
            )
            xy = np.concatenate([self.node_xy[reached], pts, [[start.sx, start.sy]]])
            hull = shapely.concave_hull(shapely.multipoints(xy), ratio=HULL_RATIO)
            shape = hull.buffer(HULL_MARGIN_M, quad_segs=2).simplify(5)
            out.append(self._geojson(shape))
        return out

    def route(
        self, start: Start, target: LonLat, max_snap: float
    ) -> tuple[float, list[list[float]]] | None:
        """Walking metres and the line ([lon, lat] pairs) to ``target``, or None."""
        view = self.views[start.view]
        tx, ty = self.project(target)
        te, tp, td = self._snap_many(view, np.array([[tx, ty]]), max_snap)
        if te[0] < 0:
            return None
        f, b, tdist = int(te[0]), float(tp[0]), float(td[0])
        e, a = start.edge, start.pos
        le, lf = float(self.length[e]), float(self.length[f])
        u, v, p, q = int(self.src[e]), int(self.dst[e]), int(self.src[f]), int(self.dst[f])
        d, pred = dijkstra(view.matrix, directed=True, indices=[u, v], return_predecessors=True)
        options = [
            (a + d[0, p] + b, 0, p),
            (a + d[0, q] + lf - b, 0, q),
            (le - a + d[1, p] + b, 1, p),
            (le - a + d[1, q] + lf - b, 1, q),
        ]
        if f == e:
            options.append((abs(a - b), -1, -1))
        best, row, end = min(options)
        if not np.isfinite(best):
            return None
        pieces: list[np.ndarray] = [np.array([[start.x, start.y], [start.sx, start.sy]])]
        if row < 0:
            pieces.append(self._part(e, a, b))
        else:
            first = u if row == 0 else v
            pieces.append(self._part(e, a, 0.0 if first == u else le))
            chain = [end]
            while chain[-1] != first:
                chain.append(int(pred[row, chain[-1]]))
            chain.reverse()
            for n1, n2 in zip(chain[:-1], chain[1:], strict=True):
                k = view.edge_between(n1, n2)
                coords = shapely.get_coordinates(self.geoms[k])
                pieces.append(coords if int(self.src[k]) == n1 else coords[::-1])
            pieces.append(self._part(f, 0.0 if end == p else lf, b))
        snap_t = shapely.get_coordinates(
            shapely.line_interpolate_point(self.geoms[f], b / lf, normalized=True)
        )
        pieces.append(np.array([snap_t[0], [tx, ty]]))
        xy = np.concatenate(pieces)
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) > 1e-6, axis=1)
        lonlat = np.round(self._unproject_xy(xy[keep]), 7)
        return start.dist + float(best) + tdist, lonlat.tolist()

    def _part(self, edge: int, start_m: float, end_m: float) -> np.ndarray:
        """Coordinates along ``edge`` from ``start_m`` to ``end_m`` (metres from its source)."""
        length = float(self.length[edge])
        piece = substring(self.geoms[edge], start_m / length, end_m / length, normalized=True)
        return shapely.get_coordinates(piece)

    def _geojson(self, shape: Any) -> dict[str, Any]:
        lonlat = shapely.transform(shape, self._unproject_xy)
        return shapely.geometry.mapping(shapely.set_precision(lonlat, 1e-7))


_graphs: dict[str, Graph] = {}
_load_lock = threading.Lock()


def _load(session: Session) -> Graph | None:
    """The current network, read in one statement (one snapshot: never half of two imports)."""
    rows = session.execute(
        select(
            WalkEdge.network_id,
            WalkNetwork.osm_date,
            WalkEdge.source,
            WalkEdge.target,
            WalkEdge.length_m,
            WalkEdge.steps,
            spatial.wkb(WalkEdge.geom),
        )
        .join(WalkNetwork, WalkNetwork.id == WalkEdge.network_id)
        .where(WalkNetwork.is_current)
        .order_by(WalkEdge.id)
    ).all()
    if not rows:
        return None
    cols = list(zip(*rows, strict=True))
    return Graph(
        network_id=int(cols[0][0]),
        osm_date=cols[1][0],
        src=np.array(cols[2]),
        dst=np.array(cols[3]),
        length=np.array(cols[4]),
        steps=np.array(cols[5]),
        wkb=[bytes(w) for w in cols[6]],
    )


def current_graph(session: Session) -> Graph | None:
    """The graph of the current network (loading it on first use or after an import), or None
    when no network is imported."""
    current = session.scalar(select(WalkNetwork.id).where(WalkNetwork.is_current))
    if current is None:
        return None
    key = str(session.get_bind().engine.url)
    graph = _graphs.get(key)
    if graph is not None and graph.network_id == current:
        return graph
    if graph is not None and not _load_lock.acquire(blocking=False):
        return graph  # another thread is loading the new network: answer on the old one
    if graph is None:
        _load_lock.acquire()
    try:
        graph = _graphs.get(key)
        if graph is not None and graph.network_id == current:
            return graph
        loaded = _load(session)
        if loaded is None:
            return None
        logger.info("walking network %s loaded: %s edges", loaded.network_id, len(loaded.src))
        _graphs[key] = loaded
        # The graph (and the app around it) lives as long as the process: keep it out of the
        # collector's full passes, which otherwise stall a request for ~0.1 s now and then.
        gc.freeze()
        return loaded
    finally:
        _load_lock.release()
