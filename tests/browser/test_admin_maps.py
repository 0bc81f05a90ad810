"""The coordinator sees where a place is before she publishes it: a small map with its pin
and the neighbourhood around it, on the place's page and on the review page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import ReviewStatus, Role
from tests.browser.fixtures import browser_login
from tests.factories import PASSWORD, VIA_PADOVA

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("where", ["place", "review"])
def test_place_and_review_pages_show_the_place_on_a_map(new_page, make_user, make_place, where):
    coordinator = make_user(Role.COORDINATOR)
    status = ReviewStatus.TO_REVIEW if where == "review" else ReviewStatus.PUBLISHED
    place = make_place("Bar da controllare", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1], status=status)
    db.session.commit()
    page = new_page(viewport={"width": 1366, "height": 900})
    browser_login(page, coordinator.email, PASSWORD)
    url = f"/admin/places/{place.id}" if where == "place" else f"/admin/review/place/{place.id}"
    page.goto(url)
    mini = page.locator(".place-mini-map")
    expect(mini).to_be_visible()
    box = mini.bounding_box()
    assert box["width"] > 200
    assert box["height"] > 150
    pin = mini.locator(".leaflet-marker-icon")
    expect(pin).to_be_visible()
    expect(mini.locator(".leaflet-overlay-pane path").first).to_be_attached()
    assert page.external_requests == []
