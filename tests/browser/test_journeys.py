"""Journeys walked the way a person walks them, at phone, tablet and laptop sizes: what she
needs is visible and in reach, nothing scrolls sideways, she clicks and types into what she
sees (issue 12)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scout.extensions import db
from scout.models import Offer, Resource, Role
from tests.browser.fixtures import SIZES, assert_no_horizontal_scroll, assert_usable, browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def type_time(page, name: str, hhmm: str) -> None:
    """Enter a time in a field a person sees and can reach (chromium's time field follows the
    machine's locale, 12 or 24 hours, so the value is set as the field's own fill would)."""
    field = page.locator(f'[name="{name}"]')
    field.scroll_into_view_if_needed()
    assert_usable(field)
    field.click()
    field.fill(hhmm)
    expect(field).to_have_value(hhmm)


@pytest.mark.parametrize(
    ("form", "size"),
    [("offer", "phone"), ("offer", "tablet"), ("offer", "laptop"), ("resource", "phone")],
)
def test_weekly_hours_can_be_seen_and_entered(new_page, make_user, make_place, size, form):
    """Blocker 1: the schedule grid was 0 px wide behind a hidden input; offers had no hours."""
    scout = make_user(Role.SCOUT)
    place = make_place("Forno Orari")
    db.session.commit()
    page = new_page(viewport=SIZES[size], has_touch=size != "laptop")
    browser_login(page, scout.email, PASSWORD)
    page.goto(f"/scout/places/{place.id}/{form}s/new")

    grid = page.locator(".schedule-grid")
    assert_usable(grid.locator("tr[data-day='0'] th"))
    assert_no_horizontal_scroll(page)
    page.locator("#title").click()
    page.keyboard.type("Aiuto banco")
    if form == "resource":
        page.locator("#kind").select_option(index=1)
    type_time(page, "schedule-0-0-start", "09:00")
    type_time(page, "schedule-0-0-end", "13:00")
    copy = page.get_by_role("button", name="Orari del lunedì anche da martedì a venerdì")
    assert_usable(copy)
    copy.click()
    expect(page.locator('[name="schedule-4-0-end"]')).to_have_value("13:00")
    save = page.locator("[data-save]")
    save.scroll_into_view_if_needed()
    assert_usable(save)
    save.click()
    page.wait_for_url(f"**/scout/places/{place.id}")

    model = Offer if form == "offer" else Resource
    db.session.expire_all()
    record = db.session.scalar(select(model).where(model.place_id == place.id))
    assert [(w["day"], w["start"], w["end"]) for w in record.schedule] == [
        (day, "09:00", "13:00") for day in range(5)
    ]
