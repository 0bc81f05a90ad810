"""The published places' points and what a reach answer shows of each, once per machine.

Read from the database in one query when ``place_version``'s token (renewed by a trigger on
every write to a place or an organisation) is one this machine has not seen, and written as
arrays (ids, points, kinds, each place's GeoJSON feature up to its walk, as UTF-8, and its
snap on the current network's edges, reused for the places that did not move) under
``WALK_GRAPH_FOLDER/<database>/places/<token>-<network>``, like the graph's files
(:mod:`scout.walking.graphfiles`): every app process memory-maps them, so 50,000 places cost a
worker a few pages, not tens of megabytes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from flask import current_app
from sqlalchemy import Select, String, select, type_coerce
from sqlalchemy.orm import Session

from scout import spatial
from scout.geo import LonLat, metres_per_degree
from scout.models import Organisation, OrgKind, Place, ReviewStatus, address_line
from scout.walking import graphfiles
from scout.walking.graph import Graph


def published_places(kind: OrgKind | None = None) -> Select:
    """Published places (of one organisation ``kind``) with what a reach answer shows of each,
    the organisation's kind last: the columns :func:`published_index` keeps."""
    query = (
        select(
            Place.id,
            Place.name,
            Place.street,
            Place.civic_number,
            Place.postcode,
            type_coerce(Organisation.kind, String),  # the plain value, no enum per row
        )
        .outerjoin(Place.organisation)
        .where(Place.status == ReviewStatus.PUBLISHED)
    )
    if kind is not None:
        query = query.where(Organisation.kind == kind)
    return query


def feature_head(row: Any) -> str:
    """``{"type":"Feature",...,"properties":{...,"address":...`` of a ``(id, lon, lat, name,
    street, number, postcode, kind)`` row, open for the walk's properties."""
    place_id, x, y, name, street, number, postcode, kind = row
    feature = {
        "type": "Feature",
        "id": place_id,
        "geometry": {"type": "Point", "coordinates": [x, y]},
        "properties": {
            "id": place_id,
            "name": name,
            "kind": kind,
            "address": address_line(street, number, postcode),
        },
    }
    return json.dumps(feature, separators=(",", ":"))[:-2]


class PlaceIndex:
    """The published places' ids (ascending), points, kinds and feature heads: valid while the
    token is unchanged."""

    def __init__(self, token: Any, arrays: graphfiles.Arrays) -> None:
        self.token = token
        self.arrays = arrays
        # The network the places' snaps (``v0_edge``, ``v0_pos``, ``v0_dist``, and ``v1_``
        # for the stroller) were computed on, or None.
        self.network_id: int | None = arrays.meta.get("network_id")
        self.ids, self.lon, self.lat = arrays["ids"], arrays["lon"], arrays["lat"]
        self.kind_id = arrays["kind_id"]
        self.kinds: list[str] = arrays.meta["kinds"]
        self.head_at = arrays["head_at"]
        self._heads = memoryview(arrays["heads"])

    def __len__(self) -> int:
        return len(self.ids)

    def in_box(self, p: LonLat, metres: float, kind: str | None = None) -> np.ndarray:
        """Positions of the places in the lon/lat box reaching ``metres`` around ``p`` (a
        superset of those within ``metres``, as :func:`scout.spatial.places_in_box`)."""
        m_lon, m_lat = metres_per_degree(p.lat)
        dlon, dlat = metres / m_lon + 1e-5, metres / m_lat + 1e-5
        inside = (np.abs(self.lon - p.lon) <= dlon) & (np.abs(self.lat - p.lat) <= dlat)
        if kind is not None:
            inside &= self.kind_id == (self.kinds.index(kind) if kind in self.kinds else -2)
        return np.flatnonzero(inside)

    def columns(self, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ids, lons, lats)`` of the places at positions ``idx``."""
        return self.ids[idx], self.lon[idx], self.lat[idx]

    def snaps(self, view: int, idx: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(edge, metres along it, distance) of the places at ``idx`` on ``view``'s edges."""
        a, p = self.arrays, f"v{view}_"
        return a[p + "edge"][idx], a[p + "pos"][idx], a[p + "dist"][idx]

    def heads(self, place_ids: Sequence[int] | np.ndarray) -> list[str]:
        """The feature heads (:func:`feature_head`) of ``place_ids``, all of them indexed."""
        i = np.searchsorted(self.ids, np.asarray(place_ids, dtype=np.int64))
        starts, ends = self.head_at[i].tolist(), self.head_at[i + 1].tolist()
        heads = self._heads
        return [str(heads[a:b], "utf-8") for a, b in zip(starts, ends, strict=True)]


