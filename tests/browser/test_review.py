"""The coordinator's review page in chromium: it says whether the place will be on the public
map and why not, the partner / consent / contacts boxes are set right there, and "Approva e
pubblica" says in plain words what the public now sees (the public map's list agrees)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import ReviewStatus, Role
from tests.browser.fixtures import browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def waiting_place(make_place, make_user):
    """A place a scout saved, of an organisation that is not (yet) a partner."""
    scout = make_user(Role.SCOUT)
    place = make_place(
        "Lavanderia Gorla",
        status=ReviewStatus.TO_REVIEW,
        created_by_id=scout.id,
        opening_hours="Lun-Sab 8-19",
        org_is_partner=False,
        org_public_consent=False,
    )
    db.session.commit()
    return place


def test_review_page_sets_partner_and_consent_and_says_the_place_is_public(
    page, make_user, waiting_place
):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    page.goto("/")
    expect(page.locator("#place-list")).to_be_attached()
    expect(page.locator("#place-list .place-name", has_text="Lavanderia Gorla")).to_have_count(0)

    browser_login(page, coordinator.email, PASSWORD)
    page.goto(f"/admin/review/place/{waiting_place.id}")
    verdict = page.locator("#publicity-verdict")
    expect(verdict).to_be_visible()
    expect(verdict).to_contain_text("non sarà sulla mappa pubblica")
    expect(verdict).to_contain_text("non è un partner della rete")
    expect(verdict).to_contain_text("non ha acconsentito a comparire sulla mappa pubblica")

    partner = page.get_by_label("Partner della rete")
    consent = page.get_by_label("Ha accettato di comparire sulla mappa pubblica")
    contacts = page.get_by_label("Ha accettato di pubblicare i propri contatti")
    for box in (partner, consent, contacts):
        expect(box).to_be_visible()
        expect(box).not_to_be_checked()
    partner.check()
    consent.check()
    page.get_by_role("button", name="Approva e pubblica").click()

    message = page.get_by_text("Pubblicato: «Lavanderia Gorla» è sulla mappa pubblica.")
    expect(message).to_be_visible()
    expect(page.locator(f'[data-review-kind="place"][data-id="{waiting_place.id}"]')).to_have_count(
        0
    )

    page.goto("/")
    expect(page.locator("#place-list .place-name", has_text="Lavanderia Gorla")).to_be_visible()


def test_publishing_without_consent_says_the_place_stays_off_the_public_map(
    page, make_user, waiting_place
):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    browser_login(page, coordinator.email, PASSWORD)
    page.goto(f"/admin/review/place/{waiting_place.id}")
    page.get_by_label("Partner della rete").check()
    page.get_by_role("button", name="Approva e pubblica").click()
    message = page.get_by_text("Pubblicato solo per tutor e scout")
    expect(message).to_be_visible()
    expect(message).to_contain_text("non ha acconsentito a comparire sulla mappa pubblica")
    expect(message).not_to_contain_text("non è un partner")
    page.goto("/")
    expect(page.locator("#place-list")).to_be_attached()
    expect(page.locator("#place-list .place-name", has_text="Lavanderia Gorla")).to_have_count(0)
