"""Public pages: the map of the partner network, its embeddable twin, the walking answer and
the open-data downloads. Only fields of :mod:`scout.opendata`'s allow-list reach them.

The map is a vendored-Leaflet page plus small ES modules fed by the GeoJSON download; the list
beside it is rendered here (the same partial serves the first page and every filter change),
so it works without JavaScript and a popup is a copy of its list entry.
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup

from scout import publishing, schedule, spatial, walking
from scout.errors import NotFound
from scout.extensions import csrf, db, limiter
from scout.geo import LonLat
from scout.i18n import plural_forms
from scout.maps import LEAFLET, MILAN_CENTRE
from scout.models import OrgKind, Place, ResourceKind
from scout.validation import json_body, parse_json
from scout.views import schemas
from scout.walking import answers

bp = Blueprint("public", __name__)

WALK_MINUTES = 30  # walking times are given up to this many minutes
LIST_PAGE = 100  # list entries per server-rendered page (static/js/public_list.js: PAGE)
ISOCHRONE_MINUTES = [10, 15]
# --- pages -------------------------------------------------------------------------------


def _filters() -> publishing.Filters:
    return publishing.Filters.from_args(request.args)


def _list_context(filters: publishing.Filters, page: int) -> dict[str, Any]:
    """The server-rendered page of the list (for visitors without JavaScript and the first
    paint): allow-listed records only, the template never sees a model."""
    stmt = publishing.places_query(filters)
    total = publishing.count(stmt)
    places = publishing.load_places(stmt.limit(LIST_PAGE).offset((page - 1) * LIST_PAGE))
    items = [(publishing.place_record(pp), pp.lon, pp.lat) for pp in places]
    locale = Locale.parse(str(get_locale()))
    codes = {c for rec, _lon, _lat in items for c in rec["languages"]}
    return {
        "items": items,
        "total": total,
        "page": page,
        "pages": max(1, -(-total // LIST_PAGE)),
        "language_names": {c: locale.languages.get(c, c) for c in codes},
        "filters": filters,
        "org_kinds": OrgKind,
        "resource_kinds": ResourceKind,
    }


def _list_html(filters: publishing.Filters) -> Markup:
    """The list's page as HTML, rendered once per page, filters, language and map (its
    links lead to the same map) while the data is unchanged: the public map is the most
    visited page, and its list cost three times the rest of it."""
    try:
        page = max(int(request.args.get("page", 1)), 1)
    except ValueError:
        page = 1

    def build() -> str:
        return render_template("public/_place_list.html", **_list_context(filters, page))

    html = cached(("list", request.endpoint, str(get_locale()), filters, page), build)
    return Markup(html)  # noqa: S704  (our own autoescaped template's output)


def feed_url(filters: publishing.Filters) -> str:
    """The feed URL exactly as the ES module builds it from the filter form (field order q,
    kind, resource), so the page can preload it while the scripts load."""
    args = filters.to_args()
    query = urlencode([(k, args[k]) for k in ("q", "kind", "resource") if k in args], doseq=True)
    return url_for("public.places_geojson") + "?" + query


def _map_settings(first_feed: str) -> dict[str, Any]:
    """What the ES modules need; reaches them as a ``|tojson`` data attribute."""
    locale = str(get_locale())
    return {
        "featuresUrl": url_for("public.places_geojson"),
        "firstFeed": first_feed,
        "walkUrl": url_for("public.walk"),
        "routeUrl": url_for("public.walk_route"),
        "centre": list(MILAN_CENTRE),
        "locale": locale,
        "dayNames": schedule.day_names(locale),
        "labels": {
            "kinds": {k.value: str(k.label) for k in OrgKind},
            "resources": {k.value: str(k.label) for k in ResourceKind},
            "hours": _("Opening hours"),
            "languages": _("Languages spoken"),
            "accessibility": _("Accessibility"),
            "verified": _("Verified on %(date)s", date="{date}"),
            "website": _("Website"),
            "showOnMap": _("Show on map"),
            "directions": _("How to get there"),
            "directionsTitle": _("On foot from your chosen point"),
            "directionsNeedStart": _(
                "First choose where you start: tap the map or use your position."
            ),
            "directionsNone": _("No walking route to this place from your chosen point."),
            "directionsEstimate": _(
                "Street-by-street directions come with the walking network import."
            ),
            "stepsAvoided": _("With a stroller: no steps."),
            "places": plural_forms("{n} place", "{n} places"),
            "empty": _("No place matches these filters."),
            "more": _("Show more"),
            "minutes": plural_forms("{n} min", "{n} min"),
            "estimate": _("estimate"),
            "over": _("more than %(n)d min", n=WALK_MINUTES),
            "from": _("Walking times from the chosen point."),
            "nearest": _("Nearest: %(name)s, %(n)s min on foot."),
            "none": _("No place of this list is within %(n)d minutes on foot.", n=WALK_MINUTES),
            "locating": _("Finding your position…"),
            "noLocation": _("Your position is not available. Tap the map instead."),
            "failed": _("Walking times are not available right now."),
            "loading": _("Loading…"),
            "shown": plural_forms("{n} place shown", "{n} places shown"),
            "you": _("Your chosen point"),
        },
    }


def _render_map(template: str, embedded: bool) -> str:
    filters = _filters()  # read from the URL once for the settings, the form and the list
    first_feed = feed_url(filters)
    return render_template(
        template,
        settings=_map_settings(first_feed),
        first_feed=first_feed,
        outlines=spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"]),
        leaflet=LEAFLET,
        embedded=embedded,
        filters=filters,
        org_kinds=OrgKind,
        resource_kinds=ResourceKind,
        place_list=_list_html(filters),
    )


@bp.route("/")
def index() -> str:
    """The network map: published places of partners that agreed to be public, with
    filters, a list of the same results and walking times from a point the visitor picks."""
    return _render_map("public/index.html", embedded=False)


@bp.route("/embed")
def embed() -> str:
    """The map without page chrome, for other sites' ``<iframe>`` (filters from the URL)."""
    return _render_map("public/embed.html", embedded=True)


