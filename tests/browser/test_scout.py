"""The scout pages in chromium at a tablet viewport with touch, emulated geolocation and the
network switched off and on: offline entries arrive exactly once, duplicates are flagged,
stale edits do not overwrite, photos lose their GPS EXIF, bad files are refused."""

from __future__ import annotations

import re

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import func, select

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Offer, Place, ReviewStatus, Role, Visit
from tests.browser.fixtures import browser_login
from tests.capture.test_photos import GPS_IFD, PDF, jpeg_with_gps
from tests.factories import PASSWORD, VIA_PADOVA

pytestmark = pytest.mark.browser

TABLET = {"width": 820, "height": 1180}  # portrait
PLACE_PAGE = re.compile(r"/scout/places/\d+$")


@pytest.fixture
def scout_user(make_user):
    user = make_user(Role.SCOUT, name="Samira")
    db.session.commit()
    return user


@pytest.fixture
def tablet(new_page, scout_user):
    """A logged-in scout's tablet page; ``tablet(accuracy=..., service_workers=...)``."""

    def _open(accuracy: float = 8, service_workers: str = "block", user=None):
        page = new_page(
            viewport=TABLET,
            has_touch=True,
            geolocation={
                "latitude": VIA_PADOVA[1],
                "longitude": VIA_PADOVA[0],
                "accuracy": accuracy,
            },
            permissions=["geolocation"],
            service_workers=service_workers,
        )
        browser_login(page, (user or scout_user).email, PASSWORD)
        return page

    return _open


def places_named(name: str) -> list[Place]:
    db.session.expire_all()
    return list(db.session.scalars(select(Place).where(Place.name == name)))


def open_new_place(page) -> None:
    page.goto("/scout/places/new")
    page.wait_for_function("document.querySelector('#place-form [name=lat]').value !== ''")


def fill_place(page, name: str) -> None:
    page.fill("#name", name)
    page.select_option("#kind", "employer")
    page.fill("#contact_person", "Gino")
    page.fill("#phone", "02 1234567")


def photo_file(content: bytes, name: str, mime: str = "image/jpeg") -> dict:
    return {"name": name, "mimeType": mime, "buffer": content}


def wait_outbox(page, count: int) -> None:
    page.wait_for_selector(f'#outbox-status[data-count="{count}"]', state="attached")


def test_place_saved_offline_arrives_once_with_its_photo_stripped(tablet, app):
    page = tablet()
    open_new_place(page)
    fill_place(page, "Panetteria Offline")
    page.set_input_files("#photos", photo_file(jpeg_with_gps(), "IMG_0042.jpg"))
    page.context.set_offline(True)
    page.tap("[data-save]")
    page.wait_for_selector("[data-form-queued]:not([hidden])")
    wait_outbox(page, 1)
    assert places_named("Panetteria Offline") == []

    page.context.set_offline(False)  # the 'online' event sends the outbox
    wait_outbox(page, 0)
    (place,) = places_named("Panetteria Offline")
    assert place.status == ReviewStatus.TO_REVIEW
    assert place.client_key is not None
    (photo,) = place.photos
    with Image.open(f"{app.config['UPLOAD_FOLDER']}/{photo.filename}") as stored:
        assert not stored.getexif().get_ifd(GPS_IFD)

    # Sending again (another page load, the "send now" button) adds nothing.
    page.goto("/scout/")
    page.wait_for_selector("#outbox-empty:not([hidden])")
    assert len(places_named("Panetteria Offline")) == 1


def test_entry_whose_answer_was_lost_is_stored_once(tablet):
    page = tablet()
    open_new_place(page)
    fill_place(page, "Ferramenta Risposta Persa")

    def lose_answer(route):
        route.fetch()  # the server stores it...
        route.abort("connectionreset")  # ...but the tablet never hears back

    page.route(
        "**/scout/places/new",
        lambda r: lose_answer(r) if r.request.method == "POST" else r.fallback(),
    )
    page.tap("[data-save]")
    wait_outbox(page, 1)
    assert len(places_named("Ferramenta Risposta Persa")) == 1
    page.unroute("**/scout/places/new")

    page.goto("/scout/")  # online: the outbox is sent again on load
    page.wait_for_selector("#outbox-empty:not([hidden])")
    assert len(places_named("Ferramenta Risposta Persa")) == 1


