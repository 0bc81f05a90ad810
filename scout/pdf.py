"""HTML → tagged PDF with WeasyPrint, offline: the one PDF writer of the tutor's sheet and the
bulletin.

Every PDF is PDF/UA-1 (WeasyPrint's ``pdf/ua-1`` variant): a structure tree (headings,
paragraphs, lists, tables) that screen readers follow, ``/MarkInfo`` marked, the document's
language (``/Lang``, from ``<html lang>``) and its ``<title>`` shown as the window title.

The fetcher serves ``/static/...`` from the static folder and refuses every other URL, so
rendering never calls the app over HTTP (which would deadlock a single-threaded server) and
never sends anything to another server.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Sequence
from typing import Any
from urllib.parse import unquote, urlsplit

from weasyprint import CSS, HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scout.paths import ROOT

STATIC = (ROOT / "static").resolve()
PDF_VARIANT = "pdf/ua-1"  # tagged PDF for screen readers (structure tree, language, title)
BASE_URL = "http://localhost/"  # only its path matters: /static/... is read from files


class StaticFetcher(URLFetcher):
    """Only files under static/ and inline ``data:`` URLs; any other URL is refused (and
    WeasyPrint skips it)."""

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):  # inline content (a chart's SVG): nothing is fetched
            return super().fetch(url, headers)
        path = unquote(urlsplit(url).path)
        if not path.startswith("/static/"):
            raise ValueError("only /static/ files are used in PDFs")
        target = (STATIC / path[len("/static/") :]).resolve()
        if not target.is_relative_to(STATIC) or not target.is_file():
            raise ValueError("no such static file")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, target.read_bytes(), {"Content-Type": mime})


def html_to_pdf(html: str, stylesheets: Sequence[str] = ()) -> bytes:
    """Render ``html`` to tagged PDF (PDF/UA-1) bytes.

    Links like ``/static/css/x.css`` in the page resolve to files; ``stylesheets`` are more
    files under static/ (``"css/bulletin.css"``) applied on top, as the print stylesheet. The
    page should carry ``<html lang>`` and a ``<title>``: they become the PDF's language and
    title.
    """
    fetcher = StaticFetcher()
    css = [CSS(url=f"{BASE_URL}static/{name}", url_fetcher=fetcher) for name in stylesheets]
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher)
    return document.write_pdf(stylesheets=css, pdf_variant=PDF_VARIANT)
