"""The bulletin as others read it: the Atom feed through feedparser, and the PDF as a screen
reader reads it (tagged PDF/UA: structure tree, language, title, extractable text)."""

from __future__ import annotations

import time
from datetime import timedelta

import feedparser
import pytest
from flask_babel import force_locale, gettext

from scout.views.bulletin import render_pdf
from tests.bulletin.test_bulletin import TODAY, _publish, seeded  # noqa: F401 (fixtures)
from tests.pdfs import assert_reads, tagged_pdf


def _feed(client):
    response = client.get("/bollettino/feed.atom")
    assert response.mimetype == "application/atom+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    return parsed


def test_an_empty_feed_keeps_its_updated_date_across_requests(client):
    first = _feed(client)
    assert first.entries == []
    time.sleep(1.1)  # the next request falls in another second of the clock
    second = _feed(client)
    assert first.feed.updated_parsed is not None
    assert second.feed.updated_parsed == first.feed.updated_parsed
    assert second.feed.updated == first.feed.updated


@pytest.mark.usefixtures("seeded")
def test_the_feed_is_dated_by_its_newest_bulletin(client):
    older = _publish()
    newer = _publish(TODAY + timedelta(days=7))
    parsed = _feed(client)
    assert [e.link.rsplit("/", 1)[-1] for e in parsed.entries] == [
        str(newer.number),
        str(older.number),
    ]
    newest = parsed.entries[0].updated_parsed
    assert parsed.feed.updated_parsed == newest
    time.sleep(1.1)
    assert _feed(client).feed.updated_parsed == newest


def _bulletin_title(app, lang: str, number: int) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext("Bulletin no. %(n)s", n=number)


def _check_bulletin_pdf(data: bytes, lang: str, title: str, snapshot: dict) -> None:
    items = [i["title"] for s in snapshot["sections"] for i in s["items"]]
    reader, tags, text = tagged_pdf(data, lang)
    assert reader.metadata.title == title
    assert tags[0] == "/Document"
    assert tags.count("/H1") == 1  # the bulletin's title, then one h2 per section and the hubs
    assert tags.count("/H2") == len(snapshot["sections"]) + 1
    assert tags.count("/H3") == len(items)  # one heading per item
    assert tags.index("/H1") < tags.index("/H2") < tags.index("/H3")
    assert {"/P", "/L", "/LI"} <= set(tags)
    # Word by word: pypdf gives a right-to-left line's digits in visual order.
    assert_reads(text, [*title.split(), *items])


@pytest.mark.usefixtures("seeded")
def test_bulletin_pdf_is_tagged_for_screen_readers(app, client):
    bulletin = _publish()
    response = client.get(f"/bollettino/{bulletin.number}.pdf")
    assert response.status_code == 200
    title = _bulletin_title(app, "it", bulletin.number)
    _check_bulletin_pdf(response.data, "it", title, bulletin.snapshot)


@pytest.mark.usefixtures("seeded")
@pytest.mark.parametrize("lang", ["ar", "en"])
def test_bulletin_pdf_in_another_language_is_tagged_with_it(app, lang):
    bulletin = _publish()
    assert bulletin.snapshot["hubs"]
    with app.test_request_context():
        data = render_pdf(bulletin.snapshot, lang)
    title = _bulletin_title(app, lang, bulletin.number)
    _check_bulletin_pdf(data, lang, title, bulletin.snapshot)
