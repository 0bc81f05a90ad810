"""Walking directions in chromium at phone and laptop size: the tutor reads the route street by
street under the place she picked, and the public map's "Come arrivare" shows them from the
point the visitor chose (no other site)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.walking.osm_import import import_osm
from tests.browser.fixtures import assert_no_horizontal_scroll, assert_usable, browser_login
from tests.factories import PASSWORD, add_addresses
from tests.walking.test_directions import END, START, l_osm

pytestmark = pytest.mark.browser


def said(words: str) -> re.Pattern:
    """The words as shown: street names and distances come inside Unicode isolates."""
    return re.compile("[\\s\u2066-\u2069]*".join(re.escape(w) for w in words.split()))


SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}


@pytest.fixture
def network(app, tmp_path, make_place, make_offer, make_user):
    import_osm(db.session, l_osm(tmp_path / "l.osm"))
    add_addresses([("Via Padova", "1", START.lon, START.lat)])
    place = make_place("Centro Arrivo", lon=END.lon, lat=END.lat, street="Via Arrivo")
    make_offer(place, "Aiuto cucina")
    user = make_user("tutor")
    db.session.commit()
    return {"place": place, "user": user}


@pytest.mark.parametrize("size", SIZES)
def test_tutor_reads_the_route_street_by_street(new_page, network, size):
    page = new_page(viewport=SIZES[size])
    browser_login(page, network["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    page.fill("#address-input", "Via Padova 1")
    page.click("#address-find")
    page.wait_for_selector("#origin-status[data-ready=true]")
    page.click("#search-submit")
    page.wait_for_selector("#result-count:not([data-count='0'])")
    result = page.locator(f"#result-{network['place'].id}")
    button = result.get_by_role("button", name="Mostra il percorso")
    button.scroll_into_view_if_needed()
    assert_usable(button)
    button.click()
    legs = result.locator(".directions-legs > li")
    expect(legs).to_have_count(5)
    expect(legs.nth(0)).to_contain_text(said("Percorri Via Padova"))
    expect(legs.nth(1)).to_contain_text(said("Gira a sinistra in Via Arquà"))
    expect(legs.nth(2)).to_contain_text(said("Attraversa Viale Monza"))
    expect(legs.nth(3)).to_contain_text(said("Prendi le scale"))
    expect(legs.nth(0)).to_contain_text(re.compile(r"\d+ m \(\d+ min\)"))
    legs.nth(4).scroll_into_view_if_needed()
    expect(legs.nth(4)).to_be_visible()
    expect(result.locator(".directions-title")).to_have_text("A piedi, strada per strada")
    assert_no_horizontal_scroll(page)
    page.screenshot(path=f"instance/directions-tutor-{size}.png", full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_public_come_arrivare_shows_the_directions_from_the_chosen_point(new_page, network, size):
    page = new_page(
        viewport=SIZES[size],
        has_touch=size == "phone",
        geolocation={"latitude": START.lat, "longitude": START.lon, "accuracy": 10},
        permissions=["geolocation"],
    )
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    card = page.locator(f"#place-list li[data-place-id='{network['place'].id}']")
    go = card.get_by_role("button", name="Come arrivare")
    go.scroll_into_view_if_needed()
    assert_usable(go)
    # Before a starting point: she is told to choose one.
    go.click()
    expect(card.locator(".directions-note")).to_contain_text("Prima scegli da dove parti")
    locate = page.get_by_role("button", name="Usa la mia posizione")
    locate.scroll_into_view_if_needed()
    locate.click()
    expect(page.locator("#walk-legend")).to_be_visible()
    # On the imported network: no "estimate" note (it showed whatever the answer said).
    expect(page.locator("#walk-estimate")).to_be_hidden()
    card = page.locator(f"#place-list li[data-place-id='{network['place'].id}']")
    go = card.get_by_role("button", name="Come arrivare")
    go.scroll_into_view_if_needed()
    go.click()
    legs = card.locator(".directions-legs > li")
    expect(legs).to_have_count(5)
    expect(legs.nth(1)).to_contain_text(said("Gira a sinistra in Via Arquà"))
    expect(legs.nth(3)).to_contain_text(said("Prendi le scale"))
    expect(card.locator(".directions-title")).to_contain_text("A piedi dal punto scelto")
    legs.nth(4).scroll_into_view_if_needed()
    expect(legs.nth(4)).to_be_visible()
    expect(page.locator("path.walk-route")).to_have_count(1)
    # With a stroller: round the steps.
    with page.expect_response(lambda r: r.url.endswith("/walk")):
        page.select_option("#walk-profile", "stroller")
    expect(page.locator("#walk-legend")).to_be_visible()
    expect(page.locator("#walk-status")).not_to_have_text("Caricamento…")
    card = page.locator(f"#place-list li[data-place-id='{network['place'].id}']")
    card.get_by_role("button", name="Come arrivare").click()
    expect(card.locator(".directions-note")).to_have_text("Con il passeggino: senza scale.")
    expect(card.locator(".directions-legs")).not_to_contain_text("scale")
    assert_no_horizontal_scroll(page)
    # The directions come from the app itself (map tiles are the basemap's business).
    own = page.url.split("/")[2]
    assert any(url.split("/")[2] == own and url.endswith("/walk/route") for url in requests)
    assert not any("google" in url for url in requests)
    page.screenshot(path=f"instance/directions-public-{size}.png", full_page=True)
