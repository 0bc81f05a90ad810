"""One header for the whole public site, short on a phone: the name, the bulletin, a menu for
the rest, and the languages always in reach."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("path", ["/", "/data", "/embed/code", "/bollettino/"])
def test_the_phone_header_is_short_and_its_menu_opens(new_page, path):
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(path)
    header = page.locator("header.public-header")
    expect(header).to_be_visible()
    assert header.bounding_box()["height"] <= 844 / 8  # was a fifth of the screen
    expect(page.locator("#lang-switch a[data-lang=ar]")).to_be_in_viewport()
    expect(page.locator("#header-bulletin")).to_be_visible()
    open_data = page.get_by_role("link", name="Dati aperti", exact=True)
    expect(open_data).to_be_hidden()
    page.locator("#public-menu-button").tap()
    expect(open_data).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_on_a_laptop_the_header_is_one_line(new_page):
    page = new_page(viewport={"width": 1366, "height": 900})
    page.goto("/")
    header = page.locator("header.public-header")
    assert header.bounding_box()["height"] <= 64
    expect(page.get_by_role("link", name="Dati aperti", exact=True)).to_be_visible()
    expect(page.locator("#lang-switch")).to_be_visible()
