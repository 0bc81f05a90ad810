"""The public map: server-rendered list and filters, languages, embed; in chromium the filters and
list agree, Arabic is right-to-left, the embed works in an iframe and the walking minutes appear
after a tap on a phone."""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import OrgKind, ResourceKind
from tests.factories import CITTA_STUDI, VIA_PADOVA

HOSTILE = "<img src=x onerror=alert(1)>"
# Points well apart inside Municipio 2 and 3 (so markers do not cluster at the first zoom).
GRECO = (9.2130, 45.5000)
LAMBRATE = (9.2400, 45.4850)


@pytest.fixture
def network(make_place, make_resource, make_org):
    padova = make_place("Associazione Padova", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    make_resource(padova, "Italiano A1", languages=["it", "ar"])
    studi = make_place("Parrocchia Città Studi", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1],
                       org_kind=OrgKind.PARISH)  # fmt: skip
    make_resource(studi, "Italiano per mamme")
    greco = make_place("Sportello Greco", lon=GRECO[0], lat=GRECO[1], org_kind=OrgKind.PARISH)
    make_resource(greco, "Casa e bonus", kind=ResourceKind.HOUSING_SUPPORT)
    lambrate = make_place(HOSTILE, lon=LAMBRATE[0], lat=LAMBRATE[1], opening_hours=HOSTILE)
    db.session.commit()
    return {"padova": padova, "studi": studi, "greco": greco, "lambrate": lambrate}


def _list_ids(html: str) -> list[int]:
    return [int(m) for m in re.findall(r'<li class="[^"]*place"[^>]*data-place-id="(\d+)"', html)]


# --- server side (no JavaScript) ----------------------------------------------------------


def test_list_is_rendered_with_the_filters_from_the_url(client, network):
    html = client.get("/?resource=italian_course").get_data(as_text=True)
    assert set(_list_ids(html)) == {network["padova"].id, network["studi"].id}
    html = client.get("/?kind=parish&q=greco").get_data(as_text=True)
    assert _list_ids(html) == [network["greco"].id]


def test_server_list_comes_in_pages(client, network, monkeypatch):
    from scout.views import public

    monkeypatch.setattr(public, "LIST_PAGE", 3)
    first = client.get("/?kind=parish&kind=association").get_data(as_text=True)
    second = client.get("/?kind=parish&kind=association&page=2").get_data(as_text=True)
    assert len(_list_ids(first)) == 3
    assert len(_list_ids(second)) == 1
    assert set(_list_ids(first) + _list_ids(second)) == {p.id for p in network.values()}
    assert 'data-count="4"' in second
    assert 'id="list-pages"' in first


def test_the_list_follows_the_data_and_the_language_of_each_visit(client, network, make_place):
    # The list's HTML is cached per page, filters and language while the data is unchanged.
    first = client.get("/").get_data(as_text=True)
    assert network["greco"].id in _list_ids(first)
    added = make_place("Forno Nuovo", lon=GRECO[0], lat=GRECO[1])
    network["greco"].name = "Sportello Greco Nord"
    db.session.commit()
    html = client.get("/").get_data(as_text=True)
    assert added.id in _list_ids(html)
    assert "Sportello Greco Nord" in html
    assert 'data-count="5"' in html
    button = f'show-on-map" data-place-id="{added.id}">'
    arabic = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert "Sportello Greco Nord" in arabic
    assert button + "اعرض على الخريطة</button>" in arabic  # "Show on map"
    assert button + "Mostra sulla mappa</button>" in client.get("/").get_data(as_text=True)


def test_user_text_is_escaped_in_the_list(client, network):
    html = client.get("/").get_data(as_text=True)
    assert HOSTILE not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_settings_reach_the_script_as_json_in_a_data_attribute(client, network):
    html = client.get("/").get_data(as_text=True)
    assert re.search(r"data-settings='\{[^']*\"walkUrl\": \"/walk\"", html)
    assert "<script>" not in html  # every inline script would need the nonce


@pytest.mark.parametrize(
    ("accept", "lang", "direction"),
    [("ar", "ar", "rtl"), ("fr-FR,fr", "fr", "ltr"), ("de", "it", "ltr")],
)
def test_browser_language_is_the_first_guess(client, accept, lang, direction):
    html = client.get("/", headers={"Accept-Language": accept}).get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html


