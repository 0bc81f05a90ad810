"""The shortlist sheet prints the walk to each place street by street in the sheet's language,
and its map draws the streets with their names, the routes, the numbered places and (unless the
tutor leaves it out) the start, as vector SVG in the PDF."""

from __future__ import annotations

import json
import re

import pytest

from scout.extensions import db
from scout.walking.osm_import import import_osm
from tests.pdfs import assert_reads, tagged_pdf
from tests.walking.test_directions import END, START, l_osm

# What each language says on the way to the place (street names stay as they are).
SAID = {
    "it": ["Gira a sinistra in", "Attraversa", "Prendi le scale"],
    "en": ["Turn left into", "Cross", "Take the steps"],
    "es": ["Gira a la izquierda en", "Cruza", "Toma las escaleras"],
    "fr": ["Tournez à gauche dans", "Traversez", "Prenez l'escalier"],
    "ar": ["انعطف", "اعبر", "الدرج"],
}
STREETS = ["Via Padova", "Via Arquà", "Viale Monza", "Via Arrivo"]


def _poster(client, login, make_user, make_place, make_offer):
    """POST the sheet (HTML or PDF) of one offer at the place at END, from START."""
    place = make_place("Centro Arrivo", lon=END.lon, lat=END.lat, street="Via Arrivo")
    offer = make_offer(place, "Aiuto cucina")
    login(make_user("tutor"))
    db.session.commit()
    page = client.get("/tutor/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]

    def post(path: str, lang: str, **extra):
        origin = {"lon": START.lon, "lat": START.lat, "source": "map"}
        data = {
            "csrf_token": token,
            "search": json.dumps({"origin": origin}),
            "items": [f"offer-{offer.id}"],
            "lang": lang,
            **extra,
        }
        response = client.post(path, data=data)
        assert response.status_code == 200
        return response

    return post


@pytest.fixture
def sheet(app, tmp_path, client, login, make_user, make_place, make_offer):
    import_osm(db.session, l_osm(tmp_path / "l.osm"))
    return _poster(client, login, make_user, make_place, make_offer)


def _plain(text: str) -> str:
    return re.sub(r"[\u2066-\u2069\u200e\u200f]", "", text)


@pytest.mark.parametrize("lang", SAID)
def test_the_pdf_prints_the_directions_in_each_language(sheet, lang):
    pdf = sheet("/tutor/sheet.pdf", lang, show_start="on").data
    _reader, _tags, text = tagged_pdf(pdf, lang)
    text = _plain(text)
    assert_reads(text, STREETS)
    # Phrases of the directions list (a line may wrap: compare without line breaks).
    assert_reads(" ".join(text.split()), SAID[lang])


def test_the_map_draws_streets_names_route_places_and_start(sheet):
    html = sheet("/tutor/sheet", "it", show_start="on").get_data(as_text=True)
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="sheet-map-street"') >= 8
    names = re.findall(r'class="sheet-map-street-name"[^>]*>([^<]+)<', svg)
    assert {"Via Padova", "Via Arquà"} <= set(names)
    assert 'class="sheet-map-route"' in svg
    assert 'data-kind="steps"' in svg
    assert 'class="sheet-map-place"' in svg
    assert 'class="sheet-map-start"' in svg
    # The start is named under the map, in the sheet's language: not in the SVG, whose text
    # the PDF would draw without Arabic shaping.
    assert "<text" not in svg.split('class="sheet-map-start"')[1].split("</g>")[0]
    legend = html[html.index('class="sheet-map-legend"') :]
    assert legend[: legend.index("</p>")].rstrip().endswith("Partenza")
    # Greys and black only: it prints the same in black and white.
    colours = set(re.findall(r'(?:fill|stroke)="(#[0-9a-fA-F]{6})"', svg))
    assert all(c[1:3] == c[3:5] == c[5:7] for c in colours), colours
    # The directions under the place, in the sheet's language.
    assert 'class="sheet-directions"' in html
    assert "Gira a sinistra in" in html


def test_the_start_reads_in_arabic_on_the_printed_sheet(sheet):
    """The PDF's text of the start's name is the Arabic word in reading order (drawn as SVG
    text it came out letter by letter, reversed and unjoined)."""
    pdf = sheet("/tutor/sheet.pdf", "ar", show_start="on").data
    _reader, _tags, text = tagged_pdf(pdf, "ar")
    assert "الانطلاق" in _plain(text)


def test_the_tutor_can_leave_the_start_out(sheet):
    html = sheet("/tutor/sheet", "it").get_data(as_text=True)
    assert 'class="sheet-map-start"' not in html
    assert 'class="sheet-map-legend"' not in html
    assert 'class="sheet-map-route"' in html


def test_before_a_network_the_map_shows_the_main_roads(
    app, client, login, make_user, make_place, make_offer
):
    from scout.models import MainRoad

    db.session.add(
        MainRoad(
            highway="primary",
            name="Viale Monza",
            geom=f"SRID=4326;LINESTRING({START.lon - 0.003} {END.lat - 0.001},"
            f" {START.lon + 0.006} {END.lat - 0.001})",
        )
    )
    post = _poster(client, login, make_user, make_place, make_offer)
    html = post("/tutor/sheet", "it").get_data(as_text=True)
    assert 'class="sheet-map-street"' in html
    assert re.search(r'class="sheet-map-street-name"[^>]*>Viale Monza<', html)
    assert 'class="sheet-directions"' not in html  # no directions without a network
