"""The maps' own basemap in the browser: no page of any audience asks another server for
anything; the public, tutor, scout and coordinator maps draw the app's tiles (main roads before
a network is imported, the streets with their names after) at phone and laptop sizes; a scout's
tablet that kept the basemap still draws the streets with no connection."""

from __future__ import annotations

import time

import pytest

from scout.extensions import db
from scout.models import Role
from scout.paths import ROOT
from scout.walking.osm_import import import_osm
from tests.browser.fixtures import LAPTOP, PHONE, browser_login
from tests.browser.site import AUDIENCES, login, seed_site, visit
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"
GUASTALLA = (9.2005, 45.4605)  # the sample's streets: Via della Guastalla, Via San Barnaba
SAMPLE_NAMES = {"Via della Guastalla", "Via San Barnaba", "Via Francesco Sforza"}

# Painted pixels of the tiles that are not the background: the canvas holds streets.
DRAWN = """(sel) => {
  let drawn = 0;
  for (const c of document.querySelectorAll(`${sel} .leaflet-tile-container canvas`)) {
    if (!c.width || !c.height) continue;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 64) {
      if (data[i + 3] < 255) continue;  // not painted (a canvas waiting for its tile)
      const off = Math.abs(data[i] - 0xec) + Math.abs(data[i + 1] - 0xea);
      if (off + Math.abs(data[i + 2] - 0xe4) > 30) drawn++;
    }
  }
  return drawn;
}"""


# The street names the renderer placed at the map's zoom: protomaps-leaflet 5.1.0 keeps each
# line label's text as its deduplication key in the zoom's label index (its own collision
# index, from which it paints the labels onto the tiles).
PLACED_NAMES = """(sel) => {
  const el = document.querySelector(sel);
  const index = el.scoutBasemap.labelers.getIndex(Math.round(el.scoutMap.getZoom()));
  const names = index ? index.tree.all().map((e) => e.indexedLabel.deduplicationKey) : [];
  return [...new Set(names.filter(Boolean))];
}"""

# Pixels of the tiles in the names' ink (#3b3b3b): no line, fill or outline has that colour.
INKED = """(sel) => {
  let inked = 0;
  for (const c of document.querySelectorAll(`${sel} .leaflet-tile-container canvas`)) {
    if (!c.width || !c.height) continue;
    const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 0; i < data.length; i += 4) {
      const off = Math.abs(data[i] - 0x3b) + Math.abs(data[i + 1] - 0x3b);
      if (off + Math.abs(data[i + 2] - 0x3b) < 36) inked++;
    }
  }
  return inked;
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


def _streets_named(page, selector: str) -> set[str]:
    """Move the map onto the sample's streets at zoom 17, as a hand zooms in, and wait until
    its tiles are drawn with the streets' names written on them: the names placed, and their
    ink on the canvas."""
    lon, lat = GUASTALLA
    page.evaluate(
        f"() => document.querySelector('{selector}').scoutMap.setView([{lat}, {lon}], 17)"
    )
    _tiles_drawn(page, selector)
    page.wait_for_function(
        f"() => ({PLACED_NAMES})('{selector}').length > 0 && ({INKED})('{selector}') > 40",
        timeout=15_000,
    )
    return set(page.evaluate(PLACED_NAMES, selector))


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


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_on_an_arabic_page_the_map_writes_the_names_left_to_right(new_page, app, size, monkeypatch):
    """The page is right to left; the map's canvases are not (an rtl canvas writes a Latin
    name's parts in the wrong order and right-aligns it on its anchor)."""
    _with_network(app, monkeypatch)
    page = new_page(viewport=size, has_touch=size is PHONE, locale="ar")
    page.goto("/?lang=ar")
    assert page.get_attribute("html", "dir") == "rtl"
    page.wait_for_selector("#map[data-basemap=streets]")
    names = _streets_named(page, "#map")
    assert len(names & SAMPLE_NAMES) >= 2, names
    directions = page.evaluate(
        """() => [...document.querySelectorAll('#map .leaflet-tile-container canvas')]
                 .map((c) => getComputedStyle(c).direction)"""
    )
    assert directions
    assert set(directions) == {"ltr"}
    # The page around the map stays right to left.
    assert page.evaluate("getComputedStyle(document.querySelector('#map')).direction") == "rtl"


