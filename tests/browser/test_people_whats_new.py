"""A tutor logs in and lands on what is new for her people since her last visit: an offer
published since then that fits her person (walking minutes from the person's home, the fit),
and the follow-ups due. A tutor of another hub logs in and sees nothing of it. Phone and
laptop size, clicking through the login form as a person does."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import ReviewStatus, Role, utcnow
from scout.people import matching
from tests.browser.fixtures import (
    SIZES,
    assert_no_horizontal_scroll,
    assert_usable,
    axe_violations,
)
from tests.factories import PASSWORD
from tests.people.outcome_helpers import HOME, grid_point, make_hub, make_person, weekdays

pytestmark = pytest.mark.browser


def _log_in(page, email: str) -> None:
    """The login form, as a person fills it: tap each field, type, tap the button."""
    page.goto("/login")
    for label, text in (("E-mail", email), ("Password", PASSWORD)):
        field = page.get_by_label(label, exact=True)
        assert_usable(field)
        field.click()
        page.keyboard.type(text)
    button = page.get_by_role("button", name="Accedi")
    assert_usable(button)
    button.click()
    page.wait_for_load_state()


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_a_tutor_lands_on_the_new_offer_that_fits_her_person_and_another_hub_does_not(
    new_page, make_user, make_place, make_offer, size
):
    hub, other_hub = make_hub("Sede Padova (novità)"), make_hub("Sede Lambrate (novità)")
    tutor = make_user(Role.TUTOR, organisation_id=hub.id)
    other = make_user(Role.TUTOR, organisation_id=other_hub.id)
    person = make_person(hub, tutor=tutor)
    make_person(other_hub, tutor=other, home=grid_point(21, 15))  # far from the offer
    for user in (tutor, other):  # their last visit: yesterday
        matching.mark_seen(db.session, user.id, at=utcnow() - timedelta(days=1))
    p = grid_point(3, 1)
    place = make_place(name="Pulizie Nuove Srl", lon=p.lon, lat=p.lat)
    offer = make_offer(
        place,
        "Pulizie del mattino",
        sector="pulizie",
        status=ReviewStatus.TO_REVIEW,
        schedule=weekdays("09:00", "13:00"),
    )
    offer.status = ReviewStatus.PUBLISHED  # what the coordinator's review does on publishing
    assert matching.note_published(db.session, [offer]) == 1
    db.session.commit()

    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    _log_in(page, tutor.email)
    expect(page).to_have_url(re.compile(r"/people/whats-new$"))
    expect(page.locator("h1")).to_have_text("Novità per le tue persone")
    expect(page.get_by_text("Dalla tua ultima visita")).to_be_visible()
    news = page.locator("li.new-match")
    expect(news).to_have_count(1)
    expect(news).to_contain_text(person.code)
    expect(news).to_contain_text("Pulizie del mattino")
    expect(news).to_contain_text("min a piedi")
    assert str(HOME.lon) not in page.content()  # her home is nowhere in the page
    link = news.get_by_role("link", name=person.code)
    assert_usable(link)
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    link.click()  # to her search, where the offer is
    expect(page.locator(f'li.match[data-key="offer-{offer.id}"]')).to_be_visible()

    elsewhere = new_page(viewport=SIZES[size], has_touch=size == "phone")
    _log_in(elsewhere, other.email)
    expect(elsewhere).to_have_url(re.compile(r"/people/whats-new$"))
    expect(elsewhere.locator("#no-new")).to_be_visible()
    assert "Pulizie del mattino" not in elsewhere.content()
    assert person.code not in elsewhere.content()
    assert_no_horizontal_scroll(elsewhere)
