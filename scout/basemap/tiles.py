"""The basemap's vector tiles: which tiles exist, their version, and their bytes.

A tile's version is the current network's id and a digest of the reference layers (main roads,
metro stations, municipi, NIL, schools, public hubs): a network re-import or a reload of
geodata/ changes it, so a browser or the scouts' offline cache that holds tiles of one version
knows to fetch the new ones. Tiles outside the service area (and the network's area), or
outside the zooms served, are not computed at all.

Each process keeps the tiles it computed (``TileCache``: by database, version, service area
and z/x/y, least recently used dropped past ``BASEMAP_TILE_CACHE_MB``): a tile is the same for
everyone until the version changes, and the version is part of the key, so a kept tile is never
stale and a new version simply misses.
"""

from __future__ import annotations

import functools
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Hashable

from flask import current_app
from sqlalchemy import Select, String, func, select
from sqlalchemy.orm import Session

from scout.models import (
    MainRoad,
    MetroStation,
    Municipio,
    Nil,
    Organisation,
    OrgKind,
    Place,
    School,
    WalkNetwork,
)
from scout.spatial import basemap_tile, bounds, service_area_box

MIN_ZOOM = 10
MAX_ZOOM = 18
# The renderer draws zooms above this from its tiles (overzoom): the scouts' offline cache
# holds zooms OFFLINE_ZOOMS only.
MAX_DATA_ZOOM = 16
OFFLINE_ZOOMS = range(12, MAX_DATA_ZOOM + 1)
MIME = "application/vnd.mapbox-vector-tile"

Box = tuple[float, float, float, float]


def tile_box(z: int, x: int, y: int) -> Box:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the web-mercator tile."""
    n = 2.0**z

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360 - 180, lat(y + 1), (x + 1) / n * 360 - 180, lat(y)


def tiles_of(box: Box, z: int) -> list[tuple[int, int]]:
    """The ``(x, y)`` of the zoom-``z`` tiles that cover ``box``."""
    n = 2**z

    def col(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180) / 360 * n)))

    def row(lat: float) -> int:
        r = math.radians(lat)
        return min(n - 1, max(0, int((1 - math.asinh(math.tan(r)) / math.pi) / 2 * n)))

    return [
        (x, y)
        for x in range(col(box[0]), col(box[2]) + 1)
        for y in range(row(box[3]), row(box[1]) + 1)
    ]


def current_network(session: Session) -> tuple[int | None, Box | None]:
    """The current network's id and the bounding box of its area (None, None without one)."""
    row = session.execute(
        select(WalkNetwork.id, *bounds(WalkNetwork.area)).where(WalkNetwork.is_current)
    ).first()
    if row is None:
        return None, None
    box = None if row[1] is None else (row[1], row[2], row[3], row[4])
    return row[0], box


@functools.cache
def _version_query() -> Select:
    """What :func:`version` reads, in one round trip; built once, as every map page asks."""
    parts = [
        select(func.count() * 1_000_000 + func.coalesce(func.max(model.id), 0))
        .select_from(model)
        .scalar_subquery()
        for model in (MetroStation, Municipio, Nil, School)
    ]
    # A reload replaces every main road under new ids: their highest id is enough, read from
    # the primary key's index (counting them scanned a table every reload leaves bloated).
    parts.append(select(func.max(MainRoad.id)).scalar_subquery())
    hubs = (
        select(
            func.count().cast(String) + func.coalesce(func.max(Place.updated_at).cast(String), "")
        )
        .join(Place.organisation)
        .where(Organisation.kind == OrgKind.HUB)
        .scalar_subquery()
    )
    network = select(WalkNetwork.id).where(WalkNetwork.is_current).scalar_subquery()
    return select(network, hubs, *parts)


def version(session: Session) -> str:
    """The tiles' version: ``<network id>-<digest of the reference layers>``."""
    row = session.execute(_version_query()).one()
    digest = hashlib.sha256(repr(tuple(row[1:])).encode()).hexdigest()[:10]
    return f"{row[0] or 0}-{digest}"


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def area_box(session: Session, network_box: Box | None = None) -> Box | None:
    """The box tiles are served in: the service area's and the network's, together."""
    if network_box is None:
        network_box = current_network(session)[1]
    boxes = [b for b in (service_area_box(), network_box) if b is not None]
    if not boxes:
        return None
    return (
        min(b[0] for b in boxes),
        min(b[1] for b in boxes),
        max(b[2] for b in boxes),
        max(b[3] for b in boxes),
    )


class TileCache:
    """Tiles kept in memory, least recently used dropped past ``max_bytes`` (thread-safe)."""

    def __init__(self) -> None:
        self._tiles: OrderedDict[Hashable, bytes | None] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> tuple[bool, bytes | None]:
        with self._lock:
            if key not in self._tiles:
                return False, None
            self._tiles.move_to_end(key)
            return True, self._tiles[key]

    def put(self, key: Hashable, data: bytes | None, max_bytes: int) -> None:
        size = len(data or b"") + 100  # the key and the entry
        with self._lock:
            if key in self._tiles or size > max_bytes:
                return
            self._tiles[key] = data
            self._bytes += size
            while self._bytes > max_bytes:
                _key, old = self._tiles.popitem(last=False)
                self._bytes -= len(old or b"") + 100

    def clear(self) -> None:
        with self._lock:
            self._tiles.clear()
            self._bytes = 0


cache = TileCache()


def tile(session: Session, z: int, x: int, y: int, tiles_version: str) -> bytes | None:
    """The tile's bytes (possibly empty), or None for a tile outside the zooms or the area;
    ``tiles_version`` is :func:`version`, which the caller has read already."""
    if not MIN_ZOOM <= z <= MAX_ZOOM or not (0 <= x < 2**z and 0 <= y < 2**z):
        return None
    cfg = current_app.config
    key = (
        str(session.get_bind().engine.url),
        tiles_version,
        tuple(cfg["SERVICE_MUNICIPI"]),
        z,
        x,
        y,
    )
    found, data = cache.get(key)
    if not found:
        data = _compute(session, z, x, y)
        cache.put(key, data, int(cfg["BASEMAP_TILE_CACHE_MB"] * 1_000_000))
    return data


def _compute(session: Session, z: int, x: int, y: int) -> bytes | None:
    network_id, network_box = current_network(session)
    box = area_box(session, network_box)
    if box is None or not _overlaps(tile_box(z, x, y), box):
        return None
    return basemap_tile(session, z, x, y, network_id)
