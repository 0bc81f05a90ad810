"""Counts read as a person says them, in each language: "1 luogo", "3 luoghi", Arabic's own
forms for one, two and few; buttons say what they do ("Apri", not the offer status "Aperta")."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from tests.factories import CITTA_STUDI, VIA_PADOVA

pytestmark = pytest.mark.browser


def _count_line(page) -> str:
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    line = page.locator("#place-count")
    expect(line).to_be_visible()
    return line.inner_text().strip()


@pytest.mark.parametrize(
    ("locale", "places", "expected"),
    [
        ("it-IT", 1, "1 luogo"),
        ("it-IT", 2, "2 luoghi"),
        ("ar", 1, "مكان واحد"),
        ("ar", 2, "مكانان"),
        ("ar", 3, "أماكن"),
    ],
)
def test_public_list_counts_places_in_the_page_language(
    new_page, make_place, locale, places, expected
):
    points = [VIA_PADOVA, CITTA_STUDI, (9.2440, 45.5040)]
    for i in range(places):
        make_place(f"Partner {i}", lon=points[i][0], lat=points[i][1])
    db.session.commit()
    page = new_page(viewport={"width": 1366, "height": 900}, locale=locale)
    if locale == "ar":
        page.goto("/lang/ar")
    assert expected in _count_line(page)
