"""Walking engine: walking times, isochrones and routes from one origin.

The public interface is :func:`reach`, :func:`walk_to`, :func:`isochrones`, :func:`route` and
:func:`check_origin`. Every answer says whether it is an ``estimate`` (no pedestrian network
imported: straight-line distance x ``DETOUR_FACTOR`` at the profile's speed) and the
``network_date`` of the OSM data it used. Origins are never logged or stored.

With a network imported (:mod:`scout.osm`), each process holds the graph in memory
(:mod:`scout.walkgraph`): a read-only copy loaded on first use and reloaded when the current
network in the database changes, so a re-import never leaves a search half on the old network and
half on the new. Points snap to the nearest point of the nearest walkable edge; the snap distance
is walked too, and a point farther than ``MAX_SNAP_M`` is refused.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
from flask import current_app, has_app_context
from flask_babel import lazy_gettext as _l
from shapely.geometry import LineString, Point, mapping
from sqlalchemy import Select, select

from scout import spatial
from scout.config import WALKING_SPEED_KMH
from scout.errors import OutOfArea
from scout.extensions import db
from scout.geo import LonLat, haversine_lonlat_m, haversine_m
from scout.models import OrgKind, Place
from scout.walking.directions import Leg, describe, legs_of
from scout.walking.graph import Graph
from scout.walking.placeindex import PlaceIndex, published_index
from scout.walking.store import current_graph, graph_of, versions

K = TypeVar("K")


class Profile(enum.StrEnum):
    STANDARD = "standard"
    STROLLER = "stroller"

    @property
    def speed_kmh(self) -> float:
        """The profile's walking speed (``WALKING_SPEED_KMH``; the defaults outside an app)."""
        speeds = current_app.config["WALKING_SPEED_KMH"] if has_app_context() else WALKING_SPEED_KMH
        return float(speeds[self.value])

    @property
    def speed_m_s(self) -> float:
        return self.speed_kmh * 1000 / 3600

    @property
    def label(self) -> Any:
        return {Profile.STANDARD: _l("Standard"), Profile.STROLLER: _l("With a stroller")}[self]

    @property
    def avoids_steps(self) -> bool:
        return self is Profile.STROLLER


def whole_minutes(seconds: Any) -> Any:
    """Walking seconds (a number or an array) as the minutes shown to people: rounded up, at
    least one (a 4.2-minute walk is "5 min", an exact 3 minutes "3 min")."""
    if isinstance(seconds, np.ndarray):
        return np.maximum(1, np.ceil(seconds / 60 - 1e-9)).astype(np.int64)
    return max(1, math.ceil(seconds / 60 - 1e-9))  # a walk's: numpy's costs 10x on one number


@dataclass(frozen=True, slots=True)
class Walk:
    metres: float
    seconds: float

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    @property
    def whole_minutes(self) -> int:
        """Minutes rounded up, as shown to people (:func:`whole_minutes`)."""
        return whole_minutes(self.seconds)


class Walks(Mapping[int, Walk]):
    """Walks by place id, nearest first, held as two arrays: a reach finds up to thousands
    of places and the API writes them straight from the arrays (:meth:`whole_minutes`), so a
    :class:`Walk` is made only for a place looked up."""

    __slots__ = ("_at", "ids", "metres", "speed")

    def __init__(self, ids: np.ndarray, metres: np.ndarray, speed_m_s: float) -> None:
        order = np.argsort(metres, kind="stable")  # ties keep the search's order
        self.ids, self.metres, self.speed = ids[order], metres[order], speed_m_s
        self._at: dict[int, int] | None = None

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __getitem__(self, place_id: int) -> Walk:
        if self._at is None:
            self._at = {k: i for i, k in enumerate(self.ids.tolist())}
        m = float(self.metres[self._at[place_id]])
        return Walk(m, m / self.speed)

    def items(self) -> Any:  # in order, without the lookups of Mapping's view
        speed = self.speed
        pairs = zip(self.ids.tolist(), self.metres.tolist(), strict=True)
        return ((k, Walk(m, m / speed)) for k, m in pairs)

    def values(self) -> Any:
        return (walk for _, walk in self.items())

    def whole_minutes(self) -> np.ndarray:
        """:attr:`Walk.whole_minutes` of every walk, in order."""
        return whole_minutes(self.metres / self.speed)


