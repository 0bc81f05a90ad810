"""Tutor pages (``/tutor``): find offers and resources a person can walk to, and print her
shortlist as a one-page sheet in her language.

The search page is a form plus a small ES module (static/js/tutor.js) that POSTs to
``/api/v1/search``. The sheet is POSTed too: the origin travels in the request body only,
is used to recompute the walking times and is then forgotten.
"""

from __future__ import annotations

from typing import Any

import folium
from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from markupsafe import escape

from scout import audit, clock, maps, schedule, search, spatial, walking
from scout.auth import role_required
from scout.errors import BadRequest
from scout.extensions import db
from scout.geo import LonLat
from scout.i18n import plural_forms
from scout.models import AuditAction, ContractType, ItalianLevel, PartTime, Role
from scout.pdf import html_to_pdf
from scout.search import sheet
from scout.security import csp_nonce
from scout.walking import Profile

bp = Blueprint("tutor", __name__)
bp.before_request(role_required(Role.TUTOR))

MAX_SHEET_ITEMS = 10
NAME_MAX, NOTE_MAX = 80, 400


def _labels() -> dict[str, Any]:
    """Texts the page's script shows, in the page's language ({n} is a number)."""
    days = schedule.day_names(str(get_locale()))
    return {
        "kinds": {
            "offer": _("Job offer"),
            "course": _("Course"),
            "service": _("Service"),
            "organisation": _("Partner organisation"),
        },
        "fit": {
            "fits": _("Fits school hours"),
            "does_not_fit": _("Does not fit school hours: {n} min missing"),
            "unknown": _("Fit with school hours unknown"),
        },
        "walk": _("{n} min on foot"),
        "from_school": _("{n} min from school"),
        "estimate": _("estimate"),
        "estimate_title": _("Straight-line estimate: no street network is imported"),
        "route": _("Show the route"),
        "directions_title": _("On foot, street by street"),
        "directions_estimate": _(
            "Street-by-street directions come with the walking network import."
        ),
        "directions_none": _("No walking route to this place from where she starts."),
        "steps_avoided": _("With a stroller: no steps."),
        "shortlist": _("Add to the shortlist"),
        "no_results": _(
            "Nothing found within this walking time. Try more minutes or fewer filters."
        ),
        "results": _("{results} in {places}"),
        "truncated": _("the nearest {results}, in {places} (there are more: add filters)"),
        "results_n": plural_forms("{n} result", "{n} results"),
        "places_n": plural_forms("{n} place", "{n} places"),
        "origin_map": _("Point chosen on the map"),
        "origin_none": _("Choose where she starts first."),
        "address_none": _("No address found. Check the street name or click on the map."),
        "approximate": _("approximate, near {near}"),
        "exact": _("exact address"),
        "weak": _("uncertain: is this the street she means?"),
        "address_weak": _(
            "No address matches well. Check the street name, choose one below only if it is"
            " the right one, or click on the map."
        ),
        "searching": _("Searching…"),
        "error": _("The search did not work: {message}"),
        "home": _("Start"),
        "school": _("School"),
        "days": days,
        "shortlist_full": _("The sheet holds at most {n} results."),
    }


def _base_map() -> folium.Map:
    """The search map over the app's own basemap (static/js/lib/basemap.js), which draws and
    names the neighbourhoods (NIL) itself. Only over another tile server (``TUTOR_TILE_URL``,
    off by default: tile requests around her home would tell it where she lives) are the NIL
    outlined here, named on hover."""
    m = maps.new_map(zoom=14, tiles=None)
    bounds = spatial.service_area_bounds(db.session)
    if bounds is not None and current_app.config.get("TUTOR_TILE_URL"):
        pad = 0.02
        box = (bounds[0] - pad, bounds[1] - pad, bounds[2] + pad, bounds[3] + pad)
        nil = {
            "type": "FeatureCollection",
            "features": [
                # GeoJsonTooltip writes properties into innerHTML: escape them here.
                {"type": "Feature", "properties": {"name": str(escape(name))}, "geometry": geom}
                for name, geom in spatial.nil_outlines_in_box(db.session, box)
            ],
        }
        folium.GeoJson(
            nil,
            name=_("Neighbourhoods"),
            style_function=lambda _f: {
                "color": "#6c757d",
                "weight": 1,
                "fillOpacity": 0,
            },
            tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False),
            class_name="nil-outline",
        ).add_to(m)
    return m


