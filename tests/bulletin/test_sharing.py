"""Sharing the bulletin (issue 17): WhatsApp with the text version, a QR code of the page on
the PDF for the hubs' notice boards, and the bulletin in the public site's header."""

from __future__ import annotations

import io
import re
from html import unescape
from urllib.parse import unquote

from pypdf import PdfReader

from tests.bulletin.test_bulletin import _publish, seeded  # noqa: F401 (fixtures)


def test_whatsapp_button_carries_the_text_version(seeded, client):  # noqa: F811
    bulletin = _publish()
    page = client.get(f"/bollettino/{bulletin.number}?lang=en").get_data(as_text=True)
    href = unescape(re.search(r'id="share-whatsapp" href="([^"]+)"', page)[1])
    assert href.startswith("https://wa.me/?text=")
    shared = unquote(href.removeprefix("https://wa.me/?text="))
    text = client.get(f"/bollettino/{bulletin.number}.txt?lang=en").get_data(as_text=True)
    assert shared == text
    assert "Barista mattina" in shared
    assert "Share on WhatsApp" in page


def test_pdf_has_a_qr_code_of_the_bulletin_page(seeded, client, app, monkeypatch):  # noqa: F811
    monkeypatch.setitem(app.config, "PUBLIC_URL", "https://scout.example.org")
    bulletin = _publish()
    pdf = client.get(f"/bollettino/{bulletin.number}.pdf")
    reader = PdfReader(io.BytesIO(pdf.data))
    last = reader.pages[-1]
    text = "".join(p.extract_text() for p in reader.pages).replace("\n", "")
    assert f"https://scout.example.org/bollettino/{bulletin.number}" in text
    assert "Inquadra per leggere questo bollettino" in text
    # The code itself is vector drawing (segno's SVG path), not text or a fetched image.
    content = last.get_contents().get_data()
    assert content.count(b" re") + content.count(b" l\n") + content.count(b" m ") > 50


def test_public_header_links_the_bulletin(client):
    page = client.get("/").get_data(as_text=True)
    assert re.search(r'id="header-bulletin" href="/bollettino/"', page)
    assert "Bollettino del lavoro" in page
