"""Small things a person notices: the tab shows the programme's icon (no 404 on every page),
the scouts' pages can be installed as an app and the embed code has a copy button that works
(the directions, now the app's own: tests/browser/test_directions.py)."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from scout.extensions import db
from scout.models import Role
from tests.browser.fixtures import browser_login
from tests.factories import PASSWORD, VIA_PADOVA

pytestmark = pytest.mark.browser


def test_every_page_has_an_icon_that_loads(new_page):
    page = new_page(viewport={"width": 390, "height": 844})
    missing = []
    page.on("response", lambda r: r.status == 404 and missing.append(r.url))
    for path in ("/", "/data", "/embed/code", "/bollettino/", "/login"):
        page.goto(path)
        href = page.locator('link[rel="icon"]').get_attribute("href")
        assert href
        assert page.request.get(href).status == 200
    assert not missing, missing


def test_scout_pages_can_be_installed(new_page, make_user):
    user = make_user(Role.SCOUT)
    db.session.commit()
    page = new_page(viewport={"width": 820, "height": 1180})
    browser_login(page, user.email, PASSWORD)
    page.goto("/scout/")
    href = page.locator('link[rel="manifest"]').get_attribute("href")
    response = page.request.get(href)
    assert response.status == 200
    manifest = json.loads(response.text())
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/scout/"
    assert manifest["name"] == "Lavoro a km zero: scout"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert page.request.get(icon["src"]).status == 200


def test_embed_code_copies_with_one_tap(new_page):
    page = new_page(viewport={"width": 1366, "height": 900})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto("/embed/code")
    button = page.get_by_role("button", name="Copia il codice")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#copy-status")).to_have_text("Copiato: incollalo nella tua pagina.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#embed-snippet").input_value()
    assert copied.startswith("<iframe src=")


def test_the_audit_log_reads_in_italian_in_the_browser(new_page, make_user, make_place):
    """What a coordinator sees: record types and fields in words, local times, no keys."""
    import re

    from scout import audit
    from scout.models import AuditAction

    coordinator = make_user(Role.COORDINATOR)
    place = make_place("Bar Uno", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    audit.record(
        db.session,
        AuditAction.UPDATE,
        "place",
        place.id,
        {"name": ["Bar Uno", "Bar Due"], "verified_at": [None, "2026-11-30T09:15:00+00:00"]},
        coordinator.id,
    )
    db.session.commit()
    page = new_page(viewport={"width": 1366, "height": 900})
    browser_login(page, coordinator.email, PASSWORD)
    page.goto("/admin/audit")
    row = page.locator("tr.audit-event", has_text="Bar Due").first
    expect(row).to_be_visible()
    expect(row).to_contain_text("Luogo")
    expect(row).to_contain_text("Verificato il")
    text = row.inner_text()
    assert "verified_at" not in text
    assert "2026-11-30T" not in text
    assert re.search(r"30/11/26,? 10:15", text)