@bp.route("/")
def index() -> str:
    """The search page: where she starts, what she looks for, school hours; results."""
    m = _base_map()
    folium.GeoJson(
        spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"]),
        name=_("Municipi served"),
        style_function=lambda _f: {"color": "#0b5394", "weight": 2, "fillOpacity": 0.02},
        class_name="municipio-outline",
        interactive=False,
    ).add_to(m)
    settings = {
        "map": m.get_name(),
        "urls": {
            "search": url_for("api.search_run"),
            "address": url_for("api.search_address"),
            "isochrones": url_for("api.search_isochrones"),
            "route": url_for("api.search_route"),
        },
        "labels": _labels(),
    }
    return render_template(
        "tutor/index.html",
        map=maps.embed_parts(m, nonce=csp_nonce()),
        settings=settings,
        hubs=search.hubs(db.session),
        schools=search.schools(db.session),
        sectors=search.sectors(db.session),
        contract_types=list(ContractType),
        part_times=list(PartTime),
        italian_levels=list(ItalianLevel),
        profiles=list(Profile),
        sheet_languages=current_app.config["LANGUAGES"],
        minutes=(search.MIN_MINUTES, search.MAX_MINUTES, search.DEFAULT_MINUTES),
        max_sheet_items=MAX_SHEET_ITEMS,
    )


def _sheet_context() -> dict[str, Any]:
    """Parse the sheet form, recompute the chosen results; raises :class:`BadRequest`."""
    lang = request.form.get("lang", "it")
    if lang not in current_app.config["LANGUAGES"]:
        raise BadRequest(_("Choose the sheet's language from the list."), field="lang")
    text = request.form.get("search") or ""
    if not text.strip():
        raise BadRequest(
            _("Run a search first, then choose results for the sheet."), field="search"
        )
    query = search.parse_query(db.session, text)
    keys = request.form.getlist("items")[:MAX_SHEET_ITEMS]
    result = search.run_selected(db.session, query, keys)
    if not result.hits:
        raise BadRequest(_("None of the chosen results is available any more."), field="items")
    places = sheet.group_by_place(result.hits)
    for place in places:  # the walk to each, street by street (from the origin in the body)
        try:
            place.route = walking.route(query.origin, LonLat(place.lon, place.lat), query.profile)
        except walking.OutOfArea:
            place.route = None
    audit.record(
        db.session,
        AuditAction.SEARCH,
        "sheet",
        changes={"language": lang, "items": len(result.hits)},
    )
    db.session.commit()
    return {
        "lang": lang,
        "places": places,
        "estimate": result.estimate,
        "school": result.school,
        "school_hours": query.school_hours,
        "profile": query.profile,
        "origin": query.origin,
        "show_start": request.form.get("show_start") == "on",
        "person_name": (request.form.get("person_name") or "").strip()[:NAME_MAX],
        "note": (request.form.get("note") or "").strip()[:NOTE_MAX],
        "today": clock.today(),
    }


def _render_sheet(ctx: dict[str, Any], for_pdf: bool) -> str:
    rtl = ctx["lang"] in current_app.config["RTL_LANGUAGES"]
    start = ctx["origin"] is not None and sheet.shows_start(ctx["places"], ctx["show_start"])
    with force_locale(ctx["lang"]):
        for place in ctx["places"]:
            place.directions = place.route.directions(html=True) if place.route else []
        svg = sheet.map_svg(
            db.session,
            ctx["places"],
            _("Map of the places on this sheet"),
            origin=ctx["origin"],
            show_start=ctx["show_start"],
        )
        return render_template(
            "tutor/sheet.html",
            **ctx,
            direction="rtl" if rtl else "ltr",
            map_svg=svg,
            map_start=start,
            format_schedule=schedule.format_schedule,
            for_pdf=for_pdf,
        )


@bp.post("/sheet")
def sheet_html() -> Response:
    """The printable sheet (opens in a new tab; the browser prints it). Not cached."""
    response = Response(_render_sheet(_sheet_context(), for_pdf=False), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/sheet.pdf")
def sheet_pdf() -> Response:
    """The same sheet as a PDF, to send by phone. The file name carries no personal data."""
    ctx = _sheet_context()
    pdf = html_to_pdf(_render_sheet(ctx, for_pdf=True))
    filename = f"lavoro-km-zero-{ctx['today'].isoformat()}-{ctx['lang']}.pdf"
    return Response(
        pdf,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
