"""The imported walking network held in memory, one read-only copy per process.

:func:`current_graph` asks the database which network is current (one small query) and loads
it in a single statement when this process does not hold it yet, so a graph is always one whole
import. Shortest paths are scipy's Dijkstra bounded by the walking budget; snapping is a shapely
STRtree of the edges. Coordinates are projected to metres with a local equirectangular
projection centred on the network (WGS84 ellipsoid scale), exact enough at city scale; edge
lengths are the ones measured at import.
"""

from __future__ import annotations

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

from scout.geo import LonLat, metres_per_degree
from scout.walking.snapping import Start, _SnapCache

logger = logging.getLogger(__name__)


HULL_RATIO = 0.15


HULL_MARGIN_M = 25.0


HULL_SIMPLIFY_M = 5.0  # the hull is simplified by this before its margin is added


ROUTE_FIRST_RADIUS = 0.65


ROUTE_SLACK_M = 60.0


ROUTE_ROUNDS = 3


@dataclass(frozen=True, slots=True)
class Piece:
    """One stretch of a route: an edge (or part of one; ``edge`` -1 for the walk between a
    point and the network), the metres walked on it and its projected coordinates in the
    walking direction."""

    edge: int
    metres: float
    xy: np.ndarray


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
        # Two more nodes, each with two entries to be set per search: a snapped point as a
        # node of its own, joined to both ends of its edge (see :meth:`search`).
        self.n = n
        s = np.concatenate([s, [n, n, n + 1, n + 1]])
        t = np.concatenate([t, [0, 0, 0, 0]])
        w = np.concatenate([w, [1.0, 1.0, 1.0, 1.0]])
        ids = np.concatenate([ids, [-1, -1, -1, -1]])
        self.slots = len(s) - 4
        indptr = np.concatenate([[0], np.cumsum(np.bincount(s, minlength=n + 2))]).astype(np.int32)
        self.matrix = csr_matrix((w, t.astype(np.int32), indptr), shape=(n + 2, n + 2))
        self.edge_of = ids.astype(np.int32)  # aligned with matrix.indices
        self.rows = s.astype(np.int32)  # the source node of each matrix entry
        # Entries by (source, target), ascending: the matrix entry of a step a → b at once.
        self.keys = s.astype(np.int64) * (n + 2) + t
        self.snaps = _SnapCache()
        self._local = threading.local()

    def search(
        self,
        g: Graph,
        points: list[tuple[int, float]],
        limit: float,
        predecessors: bool = False,
    ) -> Any:
        """Dijkstra from each ``(edge, metres from its source)`` point (one or two), bounded by
        ``limit`` metres: one row of node metres (and predecessors) per point; the point's own
        node is ``n`` (+1 for the second), its ends' predecessor."""
        local = self._local
        matrix = getattr(local, "matrix", None)
        if matrix is None:  # each thread sets the extra entries in its own copy
            m = self.matrix
            matrix = local.matrix = csr_matrix(
                (m.data.copy(), m.indices.copy(), m.indptr), shape=m.shape
            )
        for i, (edge, pos) in enumerate(points):
            u, v = int(g.src[edge]), int(g.dst[edge])
            wu, wv = pos, float(g.length[edge]) - pos
            if u == v:
                wu = wv = min(wu, wv)
            if u > v:
                u, v, wu, wv = v, u, wv, wu
            k = self.slots + 2 * i
            matrix.indices[k : k + 2] = (u, v)
            matrix.data[k : k + 2] = (wu, wv)
        indices = [self.n + i for i in range(len(points))]
        return dijkstra(
            matrix, directed=True, indices=indices, limit=limit, return_predecessors=predecessors
        )

    def entries_of(self, nodes: np.ndarray) -> np.ndarray:
        """The matrix entries leaving ``nodes``."""
        starts = self.matrix.indptr[nodes]
        counts = self.matrix.indptr[nodes + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return np.empty(0, dtype=np.int64)
        shift = np.repeat(starts - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts)
        return np.arange(total) + shift

    def edges_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The edge walked from each node of ``a`` to the node of ``b`` beside it."""
        k = np.searchsorted(self.keys, a.astype(np.int64) * (self.n + 2) + b)
        return self.edge_of[k]


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
        names: list[str | None] | None = None,
        kinds: list[str] | None = None,
    ) -> None:
        self.network_id = network_id
        self.osm_date = osm_date
        self.src = src.astype(np.int32)
        self.dst = dst.astype(np.int32)
        self.length = length.astype(np.float64)
        self.steps = steps.astype(bool)
        # The street name and kind of each edge (see :mod:`scout.walking.osm_rules`).
        self.names = names if names is not None else [None] * len(self.src)
        self.kinds = kinds if kinds is not None else ["street"] * len(self.src)
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
        self,
        view: _View,
        keys: np.ndarray,
        lon: np.ndarray,
        lat: np.ndarray,
        max_snap: float,
        cache: bool,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Snaps of the points ``lon, lat``; with ``cache`` (``keys`` are place ids) they are
        kept per place, valid while the place's point stays the same."""
        n = len(keys)
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
        limit = budget - start.dist
        if limit < 0:
            return np.full(self.n_nodes, np.inf)
        view = self.views[start.view]
        return view.search(self, [(start.edge, start.pos)], limit)[0, : self.n_nodes]

    def distances(
        self,
        start: Start,
        rows: list[Any] | tuple[np.ndarray, np.ndarray, np.ndarray],
        budget: float,
        max_snap: float,
        cache: bool = True,
        hint: float | None = None,
    ) -> dict[Any, float]:
        """Walking metres (snaps included) from ``start`` to each ``(key, lon, lat)`` of
        ``rows`` (or of the columns ``(keys, lons, lats)``) reachable within ``budget`` metres.

        With a ``hint`` below ``budget`` (e.g. an unbounded walk to targets all near), the
        search first stops at ``hint`` metres and walks on to ``budget`` only when a snapped
        target was not reached by then: the answer is the same, usually for far less work.
        """
        if len(rows) == 0 or (isinstance(rows, tuple) and len(rows[0]) == 0):
            return {}
        if isinstance(rows, tuple):  # already columns: (keys, lon, lat) arrays
            keys, lon, lat = rows
        else:
            keys, lon, lat = (np.array([r[i] for r in rows]) for i in range(3))  # more: ignored
        view = self.views[start.view]
        edge, pos, dist = self._snap_cached(view, keys, lon, lat, max_snap, cache)
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
        return dict(zip(keys[idx[good]].tolist(), total[good].tolist(), strict=True))

    def farthest_m(self, p: LonLat, rows: list[Any]) -> float:
        """The largest straight-line metres from ``p`` to a ``(key, lon, lat)`` of ``rows``."""
        if not rows:
            return 0.0
        lonlat = np.array([(r[1], r[2]) for r in rows], dtype=np.float64)
        xy = self._project_xy(lonlat) - self.project(p)
        return float(np.sqrt((xy**2).sum(axis=1)).max())

    def isochrones(self, start: Start, budgets: list[float]) -> list[dict[str, Any]]:
        """GeoJSON polygons of the area reached within each budget (metres), in order."""
        return [self._geojson(shape) for shape in self.isochrone_shapes(start, budgets)]

    def isochrone_shapes(self, start: Start, budgets: list[float]) -> list[Any]:
        """The polygons of :meth:`isochrones`, in projected metres: the concave hull of the
        points reached (nodes, the ends of partly walked edges), simplified, then
        ``HULL_MARGIN_M`` around it. Only the edges the search reached are looked at."""
        view = self.views[start.view]
        node_m = self._node_metres(start, max(budgets))
        e = view.edges
        ms, mt = node_m[self.src[e]], node_m[self.dst[e]]
        some = np.isfinite(ms) | np.isfinite(mt)
        e, ms, mt = e[some], ms[some], mt[some]
        length = self.length[e]
        reached_nodes = np.flatnonzero(np.isfinite(node_m))
        reached_m = node_m[reached_nodes]
        out = []
        for budget in budgets:
            r = budget - start.dist
            if r <= 0:
                out.append(shapely.Point(start.x, start.y).buffer(max(budget, 1.0), quad_segs=4))
                continue
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
            near = reached_nodes[reached_m <= r]
            xy = np.concatenate([self.node_xy[near], pts, [[start.sx, start.sy]]])
            # The hull of a geometry is that of its vertices: one LineString through the points
            # is the same MultiPoint's, made at a fraction of the cost.
            hull = shapely.concave_hull(shapely.linestrings(xy), ratio=HULL_RATIO)
            out.append(hull.simplify(HULL_SIMPLIFY_M).buffer(HULL_MARGIN_M, quad_segs=2))
        return out

    def route(
        self, start: Start, target: LonLat, max_snap: float
    ) -> tuple[float, list[list[float]]] | None:
        """Walking metres and the line ([lon, lat] pairs) to ``target``, or None."""
        found = self.route_pieces(start, target, max_snap)
        if found is None:
            return None
        metres, pieces = found
        return metres, self.route_line(pieces)

    def route_line(self, pieces: list[Piece]) -> list[list[float]]:
        """The [lon, lat] line of the pieces of a route, repeated points dropped."""
        xy = np.concatenate([p.xy for p in pieces])
        keep = np.ones(len(xy), dtype=bool)
        keep[1:] = np.any(np.abs(np.diff(xy, axis=0)) > 1e-6, axis=1)
        return np.round(self._unproject_xy(xy[keep]), 7).tolist()

    def route_pieces(
        self, start: Start, target: LonLat, max_snap: float
    ) -> tuple[float, list[Piece]] | None:
        """Walking metres to ``target`` and the pieces walked (edges, parts of edges and the
        two snaps, in order, each with its metres: they add up to the total), or None.

        A bidirectional search bounded by the straight line: both ends search ``r`` metres
        (a little over half the straight line, first); the best walk meeting on an edge is the
        shortest when it is at most ``2 r`` long (any walk that short has an edge whose near
        end is within ``r`` of the origin and whose far end is within ``r`` of the target),
        otherwise both search again to half of it, which then holds."""
        view = self.views[start.view]
        tx, ty = self.project(target)
        te, tp, td = self._snap_many(view, np.array([[tx, ty]]), max_snap)
        if te[0] < 0:
            return None
        f, b, tdist = int(te[0]), float(tp[0]), float(td[0])
        e, a = start.edge, start.pos
        lf = float(self.length[f])
        snap_t = shapely.get_coordinates(
            shapely.line_interpolate_point(self.geoms[f], b / lf, normalized=True)
        )[0]
        direct = abs(a - b) if f == e else np.inf
        straight = float(np.hypot(snap_t[0] - start.sx, snap_t[1] - start.sy))
        radius = ROUTE_FIRST_RADIUS * straight + ROUTE_SLACK_M
        nodes = self.n_nodes
        for attempt in range(ROUTE_ROUNDS):
            limit = radius if attempt < ROUTE_ROUNDS - 1 else np.inf
            d, pred = view.search(self, [(e, a), (f, b)], limit, predecessors=True)
            df, db = d[0, :nodes], d[1, :nodes]
            at_node = df + db
            n = int(np.argmin(at_node))
            best = min(float(at_node[n]), direct)
            k = -1
            entries = view.entries_of(np.flatnonzero(np.isfinite(df)))
            if len(entries):
                through = df[view.rows[entries]] + view.matrix.data[entries]
                through += d[1][view.matrix.indices[entries]]
                i = int(np.argmin(through))
                if through[i] < best:
                    best, k = float(through[i]), int(entries[i])
            if best <= 2 * radius or not np.isfinite(limit):
                break
            radius = best / 2 + 1e-6 if np.isfinite(best) else radius * 4
        if not np.isfinite(best):
            return None
        pieces = [Piece(-1, start.dist, np.array([[start.x, start.y], [start.sx, start.sy]]))]
        if best == direct:
            pieces.append(Piece(e, abs(a - b), self._part(e, a, b)))
        else:
            if k < 0:
                meet_f, meet_b, middle = n, n, None
            else:
                meet_f, meet_b = int(view.rows[k]), int(view.matrix.indices[k])
                middle = int(view.edge_of[k])
            chain_f = self._chain(pred[0], meet_f, nodes)[::-1]
            chain_b = self._chain(pred[1], meet_b, nodes)
            out_end = self._end_of(e, a, int(chain_f[0]))
            in_end = self._end_of(f, b, int(chain_b[-1]))
            le = float(self.length[e])
            out_to = 0.0 if out_end == 0 else le
            pieces.append(Piece(e, abs(out_to - a), self._part(e, a, out_to)))
            pieces.extend(self._along(view, chain_f))
            if middle is not None:
                pieces.extend(self._along(view, np.array([meet_f, meet_b])))
            pieces.extend(self._along(view, chain_b))
            in_from = 0.0 if in_end == 0 else lf
            pieces.append(Piece(f, abs(b - in_from), self._part(f, in_from, b)))
        pieces.append(Piece(-1, tdist, np.array([snap_t, [tx, ty]])))
        return start.dist + float(best) + tdist, pieces

    def _end_of(self, edge: int, pos: float, node: int) -> int:
        """Which end of ``edge`` (0: source, 1: target) a walk from ``pos`` leaves by to
        ``node``."""
        if self.src[edge] == self.dst[edge]:
            return 0 if pos <= self.length[edge] - pos else 1
        return 0 if node == self.src[edge] else 1

    @staticmethod
    def _chain(pred: np.ndarray, node: int, nodes: int) -> np.ndarray:
        """The nodes from ``node`` back to the first after the searched point (whose own node
        is numbered ``nodes`` or more)."""
        chain = [node]
        while (prev := int(pred[chain[-1]])) < nodes:
            chain.append(prev)
        return np.array(chain)

    def _along(self, view: _View, chain: np.ndarray) -> list[Piece]:
        """The edges walked from node to node of ``chain``, each in the walking direction."""
        if len(chain) < 2:
            return []
        edges = view.edges_between(chain[:-1], chain[1:])
        coords, index = shapely.get_coordinates(self.geoms[edges], return_index=True)
        parts = np.split(coords, np.flatnonzero(np.diff(index)) + 1)
        forward = self.src[edges] == chain[:-1]
        return [
            Piece(int(edge), float(self.length[edge]), c if fw else c[::-1])
            for edge, c, fw in zip(edges.tolist(), parts, forward, strict=True)
        ]

    def edges_at(self, nodes: np.ndarray) -> np.ndarray:
        """The edges (any profile's) with an end at one of ``nodes``."""
        if not len(nodes):
            return np.empty(0, dtype=np.int64)
        view = self.views[0]
        return np.unique(view.edge_of[view.entries_of(nodes.astype(np.int32))])

    def _part(self, edge: int, start_m: float, end_m: float) -> np.ndarray:
        """Coordinates along ``edge`` from ``start_m`` to ``end_m`` (metres from its source)."""
        length = float(self.length[edge])
        piece = substring(self.geoms[edge], start_m / length, end_m / length, normalized=True)
        return shapely.get_coordinates(piece)

    def _geojson(self, shape: Any) -> dict[str, Any]:
        """A projected (Multi)Polygon as a GeoJSON geometry in lon/lat, to 1e-7 degrees."""
        lonlat = shapely.transform(shape, lambda xy: np.round(self._unproject_xy(xy), 7))
        if lonlat.geom_type == "Polygon":
            return {"type": "Polygon", "coordinates": _rings(lonlat)}
        if lonlat.geom_type == "MultiPolygon":
            return {"type": "MultiPolygon", "coordinates": [_rings(p) for p in lonlat.geoms]}
        return shapely.geometry.mapping(lonlat)


def _rings(polygon: Any) -> list[list[list[float]]]:
    rings = [polygon.exterior, *polygon.interiors]
    return [shapely.get_coordinates(ring).tolist() for ring in rings]
