"""Public pages: the map of the partner network. Only public fields ever reach them."""

from __future__ import annotations

from typing import Any

import folium
from flask import Blueprint, current_app, render_template
from flask_babel import gettext as _

from scout import maps, spatial
from scout.extensions import db
from scout.security import csp_nonce

bp = Blueprint("public", __name__)


def _public_rows() -> list[dict[str, Any]]:
    rows = db.session.execute(spatial.public_places()).all()
    return [
        {
            "id": place.id,
            "name": place.name,
            "kind": place.organisation.kind,
            "address": place.address,
            "opening_hours": place.opening_hours,
            "lon": lon,
            "lat": lat,
        }
        for place, lon, lat in rows
    ]


@bp.route("/")
def index() -> str:
    """The network map: published places of partners that agreed to be public."""
    places = _public_rows()
    m = maps.new_map()
    folium.GeoJson(
        spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"]),
        name=_("Municipi served"),
        style_function=lambda _f: {"color": "#0b5394", "weight": 3, "fillOpacity": 0.04},
        class_name="municipio-outline",
    ).add_to(m)
    for p in places:
        folium.Marker(
            location=(p["lat"], p["lon"]),
            popup=folium.Popup(
                maps.popup_html(p["name"], [p["kind"].label, p["address"], p["opening_hours"]]),
                max_width=280,
            ),
            tooltip=None,
        ).add_to(m)
    parts = maps.embed_parts(m, nonce=csp_nonce())
    return render_template("public/index.html", places=places, map=parts)
