"""Walking times for staff: reach, isochrones and the route to one place, as GeoJSON.

The origin and the other parameters come in the POST body (JSON, or a form), never in the URL,
so that no access log, proxy or browser history holds a home or a scout's position. They are
parsed by the models of :mod:`scout.views.schemas`, which also describe them in the OpenAPI
document. Every answer carries ``estimate`` (true without an imported network: straight-line
times) and ``network_date``. The origin is only used to answer: it is neither logged nor
stored, and the answers are marked ``no-store``.
"""

from __future__ import annotations

import functools
from typing import Any, TypeVar

from flask import Response, request
from pydantic import BaseModel

from scout import walking
from scout.assets import compressed
from scout.errors import NotFound, OutOfArea
from scout.geo import LonLat
from scout.validation import json_body, parse_args, parse_json
from scout.views import schemas
from scout.views.api import bp
from scout.walking import answers

M = TypeVar("M", bound=BaseModel)


def _params(model: type[M]) -> M:
    """The body's parameters: a JSON object (strict JSON types), or the form fields."""
    if request.is_json:
        return parse_json(model, json_body())
    return parse_args(model, request.form)


def _private(body: str) -> Response:
    response = Response(body, mimetype="application/json")
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _engine(call: Any, *args: Any) -> Any:
    """Run an engine call; an origin it refuses is a bad ``lon,lat`` parameter."""
    try:
        return call(*args)
    except OutOfArea as err:
        err.field = err.field or schemas.ORIGIN_FIELD
        raise


@bp.post("/walk/reach")
@compressed
def walk_reach() -> Response:
    """Published places within ``minutes`` (default 15, up to 30) of walking, nearest first."""
    req = _params(schemas.WalkReachRequest)
    answer = _engine(
        functools.partial(walking.reach, kind=req.kind),
        LonLat(req.lon, req.lat),
        req.minutes,
        req.profile,
    )
    return _private(answers.reach_json(answer, req.minutes, req.profile))


@bp.post("/walk/isochrones")
@compressed
def walk_isochrones() -> Response:
    """One polygon per band of walking minutes (``minutes=5,10,15``), smallest first."""
    req = _params(schemas.WalkIsochronesRequest)
    answer = _engine(walking.isochrones, LonLat(req.lon, req.lat), req.minutes, req.profile)
    return _private(answers.isochrones_json(answer, req.profile))


@bp.post("/walk/route")
@compressed
def walk_route() -> Response:
    """The walking line from the origin to one place, with minutes and metres."""
    req = _params(schemas.WalkRouteRequest)
    target = answers.place_point(req.place_id)
    if target is None:
        raise NotFound()
    answer = _engine(walking.route, LonLat(req.lon, req.lat), target, req.profile)
    return _private(answers.route_json(answer, req.place_id, req.profile))
