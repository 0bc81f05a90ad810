"""The tutor's whole journey in chromium: an address with a typo, a school by type-ahead,
filters, ranked results with isochrones, a route, two results shortlisted, the Arabic sheet
and the PDF. No request leaves the app's own server."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from scout.extensions import db
from scout.models import Address, ContractType, ItalianLevel, ResourceKind, School
from scout.walking.gazetteer import street_key
from tests.browser.fixtures import browser_login
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def journey_data(app, make_user, make_place, make_offer, make_resource):
    for number, lon, lat in (
        ("30", 9.2200, 45.4880),
        ("34", 9.2204, 45.4884),
        ("40", 9.2210, 45.4890),
    ):
        db.session.add(
            Address(
                street="Via Padova",
                street_key=street_key("Via Padova"),
                housenumber=number,
                location=f"SRID=4326;POINT({lon} {lat})",
            )
        )
    db.session.add(
        School(
            code="MIBROWSER1",
            name="Primaria Russo-Pimentel di prova",
            school_type="Primaria",
            street="Via Russo",
            civic_number="27",
            location="SRID=4326;POINT(9.2267 45.4975)",
        )
    )
    cleaning = make_place(
        name="Pulizie Sereno", lon=9.2215, lat=45.4893, street="Viale Monza", civic_number="18"
    )
    make_offer(
        cleaning,
        "Addetta pulizie mattina",
        contract_type=ContractType.DETERMINATO,
        italian_level=ItalianLevel.A2,
        schedule=[{"day": d, "start": "09:00", "end": "13:00"} for d in range(5)],
        how_to_apply="Tramite l'hub",
    )
    bistro = make_place(
        name="Trattoria Martesana", lon=9.2240, lat=45.4910, street="Via Gorla", civic_number="3"
    )
    make_offer(
        bistro,
        "Cameriera sera",
        contract_type=ContractType.VOUCHER,
        italian_level=ItalianLevel.B1,
        schedule=[{"day": d, "start": "18:30", "end": "23:00"} for d in (5, 6)],
    )
    make_offer(bistro, "Cuoca esperta", italian_level=ItalianLevel.C1)
    parish = make_place(
        name="Parrocchia San Fedele",
        lon=9.2190,
        lat=45.4900,
        street="Via Carnovali",
        civic_number="4",
    )
    make_resource(
        parish, "Italiano per mamme", kind=ResourceKind.ITALIAN_COURSE, how_to_enrol="In segreteria"
    )
    user = make_user("tutor")
    db.session.commit()
    return {"user": user}


def test_tutor_journey(new_page, journey_data, tmp_path):
    page = new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    browser_login(page, journey_data["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")

    # Where she starts: an address with a typo and a missing house number.
    page.fill("#address-input", "V. Padva, 36")
    page.click("#address-find")
    page.wait_for_selector("#origin-status[data-ready=true]")
    assert "Via Padova 36" in page.inner_text("#origin-status")

    # Her children's school, by type-ahead.
    page.fill("#school-input", "russo pimen")
    page.click("#school-options [data-school-id]")
    assert page.input_value("#school-id") != ""

    # Filters: no partner organisations, Italian up to B1, 20 minutes, stroller, school hours.
    page.uncheck("#kind-organisation")
    page.select_option("#italian-level", "B1")
    page.eval_on_selector(
        "#max-minutes", "el => { el.value = 20; el.dispatchEvent(new Event('input')); }"
    )
    page.check("#profile-stroller")
    page.fill("#drop-off", "08:30")
    page.fill("#pick-up", "16:30")
    page.click("#search-submit")
    page.wait_for_selector("#result-count:not([data-count='0'])")

    results = page.locator("#results > li.result")
    count = results.count()
    assert count == 3
    minutes = [int(results.nth(i).get_attribute("data-walk-minutes")) for i in range(count)]
    assert minutes == sorted(minutes)
    numbers = [int(results.nth(i).get_attribute("data-number")) for i in range(count)]
    assert numbers == [1, 2, 3]
    titles = page.locator("#results .result-title").all_inner_texts()
    assert "Cuoca esperta" not in titles  # C1 is above the level asked
    assert "Addetta pulizie mattina" in titles
    assert page.locator("#results [data-fit=fits]").count() >= 1
    assert page.locator("#results [data-fit=does_not_fit]").count() >= 1
    assert page.locator("#results .walk-from-school").count() == count
    # Map: isochrones, one numbered marker a place, start and school markers.
    assert page.locator("path.isochrone").count() >= 3
    assert page.locator(".result-marker").count() == count
    assert page.locator(".home-marker").count() == 1
    assert page.locator(".school-marker").count() == 1

    # Select a result: its route is drawn.
    results.nth(0).locator(".result-route").click()
    page.wait_for_selector("path.walk-route")
    assert "selected" in (results.nth(0).get_attribute("class") or "")

    # Shortlist two results; the Arabic sheet opens in a new tab, right to left.
    page.locator("#results .shortlist-toggle").nth(0).check()
    page.locator("#results .shortlist-toggle").nth(1).check()
    assert page.get_attribute("#shortlist-count", "data-count") == "2"
    page.select_option("#sheet-lang", "ar")
    with page.context.expect_page() as popup:
        page.click("#sheet-print")
    sheet = popup.value
    sheet.wait_for_load_state()
    assert sheet.get_attribute("html", "dir") == "rtl"
    assert sheet.get_attribute("html", "lang") == "ar"
    assert sheet.locator(".sheet-place").count() in (1, 2)
    assert sheet.locator(".sheet-items li").count() == 2
    assert sheet.locator("svg.sheet-map .sheet-map-place").count() >= 1
    sheet_text = sheet.inner_text("body")
    assert "Pulizie Sereno" in sheet_text

    # The PDF, to send by phone.
    with page.expect_download() as download:
        page.click("#sheet-pdf")
    pdf_path = tmp_path / "sheet.pdf"
    download.value.save_as(pdf_path)
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf_path.read_bytes())).pages)
    assert "Pulizie Sereno" in text
    assert "Viale Monza 18" in text

    # Everything came from the app itself; nothing went to another server.
    # (the popup shares the context, whose requests are all recorded on the first page)
    assert page.external_requests == []
    assert not page.console_errors, page.console_errors


def test_a_click_on_the_map_and_a_hub_are_origins(new_page, journey_data, make_place):
    from scout.models import OrgKind

    make_place(name="Hub Padova di prova", lon=9.2205, lat=45.4890, org_kind=OrgKind.HUB)
    db.session.commit()
    page = new_page(viewport={"width": 1400, "height": 1000})
    browser_login(page, journey_data["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    box = page.locator("#tutor-map .folium-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector("#origin-status[data-ready=true]")
    assert page.is_checked("#origin-mode-map")
    page.click("#search-submit")
    page.wait_for_selector("#result-summary:not(:empty)")
    page.wait_for_selector("#search-form:not([aria-busy])")

    page.click("label[for=origin-mode-hub]")
    page.select_option("#hub-select", label="Hub Padova di prova")
    page.wait_for_selector("#origin-status[data-ready=true]")
    page.click("#search-submit")
    page.wait_for_selector("#result-count:not([data-count='0'])")
    assert page.locator("#results > li.result").count() >= 1
    assert page.external_requests == []


def test_estimated_times_are_explained_where_they_are_shown(new_page, journey_data, make_place):
    """Without a street network every time is an estimate: the page says why in words a
    person can read (no hover tooltip, which a touch screen never shows)."""
    from playwright.sync_api import expect

    from scout.models import OrgKind

    make_place(name="Hub Padova di prova", lon=9.2205, lat=45.4890, org_kind=OrgKind.HUB)
    db.session.commit()
    page = new_page(viewport={"width": 1366, "height": 900})
    browser_login(page, journey_data["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    page.click("label[for=origin-mode-hub]")
    page.select_option("#hub-select", label="Hub Padova di prova")
    page.wait_for_selector("#origin-status[data-ready=true]")
    page.click("#search-submit")
    page.wait_for_selector("#result-count:not([data-count='0'])")
    note = page.locator("#estimate-note")
    note.scroll_into_view_if_needed()
    expect(note).to_be_visible()
    expect(note).to_contain_text("distanza in linea d'aria")


def test_the_tutor_page_can_be_pinch_zoomed_and_its_scale_is_metric(new_page, journey_data):
    page = new_page(viewport={"width": 390, "height": 844})
    browser_login(page, journey_data["user"].email, PASSWORD)
    page.goto("/tutor/")
    page.wait_for_selector("body[data-tutor-ready=true]")
    viewports = page.locator('meta[name="viewport"]').evaluate_all("els => els.map(e => e.content)")
    assert len(viewports) == 1
    assert "user-scalable=no" not in viewports[0]
    assert "maximum-scale" not in viewports[0]
    scale = page.locator(".leaflet-control-scale-line")
    assert scale.count() == 1
    assert scale.first.inner_text().strip().endswith(("m", "km"))
