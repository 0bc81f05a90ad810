"""The imported walking network, read-only, its arrays shared by every process of the machine.

:func:`scout.walking.store.current_graph` asks the database which network is current (one small
query) and opens its files (:mod:`scout.walking.graphfiles`, memory-mapped) when this process
does not hold it yet, so a graph is always one whole import. Shortest paths are scipy's Dijkstra
bounded by the walking budget, on CSR matrices that wrap the mapped arrays; snapping is a grid
of the edges' segments (:class:`scout.walking.snapping.SegmentGrid`); shapely lines are made
only for the few edges a call draws. Coordinates are projected to metres with a local
equirectangular projection centred on the network (WGS84 ellipsoid scale), exact enough at city
scale; edge lengths are the ones measured at import.
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

from scout.geo import LonLat
from scout.walking import bands
from scout.walking.graphfiles import Arrays
from scout.walking.snapping import SegmentGrid, Start, _SnapCache, index_ranges

logger = logging.getLogger(__name__)


ROUTE_FIRST_RADIUS = 0.65


ROUTE_SLACK_M = 60.0


ROUTE_ROUNDS = 3

FIXED_SNAPS_MAX = 10_000  # schools (public points) whose snap a process keeps


@dataclass(frozen=True, slots=True)
class Piece:
    """One stretch of a route: an edge (or part of one; ``edge`` -1 for the walk between a
    point and the network), the metres walked on it and its projected coordinates in the
    walking direction."""

    edge: int
    metres: float
    xy: np.ndarray


class _View:
    """The graph as one profile may walk it: a symmetric CSR matrix (from the graph's files)
    and which edges a point may snap to."""

    def __init__(self, arrays: Arrays, v: int, n: int) -> None:
        p = f"v{v}_"
        self.arrays, self.prefix = arrays, p
        self.edges = arrays[p + "edges"]
        self.snap_ok = arrays[p + "snap_ok"]
        self.n = n
        data, indices = arrays[p + "data"], arrays[p + "indices"]
        self.slots = len(data) - 4
        self.matrix = csr_matrix((data, indices, arrays[p + "indptr"]), shape=(n + 2, n + 2))
        self.edge_of = arrays[p + "edge_of"]  # aligned with matrix.indices
        self.rows = arrays[p + "rows"]  # the source node of each matrix entry
        # Entries by (source, target), ascending: the matrix entry of a step a → b at once.
        self.keys = arrays[p + "keys"]
        self.inc_ptr, self.inc_edge = arrays[p + "inc_ptr"], arrays[p + "inc_edge"]
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
        if matrix is None:  # each thread sets the extra entries in a private mapping
            m = self.matrix
            data = self.arrays.private(self.prefix + "data")
            indices = self.arrays.private(self.prefix + "indices")
            matrix = local.matrix = csr_matrix((data, indices, m.indptr), shape=m.shape)
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
        return index_ranges(starts, self.matrix.indptr[nodes + 1] - starts)

    def edges_of(self, nodes: np.ndarray) -> np.ndarray:
        """The allowed edges (parallel ones too) with an end at one of ``nodes``."""
        starts = self.inc_ptr[nodes]
        return np.unique(self.inc_edge[index_ranges(starts, self.inc_ptr[nodes + 1] - starts)])

    def edges_between(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """The edge walked from each node of ``a`` to the node of ``b`` beside it."""
        k = np.searchsorted(self.keys, a.astype(np.int64) * (self.n + 2) + b)
        return self.edge_of[k]


class _Table:
    """Edge ``e``'s name or kind: ``table[ids[e]]`` (None for -1)."""

    def __init__(self, ids: np.ndarray, table: list[str]) -> None:
        self.ids, self.table = ids, table

    def __getitem__(self, e: int) -> str | None:
        i = int(self.ids[e])
        return self.table[i] if i >= 0 else None

    def __len__(self) -> int:
        return len(self.ids)


class Graph:
    """One imported network: its arrays (see :mod:`scout.walking.graphfiles`; memory-mapped,
    shared by every process of the machine) and two views."""

    def __init__(self, arrays: Arrays) -> None:
        meta = arrays.meta
        self.arrays = arrays
        self.network_id = int(meta["network_id"])
        self.osm_date = datetime.fromisoformat(meta["osm_date"]) if meta["osm_date"] else None
        self.src, self.dst = arrays["src"], arrays["dst"]
        self.length, self.steps = arrays["length"], arrays["steps"]
        # Edge e's vertices are xy[offsets[e]:offsets[e + 1]], cum their metres from the
        # first vertex of the whole array (line_m: the projected line's length).
        self.xy, self.offsets = arrays["xy"], arrays["offsets"]
        self.cum, self.line_m = arrays["cum"], arrays["line_m"]
        self.node_xy = arrays["node_xy"]
        # The street name and kind of each edge (see :mod:`scout.walking.osm_rules`).
        self.names = _Table(arrays["name_id"], meta["names"])
        self.kinds = _Table(arrays["kind_id"], meta["kinds"])
        self.lon0, self.lat0 = meta["lon0"], meta["lat0"]
        self.kx, self.ky = meta["kx"], meta["ky"]
        self.n_nodes = int(meta["n_nodes"])
        self.grid = SegmentGrid(arrays)
        self.views = (_View(arrays, 0, self.n_nodes), _View(arrays, 1, self.n_nodes))
        self._fixed: dict[tuple[float, float, bool, float], Start | None] = {}

    # -- projection ---------------------------------------------------------------------------

    def _project_xy(self, lonlat: np.ndarray) -> np.ndarray:
        return (lonlat - (self.lon0, self.lat0)) * (self.kx, self.ky)

    def _unproject_xy(self, xy: np.ndarray) -> np.ndarray:
        return xy / (self.kx, self.ky) + (self.lon0, self.lat0)

    def project(self, p: LonLat) -> tuple[float, float]:
        return (p.lon - self.lon0) * self.kx, (p.lat - self.lat0) * self.ky

    # -- edges' lines -------------------------------------------------------------------------

    def coords(self, edge: int) -> np.ndarray:
        """The projected vertices of ``edge``, from its source."""
        return self.xy[self.offsets[edge] : self.offsets[edge + 1]]

    def lines(self, edges: np.ndarray) -> np.ndarray:
        """Projected shapely LineStrings of ``edges``, made on demand."""
        starts = self.offsets[edges]
        counts = self.offsets[edges + 1] - starts
        return shapely.linestrings(
            self.xy[index_ranges(starts, counts)], indices=np.repeat(np.arange(len(edges)), counts)
        )

    def points_along(self, edges: np.ndarray, frac: np.ndarray) -> np.ndarray:
        """The point at fraction ``frac`` of the line of each of ``edges``."""
        first = self.offsets[edges]
        base = self.cum[first]
        target = base + np.clip(frac, 0.0, 1.0) * self.line_m[edges]
        v = np.searchsorted(self.cum, target, side="right") - 1
        v = np.clip(v, first, self.offsets[edges + 1] - 2)
        step = self.cum[v + 1] - self.cum[v]
        t = np.divide(target - self.cum[v], step, out=np.zeros(len(v)), where=step > 0)
        t = np.clip(t, 0.0, 1.0)[:, None]
        return self.xy[v] * (1 - t) + self.xy[v + 1] * t

    def edges_crossing(self, line_xy: np.ndarray) -> np.ndarray:
        """The edges (any profile's, not the zero-length connectors) the projected line
        ``line_xy`` intersects."""
        segs = self.grid.segments_in_box(line_xy.min(axis=0), line_xy.max(axis=0))
        edges = np.unique(self.grid.seg_edge[segs])
        edges = edges[self.views[0].snap_ok[edges]]
        if not len(edges):
            return edges
        return edges[shapely.intersects(shapely.linestrings(line_xy), self.lines(edges))]

    # -- snapping -----------------------------------------------------------------------------

    def _snap_points(
        self, view: _View, xy: np.ndarray, max_snap: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Nearest allowed edge, position on it (metres from its source), distance to it and
        the nearest point; edge -1 where no edge is within ``max_snap``."""
        seg, t, dist, at = self.grid.nearest(xy, view.snap_ok, max_snap)
        ok = seg >= 0
        edge = np.where(ok, self.grid.seg_edge[np.where(ok, seg, 0)], -1).astype(np.int64)
        pos = np.zeros(len(xy))
        if ok.any():
            e, v = edge[ok], self.grid.seg_v[seg[ok]]
            along = self.cum[v] - self.cum[self.offsets[e]]
            along += t[ok] * (self.cum[v + 1] - self.cum[v])
            pos[ok] = along / self.line_m[e] * self.length[e]
        return edge, pos, dist, at

    def _snap_many(
        self, view: _View, xy: np.ndarray, max_snap: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self._snap_points(view, xy, max_snap)[:3]

    def snap_origin(self, p: LonLat, avoid_steps: bool, max_snap: float) -> Start | None:
        view = 1 if avoid_steps else 0
        x, y = self.project(p)
        edge, pos, dist, at = self._snap_points(self.views[view], np.array([[x, y]]), max_snap)
        if edge[0] < 0:
            return None
        sx, sy = at[0]
        return Start(view, int(edge[0]), float(pos[0]), float(dist[0]), x, y, float(sx), float(sy))

    def snap_fixed(self, p: LonLat, avoid_steps: bool, max_snap: float) -> Start | None:
        """:meth:`snap_origin` of a public fixed point (a school), kept by this process: the
        same few hundred schools start most walks from school. Never for a person's home,
        which is not kept anywhere."""
        key = (p.lon, p.lat, avoid_steps, max_snap)
        if key not in self._fixed:
            if len(self._fixed) >= FIXED_SNAPS_MAX:
                self._fixed.clear()
            self._fixed[key] = self.snap_origin(p, avoid_steps, max_snap)
        return self._fixed[key]

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
        self, start: Start, rows: Any, budget: float, max_snap: float, **options: Any
    ) -> dict[Any, float]:
        """Walking metres (snaps included) from ``start`` to each ``(key, lon, lat)`` of
        ``rows`` (or of the columns ``(keys, lons, lats)``) reachable within ``budget`` metres:
        :meth:`distance_columns` (and its options) as a dict."""
        keys, total = self.distance_columns(start, rows, budget, max_snap, **options)
        return dict(zip(keys.tolist(), total.tolist(), strict=True))

    def distance_columns(
        self,
        start: Start,
        rows: list[Any] | tuple[np.ndarray, np.ndarray, np.ndarray],
        budget: float,
        max_snap: float,
        cache: bool = True,
        hint: float | None = None,
        snapped: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """The keys of the targets reached and their walking metres, as two arrays in the
        order of ``rows`` (see :meth:`distances`).

        With a ``hint`` below ``budget`` (e.g. an unbounded walk to targets all near), the
        search first stops at ``hint`` metres and walks on to ``budget`` only when a snapped
        target was not reached by then: the answer is the same, usually for far less work.
        ``snapped``: the targets' snaps (edge, metres along it, distance) when already known.
        """
        nothing = (np.zeros(0, dtype=np.int64), np.zeros(0))
        if len(rows) == 0 or (isinstance(rows, tuple) and len(rows[0]) == 0):
            return nothing
        if isinstance(rows, tuple):  # already columns: (keys, lon, lat) arrays
            keys, lon, lat = rows
        else:
            keys, lon, lat = (np.array([r[i] for r in rows]) for i in range(3))  # more: ignored
        view = self.views[start.view]
        if snapped is None:
            edge, pos, dist = self._snap_cached(view, keys, lon, lat, max_snap, cache)
        else:
            edge, pos, dist = snapped
        ok = edge >= 0
        if not ok.any():
            return nothing
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
        return keys[idx[good]], total[good]

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
        """The polygons of :meth:`isochrones`, in projected metres: a buffer of the streets
        reached within each budget (:mod:`scout.walking.bands`). Only the edges the
        search reached are looked at."""
        top = max(budgets) - start.dist
        if top <= 0:  # the snap alone is longer than every band: circles around the origin
            return [self._circle(start, budget) for budget in budgets]
        view = self.views[start.view]
        node_m = self._node_metres(start, max(budgets))
        reached = np.flatnonzero(np.isfinite(node_m))
        edges = np.append(view.edges_of(reached), start.edge)  # twice at worst: no harm
        streets = bands.along_edges(self, edges, node_m, start)
        # One grid for every band: a band is the cells whose least metres are within its own,
        # each one's segment walked as far as the band goes.
        grid = bands.raster(streets, top)
        return [
            bands.band(*grid, budget - start.dist)
            if budget > start.dist
            else self._circle(start, budget)
            for budget in budgets
        ]

    @staticmethod
    def _circle(start: Start, budget: float) -> Any:
        return shapely.Point(start.x, start.y).buffer(max(budget, 1.0), quad_segs=4)

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
        te, tp, td, tat = self._snap_points(view, np.array([[tx, ty]]), max_snap)
        if te[0] < 0:
            return None
        f, b, tdist = int(te[0]), float(tp[0]), float(td[0])
        e, a = start.edge, start.pos
        lf = float(self.length[f])
        snap_t = tat[0]
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
        forward = self.src[edges] == chain[:-1]
        out = []
        for edge, fw in zip(edges.tolist(), forward.tolist(), strict=True):
            c = self.coords(edge)
            out.append(Piece(edge, float(self.length[edge]), c if fw else c[::-1]))
        return out

    def edges_at(self, nodes: np.ndarray) -> np.ndarray:
        """The edges (any profile's) with an end at one of ``nodes``."""
        if not len(nodes):
            return np.empty(0, dtype=np.int64)
        view = self.views[0]
        return np.unique(view.edge_of[view.entries_of(nodes.astype(np.int32))])

    def _part(self, edge: int, start_m: float, end_m: float) -> np.ndarray:
        """Coordinates along ``edge`` from ``start_m`` to ``end_m`` (metres from its source)."""
        length = float(self.length[edge])
        a, b = sorted((start_m / length, end_m / length))
        c = self.coords(edge)
        first = int(self.offsets[edge])
        along = (self.cum[first : first + len(c)] - self.cum[first]) / max(
            float(self.line_m[edge]), 1e-12
        )
        inner = c[(along > a) & (along < b)]
        ends = self.points_along(np.array([edge, edge]), np.array([a, b]))
        part = np.concatenate([ends[:1], inner, ends[1:]])
        return part if start_m <= end_m else part[::-1]

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
