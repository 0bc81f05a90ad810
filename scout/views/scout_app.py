"""The scouts' tablet app: the web app manifest (install it, open it full screen) and the
service worker that keeps the app shell for use without a connection. Routes on the scout
blueprint (``/scout/manifest.webmanifest``, ``/scout/sw.js``)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from flask import Response, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from scout.i18n import text_direction
from scout.paths import ROOT
from scout.views.scout import bp

SW_SOURCE = ROOT / "static" / "js" / "scout" / "sw.js"
SHELL_STATIC = [
    "vendor/bootstrap-5.3.3/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.3/js/bootstrap.bundle.min.js",
    "vendor/leaflet-1.9.4/leaflet.css",
    "vendor/leaflet-1.9.4/leaflet.js",
    "vendor/leaflet-1.9.4/images/marker-icon.png",
    "vendor/leaflet-1.9.4/images/marker-icon-2x.png",
    "vendor/leaflet-1.9.4/images/marker-shadow.png",
    "css/scout.css",
    "css/scout-tablet.css",
    "js/scout/outbox.js",
    "js/scout/status.js",
    "js/scout/forms.js",
    "js/scout/place-map.js",
    "js/scout/lookup.js",
    "js/scout/schedule.js",
    "js/scout/nearby.js",
]
SHELL_PAGES = ["scout.index", "scout.place_new", "scout.nearby"]


@bp.get("/manifest.webmanifest")
def manifest() -> Response:
    """The web app manifest: scouts install the tablet pages as an app (home-screen icon,
    full screen, opening on the scout's home page)."""
    body = {
        "name": _("Lavoro a km zero: scout"),
        "short_name": _("Scout"),
        "description": _("Map employers, parishes and associations in the neighbourhood."),
        "start_url": url_for(".index"),
        "scope": url_for(".index"),
        "display": "standalone",
        "lang": str(get_locale()),
        "dir": text_direction(),
        "background_color": "#ffffff",
        "theme_color": "#0b5d3b",
        "icons": [
            {
                "src": url_for("static", filename="img/icon-192.png"),
                "sizes": "192x192",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename="img/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
            },
            {
                "src": url_for("static", filename="img/icon.svg"),
                "sizes": "any",
                "type": "image/svg+xml",
                "purpose": "any",
            },
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/sw.js")
def service_worker() -> Response:
    """The service worker, served under /scout/ so that its scope covers the scout pages.
    The list of files to keep and a cache name that changes with them are prepended."""
    shell = [url_for("static", filename=f, v=None) for f in SHELL_STATIC] + [
        url_for(e) for e in SHELL_PAGES
    ]
    source = SW_SOURCE.read_text(encoding="utf-8")
    digest = hashlib.sha256()
    digest.update(source.encode())
    for name in SHELL_STATIC:
        digest.update((ROOT / "static" / name).read_bytes())
    head = (
        f"const SHELL = {_json(shell)};\n"
        f"const CACHE = {_json('scout-' + digest.hexdigest()[:12])};\n"
    )
    response = Response(head + source, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


def _json(value: Any) -> str:
    return json.dumps(value)
