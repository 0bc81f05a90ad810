"""The bulletin in a real browser: compose → publish → view, with no network access."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from scout import walking
from scout.extensions import db
from scout.models import OrgKind, ResourceKind, Role
from tests.browser.fixtures import (
    SIZES,
    assert_no_horizontal_scroll,
    assert_usable,
    browser_login,
    visual_text,
)
from tests.factories import CITTA_STUDI, PASSWORD, VIA_PADOVA, milan_today

pytestmark = pytest.mark.browser


def visible(text: str) -> str:
    """``text`` without the invisible isolation marks around typed titles."""
    return text.strip("\u2066\u2067\u2068\u2069")


@pytest.fixture
def week(monkeypatch, make_user, make_place, make_offer, make_resource):
    near = make_place("Forno Vicino", lon=9.2260, lat=45.4990)

    def walk_to(origin, targets, profile=walking.Profile.STANDARD):
        seconds = {near.id: 480.0}
        return walking.WalkAnswer(
            estimate=True,
            walks={
                k: walking.Walk(seconds.get(k, 3600) * 1.25, seconds.get(k, 3600)) for k in targets
            },
        )

    monkeypatch.setattr(walking, "walk_to", walk_to)
    make_place("Hub Prova", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1], org_kind=OrgKind.HUB)
    centre = make_place("Centro Prova", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    make_offer(near, "Fornaia all'alba")
    make_resource(centre, "Italiano A1", kind=ResourceKind.ITALIAN_COURSE)
    make_resource(centre, "Italiano B2", kind=ResourceKind.ITALIAN_COURSE)
    make_resource(centre, "Sportello lavoro", kind=ResourceKind.HELP_DESK)
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    return user


def test_compose_publish_and_view(page, week):
    page.on("dialog", lambda d: d.accept())
    browser_login(page, week.email, PASSWORD)
    page.goto("/admin/bulletins")
    page.fill("#week", milan_today().isoformat())
    page.click("#new-bulletin")
    page.wait_for_selector("#compose-form[data-ready=true]")

    # Drop the help desk, move "Italiano B2" above "Italiano A1" (JavaScript, no reload).
    page.locator('li[data-title="Sportello lavoro"] input.keep').uncheck()
    b2 = page.locator('li[data-title="Italiano B2"]')
    b2.locator('[data-move="up"]').click()
    titles = page.locator("#compose-italian li.compose-item").evaluate_all(
        "els => els.map(e => e.dataset.title)"
    )
    assert titles == ["Italiano B2", "Italiano A1"]
    assert (
        page.locator('li[data-title="Fornaia all\'alba"]').get_attribute("data-km-zero") == "walk"
    )
    page.fill("#note-italian", "Iscrizioni aperte fino a venerdì")
    page.fill("#editorial", "Buona settimana!")
    page.click("#publish")
    page.wait_for_url("**/bollettino/1", timeout=20_000)  # publishing draws the snapshot

    article = page.locator("article.bulletin")
    assert article.get_attribute("data-bulletin-number") == "1"
    italian = [visible(t) for t in page.locator("#section-italian .item-title").all_inner_texts()]
    assert italian == ["Italiano B2", "Italiano A1"]
    assert page.locator("#section-services").count() == 0
    assert "Iscrizioni aperte fino a venerdì" in page.locator("#section-italian").inner_text()
    assert visible(page.locator("#bulletin-editorial").inner_text().strip()) == "Buona settimana!"
    assert page.locator("#km-zero-map svg .map-offer").count() == 1
    km_zero = page.locator("#section-km_zero .item-title").all_inner_texts()
    assert [visible(t) for t in km_zero] == ["Fornaia all'alba"]

    # The archive lists it; the PDF and the text version are one click away.
    page.goto("/bollettino/")
    assert page.locator("[data-bulletin-number]").count() == 1
    pdf = page.request.get("/bollettino/1.pdf")
    assert pdf.ok
    assert pdf.body().startswith(b"%PDF")
    text = page.request.get("/bollettino/1.txt")
    assert "Fornaia all'alba" in text.text()
    assert not page.external_requests
    assert not page.console_errors


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_each_bulletin_reads_in_its_own_direction(new_page, week, make_place, make_offer, size):
    """An Arabic bulletin is right-to-left inside the Italian staff preview, an Italian title
    in it keeps its punctuation where it was typed, and the Italian bulletin stays
    left-to-right (issue 12, 14)."""
    bar = make_place("Bar Parentesi", lon=9.2262, lat=45.4992)
    make_offer(bar, "Barista (mattina).", description="Turno 7-11, sabato.")
    db.session.commit()
    page = new_page(viewport=SIZES[size])
    browser_login(page, week.email, PASSWORD)
    page.goto("/admin/bulletins")
    page.fill("#week", milan_today().isoformat())
    page.click("#new-bulletin")
    page.wait_for_selector("#compose-form[data-ready=true]")
    page.click("#preview-link")
    preview = page.locator("#preview-banner")
    preview.locator('a[hreflang="ar"]').click()
    article = page.locator("article.bulletin")
    expect(article).to_have_attribute("lang", "ar")
    assert page.evaluate("document.documentElement.dir || 'ltr'") == "ltr"  # the staff page
    assert article.evaluate("e => getComputedStyle(e).direction") == "rtl"
    title = article.locator(".item-title", has_text="Barista")
    assert_usable(title)
    assert visual_text(title) == "Barista(mattina)."
    # Right-to-left: the heading sits at the article's right edge.
    box, heading = article.bounding_box(), article.locator(".section-title").first.bounding_box()
    assert box["x"] + box["width"] - (heading["x"] + heading["width"]) < 24

    page.locator("#preview-banner").locator('a[hreflang="it"]').click()
    article = page.locator("article.bulletin")
    expect(article).to_have_attribute("lang", "it")
    assert article.evaluate("e => getComputedStyle(e).direction") == "ltr"
    heading = article.locator(".section-title").first.bounding_box()
    assert heading["x"] - article.bounding_box()["x"] < 24
    assert_no_horizontal_scroll(page)
    assert not page.external_requests
