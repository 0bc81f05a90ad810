"""The walking API's answers as JSON: places reached (written directly from the place index's
feature heads: a reach answer may hold a thousand places), isochrone bands and a route line.

The origin is never part of an answer.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from scout import spatial
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Place
from scout.walking.engine import (
    Answer,
    IsochroneAnswer,
    Profile,
    ReachAnswer,
    RouteAnswer,
    Walks,
)
from scout.walking.placeindex import feature_head


def place_point(place_id: int) -> LonLat | None:
    """Where a place is (any status), or None."""
    lon, lat = spatial.place_lonlat()
    row = db.session.execute(select(lon, lat).where(Place.id == place_id)).first()
    return LonLat(row.lon, row.lat) if row is not None else None


def _meta(answer: Answer, profile: Profile) -> dict[str, Any]:
    date = answer.network_date
    return {
        "estimate": answer.estimate,
        "network_date": date.isoformat() if date else None,
        "profile": profile.value,
    }


def _compact(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"))


def reach_json(answer: ReachAnswer, minutes: float, profile: Profile) -> str:
    """A FeatureCollection of the places reached, nearest first, each with walk minutes and
    metres (``answer`` from :func:`reach` over the published places, or with rows of
    :func:`scout.walking.placeindex.published_places`' columns)."""
    walks = answer.walks
    if isinstance(walks, Walks):  # from the arrays (a reach may find thousands of places)
        minutes_of, metres_of = walks.whole_minutes().tolist(), walks.metres.tolist()
        ids: Any = walks.ids
    else:
        minutes_of = [walk.whole_minutes for walk in walks.values()]
        metres_of, ids = [walk.metres for walk in walks.values()], list(walks)
    if answer.places is not None:
        heads = answer.places.heads(ids)
    else:
        heads = [feature_head(answer.rows[place_id]) for place_id in walks]
    features = ",".join(
        f'{head},"walk_minutes":{m},"walk_metres":{round(metres)}}}}}'
        for head, m, metres in zip(heads, minutes_of, metres_of, strict=True)
    )
    rest = _compact({"minutes": minutes, **_meta(answer, profile)})
    return '{"type":"FeatureCollection","features":[' + features + "]," + rest[1:]


def isochrones_json(answer: IsochroneAnswer, profile: Profile) -> str:
    """One polygon feature per band of minutes, smallest first."""
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"minutes": minutes}}
        for minutes, geometry in answer.bands
    ]
    return _compact({"type": "FeatureCollection", "features": features, **_meta(answer, profile)})


def route_json(answer: RouteAnswer, place_id: int, profile: Profile) -> str:
    """The route line to a place as a Feature, with minutes, metres and whether it is reached."""
    walk = answer.walk
    return _compact(
        {
            "type": "Feature",
            "geometry": answer.line,
            "properties": {
                "place_id": place_id,
                "walk_minutes": walk.whole_minutes if walk else None,
                "walk_metres": round(walk.metres) if walk else None,
                "reachable": walk is not None,
                "directions": answer.directions(),
                **_meta(answer, profile),
            },
        }
    )
