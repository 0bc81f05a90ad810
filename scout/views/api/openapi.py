"""The OpenAPI 3 description of the JSON API, served at ``/api/v1/openapi.json``.

The paths come from the URL map: every ``/api/v1`` rule is listed, with the operation written in
:data:`OPERATIONS` when there is one. A rule without an entry is still listed, marked
``x-undocumented``, and ``tests/test_openapi.py`` fails until someone describes it. Entries for
routes that do not exist (yet) are left out of the served document.
"""

from __future__ import annotations

import re
from typing import Any

from flask import current_app

from scout.models import ContractType, ItalianLevel, OrgKind, PartTime
from scout.views.api import bp

PREFIX = "/api/v1"
_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _geojson(description: str, schema: str = "FeatureCollection") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/geo+json": {"schema": _ref(schema)},
            "application/json": {"schema": _ref(schema)},
        },
    }  # noqa: E501


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


# The walk routes take their parameters in the body, like the search: an origin never goes in
# a URL (access logs, proxies and browser history would keep it).
WALK_ORIGIN = {
    "lon": {
        "type": "number",
        "minimum": -180,
        "maximum": 180,
        "description": "Longitude of the origin (WGS 84); it must be in the area served.",
    },
    "lat": {
        "type": "number",
        "minimum": -90,
        "maximum": 90,
        "description": "Latitude of the origin (WGS 84).",
    },
    "profile": {
        "type": "string",
        "enum": ["standard", "stroller"],
        "default": "standard",
        "description": "Walking speed profile: standard 4.5 km/h; stroller 3.6 km/h, no steps.",
    },
}


def _walk_body(required: list[str], **properties: Any) -> dict[str, Any]:
    schema = {
        "type": "object",
        "required": ["lon", "lat", *required],
        "properties": {**WALK_ORIGIN, **properties},
    }
    return {
        "required": True,
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
    }


REFUSALS = {
    "400": _error("A parameter is not valid; `error.field` names it."),
    "401": _error("Not logged in and no valid bearer token."),
    "403": _error("The caller's role may not use this endpoint."),
}
REFUSALS_NO_PARAMS = {k: v for k, v in REFUSALS.items() if k != "400"}