@bp.route("/embed/code")
def share() -> str:
    """The ``<iframe>`` snippet to copy, for the filters and language chosen in the form."""
    filters = publishing.Filters.from_args(request.args)
    lang = request.args.get("lang", str(get_locale()))
    if lang not in current_app.config["LANGUAGES"]:
        lang = str(get_locale())
    try:
        height = min(max(int(request.args.get("height", 560)), 300), 1200)
    except ValueError:
        height = 560
    embed_url = url_for("public.embed", lang=lang, **filters.to_args())
    return render_template(
        "public/share.html",
        filters=filters,
        lang=lang,
        height=height,
        embed_url=embed_url,
        external_url=request.host_url.rstrip("/") + embed_url,
        org_kinds=OrgKind,
        resource_kinds=ResourceKind,
    )


@bp.route("/data")
def opendata_page() -> str:
    """The open-data page: downloads, the OGC API and the list of published fields."""
    return render_template(
        "public/opendata.html",
        fields=publishing.PUBLIC_FIELDS,
        contact_fields=publishing.CONTACT_FIELDS,
        resource_kinds=ResourceKind,
    )


# --- the walking answer ------------------------------------------------------------------


@bp.post("/walk")
@csrf.exempt
@limiter.limit("30 per minute")
def walk() -> Response:
    """Walking minutes from the visitor's point to every public place within
    ``WALK_MINUTES``, and the 10/15-minute isochrones.

    The point arrives as a JSON body (never in a URL, so no access log holds it), is used for
    this answer only and is neither stored nor logged. CSRF is exempt on purpose: the answer
    changes nothing and shows only public data, and the embedded map runs in other sites'
    iframes where the session cookie (SameSite=Lax) is not sent. Requiring a JSON body keeps
    plain cross-site form posts out (they cannot set that content type without a preflight).
    """
    req = parse_json(schemas.PublicWalkRequest, json_body())
    origin, profile = LonLat(req.lon, req.lat), req.profile
    reach = walking.reach(origin, WALK_MINUTES, profile, places=spatial.public_place_ids())
    bands = walking.isochrones(origin, ISOCHRONE_MINUTES, profile)
    network_date = reach.network_date.isoformat() if reach.network_date else None
    body = {
        "estimate": bool(reach.estimate or bands.estimate),
        "network_date": network_date,
        "max_minutes": WALK_MINUTES,
        "walks": [
            {"id": pid, "minutes": w.whole_minutes, "metres": round(w.metres)}
            for pid, w in reach.walks.items()
        ],
        "isochrones": {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "properties": {"minutes": m}, "geometry": geometry}
                for m, geometry in bands.bands
            ],
        },
    }
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/walk/route")
@csrf.exempt
@limiter.limit("30 per minute")
def walk_route() -> Response:
    """How to get on foot from the visitor's point to one public place: the line, minutes and
    directions street by street in the page's language. The point comes as a JSON body and is
    neither stored nor logged, as for :func:`walk` (and CSRF-exempt for the same reasons)."""
    req = parse_json(schemas.PublicRouteRequest, json_body())
    public = spatial.public_place_ids().where(Place.id == req.place_id)
    target = answers.place_point(req.place_id) if db.session.scalar(public) else None
    if target is None:
        raise NotFound()
    answer = walking.route(LonLat(req.lon, req.lat), target, req.profile)
    body = {
        "place_id": req.place_id,
        "estimate": answer.estimate,
        "line": answer.line,
        "minutes": answer.walk.whole_minutes if answer.walk else None,
        "metres": round(answer.walk.metres) if answer.walk else None,
        "directions": answer.directions(),
    }
    response = current_app.json.response(body)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- downloads ---------------------------------------------------------------------------


