"""The isochrone bands' reference shape (issue 18): shapely's own buffer of the streets
reached, independent of the engine's raster (``scout/walking/bands.py``).

For each budget, every edge the search reached contributes its walked part (whole, or the
stretch from each end the budget reaches, or on the origin's own edge the stretch either side
of the snapped point); the lines are buffered by the band's margin, unioned, and the holes the
blocks leave are filled. Slow (tens of milliseconds a band) and exact: for the benchmark only.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from shapely import ops


def _part(line: Any, a: float, b: float) -> Any:
    return ops.substring(line, a, b, normalized=True)


def edge_buffer(graph: Any, start: Any, budgets: list[float], margin_m: float) -> list[Any]:
    """The reference polygon of each budget (metres), in the graph's projected metres."""
    view = graph.views[start.view]
    node_m = graph._node_metres(start, max(budgets))
    edges = view.edges_of(np.flatnonzero(np.isfinite(node_m)))
    lines = graph.lines(edges)
    length = graph.length[edges]
    ms, mt = node_m[graph.src[edges]], node_m[graph.dst[edges]]
    own_line = graph.lines(np.array([start.edge]))[0]
    own = float(graph.length[start.edge])
    out = []
    for budget in budgets:
        r = budget - start.dist
        if r <= 0:
            out.append(shapely.Point(start.x, start.y).buffer(max(budget, 1.0)))
            continue
        from_s = np.clip(r - ms, 0, length)  # metres walked in from each end
        from_t = np.clip(r - mt, 0, length)
        pieces = [_part(own_line, max(0.0, start.pos - r) / own, min(own, start.pos + r) / own)]
        for line, s, t, n in zip(lines, from_s, from_t, length, strict=True):
            if s + t >= n:
                pieces.append(line)
                continue
            if s > 0:
                pieces.append(_part(line, 0.0, s / n))
            if t > 0:
                pieces.append(_part(line, 1 - t / n, 1.0))
        union = shapely.union_all(shapely.buffer(np.array(pieces, dtype=object), margin_m))
        parts = getattr(union, "geoms", [union])
        out.append(shapely.union_all([shapely.Polygon(p.exterior) for p in parts]))
    return out