def ids_and_seconds(walks: Mapping[int, Walk]) -> tuple[list[int], list[float]]:
    """The keys of ``walks`` and their walking seconds, as two lists in its order."""
    if isinstance(walks, Walks):
        return walks.ids.tolist(), (walks.metres / walks.speed).tolist()
    return list(walks), [w.seconds for w in walks.values()]


@dataclass(slots=True)
class Answer:
    estimate: bool
    network_date: datetime | None = None
    graph: Graph | None = None  # the network walked (None: an estimate)


@dataclass(slots=True)
class ReachAnswer(Answer):
    walks: Mapping[int, Walk] = field(default_factory=dict)  # place id → walk, nearest first
    # id → row of the reached places, when ``places`` selected more columns than the point.
    rows: Mapping[int, Any] = field(default_factory=dict)
    # Over the published places: their index (feature heads by id, see PlaceIndex.heads).
    places: PlaceIndex | None = None


@dataclass(slots=True)
class WalkAnswer(Answer):
    # Targets that cannot be reached on the network (farther than MAX_SNAP_M from any walkable
    # edge, or cut off from the origin) are missing from ``walks``.
    walks: dict[Any, Walk] = field(default_factory=dict)


@dataclass(slots=True)
class IsochroneAnswer(Answer):
    # (minutes, GeoJSON Polygon/MultiPolygon geometry), smallest band first
    bands: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class RouteAnswer(Answer):
    walk: Walk | None = None
    line: dict[str, Any] | None = None  # GeoJSON LineString, [lon, lat]
    # Street by street (on the network only; see :mod:`scout.walking.directions`).
    legs: list[Leg] = field(default_factory=list)
    speed_m_s: float = 1.0

    def directions(self, html: bool = False) -> list[dict[str, Any]]:
        """The legs as texts in the current locale (none in estimate mode)."""
        return describe(self.legs, self.speed_m_s, html)


MAX_SNAP_M = 250
MAX_MINUTES = 30


class TooFarFromPaths(OutOfArea):
    default_message = _l(
        "This point is more than 250 m from any street or path we know: choose a point nearer "
        "a street."
    )


def _estimate(a: LonLat, b: LonLat, profile: Profile) -> Walk:
    metres = haversine_m(a, b) * current_app.config["DETOUR_FACTOR"]
    return Walk(metres=metres, seconds=metres / profile.speed_m_s)


def _estimates(
    origin: LonLat, rows: list[Any], profile: Profile, max_seconds: float
) -> dict[int, Walk]:
    """:func:`_estimate` to each ``(id, lon, lat, ...)`` row, those within ``max_seconds``."""
    factor, speed = current_app.config["DETOUR_FACTOR"], profile.speed_m_s
    lon, lat = origin.lon, origin.lat
    out = {}
    for r in rows:
        metres = haversine_lonlat_m(lon, lat, r[1], r[2]) * factor
        if metres / speed <= max_seconds:
            out[r[0]] = Walk(metres=metres, seconds=metres / speed)
    return out


def _walk(metres: float, profile: Profile) -> Walk:
    return Walk(metres=metres, seconds=metres / profile.speed_m_s)


def network() -> Graph | None:
    """The current network's in-memory graph, or None (estimate mode)."""
    return current_graph(db.session)


def check_origin(origin: LonLat) -> None:
    """Refuse a point outside the service area (raises :class:`OutOfArea`)."""
    if not spatial.in_service_area(origin):
        raise OutOfArea()


def _candidates(origin: LonLat, radius_m: float, places: Select) -> list[Any]:
    """``(id, lon, lat, *other columns of places)`` of the places of ``places`` in the box
    ``radius_m`` around ``origin`` (a superset of those within ``radius_m``: the caller
    measures)."""
    lon, lat = spatial.place_lonlat()
    box = spatial.places_in_box(origin, radius_m)
    cols = list(places.selected_columns)
    if cols[0].compare(Place.__table__.c.id):
        # ``select(Place.id, ...).where(...)``: add the point and the box to it (a self-join
        # on ``id IN (...)`` costs four times as much).
        query = places.with_only_columns(cols[0], lon, lat, *cols[1:]).where(box)
    else:
        query = select(Place.id, lon, lat).where(Place.id.in_(places.scalar_subquery()), box)
    # Plain rows through the connection: the ORM adds nothing to a thousand tuples but time.
    return db.session.connection().execute(query).all()


