"""The basemap's tiles (public: streets, outlines and public landmarks only, no staff data)
and the settings every map page gives the browser (``basemap_settings``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, request, url_for
from flask_babel import gettext as _

from scout.basemap import tiles
from scout.extensions import db, limiter

bp = Blueprint("basemap", __name__)

# Which configured external tile server each audience's maps use instead (none by default).
_EXTERNAL = {"public": "PUBLIC_TILES", "tutor": "TUTOR_TILE_URL", "scout": "TILE_URL"}
ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
    " (ODbL), &copy; Comune di Milano (CC BY 4.0)"
)


def _external(audience: str) -> dict[str, str] | None:
    cfg = current_app.config
    value = cfg.get(_EXTERNAL.get(audience, ""))
    if isinstance(value, dict) and value.get("url"):
        return {"url": value["url"], "attribution": value.get("attribution", "")}
    if isinstance(value, str) and value:
        return {"url": value, "attribution": cfg.get("TUTOR_TILE_ATTRIBUTION", "© OpenStreetMap")}
    return None


def basemap_settings(audience: str) -> dict[str, Any]:
    """What static/js/lib/basemap.js needs: the versioned tile URL, or the external server."""
    version = tiles.version(db.session)
    url = url_for("basemap.tile", z=0, x=0, y=0, v=version)
    return {
        "url": url.replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
        "version": version,
        "network": not version.startswith("0-"),
        "maxDataZoom": tiles.MAX_DATA_ZOOM,
        "attribution": ATTRIBUTION,
        "external": _external(audience),
        "note": _("Main roads only: the detailed streets come with the walking network import."),
    }


@bp.get("/tiles/<int:z>/<int:x>/<int:y>.mvt")
@limiter.exempt
def tile(z: int, x: int, y: int) -> Response:
    """One vector tile. With ``?v=`` naming the current version it may be kept for a year;
    otherwise the browser revalidates it by its ETag (the version). Outside the area or the
    zooms: 204, nothing computed."""
    version = tiles.version(db.session)
    data = tiles.tile(db.session, z, x, y, version)
    response = Response(data or b"", status=204 if data is None else 200, mimetype=tiles.MIME)
    if request.args.get("v") == version:
        response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        response.headers["Cache-Control"] = "public, no-cache"
    response.set_etag(version)
    response.headers["X-Basemap-Version"] = version
    return response.make_conditional(request)


@bp.get("/tiles/offline.json")
@limiter.exempt
def offline() -> dict[str, Any]:
    """The tiles of the service area at the zooms the scouts' tablets keep offline."""
    version = tiles.version(db.session)
    box = tiles.area_box(db.session)
    urls = []
    if box is not None:
        for z in tiles.OFFLINE_ZOOMS:
            urls += [
                url_for("basemap.tile", z=z, x=x, y=y, v=version) for x, y in tiles.tiles_of(box, z)
            ]
    return {"version": version, "tiles": urls}
