"""Playwright fixtures driving Debian's chromium (``playwright install`` cannot download here).

Every page refuses requests to any host but the live server, and records them, so a test can
assert that a page works with no network access (Leaflet and CSS come from static/).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

CHROMIUM = os.environ.get("SCOUT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)`` → a page whose external requests are blocked.

    The page has ``.external_requests`` (URLs that were refused) and ``.console_errors``.
    """
    contexts = []

    def _new(**options: Any) -> Any:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "it-IT")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.external_requests = []
        page.console_errors = []

        def route(r: Any) -> None:
            if r.request.url.startswith(live_server.url):
                r.continue_()
            else:
                page.external_requests.append(r.request.url)
                r.abort()

        context.route("**/*", route)
        page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        page.set_default_timeout(10_000)
        return page

    yield _new
    for context in contexts:
        context.close()
    live_server.wait_idle()


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    """A desktop-sized page."""
    return new_page(viewport={"width": 1280, "height": 900})


def browser_login(page: Any, email: str, password: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()