def test_a_save_the_server_answered_503_stays_queued_and_lands_once(tablet):
    page = tablet()
    open_new_place(page)
    fill_place(page, "Merceria Riprova")
    refused = []

    def unavailable_once(route):
        # The database is restarting: the server answers 503 and stores nothing.
        if route.request.method == "POST" and not refused:
            refused.append(route.request.url)
            route.fulfill(
                status=503,
                content_type="application/json",
                body='{"error": {"status": 503, "message": "Riprova tra poco."}}',
            )
        else:
            route.fallback()

    page.route("**/scout/places/new", unavailable_once)
    page.tap("[data-save]")
    expect(page.locator("[data-form-queued]")).to_be_visible()  # kept on the tablet
    wait_outbox(page, 1)
    assert refused
    assert places_named("Merceria Riprova") == []

    page.goto("/scout/")  # the home page sends what waits, and the server is back
    expect(page.locator("#outbox-empty")).to_be_visible()
    assert len(places_named("Merceria Riprova")) == 1
    page.reload()
    expect(page.locator("#outbox-empty")).to_be_visible()
    assert len(places_named("Merceria Riprova")) == 1  # exactly once


def test_duplicate_warning_for_a_near_similar_name(tablet, make_place):
    existing = make_place("Trattoria da Gino", lon=VIA_PADOVA[0] + 0.0002, lat=VIA_PADOVA[1])
    db.session.commit()
    page = tablet()
    open_new_place(page)
    fill_place(page, "Trattoria Da Gino")
    page.tap("[data-save]")
    page.wait_for_selector(f'#duplicates [data-place-id="{existing.id}"]')
    assert places_named("Trattoria Da Gino") == []
    page.tap("#save-anyway")
    page.wait_for_url(PLACE_PAGE)
    assert len(places_named("Trattoria Da Gino")) == 1


def test_stale_edit_does_not_overwrite(tablet, make_place):
    place = make_place("Bar Stale", notes="first notes", status=ReviewStatus.TO_REVIEW)
    db.session.commit()
    page = tablet()
    page.goto(f"/scout/places/{place.id}/edit")
    page.fill("#notes", "the scout's notes")
    place.notes = "the coordinator's notes"  # saved by someone else meanwhile
    db.session.commit()
    page.tap("[data-save]")
    page.wait_for_selector('#conflict tr[data-field="notes"]')
    assert "the coordinator's notes" in page.inner_text(
        '#conflict [data-field="notes"] [data-version="theirs"]'
    )
    assert "the scout's notes" in page.inner_text(
        '#conflict [data-field="notes"] [data-version="mine"]'
    )
    db.session.expire_all()
    assert db.session.get(Place, place.id).notes == "the coordinator's notes"
    page.tap("#overwrite")  # a knowing overwrite
    page.wait_for_url(f"**/scout/places/{place.id}")
    db.session.expire_all()
    assert db.session.get(Place, place.id).notes == "the scout's notes"


@pytest.mark.parametrize(
    "upload",
    [
        photo_file(b"\xff\xd8\xff\xe0" + b"\0" * (20 * 1024 * 1024), "huge.jpg"),
        photo_file(PDF, "menu.jpg"),
    ],
    ids=["20MB", "renamed-pdf"],
)
def test_bad_photo_is_refused_with_a_message(tablet, upload):
    page = tablet()
    open_new_place(page)
    fill_place(page, "Negozio Foto")
    page.set_input_files("#photos", upload, timeout=30_000)
    page.tap("[data-save]")
    error = page.wait_for_selector(".field-photos .js-error")
    assert upload["name"] in error.inner_text()
    assert places_named("Negozio Foto") == []


def test_poor_accuracy_must_be_confirmed(tablet):
    page = tablet(accuracy=400)
    open_new_place(page)
    page.wait_for_selector("#accuracy-warning:not([hidden])")
    fill_place(page, "Lavanderia GPS")
    page.tap("[data-save]")
    page.wait_for_selector('[data-error-for="lat"] .js-error')
    assert places_named("Lavanderia GPS") == []
    page.check("#position_confirmed")
    page.tap("[data-save]")
    page.wait_for_url(PLACE_PAGE)
    assert len(places_named("Lavanderia GPS")) == 1


def test_tapping_the_map_moves_the_pin(tablet):
    page = tablet(accuracy=400)
    open_new_place(page)
    before = page.input_value("#place-form [name=lon]")
    box = page.locator("#place-map").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.8, box["y"] + box["height"] * 0.5)
    page.wait_for_function(f"document.querySelector('#place-form [name=lon]').value !== '{before}'")
    assert page.input_value("#place-form [name=position_source]") == "manual"
    assert page.is_hidden("#accuracy-warning")


