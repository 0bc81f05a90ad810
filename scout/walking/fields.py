"""The request fields every walking question shares: the profile and the minutes.

One parser each, used by the staff API, the tutors' search and the public map's ``/walk``, so
they refuse the same values with the same message (scout.validation's :class:`Say`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from flask import has_app_context
from flask_babel import lazy_gettext as _l
from pydantic import Field, GetJsonSchemaHandler

from scout import spatial
from scout.errors import OutOfArea
from scout.geo import LonLat
from scout.validation import INTEGRAL, Say, refuse
from scout.walking.engine import MAX_MINUTES, Profile

WalkingProfile = Annotated[
    Profile,
    Field(description="Walking speed profile: standard 4.5 km/h; stroller 3.6 km/h, no steps."),
    Say(_l("Choose how she walks: standard, or with a stroller.")),
]


def minutes_message(low: int, high: int) -> Any:
    """What a refused walking time says (one message for every route that takes minutes)."""
    return _l("Choose a walking time between %(low)d and %(high)d minutes.", low=low, high=high)


def Minutes(low: int = 1, high: int = MAX_MINUTES) -> Any:  # noqa: N802 (a type, like conint)
    """Whole walking minutes from ``low`` to ``high``."""
    return Annotated[
        int,
        Field(ge=low, le=high, description=f"Whole minutes on foot, {low} to {high}."),
        INTEGRAL,
        Say(minutes_message(low, high)),
    ]


@dataclass(frozen=True, slots=True)
class _Served:
    """A coordinate of an origin: the document gives the box around the area served (the
    outline itself is checked by :func:`check_served`, JSON Schema cannot say it)."""

    axis: int  # 0: lon, 1: lat

    def __get_pydantic_json_schema__(self, schema: Any, handler: GetJsonSchemaHandler) -> Any:
        out = handler(schema)
        box = spatial.service_area_box() if has_app_context() else None
        if box is not None:
            out["minimum"], out["maximum"] = box[self.axis], box[self.axis + 2]
        return out


_POINT_MESSAGE = _l("Send the point as the numbers lon and lat, inside the area served.")

Lon = Annotated[
    float,
    Field(ge=-180, le=180, description="Longitude (WGS 84), inside the area served."),
    _Served(0),
    Say(_POINT_MESSAGE),
]
Lat = Annotated[
    float,
    Field(ge=-90, le=90, description="Latitude (WGS 84), inside the area served."),
    _Served(1),
    Say(_POINT_MESSAGE),
]


def check_served(lon: float, lat: float, field: str | None = None) -> LonLat:
    """The origin ``(lon, lat)``, or a refusal (OutOfArea's message) naming ``field``."""
    point = LonLat(lon, lat)
    if not spatial.in_service_area(point):
        raise refuse(OutOfArea.default_message, field=field)
    return point
