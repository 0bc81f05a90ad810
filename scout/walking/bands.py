"""Isochrone bands as a buffer of the streets reached: the walked part of every edge the search
reached, ``MARGIN_M`` around it, its enclosed holes (the blocks between the streets) filled.

Drawn on a raster rather than as a union of buffered lines (which costs tens of milliseconds
for the thousands of edges of a 15-minute walk): points every ``STEP_M`` along the edges, each
with its walking metres, give each cell of a ``CELL_M`` grid its least metres; for a band, the
Euclidean distance transform (scipy) of the cells within its metres gives every cell its
distance to the nearest of them, and marching squares (contourpy, matplotlib's) draw the line
at ``LEVEL_M`` (``MARGIN_M`` corrected for the cells' size), interpolated between cells. Every
band of one origin shares the points and the grid: a band is a threshold on the cells' metres.
"""

from __future__ import annotations

from typing import Any

import contourpy
import numpy as np
import shapely
from scipy import ndimage

from scout.walking.snapping import index_ranges

# The raster's cell, and the step of the points along the streets (three every two cells: a
# street crossing a cell marks it; at one a cell, some 5 % of a band's area was lost).
CELL_M = 20.0
STEP_M = CELL_M * 0.75
# How far around the streets reached a band reaches: a place set back from the street, the
# other side of a square.
MARGIN_M = 25.0
# The line is drawn this far from the centres of the cells reached: a street passes up to
# half a cell from its cells' centres, and at MARGIN_M the line lay about 2.5 m inside
# shapely's exact buffer of the same streets (bench/walking.py prints the overlap).
LEVEL_M = MARGIN_M + CELL_M / 8
SIMPLIFY_M = 5.0  # the band's outline, simplified by this (it is drawn at walking zooms)
PAD = int(np.ceil(LEVEL_M / CELL_M)) + 2  # cells around the cells reached: the line closes


def along_edges(graph: Any, edges: np.ndarray, node_m: np.ndarray, start: Any) -> tuple:
    """Points every ``STEP_M`` (at least each vertex) along ``edges`` and each one's walking
    metres from ``start`` (``node_m``: the nodes'; on the origin's own edge, also straight
    from the snapped point), in projected metres: ``(xy, metres)``."""
    first = graph.offsets[edges]
    nseg = graph.offsets[edges + 1] - first - 1
    v = index_ranges(first, nseg)  # each segment's first vertex
    owner = np.repeat(np.arange(len(edges)), nseg)
    seg_m = graph.cum[v + 1] - graph.cum[v]
    k = np.maximum(1, np.ceil(seg_m / STEP_M)).astype(np.int64)
    seg = np.repeat(np.arange(len(v)), k)
    t = (np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)) / k[seg]
    a, b = graph.xy[v[seg]], graph.xy[v[seg] + 1]
    xy = a + (b - a) * t[:, None]
    e = owner[seg]
    # Metres along the edge from its source, in the import's measure of its length.
    length = graph.length[edges]
    line_m = graph.line_m[edges]
    scale = np.divide(length, line_m, out=np.ones(len(edges)), where=line_m > 0)
    s = ((graph.cum[v[seg]] - graph.cum[first[e]]) + t * seg_m[seg]) * scale[e]
    src_m, dst_m = node_m[graph.src[edges]], node_m[graph.dst[edges]]
    metres = np.minimum(src_m[e] + s, dst_m[e] + length[e] - s)
    own = edges[e] == start.edge
    metres[own] = np.minimum(metres[own], np.abs(s[own] - start.pos))
    # The edges' last vertices (the nodes they lead to) and the snapped origin.
    ends = graph.offsets[edges + 1] - 1
    end_m = np.minimum(dst_m, src_m + length)
    end_m = np.where(edges == start.edge, np.minimum(end_m, np.abs(length - start.pos)), end_m)
    xy = np.concatenate([xy, graph.xy[ends], [[start.sx, start.sy]]])
    metres = np.concatenate([metres, end_m, [0.0]])
    return xy, metres


def raster(xy: np.ndarray, metres: np.ndarray, reach_m: float) -> tuple[np.ndarray, np.ndarray]:
    """The grid of the points of :func:`along_edges` within ``reach_m``: its first cell's
    centre (projected metres) and each cell's least walking metres (inf where no point fell),
    with room for the margin all round."""
    keep = metres <= reach_m
    xy, metres = xy[keep], metres[keep]
    lo = xy.min(axis=0) - PAD * CELL_M
    ij = ((xy - lo) / CELL_M).astype(np.int64)  # all positive: truncation is the floor
    cols, rows = ij.max(axis=0) + PAD + 1
    cell_m = np.full(rows * cols, np.inf)
    np.minimum.at(cell_m, ij[:, 1] * cols + ij[:, 0], metres)
    return lo + CELL_M / 2, cell_m.reshape(rows, cols)


def band(centre: np.ndarray, cell_m: np.ndarray, reach_m: float) -> Any:
    """The polygon of the cells of :func:`raster` within ``reach_m`` walking metres,
    ``MARGIN_M`` around them, holes filled (projected metres)."""
    reached = cell_m <= reach_m
    rows, cols = np.flatnonzero(reached.any(axis=1)), np.flatnonzero(reached.any(axis=0))
    r0, c0 = max(rows[0] - PAD, 0), max(cols[0] - PAD, 0)
    r1, c1 = rows[-1] + PAD + 1, cols[-1] + PAD + 1
    field = ndimage.distance_transform_edt(~reached[r0:r1, c0:c1]) * CELL_M
    x, y = np.meshgrid(
        centre[0] + np.arange(c0, c1) * CELL_M, centre[1] + np.arange(r0, r1) * CELL_M
    )
    # contourpy's generator itself: contour_generator() would check the field for masks and
    # infinities, which it never has, in a third of the time of the contour.
    contour = contourpy.SerialContourGenerator(
        x,
        y,
        field,
        None,
        corner_mask=False,
        line_type=contourpy.LineType.Separate,
        fill_type=contourpy.FillType.OuterOffset,
        quad_as_tri=False,
        z_interp=contourpy.ZInterp.Linear,
    )
    rings, offsets = contour.filled(-1.0, LEVEL_M)
    outers = [
        shapely.Polygon(points[: offs[1]]) for points, offs in zip(rings, offsets, strict=True)
    ]
    # An island reached inside a hole of another part is in that part once filled.
    shape = outers[0] if len(outers) == 1 else shapely.union_all(outers)
    # Douglas-Peucker (a tenth of the topology-preserving simplification's time); that one
    # only if it left a ring crossing itself.
    simple = shapely.simplify(shape, SIMPLIFY_M, preserve_topology=False)
    return simple if shapely.is_valid(simple) else shape.simplify(SIMPLIFY_M)