def test_language_switch_is_remembered(client):
    response = client.get("/lang/es?next=/%3Fkind%3Dparish")
    assert response.status_code == 302
    assert response.location.endswith("/?kind=parish")
    html = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    assert '<html lang="es" dir="ltr">' in html
    assert 'id="lang-switch"' in html


def test_embed_has_no_page_chrome_and_may_be_framed(client, network):
    response = client.get("/embed?resource=italian_course&lang=ar")
    html = response.get_data(as_text=True)
    assert "X-Frame-Options" not in response.headers
    assert "frame-ancestors *" in response.headers["Content-Security-Policy"]
    assert 'class="public-header' not in html
    assert '<html lang="ar" dir="rtl">' in html
    assert set(_list_ids(html)) == {network["padova"].id, network["studi"].id}
    assert "frame-ancestors 'self'" in client.get("/").headers["Content-Security-Policy"]


def test_share_page_gives_the_iframe_snippet_for_the_chosen_filters(client):
    html = client.get("/embed/code?resource=italian_course&lang=ar&height=400").get_data(
        as_text=True
    )
    snippet = re.search(r'<textarea[^>]*id="embed-snippet"[^>]*>(.*?)</textarea>', html, re.S)
    assert snippet
    text = snippet.group(1)
    assert text.startswith('&lt;iframe src="http://localhost/embed?')
    assert "resource=italian_course" in text
    assert "lang=ar" in text
    assert 'height="400"' in text
    assert 'id="embed-preview"' in html


# --- in chromium ------------------------------------------------------------------------


def _ready(page) -> None:
    page.wait_for_selector("#map[data-ready=true]")


def _marker_ids(page_or_frame) -> set[int]:
    ids = page_or_frame.locator(".leaflet-marker-pane [data-place-id]").evaluate_all(
        "els => els.map(e => e.dataset.placeId)"
    )
    return {int(i) for i in ids}


def _listed_ids(page_or_frame) -> list[int]:
    ids = page_or_frame.locator("#place-list > li[data-place-id]").evaluate_all(
        "els => els.map(e => e.dataset.placeId)"
    )
    return [int(i) for i in ids]


@pytest.mark.browser
def test_filters_and_list_agree(page, network):
    page.goto("/")
    _ready(page)
    everyone = {p.id for p in network.values()}
    assert _marker_ids(page) == set(_listed_ids(page)) == everyone
    page.select_option("#filter-resource", "italian_course")
    expect(page.locator("#place-list > li[data-place-id]")).to_have_count(2)
    _ready(page)
    courses = {network["padova"].id, network["studi"].id}
    assert _marker_ids(page) == set(_listed_ids(page)) == courses
    assert "resource=italian_course" in page.url
    page.select_option("#filter-resource", "")
    page.fill("#filter-q", "greco")
    expect(page.locator("#place-list > li[data-place-id]")).to_have_count(1)
    _ready(page)
    assert _marker_ids(page) == set(_listed_ids(page)) == {network["greco"].id}
    assert page.get_attribute("#place-count", "data-count") == "1"


@pytest.mark.browser
def test_list_button_shows_the_place_and_user_text_stays_text(page, network):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/")
    _ready(page)
    item = page.locator(f"#place-list > li[data-place-id='{network['lambrate'].id}']")
    item.locator(".show-on-map").click()
    page.wait_for_selector("#place-detail:not([hidden])")
    assert HOSTILE in page.inner_text("#place-detail")
    assert HOSTILE in page.inner_text(".leaflet-popup-content")
    assert (
        page.locator("#place-detail img, .leaflet-popup-content img, #place-list img").count() == 0
    )
    assert not dialogs


@pytest.mark.browser
def test_arabic_page_is_right_to_left_and_the_switch_is_remembered(new_page, network):
    page = new_page(locale="ar", viewport={"width": 390, "height": 844})
    page.goto("/")
    _ready(page)
    assert page.get_attribute("html", "dir") == "rtl"
    assert page.get_attribute("html", "lang") == "ar"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert page.locator("link[href*='bootstrap.rtl.min.css']").count() == 1
    assert page.locator("#lang-switch").is_visible()  # not folded in a menu on a phone
    page.click("#lang-switch a[data-lang=fr]")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "fr"
    assert page.get_attribute("html", "dir") == "ltr"
    page.goto("/")
    assert page.get_attribute("html", "lang") == "fr"