def test_app_shell_opens_offline_once_visited(tablet):
    page = tablet(service_workers="allow")
    page.goto("/scout/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.goto("/scout/places/new")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.goto("/scout/")  # pages and static files go into the cache as they pass
    page.context.set_offline(True)
    page.goto("/scout/places/new")
    page.wait_for_selector("#place-map[data-ready=true]")  # Leaflet came from the cache
    assert page.locator("#place-form").count() == 1
    assert page.get_attribute("#connection-state", "data-state") == "offline"


def test_scout_to_coordinator_to_tutor(tablet, new_page, make_user, app):
    """Done when: a scout, with the network cut mid-way, adds a place with a photo, logs a
    visit and attaches an offer; the coordinator publishes it; a tutor then finds it."""
    page = tablet()
    open_new_place(page)
    fill_place(page, "Ristorante Km Zero")
    page.set_input_files("#photos", photo_file(jpeg_with_gps(), "front.jpg"))
    page.context.set_offline(True)
    page.tap("[data-save]")
    wait_outbox(page, 1)
    page.context.set_offline(False)
    wait_outbox(page, 0)
    (place,) = places_named("Ristorante Km Zero")

    page.goto(f"/scout/places/{place.id}")
    page.tap("#log-visit")
    page.tap('label[for="outcome-3"]')  # joined the network
    page.fill("#notes", "The owner agreed")
    page.tap("[data-save]")
    page.wait_for_url(f"**/scout/places/{place.id}")

    page.tap("#add-offer")
    page.fill("#title", "Aiuto cuoco")
    page.select_option("#contract_type", "determinato")
    page.select_option("#part_time", "orizzontale")
    page.fill("#hours_per_week", "20")
    page.fill('[name="schedule-0-0-start"]', "09:00")
    page.fill('[name="schedule-0-0-end"]', "13:00")
    page.tap('[data-copy-monday="weekdays"]')
    assert page.input_value('[name="schedule-4-0-end"]') == "13:00"
    page.tap("[data-save]")
    page.wait_for_url(f"**/scout/places/{place.id}")
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).where(Visit.place_id == place.id)) == 1
    offer = db.session.scalar(select(Offer).where(Offer.place_id == place.id))
    assert len(offer.schedule) == 5

    place.organisation.is_partner = True
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    desk = new_page(viewport={"width": 1280, "height": 900})
    browser_login(desk, coordinator.email, PASSWORD)
    desk.goto("/admin/review")
    desk.click(f'[data-review-kind="place"][data-id="{place.id}"] a')
    desk.click("#review-publish")
    desk.wait_for_url("**/admin/review")
    db.session.expire_all()
    assert db.session.get(Offer, offer.id).status == ReviewStatus.PUBLISHED

    token = issue_token(make_user(Role.TUTOR), "done-when")
    db.session.commit()
    found = app.test_client().post(
        "/api/v1/search",
        json={"origin": {"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]}, "kinds": ["offer"]},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert "Aiuto cuoco" in [f["properties"]["title"] for f in found.get_json()["features"]]


def test_to_visit_near_me_uses_the_tablet_position(tablet, make_place):
    near = make_place(
        "Ciclofficina Vicina",
        lon=VIA_PADOVA[0] + 0.0004,
        lat=VIA_PADOVA[1],
        status=ReviewStatus.DRAFT,
    )
    db.session.commit()
    page = tablet()
    page.goto("/scout/")
    page.tap("#action-nearby")
    item = page.locator(f'#nearby-list [data-place-id="{near.id}"]')
    expect(item).to_be_visible()
    assert page.url.endswith("/scout/nearby")  # the position was POSTed, not put in the URL
    assert int(item.get_attribute("data-seconds")) < 120
    expect(page.locator("#nearby-map .leaflet-marker-icon").first).to_be_visible()


def test_place_form_grid_saves_the_opening_hours(tablet):
    page = tablet()
    open_new_place(page)
    fill_place(page, "Forno con orari")
    start = page.locator('[name="opening_schedule-0-0-start"]')
    end = page.locator('[name="opening_schedule-0-0-end"]')
    start.scroll_into_view_if_needed()
    expect(start).to_be_visible()
    start.fill("08:30")
    expect(end).to_be_visible()
    end.fill("18:00")
    copy = page.locator('.field-opening_schedule [data-copy-monday="weekdays"]')
    copy.scroll_into_view_if_needed()
    expect(copy).to_be_visible()
    copy.tap()
    saturday = page.locator('[name="opening_schedule-5-0-start"]')
    saturday.scroll_into_view_if_needed()
    expect(saturday).to_be_visible()
    saturday.fill("09:00")
    page.locator('[name="opening_schedule-5-0-end"]').fill("12:30")
    page.tap("[data-save]")
    page.wait_for_url(PLACE_PAGE)
    (place,) = places_named("Forno con orari")
    assert place.opening_schedule == [
        *({"day": d, "start": "08:30", "end": "18:00"} for d in range(5)),
        {"day": 5, "start": "09:00", "end": "12:30"},
    ]
    expect(page.get_by_text("lun–ven 08:30–18:00; sab 09:00–12:30")).to_be_visible()
