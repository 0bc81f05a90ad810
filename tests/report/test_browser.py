"""The figures report in chromium: a coordinator picks "1 September 2021 – 31 December 2022"
at phone and laptop size and reads the funder's figures, charts and tables; a tutor her hub's."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from tests.browser.fixtures import (
    LAPTOP,
    PHONE,
    assert_accessible,
    assert_no_horizontal_scroll,
    assert_usable,
    browser_login,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_coordinator_picks_the_period_and_reads_the_figures(new_page, cohort, size):
    db.session.commit()
    page = new_page(viewport=size)
    browser_login(page, cohort.coordinator.email, PASSWORD)
    page.goto("/admin/")
    page.locator("#link-report").click()
    start, end = page.get_by_label("Inizio"), page.get_by_label("Fine")
    for field in (start, end):
        assert_usable(field)
    start.fill("2021-09-01")
    end.fill("2022-12-31")
    page.get_by_role("button", name="Mostra i dati").click()
    row = page.locator("#figure-people_with_plan")
    expect(row).to_contain_text("Persone con progetto personalizzato")
    expect(row.locator(".figure-value")).to_have_text("107")
    expect(page.locator("#figure-placements .figure-value")).to_have_text("35")
    expect(page.locator("#figure-placements_voucher .figure-value")).to_have_text("< 3")
    expect(page.locator("#figure-bulletins .figure-value")).to_have_text("50")
    expect(page.locator("#figure-women_share .figure-value")).to_have_text("75 %")
    chart = page.locator("#table-profile-nationality img.report-chart")
    expect(chart).to_be_visible()
    assert "Egiziana" in chart.get_attribute("alt")
    assert page.evaluate("document.querySelector('#table-profile-nationality img').naturalWidth")
    assert "from=2021-09-01" in page.url
    assert_usable(page.locator("#download-pdf-it"))
    assert_no_horizontal_scroll(page)
    assert_accessible(page)

    page.get_by_label("Sede").select_option(label="Hub Lambrate")
    page.get_by_role("button", name="Mostra i dati").click()
    expect(page.locator("#figure-people_with_plan .figure-value")).to_have_text("40")
    expect(page.locator(".report-scope")).to_contain_text("Hub Lambrate")
    page.screenshot(path=f"instance/report-{size['width']}.png", full_page=True)


def test_tutor_reads_her_hubs_figures(new_page, cohort):
    db.session.commit()
    page = new_page(viewport=LAPTOP)
    browser_login(page, cohort.tutor_a.email, PASSWORD)
    page.goto("/report/?from=2021-09-01&to=2022-12-31")
    expect(page.locator("#figure-people_with_plan .figure-value")).to_have_text("67")
    expect(page.locator(".report-scope")).to_contain_text("Hub Padova")
    expect(page.get_by_label("Sede")).to_have_count(0)
    # Her links: the people and placements of her hub, never a coordinator's list.
    expect(page.locator('.figure-link a[href*="/admin/"]')).to_have_count(0)
    page.locator("#figure-people_with_plan .figure-link a").click()
    expect(page.locator("#records-count")).to_have_attribute("data-count", "67")
    expect(page.locator("#records-filter")).to_be_visible()
    assert_no_horizontal_scroll(page)


@pytest.mark.parametrize("lang", ["it", "ar"])
@pytest.mark.parametrize("size", [PHONE, LAPTOP], ids=["phone", "laptop"])
def test_the_report_reads_at_phone_and_laptop_in_italian_and_arabic(new_page, cohort, size, lang):
    """The whole report (figures, charts, tables) fits the screen without sideways scroll,
    right to left in Arabic with its numbers kept left to right; a screenshot of each is
    written to instance/ to look at."""
    db.session.commit()
    page = new_page(viewport=size)
    browser_login(page, cohort.coordinator.email, PASSWORD)
    page.goto(f"/report/?from=2021-09-01&to=2022-12-31&lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator("#figure-people_with_plan .figure-value")).to_have_text("107")
    for chart in page.locator("img.report-chart").all():
        box, parent = chart.bounding_box(), chart.locator("xpath=..").bounding_box()
        assert box["width"] <= parent["width"] + 1  # a chart never wider than its column
    # "< 3" and "75 %" read left to right inside Arabic text.
    directions = page.eval_on_selector_all(
        ".figure-value, .table-count, .report-percent",
        "els => els.map(e => getComputedStyle(e).direction)",
    )
    assert set(directions) == {"ltr"}
    assert_no_horizontal_scroll(page)
    assert_accessible(page)
    page.screenshot(path=f"instance/report-{lang}-{size['width']}.png", full_page=True)


def test_a_coordinator_follows_a_figure_to_its_records_on_a_phone(new_page, cohort):
    db.session.commit()
    page = new_page(viewport=PHONE)
    browser_login(page, cohort.coordinator.email, PASSWORD)
    page.goto("/report/?from=2021-09-01&to=2022-12-31")
    for figure, count in (("placements", "35"), ("visits", "3"), ("people_with_plan", "107")):
        page.locator(f"#figure-{figure} .figure-link a").click()
        expect(page.locator("#records-count")).to_have_attribute("data-count", count)
        assert_no_horizontal_scroll(page)
        assert_accessible(page)
        page.screenshot(path=f"instance/report-records-{figure}-390.png", full_page=True)
        page.go_back()
    # A count in a table leads to its records too: the placements in catering.
    page.locator("#table-results-sectors td.table-count a").first.click()
    expect(page.locator("#records-count")).to_have_attribute("data-count", "14")
    expect(page.locator("#placements-list tbody tr")).to_have_count(14)