def reach(
    origin: LonLat,
    max_minutes: float,
    profile: Profile = Profile.STANDARD,
    places: Select | None = None,
    kind: OrgKind | None = None,
) -> ReachAnswer:
    """Walking time to every place of ``places`` (a select of ``Place.id``; default: all
    published places, of one organisation ``kind`` if given) reachable within ``max_minutes``,
    nearest first.

    When ``places`` selects more columns after ``Place.id`` (e.g. names), they are read in the
    same query and the answer's ``rows`` holds them, by place id: ``(id, lon, lat, *those)``;
    the published places come from their index, shared by the machine's processes (the
    answer's ``places``).
    """
    check_origin(origin)

    if places is None:  # the published places, from memory while unchanged
        current, token = versions(db.session)
        graph = graph_of(db.session, current)
        index = published_index(db.session, token, graph, MAX_SNAP_M)
    else:
        graph, index = network(), None
    budget_m = max_minutes * 60 * profile.speed_m_s
    if graph is None:
        radius_m = budget_m / current_app.config["DETOUR_FACTOR"]
        if index is None:
            rows = _candidates(origin, radius_m, places)
        else:
            ids, lons, lats = (
                c.tolist() for c in index.columns(index.in_box(origin, radius_m, kind))
            )
            rows = list(zip(ids, lons, lats, strict=True))
        walks = _estimates(origin, rows, profile, max_minutes * 60 + 1e-6)
        ordered = dict(sorted(walks.items(), key=lambda kv: kv[1].seconds))
        return ReachAnswer(estimate=True, walks=ordered, rows=_rows_of(rows, ordered), places=index)
    start = graph.snap_origin(origin, profile.avoids_steps, MAX_SNAP_M)
    if start is None:
        raise TooFarFromPaths()
    # A walk is never shorter than the straight line: the crow-flies radius bounds the places.
    radius_m = budget_m * 1.005 + 1
    snapped = None
    if start.dist > budget_m:
        rows: Any = []
    elif index is None:
        rows = _candidates(origin, radius_m, places)
    else:  # columns and snaps, straight from the index
        idx = index.in_box(origin, radius_m, kind)
        rows, snapped = index.columns(idx), index.snaps(start.view, idx)
    keys, metres = graph.distance_columns(start, rows, budget_m, MAX_SNAP_M, snapped=snapped)
    walks = Walks(keys, metres, profile.speed_m_s)
    found = {} if index else _rows_of(rows, walks)
    return ReachAnswer(
        estimate=False,
        network_date=graph.osm_date,
        walks=walks,
        rows=found,
        places=index,
        graph=graph,
    )


def _rows_of(rows: list[Any], walks: Mapping[int, Walk]) -> dict[int, Any]:
    """The candidate rows of the reached places, when they carry more than the point."""
    if not rows or len(rows[0]) <= 3:
        return {}
    return {r[0]: r for r in rows if r[0] in walks}


# A walk to a target seldom exceeds this many times the straight line (plus both snaps): the
# first bound of an unbounded walk (see :meth:`Graph.distances`; a farther target costs a
# second, unbounded pass, never a wrong answer).
WALK_TO_HINT_FACTOR = 1.6


