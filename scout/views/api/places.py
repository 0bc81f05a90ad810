"""Places as GeoJSON for staff."""

from __future__ import annotations

from typing import Any

from scout import spatial
from scout.extensions import db
from scout.views.api import bp


def feature(place: Any, lon: float, lat: float, **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature of a place ([lon, lat])."""
    return {
        "type": "Feature",
        "id": place.id,
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "id": place.id,
            "name": place.name,
            "kind": place.organisation.kind.value if place.organisation else None,
            "address": place.address,
            "status": place.status.value,
            **props,
        },
    }


@bp.get("/places")
def places() -> dict[str, Any]:
    """Published partner places as GeoJSON (staff view)."""
    rows = db.session.execute(spatial.public_places()).all()
    return {"type": "FeatureCollection", "features": [feature(p, x, y) for p, x, y in rows]}
