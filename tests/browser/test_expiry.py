"""An offer past its expiry date leaves every surface at once, with nobody closing it: the
tutors' search, the bulletin's draft and preview, and (where offers never appear) the public
map and its GeoJSON. Time passes through the app's one clock (:mod:`scout.clock`); nothing
in the store changes."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from scout import clock
from scout.extensions import db
from scout.models import Offer, OfferStatus, OrgKind, Role
from tests.browser.fixtures import LAPTOP, PHONE, assert_no_horizontal_scroll, browser_login
from tests.factories import PASSWORD, VIA_PADOVA

pytestmark = pytest.mark.browser
TITLE = "Aiuto cuoca fino a oggi"


def tutor_search(page) -> list[str]:
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    page.click("label[for=origin-mode-hub]")
    page.select_option("#hub-select", label="Hub Scadenze")
    page.wait_for_selector("#origin-status[data-ready=true]")
    page.click("#search-submit")
    page.wait_for_selector("#search-form:not([aria-busy])")
    page.wait_for_selector("#result-count[data-count]")
    return page.locator("#results .result-title").all_inner_texts()


def bulletin_draft(page) -> tuple[bool, str]:
    """(the draft lists it as eligible, the preview's text)."""
    page.goto("/admin/bulletins")
    page.fill("#week", clock.today().isoformat())
    page.click("#new-bulletin")
    page.wait_for_selector("#compose-form")
    item = page.locator(f'li.compose-item[data-title="{TITLE}"]')
    eligible = item.count() == 1 and item.locator(".not-eligible").count() == 0
    page.click("#preview-link")
    page.wait_for_selector("article.bulletin")
    return eligible, page.locator("article.bulletin").inner_text()


def public_map(page, place_id: int) -> str:
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    assert_no_horizontal_scroll(page)
    data = page.request.get("/data/places.geojson")
    assert place_id in {f["id"] for f in data.json()["features"]}  # the place is public
    return page.locator("body").inner_text() + data.text()


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_an_expired_offer_leaves_every_surface_when_its_day_ends(
    new_page, monkeypatch, make_user, make_place, make_offer, size
):
    today = clock.today()
    make_place("Hub Scadenze", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1], org_kind=OrgKind.HUB)
    kitchen = make_place(
        "Trattoria Scadenze", lon=VIA_PADOVA[0] + 0.001, lat=VIA_PADOVA[1], org_public_consent=True
    )
    offer = make_offer(kitchen, TITLE, expires_on=today)  # open until the end of today
    tutor = make_user(Role.TUTOR)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()

    desk = new_page(viewport=size)
    browser_login(desk, tutor.email, PASSWORD)
    office = new_page(viewport=size)
    browser_login(office, coordinator.email, PASSWORD)
    public = new_page(viewport=size)

    assert TITLE in tutor_search(desk)
    eligible, preview = bulletin_draft(office)
    assert eligible
    assert TITLE in preview
    assert TITLE not in public_map(public, kitchen.id)  # offers are never public

    # Midnight passes in Milan. Nobody runs a command or edits the offer.
    tomorrow = clock.now() + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    assert clock.today() == today + timedelta(days=1)

    assert TITLE not in tutor_search(desk)
    eligible, preview = bulletin_draft(office)
    assert not eligible
    expect(office.locator("article.bulletin")).not_to_contain_text(TITLE)
    assert TITLE not in preview
    office.go_back()
    item = office.locator(f'li.compose-item[data-title="{TITLE}"]')
    expect(item.locator(".not-eligible")).to_be_visible()  # the draft says why it is left out
    assert TITLE not in public_map(public, kitchen.id)
    db.session.refresh(offer)
    assert offer.offer_status == OfferStatus.OPEN  # closed by the date alone
    assert db.session.get(Offer, offer.id).expires_on == today
    for page in (desk, office, public):
        assert page.external_requests == []
