"""A tutor's journey from a person's record to a recorded follow-up, at phone and laptop size:
her record links to "Cerca per lei", she refers her to the offer that fits, "sent" is refused
next to the field without her sharing consent, then (consent recorded) sent and hired, the
placement form comes prefilled and saving says km zero, computed from her home; the follow-up
due shows on "what's new" and she records it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scout.extensions import db
from scout.models import Placement, Role, StillWorking
from scout.models.people import Consent, ConsentPurpose
from tests.browser.fixtures import SIZES, assert_no_horizontal_scroll, assert_usable, browser_login
from tests.factories import PASSWORD, milan_today
from tests.people.outcome_helpers import (
    HOME,
    grid_point,
    make_hub,
    make_person,
    make_school,
    weekdays,
)

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_from_her_matches_to_a_km_zero_placement_and_its_follow_up(
    new_page, make_user, make_place, make_offer, size
):
    hub = make_hub("Sede Padova (percorso)")
    tutor = make_user(Role.TUTOR, organisation_id=hub.id)
    person = make_person(hub, tutor=tutor, school=make_school())
    p = grid_point(3, 1)
    place = make_place(
        name="Pulizie Vicine", lon=p.lon, lat=p.lat, street="Via Test", civic_number="3"
    )
    offer = make_offer(
        place, "Pulizie mattina", sector="pulizie", schedule=weekdays("09:00", "13:00")
    )
    db.session.commit()
    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    browser_login(page, tutor.email, PASSWORD)

    page.goto(f"/people/{person.code}")
    link = page.locator("#person-matches-link")
    assert_usable(link)
    link.click()
    match = page.locator(f'li.match[data-key="offer-{offer.id}"]')
    expect(match).to_contain_text("Pulizie mattina")
    expect(match.locator(".badge.fit-fits")).to_have_text("Compatibile con l'orario scolastico")
    expect(match.locator(".walk-minutes")).to_contain_text("min a piedi")
    assert str(HOME.lon) not in page.content()
    assert_no_horizontal_scroll(page)
    refer = match.get_by_role("button", name="Candidala")
    assert_usable(refer)
    refer.click()

    referral = page.locator("li.referral").first
    expect(referral.locator(".referral-status")).to_have_text("Proposta")
    step = referral.get_by_label("Passo successivo")
    assert_usable(step)
    step.select_option(label="Inviata al datore di lavoro")
    referral.get_by_role("button", name="Salva il passo").click()
    refused = page.locator("li.referral").first.locator(".invalid-feedback")
    expect(refused).to_contain_text("Non ha acconsentito a condividere il suo profilo")
    assert_no_horizontal_scroll(page)

    db.session.add(
        Consent(
            person_id=person.id,
            purpose=ConsentPurpose.EMPLOYER_SHARING,
            given_on=milan_today() - timedelta(days=40),
        )
    )
    db.session.commit()
    page.goto(f"/people/{person.code}/outcomes")
    for label in ("Inviata al datore di lavoro", "Assunta"):
        referral = page.locator("li.referral").first
        referral.get_by_label("Passo successivo").select_option(label=label)
        referral.get_by_role("button", name="Salva il passo").click()

    expect(page.get_by_label("Datore di lavoro")).to_have_value("Pulizie Vicine")
    start = page.locator("#starts_on")
    assert_usable(start)
    start.fill((milan_today() - timedelta(days=31)).isoformat())
    page.get_by_role("button", name="Salva l'inserimento").click()
    expect(page.locator(".alert-success")).to_contain_text("km zero")
    expect(page.locator("li.placement .km-zero")).to_have_attribute("data-km-zero", "yes")
    assert_no_horizontal_scroll(page)

    page.goto("/people/whats-new")
    due = page.locator("li.follow-up-due")
    expect(due).to_contain_text(person.code)
    answer = due.get_by_label("Lavora ancora lì?")
    assert_usable(answer)
    answer.select_option(label="Sì")
    due.get_by_role("button", name="Salva la risposta").click()
    expect(page.locator("#no-due")).to_be_visible()
    assert_no_horizontal_scroll(page)

    db.session.expire_all()
    placement = db.session.scalars(select(Placement).where(Placement.person_id == person.id)).one()
    assert placement.km_zero is True
    assert placement.follow_ups[0].still_working == StillWorking.YES
