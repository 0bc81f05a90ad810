"""On a phone, tapping a pin shows the place's details right there (not below the fold), and
pins of different kinds look different, with a legend that names them."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import OrgKind
from tests.factories import CITTA_STUDI, VIA_PADOVA

pytestmark = pytest.mark.browser


def test_a_tapped_pin_shows_the_details_where_the_finger_is(new_page, make_place):
    make_place(
        "Parrocchia Santa Prova",
        lon=VIA_PADOVA[0],
        lat=VIA_PADOVA[1],
        org_kind=OrgKind.PARISH,
        street="Via Padova",
        civic_number="21",
    )
    make_place("Bar Prova", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1], org_kind=OrgKind.EMPLOYER)
    db.session.commit()
    page = new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    pin = page.locator(".leaflet-marker-pane [data-place-id]").filter(has=page.locator("text=✝"))
    expect(pin).to_have_count(1)
    pin.tap()
    popup = page.locator(".leaflet-popup-content")
    expect(popup).to_be_visible()
    expect(popup).to_be_in_viewport()
    expect(popup).to_contain_text("Parrocchia Santa Prova")
    expect(popup).to_contain_text("Via Padova 21")
    expect(popup).to_contain_text("Parrocchia")
    legend = page.locator("#map-legend")
    expect(legend).to_be_visible()
    expect(legend.locator("[data-kind=parish]")).to_contain_text("Parrocchia")
    expect(legend.locator("[data-kind=employer]")).to_contain_text("Datore di lavoro")
    colours = legend.locator("svg path").evaluate_all("els => els.map(e => e.getAttribute('fill'))")
    assert len(set(colours)) == 2
