"""OGC API – Features (Part 1: Core) at ``/ogc/``: the public places ("partners") and their
courses and services ("resources") as collections, so QGIS and other GIS clients can load
them. JSON by default, HTML with ``f=html`` or a browser's ``Accept``.

Only :mod:`scout.opendata` records are served. Clients join paths to the landing page URL, so
the canonical address ends with a slash (``/ogc`` redirects there).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select

from scout import publishing, spatial
from scout.extensions import db
from scout.models import Place, Resource

bp = Blueprint("ogc", __name__)

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
DEFAULT_LIMIT, MAX_LIMIT = 100, 1000
ITEM_PARAMS = {"f", "bbox", "limit", "offset", "datetime"}
# RFC 3339 date-time (or a full date), as OGC API – Features' ``datetime`` takes them.
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2}))?"
)


class OgcError(Exception):
    """An OGC API exception (``code`` and ``description``) with its HTTP status."""

    def __init__(self, status: int, code: str, description: str) -> None:
        super().__init__(description)
        self.status, self.code, self.description = status, code, description


def _invalid(description: str) -> OgcError:
    return OgcError(400, "InvalidParameterValue", description)


@bp.errorhandler(OgcError)
def handle_ogc_error(err: OgcError) -> tuple[dict[str, Any], int]:
    return {"code": err.code, "description": err.description}, err.status


@dataclass(frozen=True)
class Collection:
    id: str
    title: Any
    description: Any
    query: Callable[[], Select]
    id_column: Any
    features: Callable[[Select], list[dict[str, Any]]]


def _place_features(stmt: Select) -> list[dict[str, Any]]:
    return [publishing.place_feature(pp) for pp in publishing.load_places(stmt)]


def _resource_features(stmt: Select) -> list[dict[str, Any]]:
    return [publishing.resource_feature(*row) for row in db.session.execute(stmt).all()]


COLLECTIONS = {
    c.id: c
    for c in (
        Collection(
            "partners",
            _l("Network partners"),
            _l("Places of the network's partners that agreed to appear publicly."),
            publishing.places_query,
            Place.id,
            _place_features,
        ),
        Collection(
            "resources",
            _l("Courses and services"),
            _l("Published courses and services at the partners' places."),
            publishing.resources_query,
            Resource.id,
            _resource_features,
        ),
    )
}


# --- helpers -----------------------------------------------------------------------------


def _wants_html() -> bool:
    f = request.args.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise _invalid("f must be json or html.")
        return f == "html"
    best = request.accept_mimetypes.best_match([JSON, GEOJSON, HTML])
    return best == HTML


def _url(endpoint: str, **kw: Any) -> str:
    return url_for(endpoint, _external=True, **kw)


def _link(href: str, rel: str, type_: str, title: str | None = None) -> dict[str, str]:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _self_links(endpoint: str, json_type: str = JSON, **kw: Any) -> list[dict[str, str]]:
    """``self`` and ``alternate`` links for the JSON and HTML forms of this resource."""
    html_now = _wants_html()
    json_link = _link(_url(endpoint, f="json", **kw), "alternate", json_type, "JSON")
    html_link = _link(_url(endpoint, f="html", **kw), "alternate", HTML, "HTML")
    (html_link if html_now else json_link)["rel"] = "self"
    return [json_link, html_link]


def _respond(body: dict[str, Any], title: Any, kind: str, json_type: str = JSON) -> Any:
    if _wants_html():
        return render_template("public/ogc.html", body=body, title=title, kind=kind)
    response = current_app.json.response(body)
    response.mimetype = json_type
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _collection(collection_id: str) -> Collection:
    collection = COLLECTIONS.get(collection_id)
    if collection is None:
        raise OgcError(404, "NotFound", f"No collection {collection_id!r}.")
    return collection


def _collection_info(c: Collection) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": c.id,
        "title": str(c.title),
        "description": str(c.description),
        "itemType": "feature",
        "crs": [CRS84],
        "links": [
            *_self_links("ogc.collection", collection_id=c.id),
            _link(_url("ogc.items", collection_id=c.id, f="json"), "items", GEOJSON),
            _link(_url("ogc.items", collection_id=c.id, f="html"), "items", HTML),
            _link(_url("public.opendata_page"), "describedby", HTML),
        ],
    }
    box = spatial.service_area_bounds(db.session)
    if box:
        info["extent"] = {"spatial": {"bbox": [list(box)], "crs": CRS84}}
    return info


def parse_bbox(raw: str | None) -> tuple[float, float, float, float] | None:
    """``minlon,minlat,maxlon,maxlat`` (or the 6-number 3D form) in CRS84, checked."""
    if raw is None:
        return None
    try:
        numbers = [float(v) for v in raw.split(",")]
    except ValueError:
        raise _invalid("bbox must be four comma-separated numbers.") from None
    if len(numbers) == 6:
        numbers = [numbers[0], numbers[1], numbers[3], numbers[4]]
    if len(numbers) != 4 or not all(math.isfinite(n) for n in numbers):
        raise _invalid("bbox must be four comma-separated numbers.")
    min_lon, min_lat, max_lon, max_lat = numbers
    if not (-180 <= min_lon <= 180 and -180 <= max_lon <= 180):
        raise _invalid("bbox longitudes must be between -180 and 180.")
    if not (-90 <= min_lat <= 90 and -90 <= max_lat <= 90):
        raise _invalid("bbox latitudes must be between -90 and 90.")
    if min_lat > max_lat or min_lon > max_lon:
        raise _invalid("bbox must be given as minimum lon, minimum lat, maximum lon, maximum lat.")
    return min_lon, min_lat, max_lon, max_lat


def _instant(raw: str) -> datetime | None:
    """One end of a ``datetime`` value: RFC 3339 date-time or date; ``..`` or empty is open."""
    if raw in ("", ".."):
        return None
    if _INSTANT.fullmatch(raw):
        try:
            if len(raw) == 10:
                return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
            return datetime.fromisoformat(raw.upper())
        except ValueError:
            pass  # e.g. month 13: the shape is right, the date is not
    raise _invalid(
        "datetime must be an RFC 3339 date-time (2026-02-12T23:20:50Z), a date, or an interval "
        "of them (start/end, .. for an open end)."
    )


def parse_datetime(raw: str | None) -> tuple[datetime | None, datetime | None] | None:
    """The ``datetime`` parameter: an instant or a ``start/end`` interval (either end ``..``),
    checked. The collections have no temporal data, so a valid value filters nothing."""
    if raw is None:
        return None
    parts = raw.split("/")
    if len(parts) > 2 or raw in ("", "/", "../.."):
        raise _invalid("datetime must be a date-time, or an interval with at least one end.")
    start, end = _instant(parts[0]), _instant(parts[-1])
    if len(parts) == 1 and start is None:
        raise _invalid("datetime must be a date-time, or an interval with at least one end.")
    if start and end and start > end:
        raise _invalid("datetime interval must start before it ends.")
    return start, end


def _int_param(name: str, default: int, minimum: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise _invalid(f"{name} must be a whole number.") from None
    if value < minimum:
        raise _invalid(f"{name} must be at least {minimum}.")
    return value


# --- routes ------------------------------------------------------------------------------


@bp.route("/")
def landing() -> Any:
    """The landing page: links to the API definition, conformance and collections."""
    body = {
        "title": str(_l("Lavoro a km zero: network partners and services")),
        "description": str(
            _l("Public places, courses and services of the network in Milan's Municipio 2 and 3.")
        ),
        "links": [
            *_self_links("ogc.landing"),
            _link(_url("ogc.openapi"), "service-desc", OPENAPI, "API definition"),
            _link(_url("public.opendata_page"), "service-doc", HTML, "Documentation"),
            _link(_url("ogc.conformance"), "conformance", JSON, "Conformance classes"),
            _link(_url("ogc.collections"), "data", JSON, "Collections"),
        ],
    }
    return _respond(body, body["title"], "landing")


@bp.route("/conformance")
def conformance() -> Any:
    body = {"conformsTo": CONFORMANCE, "links": _self_links("ogc.conformance")}
    return _respond(body, "Conformance", "conformance")


@bp.route("/collections")
def collections() -> Any:
    body = {
        "links": _self_links("ogc.collections"),
        "collections": [_collection_info(c) for c in COLLECTIONS.values()],
    }
    return _respond(body, _l("Collections"), "collections")


@bp.route("/collections/<collection_id>")
def collection(collection_id: str) -> Any:
    info = _collection_info(_collection(collection_id))
    return _respond(info, info["title"], "collection")


@bp.route("/collections/<collection_id>/items")
def items(collection_id: str) -> Any:
    """Features of a collection: ``bbox`` (CRS84), ``limit`` (1–1000, default 100; larger is
    cut to 1000 as the standard allows) and ``offset``; ``next``/``prev`` links page on."""
    c = _collection(collection_id)
    unknown = sorted(set(request.args) - ITEM_PARAMS)
    if unknown:
        raise _invalid(f"Unknown parameter: {', '.join(unknown)}.")
    bbox = parse_bbox(request.args.get("bbox"))
    parse_datetime(request.args.get("datetime"))
    limit = min(_int_param("limit", DEFAULT_LIMIT, 1), MAX_LIMIT)
    offset = _int_param("offset", 0, 0)
    html = _wants_html()
    stmt = c.query()
    if bbox:
        stmt = stmt.where(spatial.place_in_bbox(bbox))
    matched = publishing.count(stmt)
    page = stmt.order_by(None).order_by(c.id_column).limit(limit).offset(offset)
    features = c.features(page)
    args = {k: v for k, v in request.args.items() if k not in ("offset", "f")}
    fmt = "html" if html else "json"
    links = _self_links("ogc.items", GEOJSON, collection_id=c.id, offset=offset, **args)
    links.append(_link(_url("ogc.collection", collection_id=c.id), "collection", JSON))
    if offset + len(features) < matched:
        nxt = _url("ogc.items", collection_id=c.id, offset=offset + limit, f=fmt, **args)
        links.append(_link(nxt, "next", HTML if html else GEOJSON))
    if offset > 0:
        prev = _url("ogc.items", collection_id=c.id, offset=max(0, offset - limit), f=fmt, **args)
        links.append(_link(prev, "prev", HTML if html else GEOJSON))
    body = {
        "type": "FeatureCollection",
        "timeStamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "numberMatched": matched,
        "numberReturned": len(features),
        "features": features,
        "links": links,
    }
    return _respond(body, c.title, "items", GEOJSON)


@bp.route("/collections/<collection_id>/items/<item_id>")
def item(collection_id: str, item_id: str) -> Any:
    c = _collection(collection_id)
    features = c.features(c.query().where(c.id_column == int(item_id))) if item_id.isdigit() else []
    if not features:
        raise OgcError(404, "NotFound", f"No feature {item_id!r} in {c.id!r}.")
    feature = features[0]
    feature["links"] = [
        *_self_links("ogc.item", GEOJSON, collection_id=c.id, item_id=item_id),
        _link(_url("ogc.collection", collection_id=c.id), "collection", JSON),
    ]
    return _respond(feature, feature["properties"].get("name") or c.title, "item", GEOJSON)


@bp.route("/api")
def openapi() -> Response:
    """The OpenAPI 3.0 definition of this API (the ``oas30`` conformance class), with every
    answer it gives: 200, 400 for a bad parameter and 404 for an unknown collection or item,
    both as OGC exceptions (``code``, ``description``)."""
    f = {
        "name": "f",
        "in": "query",
        "description": "The response format (default: JSON, or HTML for browsers).",
        "schema": {"type": "string", "enum": ["json", "html"]},
    }
    collection_id = {
        "name": "collectionId",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "enum": list(COLLECTIONS)},
    }
    items_params = [
        collection_id,
        f,
        {
            "name": "bbox",
            "in": "query",
            "description": "Only features inside this box: minimum lon, minimum lat, maximum lon, "
            "maximum lat in CRS84; or six numbers with minimum and maximum height (ignored).",
            "style": "form",
            "explode": False,
            "schema": {
                "type": "array",
                "oneOf": [{"minItems": 4, "maxItems": 4}, {"minItems": 6, "maxItems": 6}],
                "items": {"type": "number"},
            },
        },
        {
            "name": "limit",
            "in": "query",
            "description": f"Features per page; more than {MAX_LIMIT} is cut to {MAX_LIMIT}.",
            "schema": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_LIMIT,
                "default": DEFAULT_LIMIT,
            },
        },
        {"name": "offset", "in": "query", "schema": {"type": "integer", "minimum": 0}},
        {
            "name": "datetime",
            "in": "query",
            "description": "An RFC 3339 date-time or date, or an interval start/end with .. for "
            "an open end. The features have no temporal data: a valid value filters nothing.",
            "schema": {"type": "string"},
        },
    ]
    feature_id = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    answers = {
        "200": {"$ref": "#/components/responses/ok"},
        "400": {"$ref": "#/components/responses/invalidParameter"},
    }
    not_found = {"404": {"$ref": "#/components/responses/notFound"}}

    def op(op_id: str, params: list[dict[str, Any]], found: bool = True) -> dict[str, Any]:
        responses = answers if found else {**answers, **not_found}
        return {"get": {"operationId": op_id, "parameters": params, "responses": responses}}

    def exception(description: str) -> dict[str, Any]:
        schema = {"$ref": "#/components/schemas/exception"}
        return {"description": description, "content": {JSON: {"schema": schema}}}

    spec = {
        "openapi": "3.0.3",
        "info": {"title": "scout OGC API – Features", "version": "1.0.0"},
        "servers": [{"url": _url("ogc.landing").rstrip("/")}],
        "paths": {
            "/": op("getLandingPage", [f]),
            "/conformance": op("getConformance", [f]),
            "/collections": op("getCollections", [f]),
            "/collections/{collectionId}": op("describeCollection", items_params[:2], False),
            "/collections/{collectionId}/items": op("getFeatures", items_params, False),
            "/collections/{collectionId}/items/{featureId}": op(
                "getFeature", [*items_params[:2], feature_id], False
            ),
        },
        "components": {
            "schemas": {
                "exception": {
                    "type": "object",
                    "required": ["code"],
                    "properties": {"code": {"type": "string"}, "description": {"type": "string"}},
                }
            },
            "responses": {
                "ok": {"description": "The resource, as JSON (GeoJSON for features) or HTML."},
                "invalidParameter": exception(
                    "A parameter is unknown or its value is invalid (code InvalidParameterValue)."
                ),
                "notFound": exception("No such collection or feature (code NotFound)."),
            },
        },
    }
    response = current_app.json.response(spec)
    response.headers["Content-Type"] = OPENAPI
    return response
