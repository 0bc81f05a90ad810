"""Km zero: the walk from the nearest programme hub, and the rule in force.

By default an offer is km zero when the walk from the nearest hub takes at most
``KM_ZERO_MINUTES`` (exactly N minutes counts). The municipio rule is an option, off unless
``KM_ZERO_MUNICIPI`` lists municipi.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from scout import spatial, walking
from scout.errors import ScoutError
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Organisation, OrgKind, Place, ReviewStatus

logger = logging.getLogger(__name__)


def km_zero_municipi() -> list[int]:
    """The municipi whose offers are km zero however far the walk ([]: the rule is off)."""
    return sorted({int(n) for n in current_app.config.get("KM_ZERO_MUNICIPI") or []})


def km_zero_rule() -> dict[str, Any]:
    """The km-zero rule in force, as the snapshot keeps it (and the pages state it)."""
    return {
        "minutes": int(current_app.config["KM_ZERO_MINUTES"]),
        "municipi": km_zero_municipi(),
    }


@dataclass(frozen=True, slots=True)
class KmZero:
    """The walk from the nearest hub to a place and whether that makes it km zero."""

    minutes: int | None
    estimate: bool
    hub_name: str | None
    reason: str | None  # "walk", "municipio" or None (not km zero)


def hubs() -> list[tuple[Place, LonLat]]:
    lon, lat = spatial.place_lonlat()
    rows = db.session.execute(
        select(Place, lon, lat)
        .join(Place.organisation)
        .where(Place.status == ReviewStatus.PUBLISHED, Organisation.kind == OrgKind.HUB)
        .order_by(Place.name)
    ).all()
    return [(place, LonLat(x, y)) for place, x, y in rows]


def points(place_ids: set[int]) -> dict[int, LonLat]:
    if not place_ids:
        return {}
    lon, lat = spatial.place_lonlat()
    rows = db.session.execute(select(Place.id, lon, lat).where(Place.id.in_(place_ids))).all()
    return {pid: LonLat(x, y) for pid, x, y in rows}


def classify_km_zero(places: list[Place]) -> dict[int, KmZero]:
    """Km-zero status of each place: within ``KM_ZERO_MINUTES`` walk of a programme hub
    (exactly N minutes counts), or, only if ``KM_ZERO_MUNICIPI`` is configured, inside one
    of those municipi.

    Walks are asked of the walking engine from each hub to all places at once; if it cannot
    answer for a hub, that hub is skipped and the municipio rule still applies.
    """
    limit_s = current_app.config["KM_ZERO_MINUTES"] * 60
    municipi = set(km_zero_municipi())
    targets = points({p.id for p in places})
    best: dict[int, tuple[walking.Walk, str, bool]] = {}
    for hub, hub_point in hubs() if targets else []:
        try:
            answer = walking.walk_to(hub_point, targets)
        except ScoutError as err:  # RoutingUnavailable, OutOfArea: fall back to municipi
            logger.warning("no walking times from hub %s: %s", hub.id, err)
            continue
        for pid, walk in answer.walks.items():
            if pid not in best or walk.seconds < best[pid][0].seconds:
                best[pid] = (walk, hub.name, answer.estimate)
    out = {}
    for place in places:
        walk, hub_name, estimate = best.get(place.id, (None, None, False))
        if walk is not None and walk.seconds <= limit_s + 1e-6:
            reason: str | None = "walk"
        elif place.municipio is not None and place.municipio in municipi:
            reason = "municipio"
        else:
            reason = None
        minutes = walk.whole_minutes if walk is not None else None
        out[place.id] = KmZero(minutes, estimate, hub_name, reason)
    return out