def _snaps(
    arrays: dict[str, np.ndarray], graph: Graph, max_snap: float, before: PlaceIndex | None
) -> None:
    """Each place's snap on both views of ``graph``: those of ``before`` (an index on the same
    network) for the places it has at the same point, computed for the others."""
    ids, lon, lat = arrays["ids"], arrays["lon"], arrays["lat"]
    todo = np.ones(len(ids), dtype=bool)
    if before is not None and before.network_id == graph.network_id and len(before):
        j = np.minimum(np.searchsorted(before.ids, ids), len(before) - 1)
        same = (before.ids[j] == ids) & (before.lon[j] == lon) & (before.lat[j] == lat)
        todo = ~same
    for v, view in enumerate(graph.views):
        if before is not None and not todo.all():
            edge, pos, dist = (x.copy() for x in before.snaps(v, j))
        else:
            edge, pos, dist = np.full(len(ids), -1), np.zeros(len(ids)), np.full(len(ids), np.inf)
        for chunk in np.array_split(np.flatnonzero(todo), max(1, int(todo.sum()) // 4000)):
            xy = graph._project_xy(np.column_stack([lon[chunk], lat[chunk]]))
            edge[chunk], pos[chunk], dist[chunk] = graph._snap_many(view, xy, max_snap)
        arrays[f"v{v}_edge"], arrays[f"v{v}_pos"], arrays[f"v{v}_dist"] = edge, pos, dist


def _build(
    token: Any, rows: list[Any], graph: Graph | None, max_snap: float, before: PlaceIndex | None
) -> graphfiles.Arrays:
    kinds = sorted({r[-1] for r in rows if r[-1] is not None})
    code = {k: i for i, k in enumerate(kinds)}
    heads = [feature_head(r).encode() for r in rows]
    arrays = {
        "ids": np.array([r[0] for r in rows], dtype=np.int64),
        "lon": np.array([r[1] for r in rows], dtype=np.float64),
        "lat": np.array([r[2] for r in rows], dtype=np.float64),
        "kind_id": np.array([code.get(r[-1], -1) for r in rows], dtype=np.int16),
        "head_at": np.concatenate([[0], np.cumsum([len(h) for h in heads])]).astype(np.int64),
        "heads": np.frombuffer(b"".join(heads), dtype=np.uint8),
    }
    meta = {"format": graphfiles.FORMAT, "token": str(token), "kinds": kinds}
    if graph is not None:
        _snaps(arrays, graph, max_snap, before)
        meta["network_id"] = graph.network_id
    return graphfiles.Arrays(arrays, meta, None)


def _folder(session: Session, token: Any, graph: Graph | None) -> Path:
    root = Path(current_app.config["WALK_GRAPH_FOLDER"])
    database = session.get_bind().engine.url.database or "default"
    network = graph.network_id if graph is not None else 0
    return root / database / "places" / f"{token}-{network}-v{graphfiles.FORMAT}"


_indexes: dict[str, PlaceIndex] = {}


def published_index(
    session: Session, token: Any, graph: Graph | None = None, max_snap: float = 250.0
) -> PlaceIndex:
    """The published places (:func:`published_places`' columns) with their points (and their
    snaps on ``graph``, within ``max_snap`` metres), read again only when ``token`` (from
    :func:`scout.walking.store.versions`) says a place or an organisation changed, or the
    network changed, and then by one process of the machine."""
    key = str(session.get_bind().engine.url)
    index = before = _indexes.get(key)
    network = graph.network_id if graph is not None else None
    if index is None or index.token != token or index.network_id != network:
        folder = _folder(session, token, graph)
        arrays = graphfiles.open_folder(folder)
        if arrays is None:
            lon, lat = spatial.place_lonlat()
            columns = published_places()
            cols = list(columns.selected_columns)
            query = columns.with_only_columns(cols[0], lon, lat, *cols[1:]).order_by(Place.id)
            rows = session.connection().execute(query).all()
            arrays = _build(token, rows, graph, max_snap, before)
            if graphfiles.save(arrays, folder):
                arrays = graphfiles.open_folder(folder) or arrays
        index = _indexes[key] = PlaceIndex(token, arrays)
    return index
