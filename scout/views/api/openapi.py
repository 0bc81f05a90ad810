"""The OpenAPI 3.1 description of the JSON endpoints, served at ``/api/v1/openapi.json``.

Requests are described from the very pydantic models that parse them (:mod:`scout.search.schemas`,
:mod:`scout.views.schemas`): a body model becomes the ``requestBody``, a query model its
``parameters``, so the document and the server cannot disagree. Pydantic writes JSON Schema
2020-12, which is OpenAPI 3.1's own dialect (``{"type": "null"}`` and all).

The paths come from the URL map: every ``/api/v1`` rule is listed, with its operation from
:data:`OPERATIONS` when there is one. A rule without an entry is still listed, marked
``x-undocumented``, and ``tests/web/test_openapi.py`` fails until someone describes it. Outside
``/api/v1`` the public ``/walk`` and the scouts' JSON lookups are described too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from scout import search
from scout.people import schemas as people_schemas
from scout.people.records import CODE_RE
from scout.views import schemas
from scout.views.api import bp

PREFIX = "/api/v1"
OPENAPI_VERSION = "3.1.0"
_CONVERTER = re.compile(r"<(?:(?P<conv>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
REF = "#/components/schemas/{model}"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"

STAFF = [{"bearerAuth": []}, {"sessionCookie": []}]
SCOUT_SESSION = [{"sessionCookie": []}]
PUBLIC: list[dict[str, list[str]]] = []


def _ref(name: str) -> dict[str, str]:
    return {"$ref": REF.format(model=name)}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


def _json(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema or {"type": "object"}}},
    }


def _geojson(description: str, schema: str = "FeatureCollection") -> dict[str, Any]:
    return {
        "description": description,
        "content": {
            "application/geo+json": {"schema": _ref(schema)},
            "application/json": {"schema": _ref(schema)},
        },
    }


BAD_INPUT = _error(
    "A value is not valid; `error.field` names it and `error.message` says why, in the "
    "user's language. Rules JSON Schema cannot state are checked too: an origin outside "
    "the outline of the area served (the document gives its bounding box), an unknown hub, "
    "drop-off after pick-up."
)
UNAUTHORISED = _error("Not logged in and no valid bearer token.")
FORBIDDEN = _error("The caller's role may not use this endpoint.")
NOT_FOUND = _error("No such published place.")
BAD_CODE = _error("`code` is not a person's code (`P-2027-0042`), or a value is not valid.")
NO_PERSON = _error("No such person among those the caller may see (or no such record of hers).")
PEOPLE_NOTE = (
    "Tutors and coordinators only, for the people they may see; every call is an audited read "
    "of her record. Her home is never returned."
)
UNAVAILABLE = _error("Walking times are not available right now.")


@dataclass(frozen=True)
class Operation:
    """One operation: what it is and the model its input is parsed with."""

    summary: str
    operation_id: str
    responses: dict[str, Any]
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    description: str | None = None
    security: list[dict[str, list[str]]] = field(default_factory=lambda: STAFF)
    media: tuple[str, ...] = (JSON,)  # the body's content types

    def refusals(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.body or self.query:
            out["400"] = BAD_INPUT
        if self.security:
            out["401"], out["403"] = UNAUTHORISED, FORBIDDEN
        return out


# Path → method → operation. Describe every new JSON route here.
OPERATIONS: dict[tuple[str, str], Operation] = {
    (f"{PREFIX}/openapi.json", "get"): Operation(
        "This description of the API (OpenAPI 3.1).",
        "openapi",
        {"200": _json("The OpenAPI document.")},
    ),
    (f"{PREFIX}/places", "get"): Operation(
        "Published partner places as GeoJSON.",
        "places",
        {"200": _geojson("Published places (Points, [lon, lat]).")},
    ),
    (f"{PREFIX}/people", "get"): Operation(
        "The people the caller may see (tutors: their hub or their own; coordinators: all).",
        "people",
        {"200": _json("`people`: coarse fields of each record, never name, phone or home.")},
    ),
    (f"{PREFIX}/people/{{code}}", "get"): Operation(
        "One person's record by her pseudonymous code (the read is audited).",
        "person",
        {
            "200": _json("Her record without name, phone, notes or home."),
            "400": _error("`code` is not a record code like `P-2027-0042`."),
            "404": _error("No such record, or not one the caller may see."),
        },
    ),
    (f"{PREFIX}/report", "get"): Operation(
        "The funder's figures report for a period, as JSON (counts only).",
        "report",
        {"200": _json('Sections of figures and tables of counts; small counts as "< 3".')},
        query=schemas.ReportQuery,
        description="Tutors get their own hub's report; coordinators any hub or municipio.",
    ),
    (f"{PREFIX}/walk/reach", "post"): Operation(
        "Published places within N walking minutes of an origin, nearest first.",
        "walkReach",
        {
            "200": _geojson(
                "Places with `walk_minutes` and `walk_metres`; the collection carries "
                "`minutes`, `estimate`, `network_date` and `profile`."
            ),
            "503": UNAVAILABLE,
        },
        body=schemas.WalkReachRequest,
        media=(JSON, FORM),
    ),
    (f"{PREFIX}/walk/isochrones", "post"): Operation(
        "Walking isochrone polygons, one per band, smallest first.",
        "walkIsochrones",
        {"200": _geojson("One (Multi)Polygon feature per band."), "503": UNAVAILABLE},
        body=schemas.WalkIsochronesRequest,
        media=(JSON, FORM),
    ),
    (f"{PREFIX}/walk/route", "post"): Operation(
        "The walking route from an origin to one place.",
        "walkRoute",
        {
            "200": _geojson(
                "A LineString feature with `walk_minutes` and `walk_metres`.", "Feature"
            ),
            "404": NOT_FOUND,
            "503": UNAVAILABLE,
        },
        body=schemas.WalkRouteRequest,
        media=(JSON, FORM),
    ),
    (f"{PREFIX}/search", "post"): Operation(
        "Offers, resources and partners a person can walk to, with school-hours fit.",
        "search",
        {
            "200": _geojson(
                "Results ranked by walking minutes from the origin; each with "
                "`walk_minutes`, `walk_minutes_from_school` (when a school is given) and "
                "`school_hours_fit`; then, with `include_market`, the open-market offers "
                "(`kind` `market_offer`, `outside_walking_range`, `straight_line_metres`)."
            ),
            "503": UNAVAILABLE,
        },
        body=search.SearchRequest,
        description="The origin (her home) is used for this answer only: it is never stored, "
        "logged or put in a URL.",
    ),
    (f"{PREFIX}/search/address", "post"): Operation(
        "Addresses of the gazetteer matching typed text, best first.",
        "searchAddress",
        {"200": _json("Candidates with their points.")},
        body=search.AddressRequest,
    ),
    (f"{PREFIX}/search/isochrones", "post"): Operation(
        "Walking areas (5/10/15 minutes, up to `max_minutes`) around an origin.",
        "searchIsochrones",
        {"200": _geojson("One polygon feature per band."), "503": UNAVAILABLE},
        body=search.IsochronesRequest,
    ),
    (f"{PREFIX}/search/route", "post"): Operation(
        "The walking route from an origin sent in the body to one place.",
        "searchRoute",
        {
            "200": _geojson("A LineString feature with `walk_minutes`.", "Feature"),
            "404": NOT_FOUND,
            "503": UNAVAILABLE,
        },
        body=search.RouteRequest,
    ),
    (f"{PREFIX}/people/{{code}}/referrals", "get"): Operation(
        "Her referrals, newest first, with their next possible steps.",
        "personReferrals",
        {
            "200": _json("`referrals`: id, target, title, status, dates, `next_steps`."),
            "400": BAD_CODE,
            "404": NO_PERSON,
        },
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/people/{{code}}/referrals", "post"): Operation(
        "Propose her for a published offer or course.",
        "personReferralNew",
        {"201": _json("The referral."), "404": NO_PERSON},
        body=people_schemas.ReferralRequest,
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/referrals/{{referral_id}}/step", "post"): Operation(
        "A referral's next step (proposed → sent → interview → hired / not selected / "
        "withdrawn / no-show).",
        "referralStep",
        {"200": _json("The referral."), "404": NO_PERSON},
        body=people_schemas.ReferralStepRequest,
        description=PEOPLE_NOTE + " `sent` to an employer is refused (400, field `status`) "
        "without her consent to sharing her profile with an employer.",
    ),
    (f"{PREFIX}/people/{{code}}/placements", "get"): Operation(
        "Her placements: contract, dates, walking minutes from her home and km zero, follow-ups.",
        "personPlacements",
        {"200": _json("`placements`."), "400": BAD_CODE, "404": NO_PERSON},
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/people/{{code}}/placements", "post"): Operation(
        "Record a placement (from a hired referral or direct); km zero is computed from her "
        "home when it is recorded.",
        "personPlacementNew",
        {
            "201": _json("The placement, with `walk_minutes`, `km_zero` and its follow-ups."),
            "404": NO_PERSON,
        },
        body=people_schemas.PlacementRequest,
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/follow-ups/{{follow_up_id}}", "post"): Operation(
        "Record a placement's follow-up: does she still work there?",
        "followUp",
        {
            "200": _json("The placement with its follow-ups."),
            "404": NO_PERSON,
        },
        body=people_schemas.FollowUpRequest,
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/people/{{code}}/enrolments", "get"): Operation(
        "Her enrolments in courses and services (enrolled, completed, dropped out), newest first.",
        "personEnrolments",
        {
            "200": _json("`enrolments`: id, resource_id, title, status, enrolled_on, ended_on."),
            "400": BAD_CODE,
            "404": NO_PERSON,
        },
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/people/{{code}}/enrolments", "post"): Operation(
        "Enrol her in a published course or service.",
        "personEnrolmentNew",
        {"201": _json("The enrolment."), "404": NO_PERSON},
        body=people_schemas.EnrolmentRequest,
        description=PEOPLE_NOTE + " A course that is not published is refused (400, field "
        "`resource`).",
    ),
    (f"{PREFIX}/enrolments/{{enrolment_id}}", "post"): Operation(
        "She completed the course or dropped out.",
        "enrolmentEnd",
        {"200": _json("The enrolment."), "404": NO_PERSON},
        body=people_schemas.EnrolmentEndRequest,
        description=PEOPLE_NOTE + " A date before the enrolment is refused (400, field `on`).",
    ),
    (f"{PREFIX}/people/{{code}}/autonomy", "get"): Operation(
        "Her autonomy assessments (does she search for work on her own?), newest first.",
        "personAutonomy",
        {
            "200": _json("`assessments`: id, assessed_on, searches_alone."),
            "400": BAD_CODE,
            "404": NO_PERSON,
        },
        description=PEOPLE_NOTE,
    ),
    (f"{PREFIX}/people/{{code}}/autonomy", "post"): Operation(
        "Record whether she now searches for work on her own (the programme counts it).",
        "personAutonomyNew",
        {"201": _json("The assessment."), "404": NO_PERSON},
        body=people_schemas.AutonomyRequest,
        description=PEOPLE_NOTE,
    ),
    ("/walk", "post"): Operation(
        "The public map's walking minutes from a visitor's point to every public place "
        "(up to 30 minutes), with the 10- and 15-minute isochrones.",
        "publicWalk",
        {
            "200": _json("`walks` (`id`, `minutes`, `metres`), `isochrones`, `estimate`."),
            "429": _error("More than 30 walks a minute from one client."),
            "503": UNAVAILABLE,
        },
        body=schemas.PublicWalkRequest,
        description="Public, without login or CSRF token. The point is used for this answer "
        "only: never stored or logged.",
        security=PUBLIC,
    ),
    ("/scout/organisations.json", "get"): Operation(
        "Organisations whose name resembles the typed text (the place form's picker).",
        "scoutOrganisations",
        {"200": _json("`organisations`: id, name, kind, kind_label.")},
        query=schemas.OrganisationLookup,
        security=SCOUT_SESSION,
    ),
    ("/scout/addresses.json", "post"): Operation(
        "Gazetteer addresses matching the typed text, nearest to the pin (`lon`/`lat`) first.",
        "scoutAddresses",
        {"200": _json("`addresses`: label, street, housenumber, postcode, lon, lat.")},
        body=schemas.AddressLookup,
        media=(FORM,),
        description="Form fields, POSTed with the page's CSRF token: the pin (where the "
        "scout stands) never goes in a URL.",
        security=SCOUT_SESSION,
    ),
}

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
                    "message": {"type": "string", "description": "For people, translated."},
                    "field": {"type": "string", "description": "The refused field."},
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
            "type": {"const": "Feature"},
            "id": {},
            "geometry": {"anyOf": [_ref("Geometry"), {"type": "null"}]},
            "properties": {"type": "object"},
        },
    },
    "FeatureCollection": {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": _ref("Feature")},
        },
    },
}


def request_schemas() -> tuple[dict[type[BaseModel], dict[str, Any]], dict[str, Any]]:
    """Each request model's schema (a ``$ref``) and every model's definition, written now
    (the bounding box of the area served is read from the database)."""
    models = sorted(
        {m for op in OPERATIONS.values() for m in (op.body, op.query) if m is not None},
        key=lambda m: m.__name__,
    )
    refs, top = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    return {m: refs[(m, "validation")] for m in models}, top.get("$defs", {})


def _parameters(model: type[BaseModel], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """A query model's fields as query parameters (lists comma-separated, ``a=1,2``)."""
    schema = defs[model.__name__]
    required = set(schema.get("required", []))
    out = []
    for name, prop in schema["properties"].items():
        prop = {k: v for k, v in prop.items() if k != "title"}
        param: dict[str, Any] = {"name": name, "in": "query", "required": name in required}
        if "description" in prop:
            param["description"] = prop.pop("description")
        if prop.get("type") == "array":
            param.update(style="form", explode=False)
        if {"const": "", "type": "string"} in prop.get("anyOf", []):
            param["allowEmptyValue"] = True
        param["schema"] = prop
        out.append(param)
    return out


