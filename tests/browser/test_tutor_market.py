"""Open-market offers in the tutor's search, in chromium (issue 17): with the box ticked they
are listed after every walkable result, marked outside walking range with the straight-line
distance; without it they are not shown."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.geo import LonLat, haversine_m
from scout.models import MarketOffer, OrgKind
from tests.browser.fixtures import browser_login
from tests.browser.test_tutor import journey_data  # noqa: F401 (fixture)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

HUB = LonLat(9.2205, 45.4890)
SESTO = LonLat(9.2333, 45.5333)


def test_tutor_sees_open_market_offers_after_the_walkable_ones(
    new_page,
    journey_data,  # noqa: F811
    make_place,
):
    make_place(name="Hub Padova di prova", lon=HUB.lon, lat=HUB.lat, org_kind=OrgKind.HUB)
    for title, where in (("Commessa a Sesto", SESTO), ("Badante in tutta Milano", None)):
        db.session.add(
            MarketOffer(
                title=title,
                source="InformaLavoro",
                link="https://example.org/offerta",
                location=where.wkt if where else None,
            )
        )
    db.session.commit()
    page = new_page(viewport={"width": 1366, "height": 900})
    browser_login(page, journey_data["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    page.click("label[for=origin-mode-hub]")
    page.select_option("#hub-select", label="Hub Padova di prova")
    page.wait_for_selector("#origin-status[data-ready=true]")

    page.click("#search-submit")
    page.wait_for_selector("#result-count:not([data-count='0'])")
    expect(page.locator("#market-block")).to_be_hidden()

    page.locator("label[for=include-market]").click()
    page.click("#search-submit")
    items = page.locator("#market-results li")
    expect(items).to_have_count(2)
    expect(items.nth(0)).to_contain_text("Commessa a Sesto")
    km = f"{haversine_m(HUB, SESTO) / 1000:.1f}"
    expect(items.nth(0)).to_contain_text(f"Fuori dalla distanza a piedi: {km} km in linea d'aria")
    expect(items.nth(1)).to_contain_text("Fuori dalla distanza a piedi: nessun luogo fisso")
    expect(page.locator("#results li").first).to_be_visible()  # the walkable ones stay first
    below = page.evaluate(
        "document.querySelector('#results').compareDocumentPosition("
        "document.querySelector('#market-results')) & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    assert below
    items.nth(0).scroll_into_view_if_needed()
    expect(items.nth(0)).to_be_visible()
    assert page.external_requests == []
