"""folium maps wired to the vendored Leaflet in static/ (never a CDN), with escaped popups.

folium puts popup HTML inside a JavaScript template literal; its own escaping handles
backticks but not ``${...}`` nor backslashes. :func:`popup_html` escapes user text for HTML
*and* for that literal, so any stored string renders as inert text.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import folium
from flask import url_for
from markupsafe import Markup, escape

LEAFLET = "vendor/leaflet-1.9.4"
JQUERY = "vendor/jquery-3.7.1/jquery.min.js"  # folium's popups use $(...)
MILAN_CENTRE = (45.4935, 9.2200)  # between Municipio 2 and 3


def literal_safe(text: Any) -> str:
    """HTML-escape ``text`` and neutralise the characters special in a JS template literal."""
    return (
        str(escape(text if text is not None else ""))
        .replace("`", "&#96;")
        .replace("$", "&#36;")
        .replace("\\", "&#92;")
    )


def popup_html(title: Any, lines: Iterable[Any] = (), link: tuple[str, Any] | None = None) -> str:
    """A popup body: a bold title and lines of text, each escaped; an optional link."""
    parts = [f'<strong class="popup-title">{literal_safe(title)}</strong>']
    parts += [f"<div>{literal_safe(line)}</div>" for line in lines if line]
    if link:
        href, label = link
        parts.append(f'<div><a href="{literal_safe(href)}">{literal_safe(label)}</a></div>')
    return "".join(parts)


def new_map(location: tuple[float, float] = MILAN_CENTRE, zoom: int = 14, **kw: Any) -> folium.Map:
    """A folium map that loads Leaflet (and jQuery for popups) from static/ only."""
    m = folium.Map(location=location, zoom_start=zoom, control_scale=True, **kw)
    m.default_js = [
        ("leaflet", url_for("static", filename=f"{LEAFLET}/leaflet.js")),
        ("jquery", url_for("static", filename=JQUERY)),
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
    # folium's own output; user text in it went through popup_html/literal_safe.
    return {
        "header": Markup(header),  # noqa: S704
        "html": Markup(root.html.render()),  # noqa: S704
        "script": Markup(root.script.render()),  # noqa: S704
    }
