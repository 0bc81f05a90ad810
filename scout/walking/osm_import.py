"""Import a pedestrian network from an OpenStreetMap extract (``.osm``, ``.osm.pbf``, ``.osm.bz2``)
into PostGIS: walkable ways split at junctions, kept where they touch the service area, the
largest connected part, and the address gazetteer. A new network becomes current in one
transaction; the old one is kept until then.

Barrier nodes (``barrier=*`` on a node of a walkable way) are read with the same allow/deny rules
as ways (:func:`barrier_kind`). At a blocking one (a locked gate, a wall) the ways are split and
every edge ending there gets its own copy of the node, so nothing walks through it. At a raised
kerb the copies are joined to the node by a connector edge marked as steps (0.01 m, a
zero-length line): walkable on foot, not with a stroller.
"""

from __future__ import annotations

import bz2
import gzip
import logging
import re
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import osmium
import shapely
from flask_babel import lazy_gettext as _l
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from scout import spatial
from scout.errors import ImportFailed
from scout.geo import metres_per_degree
from scout.models import Address, WalkNetwork, utcnow
from scout.walking import graphfiles
from scout.walking.gazetteer import street_key
from scout.walking.osm_rules import (
    BARRIER_BLOCKS,
    BARRIER_PASSES,
    BARRIER_STEP,
    KIND_KERB,
    barrier_kind,
    edge_kind,
    is_walkable,
    street_name,
)
from scout.walking.store import graph_folder

logger = logging.getLogger(__name__)


Progress = Callable[[str], None]


CONNECTOR_M = 0.01


IMPORT_LOCK = 0x5C0_0A5_E


