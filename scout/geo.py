"""Small value types and plane geometry shared by spatial queries, maps and the walking engine:
:class:`LonLat`, great-circle distance, metres per degree."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True, slots=True)
class LonLat:
    """A WGS84 point. x is always lon."""

    lon: float
    lat: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lon) and math.isfinite(self.lat)):
            raise ValueError("coordinates must be finite numbers")
        if not (-180 <= self.lon <= 180 and -90 <= self.lat <= 90):
            raise ValueError("coordinates out of range")

    @property
    def wkt(self) -> str:
        return f"SRID=4326;POINT({self.lon!r} {self.lat!r})"


def haversine_m(a: LonLat, b: LonLat) -> float:
    """Great-circle distance in metres (spherical Earth, R = 6,371,008.8 m)."""
    return haversine_lonlat_m(a.lon, a.lat, b.lon, b.lat)


def haversine_lonlat_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """:func:`haversine_m` of plain numbers (no :class:`LonLat` per point in hot loops)."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(math.sqrt(h))


def metres_per_degree(lat: Any) -> tuple[Any, Any]:
    """Metres per degree of longitude and latitude at ``lat`` (a number or a numpy array) on
    the WGS84 ellipsoid (series expansion; sub-millimetre over street-sized segments)."""
    phi = np.radians(lat)
    m_lat = 111_132.954 - 559.822 * np.cos(2 * phi) + 1.175 * np.cos(4 * phi)
    m_lon = 111_412.84 * np.cos(phi) - 93.5 * np.cos(3 * phi)
    return m_lon, m_lat
