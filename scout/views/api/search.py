"""The tutors' search as JSON: ``POST /api/v1/search`` and its helpers (address lookup,
isochrones, the route to one result).

Everything is POSTed so that a person's address and coordinates never appear in a URL (and so
in no access log or browser history); nothing here logs them or writes them anywhere. The
audit trail records that a search happened, with its filters and not its origin.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import get_locale

from scout import audit, search, walking
from scout.errors import BadRequest, NotFound
from scout.extensions import db
from scout.geo import LonLat
from scout.models import AuditAction
from scout.views.api import bp
from scout.walking import gazetteer


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest("send a JSON object", field="body")
    return data


def _profile(data: dict[str, Any]) -> walking.Profile:
    try:
        return walking.Profile(data.get("profile") or walking.Profile.STANDARD)
    except ValueError:
        raise BadRequest("unknown walking profile", field="profile") from None


@bp.post("/search")
def search_run() -> dict[str, Any]:
    """Offers, courses, services and partners within walking reach, nearest first.

    In: ``origin`` (``{lon, lat}`` or ``{hub_id}``), optional ``school_id``, ``kinds``,
    ``sector``, ``contract_types``, ``part_times``, ``max_italian_level``, ``max_minutes``
    (5-30), ``profile``, ``school_hours`` (``{drop_off, pick_up, days}``),
    ``hide_not_fitting``. Out: GeoJSON, one feature per result with ``walk_minutes``,
    ``walk_minutes_from_school`` and ``school_hours_fit``.
    """
    query = search.parse_query(db.session, _body())
    result = search.run(db.session, query)
    audit.record(
        db.session,
        AuditAction.SEARCH,
        "search",
        changes=search.audit_changes(query, len(result.hits)),
    )
    db.session.commit()
    return search.to_geojson(result, str(get_locale()))


@bp.post("/search/address")
def search_address() -> dict[str, Any]:
    """Addresses matching the typed text (``{"q": "via padova 36"}``), best first."""
    text = _body().get("q")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest("type an address", field="q")
    matches = gazetteer.lookup(db.session, text[:200])
    return {"candidates": [m.as_dict() for m in matches]}


@bp.post("/search/isochrones")
def search_isochrones() -> dict[str, Any]:
    """The 5/10/15-minute areas around the origin, as GeoJSON polygons."""
    data = _body()
    origin, _kind = search.parse_origin(db.session, data.get("origin"))
    try:
        max_minutes = int(data.get("max_minutes", search.DEFAULT_MINUTES))
    except (TypeError, ValueError):
        raise BadRequest("max_minutes must be a number", field="max_minutes") from None
    max_minutes = min(max(max_minutes, search.MIN_MINUTES), search.MAX_MINUTES)
    return search.isochrones(origin, _profile(data), max_minutes)


@bp.post("/search/route")
def search_route() -> dict[str, Any]:
    """The walking route from the origin to one place, as a GeoJSON LineString feature."""
    data = _body()
    origin, _kind = search.parse_origin(db.session, data.get("origin"))
    try:
        place_id = int(data.get("place_id"))  # type: ignore[arg-type]
        if not 1 <= place_id < 2**31:  # a PostgreSQL integer
            raise ValueError(place_id)
    except (TypeError, ValueError, OverflowError):
        raise BadRequest("place_id must be a number", field="place_id") from None
    row = db.session.execute(search.place_point(place_id)).first()
    if row is None:
        raise NotFound()
    answer = walking.route(origin, LonLat(row.lon, row.lat), _profile(data))
    return {
        "type": "Feature",
        "geometry": answer.line,
        "properties": {
            "place_id": place_id,
            "walk_minutes": answer.walk.whole_minutes if answer.walk else None,
            "walk_metres": round(answer.walk.metres) if answer.walk else None,
            "estimate": answer.estimate,
        },
    }
