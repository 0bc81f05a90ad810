"""Static files for slow connections: every ``url_for('static', ...)`` carries a version (a hash
of the file's content), a versioned file is cached by browsers for a year, and text files
(CSS, JS, SVG, JSON) are sent compressed (Flask-Compress: zstd, brotli or gzip), and so are
the walking and search answers of the API (:func:`compressed`).

A change to a file changes its URL, so a long cache is never stale. Files reached without a
version (ES modules imported by other modules) are revalidated (ETag) on every use.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request
from flask_compress import Compress

from scout.paths import STATIC

YEAR = 365 * 24 * 3600
_versions: dict[str, str] = {}
compress = Compress()


def version(filename: str) -> str | None:
    """The first 10 hex digits of the file's SHA-256 (computed once per process), or None."""
    if filename not in _versions:
        target = (STATIC / filename).resolve()
        if not target.is_relative_to(STATIC.resolve()) or not target.is_file():
            return None
        _versions[filename] = hashlib.sha256(target.read_bytes()).hexdigest()[:10]
    return _versions[filename]


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static" and "filename" in values and "v" not in values:
        v = version(values["filename"])
        if v is not None:
            values["v"] = v


def _cache_and_compress(response: Response) -> Response:
    if request.endpoint != "static":
        return response
    if request.args.get("v") and request.args.get("v") == version(request.view_args["filename"]):
        response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    if response.status_code == 200 and response.mimetype in compress.compress_mimetypes_set:
        # Static files are small: read them, so they are compressed whole (not streamed).
        response.direct_passthrough = False
        response.make_sequence()
    return compress.after_request(response)


def compressed(view: Callable[..., Any]) -> Callable[..., Any]:
    """Send ``view``'s answer compressed when the client accepts it: a tutor's search is 40-90
    KB of JSON, 7-9 KB compressed (zstd, 0.1 ms), seconds on a tablet's weak signal.

    Only for answers that carry no secret and nothing about a person (places, walks, walking
    areas): an answer that mixes a secret with text a request can choose is what a
    compression side channel (BREACH) reads. Pages with a CSRF token stay uncompressed."""
    return compress.compressed()(view)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_REGISTER", False)  # only static files, see above
    compress.init_app(app)
    app.url_default_functions.setdefault(None, []).append(_add_version)
    app.after_request(_cache_and_compress)
