"""Walking times for staff: reach, isochrones and the route to one place, as GeoJSON.

The origin and the other parameters come in the POST body (JSON, or a form), never in the URL,
so that no access log, proxy or browser history holds a home or a scout's position. Every
answer carries ``estimate`` (true without an imported network: straight-line times) and
``network_date``. The origin is only used to answer: it is neither logged nor stored, and the
answers are marked ``no-store``.
"""

from __future__ import annotations

import math
from typing import Any

from flask import Response, request
from flask_babel import gettext as _

from scout import walking
from scout.errors import BadRequest, NotFound, OutOfArea
from scout.geo import LonLat
from scout.models import OrgKind
from scout.views.api import bp
from scout.walking import answers

MAX_BANDS = 6


def _params() -> Any:
    """The body's parameters: a JSON object, or the form fields."""
    if not request.is_json:
        return request.form
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise BadRequest(_("The request was not valid."), field="body")
    return data


def _number(name: str, low: float, high: float) -> float:
    raw = _params().get(name, "")
    try:
        if isinstance(raw, bool):
            raise ValueError(raw)
        value = float(raw)
    except (TypeError, ValueError):
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
    raw = _params().get("profile") or walking.Profile.STANDARD.value
    try:
        return walking.Profile(raw)
    except (TypeError, ValueError):
        choices = ", ".join(p.value for p in walking.Profile)
        raise BadRequest(_("profile must be one of: %(c)s", c=choices), field="profile") from None


def _minutes() -> float:
    if _params().get("minutes") in (None, ""):
        return 15.0
    return _number("minutes", 1, walking.MAX_MINUTES)


def _bands() -> list[int]:
    raw = _params().get("minutes") or "5,10,15"
    parts = raw if isinstance(raw, list) else str(raw).split(",")
    try:
        bands = sorted({_whole(part) for part in parts if str(part).strip()})
    except (TypeError, ValueError):
        message = _("minutes must be whole numbers, e.g. 5,10,15")
        raise BadRequest(message, field="minutes") from None
    if not bands or len(bands) > MAX_BANDS or not all(1 <= b <= walking.MAX_MINUTES for b in bands):
        raise BadRequest(
            _("minutes must list 1 to %(n)s bands between 1 and %(max)s", n=MAX_BANDS, max=30),
            field="minutes",
        )
    return bands


def _whole(value: Any) -> int:
    """A whole number given as a JSON integer or as digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value)
    raise ValueError(value)


def _kind() -> OrgKind | None:
    kind = _params().get("kind")
    if not kind:
        return None
    try:
        return OrgKind(kind)
    except (TypeError, ValueError):
        raise BadRequest(_("unknown kind"), field="kind") from None


def _private(body: str) -> Response:
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _engine(call: Any, *args: Any) -> Any:
    """Run an engine call; an origin it refuses is a bad ``lon,lat`` parameter."""
    try:
        return call(*args)
    except OutOfArea as err:
        err.field = err.field or "lon,lat"
        raise


@bp.post("/walk/reach")
def walk_reach() -> Response:
    """Published places within ``minutes`` (default 15, up to 30) of walking, nearest first."""
    origin, minutes, profile = _origin(), _minutes(), _profile()
    places = answers.published_places(_kind())
    answer = _engine(walking.reach, origin, minutes, profile, places)
    return _private(answers.reach_json(answer, minutes, profile))


@bp.post("/walk/isochrones")
def walk_isochrones() -> Response:
    """One polygon per band of walking minutes (``minutes=5,10,15``), smallest first."""
    origin, bands, profile = _origin(), _bands(), _profile()
    answer = _engine(walking.isochrones, origin, bands, profile)
    return _private(answers.isochrones_json(answer, profile))


@bp.post("/walk/route")
def walk_route() -> Response:
    """The walking line from the origin to one place, with minutes and metres."""
    origin, profile = _origin(), _profile()
    try:
        place_id = _whole(_params().get("place_id"))
    except ValueError:
        place_id = 0
    if not 1 <= place_id < 2**31:  # a PostgreSQL integer
        raise BadRequest(_("place_id must be a whole number"), field="place_id")
    target = answers.place_point(place_id)
    if target is None:
        raise NotFound()
    answer = _engine(walking.route, origin, target, profile)
    return _private(answers.route_json(answer, place_id, profile))
