"""Crawling the app as one caller, and reading what came back: shared by the security, CSP and
XSS tests.

The crawl starts from every GET route of the URL map (URL arguments filled from real rows) and
follows the same-site links it finds on the HTML pages, a few query-string variants per path.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from flask import Flask

from tests.web.test_permissions import rolled_back, routes, server_errors

SKIP_PREFIXES = ("/static/", "/lang/", "/logout")
VARIANTS_PER_PATH = 3


def get_urls(app: Flask, values: dict[str, object]) -> list[str]:
    """The URL of every GET route (URL arguments from ``values``)."""
    return sorted({r.url for r in routes(app, values) if r.method == "GET"})


@dataclass
class Crawled:
    url: str
    response: Any
    errors: list[BaseException] = field(default_factory=list)

    @property
    def is_html(self) -> bool:
        return self.response.mimetype == "text/html"


def crawl(
    app: Flask,
    client: Any,
    start: list[str],
    headers: dict[str, str] | None = None,
    limit: int = 400,
    login: Any = None,
) -> Iterator[Crawled]:
    """GET every URL of ``start`` and the same-site links found on the way (``login()`` is
    called before each request, so a page that ends the session does not end the crawl)."""
    seen: set[str] = set()
    per_path: Counter[str] = Counter()
    queue = list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        if login is not None:
            login()
        with server_errors(app) as errors, rolled_back():
            response = client.get(url, headers=headers or {})
        yield Crawled(url, response, list(errors))
        if response.mimetype != "text/html":
            continue
        for link in parse(response.get_data(as_text=True)).links:
            target = _same_site(url, link)
            if not target or target in seen:
                continue
            path = urlsplit(target).path
            if path.startswith(SKIP_PREFIXES) or per_path[path] >= VARIANTS_PER_PATH:
                continue
            per_path[path] += 1
            queue.append(target)


def _same_site(base: str, link: str) -> str | None:
    if not link or link.startswith(("#", "mailto:", "tel:", "data:", "javascript:")):
        return None
    parts = urlsplit(urljoin("http://localhost" + base, link))
    if parts.netloc != "localhost":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


URL_ATTRS = {"href", "src", "action", "formaction", "data", "poster", "xlink:href"}


class Page(HTMLParser):
    """The parts of an HTML page the security tests look at."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []  # (attrs, inline text)
        self.links: list[str] = []
        self.event_handlers: list[str] = []  # on*= attributes
        self.js_urls: list[str] = []  # javascript: in URL attributes
        self._in_script: dict[str, str | None] | None = None
        self._script_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        amap = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.event_handlers.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRS and value and _is_js_url(value):
                self.js_urls.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and amap.get("href"):
            self.links.append(amap["href"] or "")
        if tag == "script":
            self._in_script = amap
            self._script_text = []

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self._script_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_text)))
            self._in_script = None


def _is_js_url(value: str) -> bool:
    squashed = "".join(ch for ch in value if ch > " ").lower()
    return squashed.startswith(("javascript:", "vbscript:", "data:text/html"))


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def csp_directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0].lower()] = words[1:]
    return out
