"""Freshness as a scout lives it: the places to re-verify near her, nearest first, and
"still valid" in one tap; "verified on …" on the public map."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import shapely
import shapely.geometry
from playwright.sync_api import expect
from sqlalchemy import select

from scout import clock, coverage
from scout.extensions import db
from scout.models import Nil, Place, PlaceSource, Role, Visit, VisitOutcome
from tests.browser.fixtures import (
    LAPTOP,
    PHONE,
    assert_no_horizontal_scroll,
    assert_usable,
    browser_login,
)
from tests.factories import PASSWORD, VIA_PADOVA, milan_today

pytestmark = pytest.mark.browser
LON, LAT = VIA_PADOVA


def ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_scout_reverifies_a_stale_place_in_one_tap_from_the_nearby_list(
    new_page, make_user, make_place, make_offer, size
):
    stale = make_place(
        "Panetteria da riverificare", lon=LON + 0.0004, lat=LAT, verified_at=ago(200)
    )
    offer = make_offer(stale, "Commessa", verified_at=ago(90))
    fresh = make_place("Bar verificato ieri", lon=LON + 0.0002, lat=LAT, verified_at=ago(1))
    scout = make_user(Role.SCOUT, name="Samira")
    db.session.commit()
    page = new_page(
        viewport=size,
        has_touch=True,
        geolocation={"latitude": LAT, "longitude": LON, "accuracy": 8},
        permissions=["geolocation"],
    )
    # The basemap's tiles are not what this test is about; their many parallel requests share
    # the test's one database connection with the list's and can break its savepoints.
    page.route("**/tiles/**", lambda route: route.abort())
    browser_login(page, scout.email, PASSWORD)
    page.goto("/scout/nearby")
    item = page.locator(f'#nearby-list [data-place-id="{stale.id}"]')
    expect(item).to_be_visible()  # the tablet's position was found and POSTed
    page.locator('label[for="nearby-due"]').click()
    expect(page.locator("#nearby-due")).to_be_checked()
    expect(item).to_be_visible()
    expect(item).to_contain_text("Da riverificare")
    expect(page.locator(f'#nearby-list [data-place-id="{fresh.id}"]')).to_have_count(0)
    button = item.get_by_role("button", name="Ancora valido")
    assert_usable(button)
    assert_no_horizontal_scroll(page)
    button.click()
    expect(page.locator(".alert-success")).to_contain_text("Panetteria da riverificare")
    expect(page.locator(f'#nearby-list [data-place-id="{stale.id}"]')).to_have_count(0)
    expect(page.locator("#nearby-due")).to_be_checked()  # still the same filter
    assert page.url.endswith("/scout/nearby")  # the position was never in the URL
    db.session.expire_all()
    for record in (db.session.get(Place, stale.id), offer):
        db.session.refresh(record)
        assert datetime.now(UTC) - record.verified_at < timedelta(minutes=2)
    outcomes = db.session.scalars(select(Visit.outcome).where(Visit.place_id == stale.id)).all()
    assert outcomes == [VisitOutcome.STILL_VALID]

    page.goto(f"/scout/places/{stale.id}")
    expect(page.locator("#place-verified")).to_contain_text("Verificato il")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_public_map_says_when_a_place_was_verified(new_page, make_place, size):
    place = make_place(
        "Sportello verificato",
        org_is_partner=True,
        org_public_consent=True,
        verified_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
    )
    db.session.commit()
    page = new_page(viewport=size, locale="it-IT")
    page.goto("/")
    page.wait_for_selector("#map[data-ready=true]")
    card = page.locator(f'#place-list [data-place-id="{place.id}"]')
    expect(card.locator(".place-verified")).to_have_text("Verificato il 4 marzo 2026")
    card.locator(".show-on-map").click()
    expect(page.locator("#place-detail .place-verified")).to_have_text("Verificato il 4 marzo 2026")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_coverage_map_shows_a_squares_numbers_on_tap(new_page, make_user, make_place, size):
    at = {"lon": LON + 0.0001, "lat": LAT + 0.0001}
    scout = make_user(Role.SCOUT, name="Samira")
    mapped = make_place("Mappato", **at, created_by_id=scout.id)
    make_place("OSM da visitare", **at, source=PlaceSource.IMPORT, org_is_partner=False)
    db.session.add(
        Visit(place=mapped, user_id=scout.id, visited_on=milan_today(), outcome=VisitOutcome.JOINED)
    )
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    key = next(
        c.key
        for c in coverage.cells(coverage.Filters(kind="grid"))
        if shapely.geometry.shape(c.geometry).contains(shapely.Point(at["lon"], at["lat"]))
    )
    expected = {c.key: c for c in coverage.cells(coverage.Filters(kind="grid"))}[key].record()
    assert expected["places"] >= 1
    assert expected["visits"] >= 1

    page = new_page(viewport=size)
    browser_login(page, coordinator.email, PASSWORD)
    page.goto("/admin/")
    page.click("#link-coverage")
    page.select_option("#kind", "grid")
    page.select_option("#scout", str(scout.id))
    page.click("#coverage-apply")
    page.wait_for_selector("#coverage-map[data-ready=true]")
    mine = coverage.cells(coverage.Filters(kind="grid", scout_id=scout.id))
    hers = {c.key: c for c in mine}[key].record()
    cell = page.locator(f'#coverage-map path[data-cell="{key}"]')
    cell.scroll_into_view_if_needed()
    cell.click()
    numbers = page.locator(f'#coverage-cell [data-cell="{key}"]')
    expect(numbers).to_be_visible()
    for metric in ("places", "partners", "offers", "courses", "visits", "to_visit"):
        expect(numbers.locator(f'[data-metric="{metric}"]')).to_have_text(str(hers[metric]))
    row = page.locator(f'#coverage-table tr[data-cell="{key}"]')
    expect(row.locator('[data-metric="visits"]')).to_have_text(str(hers["visits"]))
    expect(page.locator("#coverage-legend")).to_be_visible()
    assert_no_horizontal_scroll(page)
    with page.expect_download() as download:
        page.click("#export-gpkg")
    assert download.value.suggested_filename.endswith(".gpkg")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_coordinator_assigns_an_area_and_the_scout_sees_it(new_page, make_user, make_place, size):
    stale = make_place("Bar da riverificare", verified_at=ago(200))
    scout = make_user(Role.SCOUT, name="Samira")
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    nil_name = db.session.get(Nil, stale.nil_id).name
    desk = new_page(viewport=size)
    browser_login(desk, coordinator.email, PASSWORD)
    desk.goto("/admin/coverage")
    desk.click("#link-scout-areas")
    form = desk.locator(f"#areas-{scout.id}")
    form.locator("select").select_option(label=nil_name)
    form.get_by_role("button", name="Salva le zone").click()
    expect(desk.locator(".alert-success")).to_contain_text("Samira ora copre 1 quartiere.")
    expect(desk.locator(f"#areas-{scout.id} .areas-current")).to_have_text("1 quartiere assegnato")

    tablet = new_page(viewport=size, has_touch=True)
    browser_login(tablet, scout.email, PASSWORD)
    tablet.goto("/scout/")
    area = tablet.locator(f'#my-areas [data-area="{stale.nil_id}"]')
    expect(area).to_be_visible()
    expect(area.locator("h3")).to_have_text(nil_name)
    expect(area.locator(".area-due")).to_contain_text("Bar da riverificare")
    assert_no_horizontal_scroll(tablet)
    area.locator(".area-due").get_by_role("link", name="Bar da riverificare").click()
    expect(tablet.locator("#place-name")).to_have_text("Bar da riverificare")


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_a_scout_sees_the_map_of_her_areas_only(new_page, make_user, make_place, size):
    mine = make_place("Bar nella mia zona")
    scout = make_user(Role.SCOUT, name="Samira")
    coverage.assign(scout, [mine.nil_id])
    db.session.commit()
    expected = coverage.cells(coverage.Filters(nil_ids=(mine.nil_id,)))[0].record()
    tablet = new_page(viewport=size, has_touch=True)
    tablet.route("**/tiles/**", lambda route: route.abort())
    browser_login(tablet, scout.email, PASSWORD)
    tablet.goto("/scout/")
    tablet.locator("#action-coverage").click()
    tablet.wait_for_selector("#coverage-map[data-ready=true]")
    expect(tablet.locator("h1")).to_have_text("Copertura delle mie zone")
    # One outline on the map and one row in the table: her neighbourhood.
    expect(tablet.locator("#coverage-map path[data-cell]")).to_have_count(1)
    expect(tablet.locator("#coverage-table tbody tr")).to_have_count(1)
    cell = tablet.locator(f'#coverage-map path[data-cell="{mine.nil_id}"]')
    cell.scroll_into_view_if_needed()
    cell.click()
    numbers = tablet.locator(f'#coverage-cell [data-cell="{mine.nil_id}"]')
    for metric in ("places", "partners", "offers", "courses", "visits", "to_visit"):
        expect(numbers.locator(f'[data-metric="{metric}"]')).to_have_text(str(expected[metric]))
    expect(tablet.locator("#export-gpkg")).to_have_count(0)  # the exports are the coordinator's
    assert_no_horizontal_scroll(tablet)
    tablet.select_option("#kind", "grid")
    tablet.click("#coverage-apply")
    tablet.wait_for_selector("#coverage-map[data-ready=true]")
    squares = coverage.cells(coverage.Filters(kind="grid", nil_ids=(mine.nil_id,)))
    expect(tablet.locator("#coverage-map path[data-cell]")).to_have_count(len(squares))


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_dashboard_shows_each_areas_weeks(new_page, make_user, make_place, size):
    place = make_place("Bar riverificato")
    scout = make_user(Role.SCOUT, name="Samira")
    coverage.assign(scout, [place.nil_id])
    db.session.add_all(
        [
            Visit(place=place, user_id=scout.id, visited_on=clock.today(),
                  outcome=VisitOutcome.STILL_VALID),
            Visit(place=place, user_id=scout.id, visited_on=clock.today() - timedelta(weeks=3),
                  outcome=VisitOutcome.INTERESTED),
        ]
    )  # fmt: skip
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    area = next(a for a in coverage.weekly().areas if a.nil_id == place.nil_id)
    page = new_page(viewport=size)
    browser_login(page, coordinator.email, PASSWORD)
    page.goto("/admin/")
    row = page.locator(f'#progress-table tr[data-nil="{place.nil_id}"]')
    expect(row.locator(".area-scouts")).to_have_text("Samira")
    for name in coverage.SERIES:
        cell = row.locator(f'[data-series="{name}"]')
        expect(cell.locator(".progress-total")).to_have_text(str(area.total(name)))
        bars = cell.locator("svg.week-bars")
        expect(bars).to_be_visible()
        label = ", ".join(str(n) for n in area.series[name])
        assert bars.get_attribute("aria-label").endswith(label)
    assert area.series["visits"][-1] >= 1
    assert area.series["visits"][-4] >= 1
    assert_no_horizontal_scroll(page)