def walk_to(
    origin: LonLat,
    targets: Mapping[K, LonLat],
    profile: Profile = Profile.STANDARD,
    *,
    place_ids: bool = False,
    same_as: Answer | None = None,
    fixed_origin: bool = False,
) -> WalkAnswer:
    """Walking time from ``origin`` to each target point (e.g. school → each place).

    With ``place_ids`` (the keys are place ids and the points those places'), the targets'
    snaps are kept per process, as :func:`reach` keeps them. ``same_as``: walk on the
    network (or estimate) of that answer, without asking the database again.
    ``fixed_origin``: the origin is a public fixed point (a school), whose snap the process
    keeps; never a person's home."""
    graph = network() if same_as is None else same_as.graph
    if graph is None:
        return WalkAnswer(
            estimate=True, walks={k: _estimate(origin, p, profile) for k, p in targets.items()}
        )
    snap = graph.snap_fixed if fixed_origin else graph.snap_origin
    start = snap(origin, profile.avoids_steps, MAX_SNAP_M)
    if start is None:
        raise TooFarFromPaths()
    keys = list(targets)
    rows = [(k if place_ids else i, targets[k].lon, targets[k].lat) for i, k in enumerate(keys)]
    speed = profile.speed_m_s
    hint = WALK_TO_HINT_FACTOR * graph.farthest_m(origin, rows) + 2 * MAX_SNAP_M
    metres = graph.distances(start, rows, math.inf, MAX_SNAP_M, cache=place_ids, hint=hint)
    return WalkAnswer(
        estimate=False,
        network_date=graph.osm_date,
        walks={(k if place_ids else keys[k]): Walk(m, m / speed) for k, m in metres.items()},
        graph=graph,
    )


def isochrones(
    origin: LonLat, bands: list[int], profile: Profile = Profile.STANDARD
) -> IsochroneAnswer:
    """One polygon per band of minutes (estimate mode: circles of the reachable radius)."""
    check_origin(origin)
    bands = sorted(bands)
    graph = network()
    if graph is not None:
        start = graph.snap_origin(origin, profile.avoids_steps, MAX_SNAP_M)
        if start is None:
            raise TooFarFromPaths()
        budgets = [b * 60 * profile.speed_m_s for b in bands]
        shapes = graph.isochrones(start, budgets)
        return IsochroneAnswer(
            estimate=False,
            network_date=graph.osm_date,
            bands=list(zip(bands, shapes, strict=True)),
        )
    out = []
    # ~ metres per degree at Milan's latitude, to draw the circle in lon/lat.
    m_per_deg_lat = 111_132.0
    m_per_deg_lon = m_per_deg_lat * math.cos(math.radians(origin.lat))
    for minutes in bands:
        r = minutes * 60 * profile.speed_m_s / current_app.config["DETOUR_FACTOR"]
        circle = Point(0, 0).buffer(1, quad_segs=16)
        coords = [
            (origin.lon + x * r / m_per_deg_lon, origin.lat + y * r / m_per_deg_lat)
            for x, y in circle.exterior.coords
        ]
        out.append((minutes, {"type": "Polygon", "coordinates": [coords]}))
    return IsochroneAnswer(estimate=True, bands=out)


def route(origin: LonLat, target: LonLat, profile: Profile = Profile.STANDARD) -> RouteAnswer:
    """The walking line and time from ``origin`` to ``target``.

    On the network, ``walk`` and ``line`` are None when the target cannot be reached (farther
    than ``MAX_SNAP_M`` from any path, or cut off, e.g. only by steps with a stroller)."""
    check_origin(origin)
    graph = network()
    if graph is None:
        line = LineString([(origin.lon, origin.lat), (target.lon, target.lat)])
        return RouteAnswer(
            estimate=True, walk=_estimate(origin, target, profile), line=mapping(line)
        )
    start = graph.snap_origin(origin, profile.avoids_steps, MAX_SNAP_M)
    if start is None:
        raise TooFarFromPaths()
    found = graph.route_pieces(start, target, MAX_SNAP_M)
    if found is None:
        return RouteAnswer(estimate=False, network_date=graph.osm_date)
    metres, pieces = found
    return RouteAnswer(
        estimate=False,
        network_date=graph.osm_date,
        walk=_walk(metres, profile),
        line={"type": "LineString", "coordinates": graph.route_line(pieces)},
        legs=legs_of(graph, pieces),
        speed_m_s=profile.speed_m_s,
    )


__all__ = [
    "MAX_MINUTES",
    "MAX_SNAP_M",
    "IsochroneAnswer",
    "Profile",
    "ReachAnswer",
    "RouteAnswer",
    "TooFarFromPaths",
    "Walk",
    "WalkAnswer",
    "check_origin",
    "isochrones",
    "reach",
    "route",
    "walk_to",
]
