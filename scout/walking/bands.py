"""Isochrone bands as a buffer of the streets reached: the walked part of every edge the search
reached, ``MARGIN_M`` around it, its enclosed holes (the blocks between the streets) filled.

Drawn on a raster rather than as a union of buffered lines (which costs tens of milliseconds
for the thousands of edges of a 15-minute walk): the edges cut into segments of at most
``STEP_M``, each with the walking metres at its ends, give each cell of a ``CELL_M`` grid the
segment of least metres whose middle lies in it; for a band, the Euclidean distance transform
(scipy) of the cells within its metres finds every cell's nearest of them (its features, not
its distances), the cell's value is its distance to the part of that cell's segment walked
within the band's metres, and marching squares (contourpy, matplotlib's) draw the line at
``LEVEL_M``, interpolated between cells. Measuring to the segments rather than to the cells'
centres (up to 14 m off a street, and a band's end up to a step short) keeps the line within
a metre or two of shapely's exact buffer on a 20 m cell. Every band of one origin shares the
segments and the grid: a band is a threshold on the cells' metres, and on how far along each
segment it walks.
"""

from __future__ import annotations

from typing import Any

import contourpy
import numpy as np
import shapely
from scipy import ndimage

from scout.walking.snapping import index_ranges

# The raster's cell, and the longest segment along the streets: a street crossing a cell
# gives it a segment, most often. Shorter steps gain nothing; against shapely's buffer, the
# worst of the whole city's 900 bench bands overlapped it 0.955 at a 25 m cell, 0.969 at
# 20 m, 0.977 at 15 m for a quarter more time.
CELL_M = 20.0
STEP_M = 25.0
# How far around the streets reached a band reaches: a place set back from the street, the
# other side of a square.
MARGIN_M = 25.0
# The line is drawn this far from the segments: a cell keeps one segment, the others through
# it count only where a neighbour's is theirs, and at MARGIN_M the line lay about 2 m inside
# shapely's exact buffer of the same streets (bench/walking.py prints the overlap).
LEVEL_M = MARGIN_M + 2.0
SIMPLIFY_M = 5.0  # the band's outline, simplified by this (it is drawn at walking zooms)
# Cells around the cells reached: a segment reaches half its length out of its cell, the
# line LEVEL_M beyond, and the line closes.
PAD = int(np.ceil((LEVEL_M + STEP_M / 2) / CELL_M)) + 1


def along_edges(graph: Any, edges: np.ndarray, node_m: np.ndarray, start: Any) -> tuple:
    """Points every ``STEP_M`` (at least each vertex, the last included) along ``edges``, and
    the snapped origin, each with its walking metres from ``start`` (``node_m``: the nodes';
    on the origin's own edge, also straight from the snapped point) and the index of the
    next point along its edge (-1 at the edge's end, its own for the origin): the segment
    from each point to the next, in projected metres: ``(xy, metres, ahead)``."""
    first = graph.offsets[edges]
    nseg = graph.offsets[edges + 1] - first - 1
    v = index_ranges(first, nseg)  # each segment's first vertex
    owner = np.repeat(np.arange(len(edges)), nseg)
    seg_m = graph.cum[v + 1] - graph.cum[v]
    k = np.maximum(1, np.ceil(seg_m / STEP_M)).astype(np.int64)
    points = k.copy()
    points[np.cumsum(nseg) - 1] += 1  # each edge's last segment: its last vertex too (t = 1)
    seg = np.repeat(np.arange(len(v)), points)
    t = (np.arange(len(seg)) - np.repeat(np.cumsum(points) - points, points)) / k[seg]
    # np.take: numpy's fancy indexing of an (n, 2) array's rows is some ten times slower.
    a, b = np.take(graph.xy, v[seg], axis=0), np.take(graph.xy, v[seg] + 1, axis=0)
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
    # No segment from an edge's last point: it is the first of the next edges' (or the last
    # of its own), and a point of its own would only take a cell from a segment.
    ahead = np.arange(1, len(xy) + 2)
    ahead[np.flatnonzero(t == 1)] = -1
    ahead[-1] = len(xy)  # the origin: a point, so that every band has one
    xy = np.concatenate([xy, [[start.sx, start.sy]]])
    return xy, np.append(metres, 0.0), ahead