def _operation(op: Operation, refs: dict[Any, Any], defs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"summary": op.summary, "operationId": op.operation_id}
    if op.description:
        out["description"] = op.description
    if op.query is not None:
        out["parameters"] = _parameters(op.query, defs)
    if op.body is not None:
        content = {media: {"schema": refs[op.body]} for media in op.media}
        out["requestBody"] = {"required": True, "content": content}
    out["responses"] = {**op.responses, **op.refusals()}
    out["security"] = op.security
    return out


def _openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """``/api/v1/places/<int:place_id>`` → ``/api/v1/places/{place_id}`` and its parameters."""
    params = []
    for m in _CONVERTER.finditer(rule):
        kind = {"int": "integer", "float": "number"}.get(m.group("conv") or "", "string")
        schema: dict[str, Any] = {"type": kind}
        if kind == "integer":  # a row id (PostgreSQL integer)
            schema.update(minimum=1, maximum=2**31 - 1)
        elif m.group("name") == "code":  # a person's pseudonymous code
            schema["pattern"] = CODE_RE.pattern
        params.append({"name": m.group("name"), "in": "path", "required": True, "schema": schema})
    return _CONVERTER.sub(r"{\g<name>}", rule), params


def described_rules() -> list[tuple[str, str, Any]]:
    """(path, lower-case method, rule) of every ``/api/v1`` route and of every other route
    :data:`OPERATIONS` describes."""
    out = []
    for rule in current_app.url_map.iter_rules():
        path, _params = _openapi_path(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if path.startswith(PREFIX + "/") or (path, method.lower()) in OPERATIONS:
                out.append((path, method.lower(), rule))
    return out


def build_spec() -> dict[str, Any]:
    """The OpenAPI document for the routes that exist in this app."""
    refs, defs = request_schemas()
    paths: dict[str, dict[str, Any]] = {}
    for path, method, rule in sorted(described_rules(), key=lambda x: (x[0], x[1])):
        _path, path_params = _openapi_path(rule.rule)
        op = OPERATIONS.get((path, method))
        if op is None:
            view = current_app.view_functions.get(rule.endpoint)
            doc = (view.__doc__ or rule.endpoint).strip().splitlines()[0] if view else path
            operation: dict[str, Any] = {
                "summary": doc,
                "x-undocumented": True,
                "responses": {"default": {"description": "Not described yet."}},
            }
        else:
            operation = _operation(op, refs, defs)
        if path_params:
            operation["parameters"] = path_params + list(operation.get("parameters", []))
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "scout API",
            "version": "1",
            "description": "Staff API of scout (lavoro a km zero), the public map's `/walk` "
            "and the scouts' lookups. Authenticate with `Authorization: Bearer <token>` "
            "(`flask --app scout users token EMAIL`) or a browser session; a session caller "
            "sends the CSRF token in `X-CSRFToken` on POST. Errors are JSON "
            '`{"error": {"status", "message", "field"}}`, the message in the user\'s '
            "language (Italian by default).",
        },
        "paths": paths,
        "components": {
            "schemas": {**defs, **SCHEMAS},
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@bp.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """This API's OpenAPI 3.1 description."""
    return build_spec()
