"""Playwright fixtures driving Debian's chromium (``playwright install`` cannot download here).

Every page refuses requests to any host but the live server, and records them, so a test can
assert that a page works with no network access (Leaflet and CSS come from static/).

A test does what a person does and asserts what she sees: ``assert_usable`` (visible, a real
box, inside the screen's width), ``assert_no_horizontal_scroll`` at the device width (PHONE,
TABLET, LAPTOP), and ``assert_accessible`` runs axe-core (vendored from npm, injected from a
local file) for WCAG 2.1 A/AA.
"""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
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


# The three sizes a person uses: a phone, a tablet in portrait, a laptop.
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 820, "height": 1180}
LAPTOP = {"width": 1366, "height": 900}
SIZES = {"phone": PHONE, "tablet": TABLET, "laptop": LAPTOP}

# axe-core from npm (tests/browser/vendor/axe-core-*/, with its MPL-2.0 licence).
AXE_JS = Path(__file__).parent / "vendor" / "axe-core-4.11.0" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser: Any, live_server: Any, app: Any) -> Iterator[Callable[..., Any]]:
    """``new_page(**context_options)`` → a page whose external requests are blocked.

    The basemap's tiles are answered here, in the test's thread, by the app's test client:
    the map loads them in the background while the test goes on, and the live server shares
    the test's database connection, which two threads must not use at once (the server's lock
    keeps them one at a time).

    The page has ``.external_requests`` (URLs that were refused) and ``.console_errors``.
    """
    contexts = []

    def _tile_here(r: Any) -> None:
        path = r.request.url.removeprefix(live_server.url)
        with live_server.lock:  # never while the live server is answering a page's request
            answer = app.test_client().get(path)
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "content-length"}
        r.fulfill(status=answer.status_code, headers=headers, body=answer.data)

    def _new(**options: Any) -> Any:
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "it-IT")
        context = browser.new_context(**options)
        contexts.append(context)
        page = context.new_page()
        page.external_requests = []
        page.console_errors = []

        def route(r: Any) -> None:
            # (A service worker's own fetches go to the live server, behind the page's.)
            if (
                r.request.url.startswith(f"{live_server.url}/tiles/")
                and not r.request.service_worker
            ):
                _tile_here(r)
            elif r.request.url.startswith(live_server.url):
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


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its window (0: no horizontal scroll)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - document.documentElement.clientWidth"
    )


# The elements that stick out of the window, sideways (what makes the page scroll).
_TOO_WIDE_JS = """() => {
  const w = document.documentElement.clientWidth;
  const clipped = '.leaflet-container, .table-responsive, .overflow-auto';
  const name = (e) => e.tagName + (e.id ? '#' + e.id : '') + '.' + [...e.classList].join('.');
  return [...document.querySelectorAll('body *')]
    .filter((e) => { const r = e.getBoundingClientRect();
                     return r.width && (r.right > w + 1 || r.left < -1); })
    .filter((e) => !e.parentElement.closest(clipped))
    .slice(0, 5).map((e) => name(e) + ' ' + Math.round(e.getBoundingClientRect().right));
}"""

_AXE_RUN_JS = """(tags) => axe.run(document, {
    runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] })
  .then((r) => r.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map((n) =>
      n.target.join(' ') + ' :: ' + n.failureSummary.split('\\n').slice(1, 2).join('')),
  })))"""


def assert_no_horizontal_scroll(page: Any) -> None:
    overflow = horizontal_overflow(page)
    wider = page.evaluate(_TOO_WIDE_JS) if overflow > 0 else []
    assert overflow <= 0, f"{page.url}: {overflow} px of horizontal scroll; too wide: {wider}"


def assert_usable(locator: Any) -> None:
    """Visible, with a real box, and within the window's width (reachable without scrolling
    sideways), the way a person needs a field or a button."""
    from playwright.sync_api import expect

    expect(locator).to_be_visible()
    box = locator.bounding_box()
    assert box, f"{locator}: no box"
    assert box["width"] >= 1, f"{locator}: box {box}"
    assert box["height"] >= 1, f"{locator}: box {box}"
    width = locator.page.evaluate("document.documentElement.clientWidth")
    where = f"{locator}: box {box} outside the {width} px window"
    assert box["x"] >= -1, where
    assert box["x"] + box["width"] <= width + 1, where


@functools.cache
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8") + "\n;true"


def axe_violations(page: Any) -> list[dict]:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays on
        # and still refuses any inline script of the page's own.
        page.evaluate(_axe_source())
    settle(page)
    return page.evaluate(_AXE_RUN_JS, WCAG_A_AA)


def settle(page: Any) -> None:
    """Wait for the page's finite CSS transitions and animations (a popup fading in, a button
    changing colour after a tap) to end: colours are measured as a person sees them at rest."""
    page.evaluate(
        """() => Promise.all(document.getAnimations()
             .filter((a) => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
             .map((a) => a.finished.catch(() => null)))"""
    )


def visual_text(locator: Any) -> str:
    """The element's characters in the order a person reads them on screen, left to right
    (spaces and invisible marks left out): "+3902..." when a phone number is shown right,
    "0000...02 39+" when a right-to-left page has reversed it."""
    return locator.evaluate(
        """(root) => {
          const chars = [];
          const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
          for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.data.length; i++) {
              if (/[\\s\\u2066-\\u2069\\u200e\\u200f]/.test(node.data[i])) continue;
              const range = document.createRange();
              range.setStart(node, i);
              range.setEnd(node, i + 1);
              const box = range.getBoundingClientRect();
              chars.push([box.left + box.width / 2, node.data[i]]);
            }
          }
          return chars.sort((a, b) => a[0] - b[0]).map((c) => c[1]).join('');
        }"""
    )


def format_violations(url: str, violations: list[dict]) -> str:
    return f"{url}\n" + json.dumps(violations, indent=1, ensure_ascii=False)


def assert_accessible(page: Any) -> None:
    violations = axe_violations(page)
    assert not violations, format_violations(page.url, violations)