def segment_lengths(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """Lengths in metres of the segments of a polyline given as lon/lat arrays."""
    m_lon, m_lat = metres_per_degree((lat[1:] + lat[:-1]) / 2)
    return np.hypot(np.diff(lon) * m_lon, np.diff(lat) * m_lat)


@dataclass
class ImportReport:
    network_id: int = 0
    nodes: int = 0
    edges: int = 0
    steps: int = 0
    addresses: int = 0
    total_km: float = 0.0
    area_km2: float = 0.0
    seconds: float = 0.0
    osm_date: datetime | None = None
    dropped_edges: int = 0
    barriers: int = 0  # blocking barrier nodes on walkable ways
    raised_kerbs: int = 0

    def line(self) -> str:
        date = self.osm_date.date().isoformat() if self.osm_date else "unknown"
        return (
            f"walking network {self.network_id}: {self.nodes} nodes, {self.edges} edges "
            f"({self.steps} steps, {self.total_km:.1f} km, {self.area_km2:.1f} km²), "
            f"{self.barriers} closed barriers, {self.raised_kerbs} raised kerbs, "
            f"{self.addresses} addresses, OSM data of {date}, imported in {self.seconds:.1f} s"
        )


@dataclass
class _Raw:
    way_ids: list[int] = field(default_factory=list)
    highways: list[str] = field(default_factory=list)
    names: list[str | None] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    refs: list[np.ndarray] = field(default_factory=list)
    coords: list[np.ndarray] = field(default_factory=list)
    addresses: list[tuple[str, str, str | None, str, float, float]] = field(default_factory=list)
    barriers: dict[int, int] = field(default_factory=dict)  # node ref → BARRIER_BLOCKS | _STEP
    latest: datetime | None = None


def _osm_date(path: Path) -> datetime | None:
    """The data date from the file header (PBF replication timestamp, XML ``osm_base``)."""
    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        header = reader.header()
        stamp = header.get("osmosis_replication_timestamp") or header.get("timestamp")
        reader.close()
    except RuntimeError:
        return None
    if not stamp:
        opener: Any = open
        if path.suffix == ".bz2":
            opener = bz2.open
        elif path.suffix == ".gz":
            opener = gzip.open
        try:
            with opener(path, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "replace")
        except OSError:
            return None
        match = re.search(r'osm_base="([^"]+)"', head) or re.search(r'timestamp="([^"]+)"', head)
        stamp = match.group(1) if match else None
    if not stamp:
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return None


def _read(path: Path, progress: Progress) -> _Raw:
    raw = _Raw()
    processor = (
        osmium.FileProcessor(str(path))
        .with_locations()
        .with_filter(osmium.filter.KeyFilter("highway", "addr:housenumber", "barrier"))
    )
    seen = 0
    for obj in processor:
        seen += 1
        if seen % 100_000 == 0:
            progress(f"  read {seen:,} objects, {len(raw.way_ids):,} walkable ways")
        tags = obj.tags
        if obj.is_way():
            nodes = obj.nodes
            try:
                coords = np.array([(n.lon, n.lat) for n in nodes], dtype=np.float64)
            except osmium.InvalidLocationError:
                continue  # a way whose nodes are not in the extract
            if "addr:housenumber" in tags and "addr:street" in tags and len(coords):
                lon, lat = coords.mean(axis=0)
                raw.addresses.append(_address(tags, f"w{obj.id}", lon, lat))
            if len(coords) >= 2 and is_walkable(tags):
                raw.way_ids.append(obj.id)
                raw.highways.append(tags.get("highway"))
                raw.names.append(street_name(tags))
                raw.kinds.append(edge_kind(tags))
                raw.refs.append(np.array([n.ref for n in nodes], dtype=np.int64))
                raw.coords.append(coords)
                stamp = obj.timestamp
                if stamp.year > 2000 and (raw.latest is None or stamp > raw.latest):
                    raw.latest = stamp
        elif obj.is_node():
            if "barrier" in tags and (kind := barrier_kind(tags)) != BARRIER_PASSES:
                raw.barriers[obj.id] = kind
            loc = obj.location
            if "addr:housenumber" in tags and "addr:street" in tags and loc.valid():
                raw.addresses.append(_address(tags, f"n{obj.id}", loc.lon, loc.lat))
    return raw


def _address(tags: Any, ref: str, lon: float, lat: float) -> tuple[Any, ...]:
    street = tags.get("addr:street").strip()[:200]
    postcode = (tags.get("addr:postcode") or "").strip()[:10] or None
    return (street, tags.get("addr:housenumber").strip()[:20], postcode, ref, lon, lat)


@dataclass
class _Graph:
    node_osm: np.ndarray
    node_lonlat: np.ndarray
    source: np.ndarray
    target: np.ndarray
    length: np.ndarray
    steps: np.ndarray
    way_id: np.ndarray
    highway: list[str]
    geoms: np.ndarray  # shapely LineStrings, lon/lat
    name: list[str | None]  # the way's name (OSM ``name``), None when unnamed
    kind: list[str]  # see :data:`scout.walking.osm_rules.EDGE_KINDS`


def _split(raw: _Raw) -> tuple[_Graph, Counter[int]]:
    """Split ways at every node shared with another way (or repeated in one), at ends and at
    barriers; with the count of barriers met, by kind."""
    counts: Counter[int] = Counter()
    for refs in raw.refs:
        counts.update(refs.tolist())
        counts[int(refs[0])] += 1
        counts[int(refs[-1])] += 1
    barriers = raw.barriers
    met: Counter[int] = Counter()
    index: dict[int, int] = {}
    node_osm: list[int] = []
    node_lonlat: list[tuple[float, float]] = []
    src: list[int] = []
    dst: list[int] = []
    lengths: list[float] = []
    steps: list[bool] = []
    way_ids: list[int] = []
    highways: list[str] = []
    names: list[str | None] = []
    kinds: list[str] = []
    parts: list[np.ndarray] = []

    def new_node(ref: int, lon: float, lat: float) -> int:
        node_osm.append(ref)
        node_lonlat.append((lon, lat))
        return len(node_osm) - 1

    def node(ref: int, lon: float, lat: float, way_id: int, highway: str, name: str | None) -> int:
        i = index.get(ref)
        if i is None:
            i = index[ref] = new_node(ref, lon, lat)
            if ref in barriers:
                met[barriers[ref]] += 1
        kind = barriers.get(ref)
        if kind is None:
            return i
        # A barrier: this edge end gets its own node, joined to the barrier's by a step at a
        # raised kerb, by nothing at a closed one.
        own = new_node(ref, lon, lat)
        if kind == BARRIER_STEP:
            src.append(i)
            dst.append(own)
            lengths.append(CONNECTOR_M)
            steps.append(True)
            way_ids.append(way_id)
            highways.append(highway)
            names.append(name)
            kinds.append(KIND_KERB)
            parts.append(np.array([(lon, lat), (lon, lat)]))
        return own

    for way_id, highway, name, kind, refs, coords in zip(
        raw.way_ids, raw.highways, raw.names, raw.kinds, raw.refs, raw.coords, strict=True
    ):
        seg = segment_lengths(coords[:, 0], coords[:, 1])
        cum = np.concatenate(([0.0], np.cumsum(seg)))
        cuts = [0] + [
            i
            for i in range(1, len(refs) - 1)
            if counts[int(refs[i])] > 1 or int(refs[i]) in barriers
        ]
        cuts.append(len(refs) - 1)
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            if b <= a:
                continue
            length = float(cum[b] - cum[a])
            ra, rb = int(refs[a]), int(refs[b])
            if ra == rb and length < 0.5:
                continue
            u = node(ra, *coords[a], way_id, highway, name)
            v = node(rb, *coords[b], way_id, highway, name)
            src.append(u)
            dst.append(v)
            lengths.append(max(length, 0.01))
            steps.append(highway == "steps")
            way_ids.append(way_id)
            highways.append(highway)
            names.append(name)
            kinds.append(kind)
            parts.append(coords[a : b + 1])
    graph = _Graph(
        node_osm=np.array(node_osm, dtype=np.int64),
        node_lonlat=np.array(node_lonlat, dtype=np.float64).reshape(-1, 2),
        source=np.array(src, dtype=np.int32),
        target=np.array(dst, dtype=np.int32),
        length=np.array(lengths, dtype=np.float64),
        steps=np.array(steps, dtype=bool),
        way_id=np.array(way_ids, dtype=np.int64),
        highway=highways,
        geoms=_linestrings(parts),
        name=names,
        kind=kinds,
    )
    return graph, met


def _linestrings(parts: list[np.ndarray]) -> np.ndarray:
    """Many LineStrings at once from ragged coordinate arrays."""
    if not parts:
        return np.empty(0, dtype=object)
    indices = np.repeat(np.arange(len(parts)), [len(p) for p in parts])
    return shapely.linestrings(np.concatenate(parts), indices=indices)


def _subset(g: _Graph, keep: np.ndarray) -> _Graph:
    """The edges where ``keep`` is true, with nodes renumbered 0..n-1."""
    used = np.zeros(len(g.node_osm), dtype=bool)
    used[g.source[keep]] = True
    used[g.target[keep]] = True
    renumber = np.cumsum(used) - 1
    return _Graph(
        node_osm=g.node_osm[used],
        node_lonlat=g.node_lonlat[used],
        source=renumber[g.source[keep]].astype(np.int32),
        target=renumber[g.target[keep]].astype(np.int32),
        length=g.length[keep],
        steps=g.steps[keep],
        way_id=g.way_id[keep],
        highway=[h for h, k in zip(g.highway, keep, strict=True) if k],
        geoms=g.geoms[keep],
        name=[n for n, k in zip(g.name, keep, strict=True) if k],
        kind=[n for n, k in zip(g.kind, keep, strict=True) if k],
    )


def _largest_component(g: _Graph) -> np.ndarray:
    n = len(g.node_osm)
    adj = coo_matrix((np.ones(len(g.source)), (g.source, g.target)), shape=(n, n))
    _count, labels = connected_components(adj, directed=False)
    biggest = np.bincount(labels).argmax()
    return labels[g.source] == biggest


def import_osm(
    session: Session,
    path: Path | str,
    *,
    source: str | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the walking network and addresses of an OSM extract, replacing the current one.

    Runs in the caller's transaction (it flushes; the caller commits). Raises
    :class:`ImportFailed` with a one-line message, before writing anything, when the file is
    missing, is not OSM, or holds no walkable way inside the service area.
    """
    say = progress or (lambda _msg: None)
    path = Path(path)
    started = time.perf_counter()
    if not path.is_file():
        raise ImportFailed(_l("%(file)s: file not found.", file=path.name))
    say(f"reading {path.name}")
    try:
        raw = _read(path, say)
    except (RuntimeError, ValueError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        logger.info("unreadable OSM file %s: %s", path.name, first)
        raise ImportFailed(
            _l("%(file)s is not a readable OpenStreetMap file.", file=path.name)
        ) from None
    if not raw.way_ids:
        raise ImportFailed(_l("%(file)s holds no street or path to walk on.", file=path.name))
    say(f"  {len(raw.way_ids):,} walkable ways, {len(raw.addresses):,} addresses")
    graph, barriers_met = _split(raw)
    area = spatial.service_area(session)
    if area is not None:
        shapely.prepare(area)
        inside = shapely.intersects(area, graph.geoms)
        if not inside.any():
            raise ImportFailed(
                _l("%(file)s holds no street or path inside the area served.", file=path.name)
            )
        graph = _subset(graph, inside)
    keep = _largest_component(graph)
    dropped = int((~keep).sum())
    graph = _subset(graph, keep)
    addresses = raw.addresses
    if area is not None and addresses:
        pts = shapely.points([(a[4], a[5]) for a in addresses])
        inside_pts = shapely.intersects(area, pts)
        addresses = [a for a, ok in zip(addresses, inside_pts, strict=True) if ok]
    say(f"  {len(graph.source):,} edges, {len(graph.node_osm):,} nodes after clipping")

    report = ImportReport(
        nodes=len(graph.node_osm),
        edges=len(graph.source),
        steps=int(graph.steps.sum()),
        addresses=len(addresses),
        total_km=float(graph.length.sum() / 1000),
        osm_date=_osm_date(path) or raw.latest,
        dropped_edges=dropped,
        barriers=barriers_met[BARRIER_BLOCKS],
        raised_kerbs=barriers_met[BARRIER_STEP],
    )
    hull = shapely.convex_hull(shapely.multilinestrings(list(graph.geoms)))
    lat0 = float(graph.node_lonlat[:, 1].mean())
    m_lon, m_lat = metres_per_degree(lat0)
    report.area_km2 = float(hull.area * m_lon * m_lat / 1e6) if hull.geom_type == "Polygon" else 0

    say("writing the network")
    session.execute(select(func.pg_advisory_xact_lock(IMPORT_LOCK)))
    network = WalkNetwork(
        is_current=False,
        source=(source or path.name)[:300],
        osm_date=report.osm_date,
        node_count=report.nodes,
        edge_count=report.edges,
        steps_count=report.steps,
        address_count=report.addresses,
        total_km=report.total_km,
        area_km2=report.area_km2,
        area=f"SRID=4326;{hull.wkt}" if hull.geom_type == "Polygon" else None,
        imported_at=utcnow(),
    )
    session.add(network)
    session.flush()
    report.network_id = network.id
    _copy_network(session, network.id, graph)
    # Swap: the old network (and its nodes and edges, by cascade) goes in the same transaction.
    session.execute(update(WalkNetwork).where(WalkNetwork.is_current).values(is_current=False))
    session.execute(delete(WalkNetwork).where(WalkNetwork.id != network.id))
    network.is_current = True
    session.execute(delete(Address))
    _copy_addresses(session, addresses)
    session.flush()
    say("writing the graph's files (shared by every app process)")
    arrays = graphfiles.from_rows(
        network.id,
        report.osm_date,
        graph.source,
        graph.target,
        graph.length,
        graph.steps,
        graph.geoms,
        graph.name,
        graph.kind,
    )
    graphfiles.save(arrays, graph_folder(session, network.id, network.imported_at))
    report.seconds = time.perf_counter() - started
    network.import_seconds = report.seconds
    session.flush()
    return report


def _driver(session: Session) -> Any:
    """The psycopg connection under the session, for COPY (tens of thousands of rows)."""
    return session.connection().connection.driver_connection


def _copy_network(session: Session, network_id: int, g: _Graph) -> None:
    conn = _driver(session)
    node_wkb = shapely.to_wkb(
        shapely.set_srid(shapely.points(g.node_lonlat), 4326), hex=True, include_srid=True
    )
    edge_wkb = shapely.to_wkb(shapely.set_srid(g.geoms, 4326), hex=True, include_srid=True)
    with conn.cursor() as cur:
        with cur.copy("COPY walk_node (network_id, id, osm_id, geom) FROM STDIN") as copy:
            for i, (osm_id, wkb) in enumerate(zip(g.node_osm.tolist(), node_wkb, strict=True)):
                copy.write_row((network_id, i, osm_id, wkb))
        with cur.copy(
            "COPY walk_edge (network_id, id, source, target, length_m, steps, osm_way_id, "
            "highway, name, kind, geom) FROM STDIN"
        ) as copy:
            rows = zip(
                g.source.tolist(),
                g.target.tolist(),
                g.length.tolist(),
                g.steps.tolist(),
                g.way_id.tolist(),
                g.highway,
                g.name,
                g.kind,
                edge_wkb,
                strict=True,
            )
            for i, row in enumerate(rows):
                copy.write_row((network_id, i, *row))


def _copy_addresses(session: Session, addresses: list[tuple[Any, ...]]) -> None:
    conn = _driver(session)
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY address (street, street_key, housenumber, postcode, osm_ref, location) FROM STDIN"
        ) as copy,
    ):
        # Keys per street, not per address: a city has ~70,000 addresses on a few thousand.
        keys = {street: street_key(street)[:200] for street in {a[0] for a in addresses}}
        for street, number, postcode, ref, lon, lat in addresses:
            row = (street, keys[street], number, postcode, ref, f"SRID=4326;POINT({lon} {lat})")
            copy.write_row(row)


def current_network(session: Session) -> WalkNetwork | None:
    return session.scalar(select(WalkNetwork).where(WalkNetwork.is_current))


def network_summary(session: Session) -> dict[str, Any] | None:
    """Figures of the current network, for ``geo network-info`` and the admin page."""
    net = current_network(session)
    if net is None:
        return None
    bbox = session.execute(
        select(*spatial.bounds(WalkNetwork.area)).where(WalkNetwork.id == net.id)
    ).one()
    return {
        "id": net.id,
        "source": net.source,
        "nodes": net.node_count,
        "edges": net.edge_count,
        "steps": net.steps_count,
        "addresses": net.address_count,
        "total_km": round(net.total_km, 1),
        "area_km2": round(net.area_km2, 1),
        "bbox": None if bbox[0] is None else [round(float(v), 5) for v in bbox],
        "osm_date": net.osm_date,
        "imported_at": net.imported_at,
        "import_seconds": round(net.import_seconds, 1),
    }