def _with_network(app, monkeypatch, municipi: tuple[int, ...] = (1, 2, 3)) -> None:
    monkeypatch.setitem(app.config, "SERVICE_MUNICIPI", list(municipi))
    import_osm(db.session, SAMPLE)
    db.session.commit()


def _open_tutor(page, make_user, make_place) -> str:
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    return "#tutor-map .leaflet-container"


def _open_scout_form(page, make_user, make_place) -> str:
    scout = make_user(Role.SCOUT)
    db.session.commit()
    browser_login(page, scout.email, PASSWORD)
    page.goto("/scout/places/new")
    return "#place-map"


def _open_scout_nearby(page, make_user, make_place) -> str:
    scout = make_user(Role.SCOUT)
    db.session.commit()
    browser_login(page, scout.email, PASSWORD)
    page.goto("/scout/nearby")  # asks for the tablet's position, then shows the map there
    page.wait_for_function("document.querySelector('#nearby-map')?.dataset.origin?.length > 4")
    return "#nearby-map"


def _open_admin_place(page, make_user, make_place) -> str:
    coordinator = make_user(Role.COORDINATOR)
    place = make_place("Bar di via Guastalla", lon=GUASTALLA[0], lat=GUASTALLA[1])
    db.session.commit()
    browser_login(page, coordinator.email, PASSWORD)
    page.goto(f"/admin/places/{place.id}")
    return ".place-mini-map"


def _open_admin_coverage(page, make_user, make_place) -> str:
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    browser_login(page, coordinator.email, PASSWORD)
    page.goto("/admin/coverage")
    page.wait_for_selector("#coverage-map[data-ready=true]")
    return "#coverage-map"


MAPS = {
    "tutor": _open_tutor,
    "scout-place": _open_scout_form,
    "scout-nearby": _open_scout_nearby,
    "coordinator-place": _open_admin_place,
    "coordinator-coverage": _open_admin_coverage,
}


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
@pytest.mark.parametrize("where", list(MAPS))
def test_the_staff_maps_draw_the_streets_with_their_names(
    new_page, app, monkeypatch, make_user, make_place, where, size
):
    _with_network(app, monkeypatch)
    lon, lat = GUASTALLA
    page = new_page(
        viewport=size,
        has_touch=size is PHONE,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
        permissions=["geolocation"],
        service_workers="block",
    )
    selector = MAPS[where](page, make_user, make_place)
    page.wait_for_selector(f"{selector}[data-basemap=streets]")
    names = _streets_named(page, selector)
    assert len(names & SAMPLE_NAMES) >= 2, names
    assert page.external_requests == []
    assert page.console_errors == []


def test_a_scout_tablet_that_kept_the_basemap_draws_the_streets_offline(
    new_page, app, monkeypatch, make_user
):
    """The service worker keeps the service area's tiles once a scout page has loaded online;
    with the connection cut, the reloaded page draws the streets and their names from them.
    (Served here: Municipio 1 alone, the sample's, so the worker keeps ~100 tiles, not ~1000.)"""
    _with_network(app, monkeypatch, municipi=(1,))
    scout = make_user(Role.SCOUT)
    db.session.commit()
    lon, lat = GUASTALLA
    page = new_page(
        viewport=PHONE,
        has_touch=True,
        geolocation={"latitude": lat, "longitude": lon, "accuracy": 8},
        permissions=["geolocation"],
        service_workers="allow",
    )
    browser_login(page, scout.email, PASSWORD)
    page.goto("/scout/places/new")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.goto("/scout/places/new")  # the page, the shell and the tiles go into the caches
    version = page.evaluate("() => window.scoutBasemap.settings.version")
    # The worker writes the tile list last, once every tile of it is kept.
    kept = (
        "(v) => caches.open('basemap-' + v)"
        ".then((c) => c.match('/tiles/offline.json')).then((r) => Boolean(r))"
    )
    deadline = time.monotonic() + 90
    while not page.evaluate(kept, version):
        assert time.monotonic() < deadline, "the service worker did not keep the basemap"
        page.wait_for_timeout(500)
    page.context.set_offline(True)
    page.reload()
    page.wait_for_selector("#place-map[data-basemap=streets]")
    assert page.get_attribute("#connection-state", "data-state") == "offline"
    names = _streets_named(page, "#place-map")
    assert len(names & SAMPLE_NAMES) >= 2, names
    assert page.external_requests == []
