"""Walking engine: walking times, isochrones and routes from one origin.

The public interface is :func:`reach`, :func:`walk_to`, :func:`isochrones`, :func:`route` and
:func:`check_origin`. Every answer says whether it is an ``estimate`` (no pedestrian network
imported: straight-line distance x ``DETOUR_FACTOR`` at the profile's speed) and the
``network_date`` of the OSM data it used. Origins are never logged or stored.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from flask import current_app
from flask_babel import lazy_gettext as _l
from shapely.geometry import LineString, Point, mapping
from sqlalchemy import Select, select

from scout import spatial
from scout.errors import OutOfArea
from scout.extensions import db
from scout.geo import LonLat, haversine_m
from scout.models import Place

K = TypeVar("K")


class Profile(enum.StrEnum):
    STANDARD = "standard"
    STROLLER = "stroller"

    @property
    def speed_m_s(self) -> float:
        return {Profile.STANDARD: 4.5, Profile.STROLLER: 3.6}[self] * 1000 / 3600

    @property
    def label(self) -> Any:
        return {Profile.STANDARD: _l("Standard"), Profile.STROLLER: _l("With a stroller")}[self]


@dataclass(frozen=True, slots=True)
class Walk:
    metres: float
    seconds: float

    @property
    def minutes(self) -> float:
        return self.seconds / 60

    @property
    def whole_minutes(self) -> int:
        """Minutes rounded up, as shown to people (a 4.2-minute walk is "5 min")."""
        return max(1, math.ceil(self.seconds / 60 - 1e-9))


@dataclass(slots=True)
class Answer:
    estimate: bool
    network_date: datetime | None = None


@dataclass(slots=True)
class ReachAnswer(Answer):
    walks: dict[int, Walk] = field(default_factory=dict)  # place id → walk, nearest first


@dataclass(slots=True)
class WalkAnswer(Answer):
    walks: dict[Any, Walk] = field(default_factory=dict)


@dataclass(slots=True)
class IsochroneAnswer(Answer):
    # (minutes, GeoJSON Polygon/MultiPolygon geometry), smallest band first
    bands: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


@dataclass(slots=True)
class RouteAnswer(Answer):
    walk: Walk | None = None
    line: dict[str, Any] | None = None  # GeoJSON LineString, [lon, lat]


MAX_SNAP_M = 250
MAX_MINUTES = 30


def _speed(profile: Profile) -> float:
    return profile.speed_m_s


def _estimate(a: LonLat, b: LonLat, profile: Profile) -> Walk:
    metres = haversine_m(a, b) * current_app.config["DETOUR_FACTOR"]
    return Walk(metres=metres, seconds=metres / _speed(profile))


def check_origin(origin: LonLat) -> None:
    """Refuse a point outside the service area (raises :class:`OutOfArea`)."""
    if not spatial.in_service_area(db.session, origin):
        raise OutOfArea()


def reach(
    origin: LonLat,
    max_minutes: float,
    profile: Profile = Profile.STANDARD,
    places: Select | None = None,
) -> ReachAnswer:
    """Walking time to every place of ``places`` (a select of ``Place.id``; default: all
    published places) reachable within ``max_minutes``, nearest first."""
    check_origin(origin)
    if places is None:
        places = select(Place.id).where(Place.status == "published")
    budget_m = max_minutes * 60 * _speed(profile)
    radius = budget_m / current_app.config["DETOUR_FACTOR"]
    lon, lat = spatial.place_lonlat()
    rows = db.session.execute(
        select(Place.id, lon, lat)
        .where(Place.id.in_(places.scalar_subquery()))
        .where(spatial.places_within(origin, radius).whereclause)
    ).all()
    walks = {pid: _estimate(origin, LonLat(x, y), profile) for pid, x, y in rows}
    walks = {k: w for k, w in walks.items() if w.seconds <= max_minutes * 60 + 1e-6}
    ordered = dict(sorted(walks.items(), key=lambda kv: kv[1].seconds))
    return ReachAnswer(estimate=True, walks=ordered)


def walk_to(
    origin: LonLat,
    targets: Mapping[K, LonLat],
    profile: Profile = Profile.STANDARD,
) -> WalkAnswer:
    """Walking time from ``origin`` to each target point (e.g. school → each place)."""
    return WalkAnswer(
        estimate=True, walks={k: _estimate(origin, p, profile) for k, p in targets.items()}
    )


def isochrones(
    origin: LonLat, bands: list[int], profile: Profile = Profile.STANDARD
) -> IsochroneAnswer:
    """One polygon per band of minutes (estimate mode: circles of the reachable radius)."""
    check_origin(origin)
    out = []
    # ~ metres per degree at Milan's latitude, to draw the circle in lon/lat.
    m_per_deg_lat = 111_132.0
    m_per_deg_lon = m_per_deg_lat * math.cos(math.radians(origin.lat))
    for minutes in sorted(bands):
        r = minutes * 60 * _speed(profile) / current_app.config["DETOUR_FACTOR"]
        circle = Point(0, 0).buffer(1, quad_segs=16)
        coords = [
            (origin.lon + x * r / m_per_deg_lon, origin.lat + y * r / m_per_deg_lat)
            for x, y in circle.exterior.coords
        ]
        out.append((minutes, {"type": "Polygon", "coordinates": [coords]}))
    return IsochroneAnswer(estimate=True, bands=out)


def route(origin: LonLat, target: LonLat, profile: Profile = Profile.STANDARD) -> RouteAnswer:
    """The walking line and time from ``origin`` to ``target``."""
    check_origin(origin)
    line = LineString([(origin.lon, origin.lat), (target.lon, target.lat)])
    return RouteAnswer(estimate=True, walk=_estimate(origin, target, profile), line=mapping(line))
