"""A tutor creates a person's record with her in the room, at phone and laptop size: she types
the address with a typo, sees the candidates (none chosen for her), picks the right one, saves,
sees the record under its code only, and adds a child's school."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scout.extensions import db
from scout.models import Person, Role, School
from scout.people import records
from tests.browser.fixtures import SIZES, assert_no_horizontal_scroll, assert_usable, browser_login
from tests.browser.test_journeys import type_time
from tests.factories import PASSWORD, add_addresses

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_tutor_creates_her_record_with_a_typod_address_and_a_childs_school(
    new_page, make_user, make_org, size
):
    hub = make_org(name="Hub Padova (journey)", kind="hub")
    tutor = make_user(Role.TUTOR, organisation_id=hub.id)
    add_addresses([("Via Padova", "34", 9.2204, 45.4884), ("Via Padova", "30", 9.2200, 45.4880)])
    school = db.session.scalars(select(School).order_by(School.name).limit(1)).one()
    db.session.commit()
    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/people/")
    page.get_by_role("link", name="Nuova scheda").click()

    box = page.get_by_label("Indirizzo di casa")
    assert_usable(box)
    box.click()
    page.keyboard.type("via padva 34")
    page.get_by_role("button", name="Salva", exact=True).click()
    candidates = page.locator("#home-candidates")
    expect(candidates).to_be_visible()
    expect(candidates).to_contain_text("Via Padova 34")
    expect(candidates.locator("input:checked")).to_have_count(0)
    assert_no_horizontal_scroll(page)
    choice = candidates.get_by_label(re.compile("Via Padova 34"))
    choice.scroll_into_view_if_needed()
    assert_usable(choice)
    choice.check()
    page.get_by_role("button", name="Salva", exact=True).click()

    heading = page.locator("h1#person-code")
    expect(heading).to_have_text(re.compile(r"^P-\d{4}-\d{4}$"))
    code = heading.inner_text()
    assert code in page.title()
    expect(page.locator("#home-summary")).to_contain_text("Municipio 2")
    assert "Padova 34" not in page.content()
    assert_no_horizontal_scroll(page)

    select_school = page.get_by_label("Scuola")
    select_school.scroll_into_view_if_needed()
    assert_usable(select_school)
    select_school.select_option(label=school.name)
    monday = page.locator("#child-form").get_by_label("Lunedì")
    assert_usable(monday)
    monday.check()
    type_time(page, "drop_off", "08:15")
    type_time(page, "pick_up", "16:15")
    page.get_by_role("button", name="Aggiungi la scuola").click()
    expect(page.locator("#children-list")).to_contain_text(school.name)
    expect(page.locator("#children-list")).to_contain_text("08:15")

    db.session.expire_all()
    person = db.session.scalars(select(Person).where(Person.code == code)).one()
    assert records.home_of(person).address == "Via Padova 34"
    assert [c.school_id for c in person.children] == [school.id]