# (path under /api/v1, method) → operation. Describe every new API route here.
OPERATIONS: dict[tuple[str, str], dict[str, Any]] = {
    ("/openapi.json", "get"): {
        "summary": "This description of the API (OpenAPI 3).",
        "operationId": "openapi",
        "responses": {
            "200": {
                "description": "The OpenAPI document.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **REFUSALS_NO_PARAMS,
        },
    },
    ("/places", "get"): {
        "summary": "Published partner places as GeoJSON.",
        "operationId": "places",
        "responses": {
            "200": _geojson("Published places (Points, [lon, lat])."),
            **REFUSALS_NO_PARAMS,
        },
    },
    ("/walk/reach", "post"): {
        "summary": "Published places within N walking minutes of an origin, nearest first.",
        "operationId": "walkReach",
        "requestBody": _walk_body(
            [],
            minutes={"type": "integer", "minimum": 1, "maximum": 30, "default": 15},
            kind={
                "type": "string",
                "enum": [k.value for k in OrgKind],
                "description": "Only places of organisations of this kind.",
            },
        ),
        "responses": {
            "200": _geojson(
                "Places with `walk_minutes` and `walk_metres`; the "
                "collection carries `estimate` and `network_date`."
            ),
            **REFUSALS,
        },
    },
    ("/walk/isochrones", "post"): {
        "summary": "Walking isochrone polygons, one per band.",
        "operationId": "walkIsochrones",
        "requestBody": _walk_body(
            [],
            minutes={
                "type": "array",
                "items": {"type": "integer", "minimum": 1, "maximum": 30},
                "minItems": 1,
                "maxItems": 6,
                "default": [5, 10, 15],
                "description": 'Bands in minutes (each 1-30); also `"5,10,15"`.',
            },
        ),
        "responses": {"200": _geojson("One (Multi)Polygon feature per band."), **REFUSALS},
    },
    ("/walk/route", "post"): {
        "summary": "The walking route from an origin to one place.",
        "operationId": "walkRoute",
        "requestBody": _walk_body(
            ["place_id"], place_id={"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        ),
        "responses": {
            "200": _geojson(
                "A LineString feature with `walk_minutes` and `walk_metres`.", "Feature"
            ),
            "404": _error("No such published place."),
            **REFUSALS,
        },
    },
    ("/search", "post"): {
        "summary": "Offers, resources and partners a person can walk to, with school-hours fit.",
        "description": "The origin (her home) is used for this answer only: it is never stored, "
        "logged or put in a URL.",
        "operationId": "search",
        "requestBody": _json_body(_ref("SearchRequest")),
        "responses": {
            "200": _geojson(
                "Results ranked by walking minutes from the origin; each "
                "with `walk_minutes`, `walk_minutes_from_school` (when a "
                "school is given) and `school_hours_fit`; then, with "
                "`include_market`, the open-market offers (`kind` `market_offer`, "
                "`outside_walking_range`, `straight_line_metres`)."
            ),
            **REFUSALS,
        },
    },
    ("/search/address", "post"): {
        "summary": "Addresses of the gazetteer matching typed text, best first.",
        "operationId": "searchAddress",
        "requestBody": _json_body(
            {
                "type": "object",
                "required": ["q"],
                "properties": {"q": {"type": "string", "maxLength": 200}},
            }
        ),
        "responses": {
            "200": {
                "description": "Candidates with their points.",
                "content": {"application/json": {"schema": {"type": "object"}}},
            },
            **REFUSALS,
        },
    },
    ("/search/isochrones", "post"): {
        "summary": "Walking areas (5/10/15 minutes) around an origin sent in the body.",
        "operationId": "searchIsochrones",
        "requestBody": _json_body(
            {
                "type": "object",
                "required": ["origin"],
                "properties": {
                    "origin": _ref("Origin"),
                    "max_minutes": {"type": "integer", "minimum": 5, "maximum": 30},
                    "profile": {"type": "string", "enum": ["standard", "stroller"]},
                },
            }
        ),
        "responses": {"200": _geojson("One polygon feature per band."), **REFUSALS},
    },
    ("/search/route", "post"): {
        "summary": "The walking route from an origin sent in the body to one place.",
        "operationId": "searchRoute",
        "requestBody": _json_body(
            {
                "type": "object",
                "required": ["origin", "place_id"],
                "properties": {
                    "origin": _ref("Origin"),
                    "place_id": {"type": "integer", "minimum": 1},
                    "profile": {"type": "string", "enum": ["standard", "stroller"]},
                },
            }
        ),
        "responses": {
            "200": _geojson("A LineString feature with `walk_minutes`.", "Feature"),
            "404": _error("No such published place."),
            **REFUSALS,
        },
    },
}

TIME = {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$", "example": "08:30"}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {
                    "status": {"type": "integer"},
                    "message": {"type": "string"},
                    "field": {"type": "string"},
                },
            }
        },
    },
    "Geometry": {
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"type": "string"}, "coordinates": {"type": "array"}},
    },
    "Feature": {
        "type": "object",
        "required": ["type", "geometry", "properties"],
        "properties": {
            "type": {"type": "string", "enum": ["Feature"]},
            "id": {},
            "geometry": {"oneOf": [_ref("Geometry"), {"type": "null"}]},
            "properties": {"type": "object"},
        },
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"type": "string", "enum": ["FeatureCollection"]},
            "features": {"type": "array", "items": _ref("Feature")},
        },
    },
    "Origin": {
        "description": "Her starting point: a point (`lon`, `lat`, optional `source`) or a "
        "programme hub (`hub_id`). Never stored.",
        "type": "object",
        "properties": {
            "lon": {"type": "number"},
            "lat": {"type": "number"},
            "source": {"type": "string", "enum": ["address", "map"]},
            "hub_id": {"type": "integer"},
        },
    },
    "SearchRequest": {
        "type": "object",
        "required": ["origin"],
        "properties": {
            "origin": _ref("Origin"),
            "school_id": {"type": "integer", "minimum": 1},
            "kinds": {
                "type": "array",
                "items": {
                    "type": "string",
                    "enum": ["offer", "course", "service", "organisation"],
                },
            },
            "sector": {"type": "string", "maxLength": 80},
            "contract_types": {
                "type": "array",
                "items": {"type": "string", "enum": [c.value for c in ContractType]},
            },
            "part_times": {
                "type": "array",
                "items": {"type": "string", "enum": [p.value for p in PartTime]},
            },
            "max_italian_level": {"type": "string", "enum": [i.value for i in ItalianLevel]},
            "max_minutes": {"type": "integer", "minimum": 5, "maximum": 30},
            "profile": {"type": "string", "enum": ["standard", "stroller"]},
            "school_hours": {
                "type": "object",
                "properties": {
                    "drop_off": TIME,
                    "pick_up": TIME,
                    "days": {
                        "type": "array",
                        "items": {"type": "integer", "minimum": 0, "maximum": 6},
                        "description": "School days, Monday = 0.",
                    },
                },
            },
            "hide_not_fitting": {"type": "boolean"},
            "include_market": {
                "type": "boolean",
                "default": False,
                "description": "Also list the open-market offers (outside the served area), "
                "after every walkable result, with `outside_walking_range` and the "
                "`straight_line_metres` from the origin.",
            },
            "limit": {
                "type": "integer",
                "minimum": 1,
                "maximum": 500,
                "default": 100,
                "description": "At most this many results, nearest first (whole places); "
                "`truncated` says whether more lie within reach.",
            },
        },
    },
}


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/api/v1/places/<int:place_id>`` → ``/places/{place_id}`` and its path parameters."""
    params = []
    for m in _CONVERTER.finditer(rule):
        kind = {"int": "integer", "float": "number"}.get(m.group("conv") or "", "string")
        params.append(
            {"name": m.group("name"), "in": "path", "required": True, "schema": {"type": kind}}
        )
    return _CONVERTER.sub(r"{\g<name>}", rule[len(PREFIX) :]), params


def api_rules() -> list[tuple[str, str, Any]]:
    """(path under /api/v1, lower-case method, rule) of every API route."""
    out = []
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith(PREFIX + "/"):
            continue
        path, _params = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((path, method.lower(), rule))
    return out


def build_spec() -> dict[str, Any]:
    """The OpenAPI document for the routes that exist in this app."""
    paths: dict[str, dict[str, Any]] = {}
    for path, method, rule in sorted(api_rules(), key=lambda x: (x[0], x[1])):
        _path, path_params = _openapi_path(rule.rule)
        operation = OPERATIONS.get((path, method))
        if operation is None:
            view = current_app.view_functions.get(rule.endpoint)
            doc = (view.__doc__ or rule.endpoint).strip().splitlines()[0] if view else path
            operation = {
                "summary": doc,
                "x-undocumented": True,
                "responses": {"default": {"description": "Not described yet."}},
            }
        operation = dict(operation)
        if path_params:
            operation["parameters"] = path_params + list(operation.get("parameters", []))
        paths.setdefault(PREFIX + path, {})[method] = operation
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "scout API",
            "version": "1",
            "description": "Staff API of scout (lavoro a km zero). Authenticate with "
            "`Authorization: Bearer <token>` (`flask --app scout users token "
            "EMAIL`) or a browser session; a session caller sends the CSRF "
            "token in `X-CSRFToken` on POST. Errors are JSON "
            '`{"error": {"status", "message", "field"}}`.',
        },
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    }


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """This API's OpenAPI 3 description."""
    return build_spec()
