"""Walking times for staff: reach, isochrones and the route to one place, as GeoJSON.

Every answer carries ``estimate`` (true without an imported network: straight-line times) and
``network_date``. The origin is only used to answer: it is neither logged nor stored, and the
answers are marked ``no-store``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Response, request
from flask_babel import gettext as _
from sqlalchemy import Select, String, select, type_coerce

from scout import spatial, walking
from scout.errors import BadRequest, NotFound, OutOfArea
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Organisation, OrgKind, Place, ReviewStatus
from scout.views.api import bp

MAX_BANDS = 6


def _number(name: str, low: float, high: float) -> float:
    raw = request.args.get(name, "")
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(_("%(name)s must be a number", name=name), field=name) from None
    if not math.isfinite(value) or not low <= value <= high:
        raise BadRequest(
            _("%(name)s must be between %(low)s and %(high)s", name=name, low=low, high=high),
            field=name,
        )
    return value


def _origin() -> LonLat:
    return LonLat(_number("lon", -180, 180), _number("lat", -90, 90))


def _profile() -> walking.Profile:
    raw = request.args.get("profile") or walking.Profile.STANDARD.value
    try:
        return walking.Profile(raw)
    except ValueError:
        choices = ", ".join(p.value for p in walking.Profile)
        raise BadRequest(_("profile must be one of: %(c)s", c=choices), field="profile") from None


def _minutes() -> float:
    if not request.args.get("minutes"):
        return 15.0
    return _number("minutes", 1, walking.MAX_MINUTES)


def _bands() -> list[int]:
    raw = request.args.get("minutes") or "5,10,15"
    try:
        bands = sorted({int(part) for part in raw.split(",") if part.strip()})
    except ValueError:
        message = _("minutes must be whole numbers, e.g. 5,10,15")
        raise BadRequest(message, field="minutes") from None
    if not bands or len(bands) > MAX_BANDS or not all(1 <= b <= walking.MAX_MINUTES for b in bands):
        raise BadRequest(
            _("minutes must list 1 to %(n)s bands between 1 and %(max)s", n=MAX_BANDS, max=30),
            field="minutes",
        )
    return bands


def _places(kind: str | None) -> Select:
    """Published places (of one organisation ``kind``) with what a feature shows: the engine
    reads these columns with the points, in its one query."""
    query = (
        select(
            Place.id,
            Place.name,
            Place.street,
            Place.civic_number,
            Place.postcode,
            type_coerce(Organisation.kind, String),  # the plain value, no enum per row
        )
        .outerjoin(Place.organisation)
        .where(Place.status == ReviewStatus.PUBLISHED)
    )
    if kind:
        try:
            kind_value = OrgKind(kind)
        except ValueError:
            raise BadRequest(_("unknown kind"), field="kind") from None
        query = query.where(Organisation.kind == kind_value)
    return query


def _meta(answer: walking.Answer, profile: walking.Profile) -> dict[str, Any]:
    date = answer.network_date
    return {
        "estimate": answer.estimate,
        "network_date": date.isoformat() if date else None,
        "profile": profile.value,
    }


def _private(body: dict[str, Any]) -> Response:
    # Compact and unsorted: a reach answer may hold a thousand places.
    response = Response(json.dumps(body, separators=(",", ":")), mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _engine(call: Any, *args: Any) -> Any:
    """Run an engine call; an origin it refuses is a bad ``lon,lat`` parameter."""
    try:
        return call(*args)
    except OutOfArea as err:
        err.field = err.field or "lon,lat"
        raise


# The JSON of each place's feature up to its walk, by its row (so never stale): a reach answer
# holds a thousand places, mostly the same from one request to the next.
_FEATURE_HEADS: dict[Any, str] = {}
MAX_FEATURE_HEADS = 100_000


def _feature_head(row: Any) -> str:
    """``{"type":"Feature",...,"properties":{...,"address":...`` of a candidate row, open
    for the walk's properties."""
    head = _FEATURE_HEADS.get(row)
    if head is None:
        place_id, x, y, name, street, number, postcode, kind = row
        address = f"{street} {number}" if street and number else street or number or ""
        if postcode:
            address = f"{address}, {postcode}" if address else postcode
        feature = {
            "type": "Feature",
            "id": place_id,
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {"id": place_id, "name": name, "kind": kind, "address": address},
        }
        if len(_FEATURE_HEADS) >= MAX_FEATURE_HEADS:
            _FEATURE_HEADS.clear()
        head = _FEATURE_HEADS[row] = json.dumps(feature, separators=(",", ":"))[:-2]
    return head


@bp.get("/walk/reach")
def walk_reach() -> Response:
    """Published places within ``minutes`` (default 15, up to 30) of walking, nearest first."""
    origin, minutes, profile = _origin(), _minutes(), _profile()
    places = _places(request.args.get("kind"))
    answer = _engine(walking.reach, origin, minutes, profile, places)
    rows = answer.rows
    # The answer of _private() for {"type", "features", "minutes", ...meta}, written directly:
    # each feature is its cached head and two numbers.
    features = ",".join(
        f'{_feature_head(rows[place_id])},"walk_minutes":{walk.whole_minutes},'
        f'"walk_metres":{round(walk.metres)}}}}}'
        for place_id, walk in answer.walks.items()
    )
    rest = json.dumps({"minutes": minutes, **_meta(answer, profile)}, separators=(",", ":"))
    body = '{"type":"FeatureCollection","features":[' + features + "]," + rest[1:]
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/walk/isochrones")
def walk_isochrones() -> Response:
    """One polygon per band of walking minutes (``minutes=5,10,15``), smallest first."""
    origin, bands, profile = _origin(), _bands(), _profile()
    answer = _engine(walking.isochrones, origin, bands, profile)
    features = [
        {"type": "Feature", "geometry": geometry, "properties": {"minutes": minutes}}
        for minutes, geometry in answer.bands
    ]
    return _private({"type": "FeatureCollection", "features": features, **_meta(answer, profile)})


@bp.get("/walk/route")
def walk_route() -> Response:
    """The walking line from the origin to one place, with minutes and metres."""
    origin, profile = _origin(), _profile()
    raw = request.args.get("place_id", "")
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) < 2**31):  # a PostgreSQL integer
        raise BadRequest(_("place_id must be a whole number"), field="place_id")
    lon, lat = spatial.place_lonlat()
    row = db.session.execute(select(lon, lat).where(Place.id == int(raw))).first()
    if row is None:
        raise NotFound()
    answer = _engine(walking.route, origin, LonLat(row.lon, row.lat), profile)
    walk = answer.walk
    return _private(
        {
            "type": "Feature",
            "geometry": answer.line,
            "properties": {
                "place_id": int(raw),
                "walk_minutes": walk.whole_minutes if walk else None,
                "walk_metres": round(walk.metres) if walk else None,
                "reachable": walk is not None,
                **_meta(answer, profile),
            },
        }
    )
