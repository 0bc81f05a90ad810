"""The maps' own basemap in the browser: no page of any audience asks another server for
anything, and the public, scout and coordinator maps draw the app's tiles (main roads before a
network is imported, the streets after) at phone and laptop sizes."""

from __future__ import annotations

import pytest

from scout.extensions import db
from scout.paths import ROOT
from scout.walking.osm_import import import_osm
from tests.browser.fixtures import LAPTOP, PHONE
from tests.browser.site import AUDIENCES, login, seed_site, visit

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"

# Pixels of the drawn tiles that are not the background: the canvas holds streets.
DRAWN = """(sel) => {
  let drawn = 0;
  for (const c of document.querySelectorAll(`${sel} .leaflet-tile-container canvas`)) {
    if (!c.width || !c.height) continue;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 64) {
      const off = Math.abs(data[i] - 0xec) + Math.abs(data[i + 1] - 0xea);
      if (off + Math.abs(data[i + 2] - 0xe4) > 30) drawn++;
    }
  }
  return drawn;
}"""


@pytest.mark.parametrize("audience", AUDIENCES, ids=lambda a: a.name)
def test_no_page_asks_another_server_for_anything(new_page, app, audience):
    ids = seed_site(db.session)
    db.session.commit()
    # The scout pages' service worker asks only the app's own host (sw.js ignores any other
    # origin); blocked here, as the tiles it forwards would hang the pages behind it.
    page = new_page(viewport=LAPTOP, service_workers="block")
    if audience.role is not None:
        login(page, audience.role)
    asked = {}
    for target in audience.pages:
        visit(page, target, ids)
        page.wait_for_timeout(300)  # late requests: tiles, the map's data
        if page.external_requests:
            asked[target.name] = list(page.external_requests)
            page.external_requests.clear()
    assert asked == {}


def _tiles_drawn(page, selector: str) -> None:
    page.wait_for_function(f"() => ({DRAWN})('{selector}') > 200", timeout=15_000)


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_public_map_shows_the_main_roads_before_a_network_and_says_so(new_page, size):
    page = new_page(viewport=size, has_touch=size is PHONE)
    page.goto("/")
    page.wait_for_selector("#map[data-basemap=main-roads]")
    _tiles_drawn(page, "#map")
    note = page.locator("#map .basemap-note")
    assert "strade principali" in note.inner_text()
    assert note.is_visible()
    assert page.external_requests == []


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_with_a_network_the_maps_draw_its_streets(new_page, app, size, monkeypatch):
    monkeypatch.setitem(app.config, "SERVICE_MUNICIPI", [1, 2, 3])
    import_osm(db.session, SAMPLE)
    db.session.commit()
    page = new_page(viewport=size, has_touch=size is PHONE)
    page.goto("/")
    page.wait_for_selector("#map[data-basemap=streets]")
    assert page.locator("#map .basemap-note").count() == 0
    # Zoomed on the sample's streets (Via della Guastalla), as a visitor zooms in.
    page.evaluate("() => document.querySelector('#map').scoutMap.setView([45.4605, 9.2005], 17)")
    _tiles_drawn(page, "#map")
    assert page.external_requests == []
