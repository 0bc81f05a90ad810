"""The walking graph of the current network, one read-only copy per machine: its files
(:mod:`scout.walking.graphfiles`, written at import) memory-mapped by each process on first use,
and again when another import becomes current (never half of two).
"""

from __future__ import annotations

import gc
import logging
import threading
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from scout import spatial
from scout.models import WalkEdge, WalkNetwork
from scout.walking import graphfiles
from scout.walking.graph import Graph

logger = logging.getLogger(__name__)

_graphs: dict[str, Graph] = {}


_load_lock = threading.Lock()


def graph_folder(session: Session, network_id: int, imported_at: Any) -> Path:
    """Where the files of network ``network_id`` (imported at ``imported_at``) are kept."""
    root = current_app.config["WALK_GRAPH_FOLDER"]
    database = session.get_bind().engine.url.database
    return graphfiles.folder_of(root, database, network_id, imported_at)


def _load(session: Session) -> Graph | None:
    """The current network: its files memory-mapped, written first from its rows (read in one
    statement) when no process of this machine wrote them yet."""
    for _attempt in range(3):  # an import may replace the network between two statements
        current = session.execute(
            select(WalkNetwork.id, WalkNetwork.imported_at).where(WalkNetwork.is_current)
        ).first()
        if current is None:
            return None
        folder = graph_folder(session, *current)
        arrays = graphfiles.open_folder(folder)
        if arrays is None:
            arrays = _build(session, current[0])
            if arrays is None:
                continue
            if graphfiles.save(arrays, folder):
                arrays = graphfiles.open_folder(folder) or arrays
        return Graph(arrays)
    return None


def _build(session: Session, network_id: int) -> graphfiles.Arrays | None:
    rows = session.execute(
        select(
            WalkNetwork.osm_date,
            WalkEdge.source,
            WalkEdge.target,
            WalkEdge.length_m,
            WalkEdge.steps,
            spatial.wkb(WalkEdge.geom),
            WalkEdge.name,
            WalkEdge.kind,
        )
        .join(WalkNetwork, WalkNetwork.id == WalkEdge.network_id)
        .where(WalkNetwork.id == network_id)
        .order_by(WalkEdge.id)
    ).all()
    if not rows:
        return None
    cols = list(zip(*rows, strict=True))
    return graphfiles.from_rows(
        network_id,
        cols[0][0],
        np.array(cols[1]),
        np.array(cols[2]),
        np.array(cols[3]),
        np.array(cols[4]),
        shapely.from_wkb([bytes(w) for w in cols[5]]),
        list(cols[6]),
        list(cols[7]),
    )


def current_graph(session: Session) -> Graph | None:
    """The graph of the current network (loading it on first use or after an import), or None
    when no network is imported."""
    return graph_of(session, session.scalar(select(WalkNetwork.id).where(WalkNetwork.is_current)))


def versions(session: Session) -> tuple[int | None, Any]:
    """The current network's id and the places' token, in one round trip (what a reach over
    the published places checks before answering from memory)."""
    row = session.execute(
        text(
            "SELECT (SELECT id FROM walk_network WHERE is_current LIMIT 1),"
            " (SELECT token FROM place_version)"
        )
    ).one()
    return row[0], row[1]


def graph_of(session: Session, current: int | None) -> Graph | None:
    """The graph of network ``current`` (the current one), loading it if this process has not."""
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
