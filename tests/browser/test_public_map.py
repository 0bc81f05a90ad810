"""The public map in a real browser with no network access: markers, escaping, the list."""

import pytest

from scout.extensions import db
from scout.models import ReviewStatus
from tests.factories import CITTA_STUDI, VIA_PADOVA

HOSTILE = "<img src=x onerror=alert(1)>"
# folium puts popups in a JavaScript template literal: these would run there if unescaped.
LITERAL = "${alert(2)} \\` ${alert(3)}"

pytestmark = pytest.mark.browser


@pytest.fixture
def partners(make_place):
    places = [
        make_place("Associazione Uno", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1]),
        make_place(HOSTILE, lon=CITTA_STUDI[0], lat=CITTA_STUDI[1]),
        make_place(LITERAL, lon=9.2440, lat=45.5040),
    ]
    # Not shown: unpublished, not a partner, partner that did not agree to be public.
    make_place("Bozza", lon=9.2300, lat=45.4900, status=ReviewStatus.TO_REVIEW)
    make_place("Non partner", lon=9.2350, lat=45.4950, org_is_partner=False)
    make_place("Riservato", lon=9.2200, lat=45.5000, org_public_consent=False)
    db.session.commit()
    return places


def test_public_map_shows_partners_and_outlines_without_network(page, partners):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/")
    page.wait_for_selector(".leaflet-marker-icon")
    markers = page.locator(".leaflet-marker-pane .leaflet-marker-icon")
    assert markers.count() == 3
    # Municipio 2 and 3 outlines are drawn as vector paths.
    assert page.locator(".leaflet-overlay-pane path").count() >= 2
    # Everything but map tiles came from the app itself: Leaflet is vendored.
    assert all("tile.openstreetmap.org" in url for url in page.external_requests), (
        page.external_requests
    )
    assert page.evaluate("typeof L") == "object"
    assert not page.console_errors or all(
        "ERR_FAILED" in e or "tile" in e for e in page.console_errors
    )
    # The hostile names show as text in their popups and in the list; nothing runs.
    texts = []
    for i in range(markers.count()):
        markers.nth(i).click()
        page.wait_for_selector(".leaflet-popup-content")
        texts += page.locator(".leaflet-popup-content").all_inner_texts()
        # Close it, as a person would, before tapping the next pin (the last one is the open
        # popup; a closing one may still be fading out).
        page.locator(".leaflet-popup-close-button").last.click()
    assert any(HOSTILE in t for t in texts), texts
    assert any(LITERAL in t for t in texts), texts
    assert page.locator(".leaflet-popup-content img").count() == 0
    assert page.get_by_text(HOSTILE).count() >= 1
    assert not dialogs
