"""Response security headers and the per-request CSP nonce for inline scripts."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, request


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
    ]
    origins = []
    for url in urls:
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts and parts.scheme in ("https", "http") and parts.netloc:
            origins.append(f" {parts.scheme}://{parts.netloc.replace('{s}', '*')}")
    return "".join(origins)


def init_app(app: Flask) -> None:
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    tile_origins = _tile_origins(app)

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
            "img-src 'self' data: blob: "
            "https://tile.openstreetmap.org https://*.tile.openstreetmap.org"
            f"{tile_origins}; "
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