@pytest.mark.browser
def test_embed_works_in_the_iframe_of_the_snippet_page(page, network):
    # The snippet page previews the very <iframe> it gives to copy. (Framing by other sites is
    # allowed by the headers checked in test_embed_has_no_page_chrome_and_may_be_framed; a
    # second local origin would deadlock the single-threaded test server on chromium's
    # speculative connections.)
    page.goto("/embed/code?resource=italian_course&lang=ar")
    frame = page.frame_locator("#embed-preview")
    frame.locator("#map[data-ready=true]").wait_for()
    courses = {network["padova"].id, network["studi"].id}
    assert _marker_ids(frame) == set(_listed_ids(frame)) == courses
    assert frame.locator("html").get_attribute("dir") == "rtl"
    assert frame.locator(".public-header").count() == 0
    frame.locator("#filter-resource").select_option("")
    expect(frame.locator("#place-list > li[data-place-id]")).to_have_count(4)
    frame.locator(f"#place-list > li[data-place-id='{network['greco'].id}'] .show-on-map").click()
    frame.locator("#place-detail:not([hidden])").wait_for()
    assert "Sportello Greco" in frame.locator("#place-detail").inner_text()


@pytest.mark.browser
def test_nearest_italian_course_in_minutes_after_a_tap_on_a_phone_in_arabic(new_page, network):
    page = new_page(
        locale="ar", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    requests = []
    page.on("request", lambda r: requests.append((r.method, r.url)))
    page.goto("/?resource=italian_course")
    _ready(page)
    assert page.get_attribute("html", "dir") == "rtl"
    marker = page.locator(f".leaflet-marker-pane [data-place-id='{network['studi'].id}']")
    marker.scroll_into_view_if_needed()
    box = marker.bounding_box()
    # Tap the map beside the Città Studi course (not on its marker).
    page.touchscreen.tap(box["x"] + box["width"] / 2 + 35, box["y"] + box["height"] - 5)
    page.wait_for_selector("#place-results[data-walk=true]")
    first = page.locator("#place-list > li[data-place-id]").first
    assert first.get_attribute("data-place-id") == str(network["studi"].id)
    minutes = int(first.get_attribute("data-minutes"))
    assert 1 <= minutes <= 10
    assert first.locator(".walk").is_visible()
    assert first.locator(".estimate").is_visible()  # "stima": no street network imported
    assert page.locator("#walk-estimate").is_visible()
    assert page.locator("path.isochrone").count() == 2
    assert network["greco"].id not in _listed_ids(page)  # filters still apply
    # The point went in a POST body, never in a URL.
    assert ("POST", f"{page.url.split('/?')[0]}/walk") in requests
    assert not any(re.search(r"45\.4\d{3}|9\.2\d{3}", quote(url)) for _m, url in requests)


def test_the_map_draws_the_apps_own_tiles_unless_a_tile_server_is_configured(
    app, client, monkeypatch
):
    html = client.get("/").get_data(as_text=True)
    assert '"external": null' in html
    assert "/tiles/{z}/{x}/{y}.mvt?v=" in html
    assert "openstreetmap.org/{z}" not in html
    tiles = {"url": "https://tiles.example.org/{z}/{x}/{y}.png", "attribution": "© OSM"}
    monkeypatch.setitem(app.config, "PUBLIC_TILES", tiles)
    html = client.get("/").get_data(as_text=True)
    assert '"url": "https://tiles.example.org/{z}/{x}/{y}.png"' in html


def test_arabic_public_list_shows_opening_hours_in_arabic(client, make_place):
    from scout.schedule import day_names, opening_hours_fields

    place = make_place("Forno aperto", lon=GRECO[0], lat=GRECO[1],
                       **opening_hours_fields("lun-ven 8:30-18:00"))  # fmt: skip
    db.session.commit()
    html = client.get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
    card = html.split(f'data-place-id="{place.id}"')[1].split("</li>")[0]
    monday, friday = day_names("ar")[0], day_names("ar")[4]
    assert f"{monday}–{friday} 08:30–18:00" in card
    assert "lun-ven" not in card
    feature = next(
        f for f in client.get("/data/places.geojson").get_json()["features"] if f["id"] == place.id
    )
    assert feature["properties"]["opening_schedule"][0] == {
        "day": 0,
        "start": "08:30",
        "end": "18:00",
    }
