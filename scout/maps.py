"""folium maps wired to the vendored Leaflet in static/ (never a CDN).

Only reference data (municipi and NIL outlines, their names HTML-escaped) and translated
labels go into folium maps. Do not put user text in folium popups or tooltips: folium writes
popup HTML into a JavaScript template literal (its escaping misses ``${...}``) and tooltips
into ``innerHTML``. Maps that show user text draw it from GeoJSON with ``textContent`` in a
small ES module (see static/js/public_map.js).
"""

from __future__ import annotations

import re
from typing import Any

import folium
from flask import url_for
from markupsafe import Markup

LEAFLET = "vendor/leaflet-1.9.4"
MILAN_CENTRE = (45.4935, 9.2200)  # between Municipio 2 and 3
_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>', re.S)


def new_map(location: tuple[float, float] = MILAN_CENTRE, zoom: int = 14, **kw: Any) -> folium.Map:
    """A folium map that loads Leaflet from static/ only (no jQuery, Bootstrap or fonts)."""
    m = folium.Map(location=location, zoom_start=zoom, control_scale=True, **kw)
    m.default_js = [
        ("leaflet", url_for("static", filename=f"{LEAFLET}/leaflet.js")),
    ]
    m.default_css = [("leaflet_css", url_for("static", filename=f"{LEAFLET}/leaflet.css"))]
    return m


def embed_parts(m: folium.Map, nonce: str) -> dict[str, Markup]:
    """The head links, map div and script of a folium map, for a Jinja page.

    The script goes into ``<script nonce=...>`` in the template so the CSP needs no
    ``unsafe-inline``.
    """
    root = m.get_root()
    root.render()
    header = root.header.render().replace("<script>", f'<script nonce="{nonce}">')
    # The page has its own viewport tag; folium's second one forbids pinch-zoom.
    header = _VIEWPORT.sub("", header)
    script = root.script.render().replace("L.control.scale()", "L.control.scale({imperial: false})")
    # folium's own output over reference data (see the module docstring).
    return {
        "header": Markup(header),  # noqa: S704
        "html": Markup(root.html.render()),  # noqa: S704
        "script": Markup(script),  # noqa: S704
    }
