"""A tutor creates a person's record with her in the room, at phone and laptop size: she types
the address with a typo, sees the candidates (none chosen for her), picks the right one, saves,
sees the record under its code only, and adds a child's school."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select, text

from scout.extensions import db
from scout.models import Person, Role, School
from scout.people import records
from tests.browser.fixtures import (
    SIZES,
    assert_no_horizontal_scroll,
    assert_usable,
    axe_violations,
    browser_login,
)
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


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_tutor_taps_her_home_on_the_map_and_it_is_stored_encrypted_only(
    new_page, make_user, make_org, size
):
    hub = make_org(name="Hub Padova (mappa)", kind="hub")
    tutor = make_user(Role.TUTOR, organisation_id=hub.id)
    db.session.commit()
    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/people/new")
    home_map = page.locator('#home-map[data-ready="1"]')
    home_map.scroll_into_view_if_needed()
    assert_usable(home_map)
    box = home_map.bounding_box()
    spot = {"x": box["width"] * 0.6, "y": box["height"] * 0.4}
    if size == "phone":
        home_map.tap(position=spot)
    else:
        home_map.click(position=spot)
    expect(page.locator("#home-map-status")).to_contain_text("Punto impostato")
    lon_field, lat_field = page.locator("#home_lon"), page.locator("#home_lat")
    expect(lon_field).to_be_visible()  # the point is in the two fields, for her to check
    lon, lat = float(lon_field.input_value()), float(lat_field.input_value())
    assert 9.0 < lon < 9.4
    assert 45.3 < lat < 45.6
    assert_no_horizontal_scroll(page)
    assert axe_violations(page) == []
    # Nothing of the point went anywhere yet: no request carried it.
    sent = []
    page.on("request", lambda r: sent.append((r.url, r.post_data or "")))
    page.get_by_role("button", name="Salva", exact=True).click()

    heading = page.locator("h1#person-code")
    expect(heading).to_have_text(re.compile(r"^P-\d{4}-\d{4}$"))
    summary = page.locator("#home-summary")
    expect(summary).to_contain_text("Registrato, cifrato")
    expect(summary).to_contain_text("Municipio")
    expect(page.locator("#home-nil")).to_contain_text("NIL")
    digits = (f"{lon:.5f}", f"{lat:.5f}")
    assert not [d for d in digits if d in page.content()]
    posts = [(url, body) for url, body in sent if any(d in body for d in digits)]
    assert [url for url, _body in posts] == [page.url.replace(heading.inner_text(), "new")]
    assert not [url for url, _body in sent if any(d in url for d in digits)]  # never in a URL
    assert_no_horizontal_scroll(page)

    db.session.expire_all()
    person = db.session.scalars(select(Person).where(Person.code == heading.inner_text())).one()
    home = records.home_of(person)
    assert (round(home.lon, 7), round(home.lat, 7)) == (lon, lat)
    assert person.nil_id is not None
    # PostgreSQL holds the token only: no column of her row, no audit event, has the point.
    for table in ("person", "audit_event"):
        rows = db.session.execute(
            text(f"SELECT row_to_json(t)::text FROM {table} t")  # noqa: S608 (fixed names)
        ).scalars()
        held = "\n".join(rows)
        assert not [d for d in digits if d in held], table
