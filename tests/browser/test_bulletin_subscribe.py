"""Subscribing to the bulletin on a phone (issue 17): from the public header to the form,
a mistake explained next to its field, then subscribe and confirm from the mail's link,
against a real SMTP server."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.smtp import smtp  # noqa: F401 (fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_subscribe_and_confirm_on_a_phone(new_page, smtp, tmp_path):  # noqa: F811
    page = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    page.goto("/")
    header_link = page.locator("#header-bulletin")
    expect(header_link).to_be_visible()
    header_link.click()
    page.external_requests.clear()  # the public map's tiles (SCOUT_PUBLIC_TILES), not ours
    page.console_errors.clear()
    page.locator("#archive-subscribe").click()
    expect(page.locator("h1")).to_have_text("Il bollettino del lavoro per e-mail")

    # A mistake: the message is next to the field, in Italian, and nothing is sent.
    email = page.locator("#email")
    expect(email).to_be_visible()
    email.fill("maria.esempio")
    page.locator("#subscribe-submit").click()
    expect(page.locator("#email-error")).to_have_text("Inserisci un indirizzo e-mail valido.")
    expect(page.locator("#consent-error")).to_be_visible()
    assert smtp.inbox.messages == []

    email = page.locator("#email")
    email.fill("maria@example.org")
    page.locator("#language").select_option("es")
    consent = page.locator("#consent")
    consent.scroll_into_view_if_needed()
    expect(consent).to_be_visible()
    consent.check()
    submit = page.locator("#subscribe-submit")
    submit.scroll_into_view_if_needed()
    expect(submit).to_be_in_viewport()
    box = submit.bounding_box()
    assert box["height"] >= 44
    assert box["width"] <= PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "subscribe-phone.png"), full_page=True)
    submit.click()
    done = page.locator("#subscribe-done")
    expect(done).to_be_visible()
    expect(done).to_be_in_viewport()

    # The confirmation mail (in Spanish, as chosen) and its link, opened on the phone.
    (mail,) = smtp.inbox.to("maria@example.org")
    assert mail["Subject"] == "Confirma tu suscripción al boletín de empleo"
    text = mail.get_body(("plain",)).get_content()
    link = re.search(r"https?://\S+/bollettino/conferma/\S+", text)[0]
    page.goto(urlsplit(link).path)
    button = page.locator("#confirm-submit")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator("#confirmed")).to_be_visible()
    assert page.external_requests == []
    assert page.console_errors == []
