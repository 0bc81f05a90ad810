"""HTML → PDF with WeasyPrint, offline.

The fetcher serves ``/static/...`` from the static folder and refuses every other URL, so
rendering never calls the app over HTTP (which would deadlock a single-threaded server) and
never sends anything to another server.
"""

from __future__ import annotations

import mimetypes
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scout.paths import ROOT

STATIC = (ROOT / "static").resolve()


class StaticFetcher(URLFetcher):
    """Only files under static/; any other URL is refused (and WeasyPrint skips it)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        path = unquote(urlsplit(url).path)
        if not path.startswith("/static/"):
            raise ValueError("only /static/ files are used in PDFs")
        target = (STATIC / path[len("/static/") :]).resolve()
        if not target.is_relative_to(STATIC) or not target.is_file():
            raise ValueError("no such static file")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})


def html_to_pdf(html: str, base_url: str = "http://localhost/") -> bytes:
    """Render ``html`` (links like ``/static/css/x.css`` resolve to files) to PDF bytes."""
    return HTML(string=html, base_url=base_url, url_fetcher=StaticFetcher()).write_pdf()
