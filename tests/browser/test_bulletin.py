"""The bulletin in a real browser: compose → publish → view, with no network access."""

from __future__ import annotations

from datetime import date

import pytest

from scout import walking
from scout.extensions import db
from scout.models import OrgKind, ResourceKind, Role
from tests.browser.fixtures import browser_login
from tests.factories import CITTA_STUDI, PASSWORD, VIA_PADOVA

pytestmark = pytest.mark.browser


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
    page.fill("#week", date.today().isoformat())
    page.click("#new-bulletin")
    page.wait_for_selector("#compose-form")

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
    page.wait_for_url("**/bollettino/1")

    article = page.locator("article.bulletin")
    assert article.get_attribute("data-bulletin-number") == "1"
    italian = page.locator("#section-italian .item-title").all_inner_texts()
    assert italian == ["Italiano B2", "Italiano A1"]
    assert page.locator("#section-services").count() == 0
    assert "Iscrizioni aperte fino a venerdì" in page.locator("#section-italian").inner_text()
    assert page.locator("#bulletin-editorial").inner_text().strip() == "Buona settimana!"
    assert page.locator("#km-zero-map svg .map-offer").count() == 1
    assert page.locator("#section-km_zero .item-title").all_inner_texts() == ["Fornaia all'alba"]

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
