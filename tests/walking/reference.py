"""An independent reference for walking distances: networkx shortest paths over the stored
edges, with points snapped by PostGIS (geography distance, metric line position).

Shares no code with :mod:`scout.walkgraph`: if both agree within a metre, the engine's
snapping, bounded Dijkstra and bookkeeping are right.
"""

from __future__ import annotations

import math

import networkx as nx
from sqlalchemy import text

from scout.extensions import db
from scout.geo import LonLat


def reference_graph(avoid_steps: bool = False) -> tuple[nx.Graph, int]:
    """The current network as an undirected networkx graph (shortest of parallel edges)."""
    network_id = db.session.execute(text("SELECT id FROM walk_network WHERE is_current")).scalar()
    rows = db.session.execute(
        text("SELECT id, source, target, length_m, steps FROM walk_edge WHERE network_id = :n"),
        {"n": network_id},
    ).all()
    graph = nx.Graph()
    for _eid, u, v, length, steps in rows:
        if avoid_steps and steps:
            continue
        if u == v:
            continue
        if not graph.has_edge(u, v) or graph[u][v]["weight"] > length:
            graph.add_edge(u, v, weight=length)
    return graph, network_id


def snap(
    point: LonLat, network_id: int, avoid_steps: bool = False
) -> tuple[int, int, int, float, float, float]:
    """``(edge, source, target, length, position from source, snap distance)`` by PostGIS."""
    row = db.session.execute(
        text(
            """
            -- geography distance: the metric nearest edge; position measured in UTM 32N.
            WITH p AS (SELECT ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS g)
            SELECT e.id, e.source, e.target, e.length_m,
                   ST_LineLocatePoint(ST_Transform(e.geom, 32632), ST_Transform(p.g, 32632))
                     * e.length_m,
                   ST_Distance(e.geom::geography, p.g::geography)
            FROM walk_edge e, p
            WHERE e.network_id = :n AND (NOT :avoid OR NOT e.steps) AND ST_Length(e.geom) > 0
            ORDER BY ST_Distance(e.geom::geography, p.g::geography)
            LIMIT 1
            """
        ),
        {"lon": point.lon, "lat": point.lat, "n": network_id, "avoid": avoid_steps},
    ).one()
    return int(row[0]), int(row[1]), int(row[2]), float(row[3]), float(row[4]), float(row[5])


def reference_metres(origin: LonLat, target: LonLat, avoid_steps: bool = False) -> float:
    """Walking metres from ``origin`` to ``target`` (snaps included), or inf."""
    graph, network_id = reference_graph(avoid_steps)
    return _metres(graph, network_id, origin, target, avoid_steps)


def reference_many(
    origin: LonLat, targets: dict[int, LonLat], avoid_steps: bool = False
) -> dict[int, float]:
    graph, network_id = reference_graph(avoid_steps)
    return {k: _metres(graph, network_id, origin, t, avoid_steps) for k, t in targets.items()}


def _metres(
    graph: nx.Graph, network_id: int, origin: LonLat, target: LonLat, avoid_steps: bool
) -> float:
    oe, ou, ov, ol, oa, od = snap(origin, network_id, avoid_steps)
    te, tu, tv, tl, tb, td = snap(target, network_id, avoid_steps)
    g = graph.copy()
    g.add_node("o")
    g.add_node("t")
    for node, u, v, length, pos in (("o", ou, ov, ol, oa), ("t", tu, tv, tl, tb)):
        for end, w in ((u, pos), (v, length - pos)):
            if not g.has_edge(node, end) or g[node][end]["weight"] > w:
                g.add_edge(node, end, weight=w)
    if oe == te:  # both on one edge: straight along it
        g.add_edge("o", "t", weight=min(abs(oa - tb), g["o"].get("t", {}).get("weight", math.inf)))
    try:
        path = nx.dijkstra_path_length(g, "o", "t")
    except nx.NetworkXNoPath:
        return math.inf
    return od + path + td
