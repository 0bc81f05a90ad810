"""Journeys walked the way a person walks them, at phone, tablet and laptop sizes: what she
needs is visible and in reach, nothing scrolls sideways, she clicks and types into what she
sees (issue 12)."""

from __future__ import annotations

import html
import re
import subprocess

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from scout.extensions import db
from scout.models import Offer, OrgKind, Place, Resource, Role
from tests.browser.fixtures import (
    SIZES,
    assert_no_horizontal_scroll,
    assert_usable,
    browser_login,
    visual_text,
)
from tests.factories import PASSWORD, VIA_PADOVA, add_addresses

FAR_WEST = (9.1000, 45.4450)  # Milan's west side: far outside the area served (Municipio 2, 3)

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


# --- Major 2: the public map outside the served area, and "Clear" -------------------------


def script_errors(page) -> list[str]:
    """Errors of the page's scripts (refused requests, such as the 400 or map tiles, aside)."""
    return [e for e in page.console_errors if not e.startswith("Failed to load resource")]


def test_public_walk_outside_the_area_says_so_and_clear_empties_it(new_page, make_place):
    make_place("Associazione Vicina", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    db.session.commit()
    page = new_page(
        viewport=SIZES["phone"],
        has_touch=True,
        geolocation={"latitude": FAR_WEST[1], "longitude": FAR_WEST[0], "accuracy": 10},
        permissions=["geolocation"],
    )
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    status = page.locator("#walk-status")
    locate = page.get_by_role("button", name="Usa la mia posizione")
    locate.scroll_into_view_if_needed()
    assert_usable(locate)
    locate.click()
    expect(status).to_have_text("Questo punto è fuori dall'area servita (Municipi 2 e 3).")
    assert script_errors(page) == []

    centre = page.get_by_role("button", name="Dal centro della mappa")
    centre.click()  # the map is fitted on the served area: its centre is inside
    expect(page.locator("#walk-legend")).to_be_visible()
    expect(status).not_to_have_text("")
    clear = page.get_by_role("button", name="Azzera")
    assert_usable(clear)
    clear.click()
    expect(status).to_have_text("")
    expect(page.locator("#walk-legend")).to_be_hidden()
    assert script_errors(page) == []
    assert_no_horizontal_scroll(page)


# --- Major 3: the tutor's address box says when nothing matches well -----------------------


@pytest.fixture
def gazetteer(app):
    add_addresses(
        [
            ("Via Padova", "30", 9.2200, 45.4880),
            ("Via Padova", "34", 9.2204, 45.4884),
            ("Via Padova", "40", 9.2210, 45.4890),
            ("Via Val d'Intelvi", "9", 9.2300, 45.4950),
            ("Via Val d'Intelvi", "15", 9.2305, 45.4955),
        ]
    )
    db.session.commit()


def find_address(page, text: str) -> None:
    box = page.get_by_label("Via e numero civico")
    assert_usable(box)
    box.click()
    box.press("Control+a")
    page.keyboard.type(text)
    page.get_by_role("button", name="Trova").click()


def test_address_nobody_lives_at_is_not_chosen_for_her(new_page, make_user, gazetteer):
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    page = new_page(viewport=SIZES["laptop"])
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    status = page.locator("#origin-status")
    candidates = page.locator("#address-candidates li")

    find_address(page, "via inesistente 9999")
    expect(status).to_contain_text("Nessun indirizzo corrisponde bene")
    expect(status).to_have_attribute("data-ready", "false")
    expect(candidates.first).to_contain_text("incerto")
    expect(page.locator("#address-candidates input:checked")).to_have_count(0)
    page.get_by_role("button", name="Cerca", exact=True).click()
    expect(page.locator("#search-error")).to_have_text("Scegli prima il punto di partenza.")

    # A number far beyond the street's known ones is a guess too, not "approximate".
    find_address(page, "via padova 9999")
    expect(status).to_contain_text("Nessun indirizzo corrisponde bene")
    expect(page.locator("#address-candidates input:checked")).to_have_count(0)

    # Between two known numbers: approximate, chosen, and it says so.
    find_address(page, "via padva 36")
    expect(status).to_have_attribute("data-ready", "true")
    expect(status).to_contain_text("Via Padova 36 (approssimativo")
    find_address(page, "via padova 34")
    expect(status).to_have_text("Via Padova 34 (indirizzo esatto)")
    expect(candidates.first.locator("input")).to_be_checked()


# --- Major 4: numbers and Latin names stay left to right in Arabic -------------------------

PHONE_NUMBER = "+39 02 0000 0000"
READ = PHONE_NUMBER.replace(" ", "")


@pytest.fixture
def partner_with_phone(make_place):
    place = make_place(
        "Associazione Uno",
        lon=9.2215,
        lat=45.4893,
        street="Viale Monza",
        civic_number="18",
        org_phone=PHONE_NUMBER,
        org_contacts_public=True,
        org_kind=OrgKind.ASSOCIATION,
    )
    db.session.commit()
    return place


def test_phone_numbers_read_left_to_right_in_arabic(new_page, partner_with_phone):
    page = new_page(viewport=SIZES["phone"], has_touch=True, locale="ar")
    page.goto("/lang/ar?next=/")
    page.wait_for_selector("#map[data-ready=true]")
    card = page.locator(f'#place-list [data-place-id="{partner_with_phone.id}"]')
    phone = card.locator("a[href^='tel:']")
    phone.scroll_into_view_if_needed()
    assert_usable(phone)
    assert visual_text(phone) == READ
    assert visual_text(card.locator(".place-address")) == "VialeMonza18"

    card.get_by_role("button", name="اعرض على الخريطة").click()
    detail_phone = page.locator("#place-detail a[href^='tel:']")
    expect(detail_phone).to_be_visible()
    assert visual_text(detail_phone) == READ

    page.goto("/embed?lang=ar")
    page.wait_for_selector("#map[data-ready=true]")
    assert visual_text(page.locator("#place-list a[href^='tel:']")) == READ


def pdf_words(path) -> list[tuple[float, float, str]]:
    """(vertical centre, x, word) of every word pdftotext finds, as laid out on the page."""
    out = subprocess.run(
        ["pdftotext", "-bbox", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>'
    return [
        ((float(m[2]) + float(m[3])) / 2, float(m[1]), html.unescape(m[4]))
        for m in re.finditer(pattern, out)
    ]


def test_the_arabic_pdf_sheet_prints_the_phone_left_to_right(
    new_page, make_user, partner_with_phone, gazetteer, tmp_path
):
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    page = new_page(viewport=SIZES["laptop"], accept_downloads=True)
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    find_address(page, "via padova 30")
    expect(page.locator("#origin-status")).to_have_attribute("data-ready", "true")
    page.get_by_role("button", name="Cerca", exact=True).click()
    organisation = page.locator("#results .result-item[data-kind=organisation]").first
    expect(organisation).to_be_visible()
    organisation.get_by_label("Aggiungi alla selezione").check()
    page.get_by_label("Lingua del foglio").select_option("ar")
    with page.expect_download() as download:
        page.get_by_role("button", name="PDF").click()
    pdf = tmp_path / "sheet.pdf"
    download.value.save_as(pdf)

    words = pdf_words(pdf)
    (line,) = [y for y, _x, w in words if "39" in w]
    shown = [w for y, x, w in sorted(words, key=lambda w: w[1]) if abs(y - line) < 3]
    assert "".join(shown) == READ, shown


# --- Major 5: an entry refused after an offline save is reopened, corrected and resent -----


def places_named(name: str) -> list[Place]:
    db.session.expire_all()
    return list(db.session.scalars(select(Place).where(Place.name == name)))


def test_refused_offline_entry_is_reopened_corrected_and_sent(new_page, make_user):
    scout = make_user(Role.SCOUT)
    db.session.commit()
    outside = {"latitude": FAR_WEST[1], "longitude": FAR_WEST[0], "accuracy": 8}
    page = new_page(
        viewport=SIZES["tablet"],
        has_touch=True,
        geolocation=outside,
        permissions=["geolocation"],
        service_workers="block",
    )
    browser_login(page, scout.email, PASSWORD)
    page.goto("/scout/places/new")
    page.context.set_offline(True)
    for name in ("Panetteria Fuori", "Ferramenta Fuori"):
        page.locator("#locate").tap()  # the form is cleared after each save kept offline
        page.wait_for_function("document.querySelector('#place-form [name=lat]').value !== ''")
        page.locator("#name").fill(name)
        page.locator("#kind").select_option("employer")
        page.locator("[data-save]").tap()
        expect(page.locator("[data-form-queued]")).to_be_visible()

    page.context.set_offline(False)
    page.goto("/scout/")
    rows = page.locator("#outbox-list li")
    expect(rows.filter(has_text="Panetteria Fuori")).to_have_attribute("data-state", "attention")
    expect(rows.filter(has_text="Ferramenta Fuori")).to_have_attribute("data-state", "attention")
    assert places_named("Panetteria Fuori") == []

    row = rows.filter(has_text="Panetteria Fuori")
    expect(row).to_contain_text("fuori dall'area servita")
    reopen = row.get_by_role("link", name="Apri e correggi")
    assert_usable(reopen)
    reopen.tap()
    expect(page.locator("#name")).to_have_value("Panetteria Fuori")
    expect(page.locator("#reopened-entry")).to_be_visible()
    error = page.locator('[data-error-for="lat"] .js-error')
    expect(error).to_contain_text("fuori dall'area servita")

    # She is back in the area: "Use my position" moves the pin; she saves again.
    page.context.set_geolocation(
        {"latitude": VIA_PADOVA[1], "longitude": VIA_PADOVA[0], "accuracy": 8}
    )
    page.locator("#locate").tap()
    page.wait_for_function(
        f"Math.abs(document.querySelector('#place-form [name=lon]').value - {VIA_PADOVA[0]}) < 1e-4"
    )
    page.locator("[data-save]").tap()
    page.wait_for_url(re.compile(r"/scout/places/\d+$"))
    assert len(places_named("Panetteria Fuori")) == 1

    page.goto("/scout/")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Ferramenta Fuori")


# --- Major 6: pages people can find -------------------------------------------------------


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_the_bulletin_archive_is_linked_from_the_public_map(new_page, size):
    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    page.goto("/")
    link = page.get_by_role("link", name="Bollettino del lavoro", exact=True)
    assert_usable(link)
    link.click()
    page.wait_for_url("**/bollettino/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_the_walking_network_page_is_linked_from_coordination(new_page, make_user):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    page = new_page(viewport=SIZES["laptop"])
    browser_login(page, coordinator.email, PASSWORD)
    page.goto("/admin/")
    link = page.get_by_role("link", name="Rete pedonale")
    assert_usable(link)
    link.click()
    page.wait_for_url("**/admin/network")
    expect(page.get_by_role("heading", name="Rete pedonale", level=1)).to_be_visible()


# --- Major 7: the tutor's results are where she looks after "Search" ----------------------


@pytest.mark.parametrize("size", ["laptop", "phone"])
def test_tutor_results_are_in_view_after_search(
    new_page, make_user, partner_with_phone, gazetteer, size
):
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    page = new_page(viewport=SIZES[size], has_touch=size == "phone")
    browser_login(page, tutor.email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    find_address(page, "via padova 30")
    expect(page.locator("#origin-status")).to_have_attribute("data-ready", "true")
    search = page.get_by_role("button", name="Cerca", exact=True)
    search.scroll_into_view_if_needed()
    with page.expect_response("**/api/v1/search") as answer:
        search.click()
    # The answer travels compressed (whatever of zstd, brotli, gzip the browser accepts).
    assert answer.value.headers.get("content-encoding") in {"zstd", "br", "gzip"}
    first = page.locator("#results > li.result").first
    expect(first).to_be_visible()
    expect(page.get_by_role("heading", name="Risultati")).to_be_in_viewport()
    expect(first).to_be_in_viewport()
    expect(page.locator("#results-title")).to_be_focused()
    assert_no_horizontal_scroll(page)