# What every visitor of the same map gets, by key and data version: the map's feed (serialised
# and gzipped) and the list's HTML. A change to organisations, places or resources, or a new
# day, makes a new key; the least recently used entries go.
_CACHE: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def _encode(body: str | dict[str, Any] | list[Any]) -> tuple[bytes, bytes]:
    text = body if isinstance(body, str) else current_app.json.dumps(body, ensure_ascii=False)
    raw = text.encode()
    return raw, gzip.compress(raw, compresslevel=6)


def cached(key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
    key = (*key, publishing.data_version())
    with _CACHE_LOCK:
        if key in _CACHE:
            _CACHE.move_to_end(key)
            return _CACHE[key]
    value = build()
    with _CACHE_LOCK:
        _CACHE[key] = value
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return value


def cached_feed(key: tuple[Any, ...], build: Callable[[], dict[str, Any]]) -> tuple[bytes, bytes]:
    return cached(("feed", *key), lambda: _encode(build()))


def send_data(
    body: str | dict[str, Any] | list[Any] | tuple[bytes, bytes],
    mimetype: str,
    filename: str | None = None,
) -> Response:
    """A data response, gzipped when the client accepts it (the map's feed is the largest
    thing a phone downloads here), as an attachment when ``filename`` is given."""
    raw, packed = body if isinstance(body, tuple) else _encode(body)
    response = Response(mimetype=mimetype)
    if len(raw) > 1024 and "gzip" in request.headers.get("Accept-Encoding", ""):
        response.set_data(packed)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response.set_data(raw)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = "public, max-age=60"
    response.headers["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    if filename:
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _download() -> bool:
    return request.args.get("download") == "1"


@bp.route("/data/places.geojson")
def places_geojson() -> Response:
    """Public places (filters as on the map) as GeoJSON; the map's own feed."""
    name = "scout-places.geojson" if _download() else None
    filters = _filters()
    body = cached_feed(("places", filters), lambda: publishing.places_geojson(filters))
    return send_data(body, "application/geo+json", name)


@bp.route("/data/places.csv")
def places_csv() -> Response:
    return send_data(publishing.places_csv(_filters()), "text/csv", "scout-places.csv")


def _resource_kinds() -> list[ResourceKind]:
    return _filters().resource_kinds


@bp.route("/data/resources.geojson")
def resources_geojson() -> Response:
    """Public courses and services, one point each (at their place)."""
    name = "scout-resources.geojson" if _download() else None
    return send_data(publishing.resources_geojson(_resource_kinds()), "application/geo+json", name)


@bp.route("/data/resources.csv")
def resources_csv() -> Response:
    return send_data(publishing.resources_csv(_resource_kinds()), "text/csv", "scout-resources.csv")


@bp.route("/data/hsds.json")
def hsds() -> Response:
    """Organisations with their locations and services: an Open Referral HSDS 3.0
    organization package."""
    name = "scout-hsds.json" if _download() else None
    return send_data(publishing.hsds_export(), "application/json", name)
