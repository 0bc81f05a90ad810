"""What every request and response goes through: the proxy's forwarded headers (as many as
``PROXY_COUNT`` proxies), a body limit per route, JSON parsing that refuses absurd nesting,
and the response security headers with the per-request CSP nonce for inline scripts. The
``Host`` is checked by Flask against ``TRUSTED_HOSTS`` before any of this."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.middleware.proxy_fix import ProxyFix


def csp_nonce() -> str:
    """The nonce of this response's Content-Security-Policy (created on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return g.csp_nonce


# Endpoints that other sites may put in an <iframe>.
FRAMEABLE = {"public.embed"}


def _tile_origins(app: Flask) -> str:
    """Origins of the tile servers the config names (public and tutor maps), for img-src."""
    public = app.config["PUBLIC_TILES"]
    urls = [
        public.get("url") if isinstance(public, dict) else None,
        app.config["TUTOR_TILE_URL"],
        app.config["TILE_URL"],
    ]
    origins = []
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts and parts.scheme in ("https", "http") and parts.netloc:
            origins.append(f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return "".join(origins)


# Routes that take files (photos, CSV/GeoJSON imports, OSM extracts): bodies up to
# MAX_CONTENT_LENGTH. JSON bodies may be JSON_MAX_BYTES, any other body FORM_MAX_BYTES.
UPLOAD_ENDPOINTS = {
    "scout.place_new",
    "scout.place_edit",
    "admin.import_places_page",
    "admin.network",
}


def _limit_body() -> None:
    """Set this request's body limit before anything reads the body (CSRF, the limiter)."""
    cfg = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS:
        return  # MAX_CONTENT_LENGTH
    json_body = request.is_json or request.path.startswith("/api/")
    request.max_content_length = cfg["JSON_MAX_BYTES" if json_body else "FORM_MAX_BYTES"]


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that nesting too deep for the parser is invalid JSON (a 400 for
    ``request.get_json()``, ``None`` with ``silent=True``), not a ``RecursionError`` (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    tile_origins = _tile_origins(app)
    if app.config["PROXY_COUNT"]:
        n = int(app.config["PROXY_COUNT"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
    json_provider = JSONProvider(app)
    json_provider.__dict__.update(app.json.__dict__)  # keep the settings of the default one
    app.json = json_provider
    # First of all before_request functions: CSRF and the limiter read the body.
    app.before_request_funcs.setdefault(None, []).insert(0, _limit_body)

    @app.after_request
    def headers(response: Any) -> Any:
        nonce = g.get("csp_nonce")
        script_src = "'self'" + (f" 'nonce-{nonce}'" if nonce else "")
        frameable = request.endpoint in FRAMEABLE
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; "
            f"script-src {script_src}; "
            "style-src 'self' 'unsafe-inline'; "
            f"img-src 'self' data: blob:{tile_origins}; "
            "connect-src 'self'; worker-src 'self'; "
            "object-src 'none'; base-uri 'self'; form-action 'self'; "
            + ("frame-ancestors *" if frameable else "frame-ancestors 'self'"),
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not frameable:
            response.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
        response.headers.setdefault(
            "Permissions-Policy", "geolocation=(self), camera=(self), microphone=()"
        )
        return response