def raster(streets: tuple, reach_m: float) -> tuple:
    """The grid of the segments of :func:`along_edges` with an end within ``reach_m``: its
    first cell's centre (projected metres), each cell's least walking metres (inf where no
    segment is) and each cell's segment, from its nearer end (the one it is walked from), as
    flat arrays in the cells' order ``(x, y, ux, uy, length, metres, length per metre walked)``
    (the unit vector along it), with room for the margin all round."""
    xy, metres, ahead = streets
    start = np.flatnonzero(ahead >= 0)
    end = ahead[start]
    keep = np.minimum(metres[start], metres[end]) <= reach_m
    start, end = start[keep], end[keep]
    flip = metres[end] < metres[start]
    near, far = np.where(flip, end, start), np.where(flip, start, end)
    # Columns apart: reducing or indexing an (n, 2) array along its rows is slow in numpy.
    x, y, m = xy[:, 0].take(near), xy[:, 1].take(near), metres.take(near)
    dx, dy = xy[:, 0].take(far) - x, xy[:, 1].take(far) - y
    length = np.sqrt(dx * dx + dy * dy)  # np.hypot: five times the time
    unit = 1.0 / np.maximum(length, 1e-9)  # a segment of no length: a point
    per_m = length / np.maximum(metres.take(far) - m, 1e-6)
    mx, my = x + dx / 2, y + dy / 2  # a segment's cell: its middle's
    lo = np.array([mx.min(), my.min()]) - PAD * CELL_M
    # All positive: truncation is the floor.
    i, j = ((mx - lo[0]) / CELL_M).astype(np.int64), ((my - lo[1]) / CELL_M).astype(np.int64)
    cols, rows = i.max() + PAD + 1, j.max() + PAD + 1
    cell = j * cols + i
    cell_m = np.full(rows * cols, np.inf)
    np.minimum.at(cell_m, cell, m)
    # Each cell's segment of least metres (of equal ones, any), in the cells' order.
    best = np.flatnonzero(m == cell_m[cell])
    order = np.zeros(rows * cols, dtype=np.int64)
    order[cell[best]] = best
    segments = tuple(
        values.take(order) for values in (x, y, dx * unit, dy * unit, length, m, per_m)
    )
    return lo + CELL_M / 2, cell_m.reshape(rows, cols), segments


def band(centre: np.ndarray, cell_m: np.ndarray, segments: tuple, reach_m: float) -> Any:
    """The polygon of the segments of :func:`raster` within ``reach_m`` walking metres,
    ``MARGIN_M`` around them, holes filled (projected metres)."""
    reached = cell_m <= reach_m
    rows, cols = np.flatnonzero(reached.any(axis=1)), np.flatnonzero(reached.any(axis=0))
    r0, c0 = max(rows[0] - PAD, 0), max(cols[0] - PAD, 0)
    r1, c1 = rows[-1] + PAD + 1, cols[-1] + PAD + 1
    # The nearest cell reached to each cell (the transform's features: its distances unused).
    near_r, near_c = ndimage.distance_transform_edt(
        ~reached[r0:r1, c0:c1], return_distances=False, return_indices=True
    )
    nearest = (near_r + r0) * cell_m.shape[1] + (near_c + c0)
    x0, y0, ux, uy, length, m, per_m = (values.take(nearest) for values in segments)
    # Each cell's distance to the nearest cell's segment, as far along it as the band walks.
    x, y = np.meshgrid(
        centre[0] + np.arange(c0, c1) * CELL_M, centre[1] + np.arange(r0, r1) * CELL_M
    )
    wx, wy = x - x0, y - y0
    walked = np.minimum(length, (reach_m - m) * per_m)
    along = np.minimum(np.maximum(wx * ux + wy * uy, 0.0), walked)  # np.clip: slower
    wx -= along * ux
    wy -= along * uy
    field = np.sqrt(wx * wx + wy * wy)
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
