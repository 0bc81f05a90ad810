"""The walking graph of the current network, one read-only copy per process: loaded in a single
statement on first use, and again when another import becomes current (never half of two).
"""

from __future__ import annotations

import gc
import logging
import threading

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import spatial
from scout.models import WalkEdge, WalkNetwork
from scout.walking.graph import Graph

logger = logging.getLogger(__name__)

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
