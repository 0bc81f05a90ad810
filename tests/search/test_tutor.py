"""The tutor search page and the printed sheet (HTML in five languages, and PDF)."""

from __future__ import annotations

import io
import json
import re

import pytest
from flask_babel import force_locale, gettext
from pypdf import PdfReader

from scout.models import ItalianLevel, OrgKind, ResourceKind, Role
from tests.pdfs import assert_reads, tagged_pdf

HOME = {"lon": 9.2283917, "lat": 45.4981733, "source": "address"}


@pytest.fixture
def tutor_client(client, login, make_user):
    login(make_user(Role.TUTOR))
    page = client.get("/tutor/")
    assert page.status_code == 200
    token = re.search(r'name="csrf-token" content="([^"]+)"', page.get_data(as_text=True))[1]
    client.csrf_token = token
    return client


@pytest.fixture
def shortlist(app, make_place, make_offer, make_resource):
    bakery = make_place(
        name="Forno Sant'Ambrogio",
        lon=9.2290,
        lat=45.4985,
        street="Via Padova",
        civic_number="51",
        postcode="20127",
    )
    offer = make_offer(
        bakery,
        "Commessa al banco",
        schedule=[{"day": d, "start": "09:00", "end": "13:00"} for d in range(5)],
        italian_level=ItalianLevel.A2,
        how_to_apply="Portare il CV in negozio",
    )
    parish = make_place(
        name="Parrocchia di Turro",
        lon=9.2270,
        lat=45.4995,
        street="Via Carnovali",
        civic_number="4",
        org_kind=OrgKind.PARISH,
    )
    course = make_resource(
        parish,
        "Italiano per mamme",
        kind=ResourceKind.ITALIAN_COURSE,
        how_to_enrol="Il lunedì in segreteria",
    )
    far = make_place(name="Non scelto", lon=9.2275, lat=45.4990)
    other = make_offer(far, "Offerta non scelta")
    return {"offer": offer, "course": course, "other": other}


def sheet_form(client, items, lang="it", **extra):
    return {
        "csrf_token": client.csrf_token,
        "search": json.dumps(
            {
                "origin": HOME,
                "school_hours": {"drop_off": "08:30", "pick_up": "16:30"},
                "max_minutes": 20,
            }
        ),
        "items": items,
        "lang": lang,
        **extra,
    }


def test_search_page_has_the_form_the_map_and_the_school_list(tutor_client):
    html = tutor_client.get("/tutor/").get_data(as_text=True)
    for element_id in (
        "search-form",
        "address-input",
        "school-input",
        "school-data",
        "hub-select",
        "max-minutes",
        "drop-off",
        "pick-up",
        "results",
        "sheet-form",
        "tutor-settings",
    ):
        assert f'id="{element_id}"' in html
    schools = json.loads(html.split('id="school-data" type="application/json">')[1].split("</")[0])
    assert len(schools) > 300
    assert 'type="module" src="/static/js/tutor.js?v=' in html
    # No third-party map tiles: they would tell a tile server where she lives.
    assert "tile.openstreetmap.org" not in html


def test_the_neighbourhoods_are_outlined_by_the_basemap_not_twice(app, tutor_client, monkeypatch):
    # The app's basemap draws and names the NIL: the page adds no outlines of its own.
    assert "nil-outline" not in tutor_client.get("/tutor/").get_data(as_text=True)
    # Over another tile server (which has no NIL) the page outlines them itself.
    monkeypatch.setitem(app.config, "TUTOR_TILE_URL", "https://tiles.example/{z}/{x}/{y}.png")
    assert "nil-outline" in tutor_client.get("/tutor/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("lang", "direction"),
    [("ar", "rtl"), ("it", "ltr"), ("en", "ltr"), ("es", "ltr"), ("fr", "ltr")],
)
def test_sheet_comes_in_five_languages(tutor_client, shortlist, lang, direction):
    keys = [f"offer-{shortlist['offer'].id}", f"course-{shortlist['course'].id}"]
    response = tutor_client.post("/tutor/sheet", data=sheet_form(tutor_client, keys, lang))
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}" dir="{direction}">' in html
    assert "Forno Sant&#39;Ambrogio" in html
    assert "Via Padova 51" in html
    assert "Parrocchia di Turro" in html
    assert "Portare il CV in negozio" in html
    assert "Il lunedì in segreteria" in html
    assert "Offerta non scelta" not in html
    assert html.count('class="sheet-place"') == 2
    assert 'data-fit="fits"' in html
    assert "<svg" in html
    assert 'class="sheet-map-place"' in html
    # Nothing of where she lives.
    assert "9.22839" not in html
    assert "45.49817" not in html
    assert response.headers["Cache-Control"] == "no-store"


def test_sheet_has_no_name_unless_typed(tutor_client, shortlist):
    keys = [f"offer-{shortlist['offer'].id}"]
    plain = tutor_client.post("/tutor/sheet", data=sheet_form(tutor_client, keys))
    assert "sheet-person" not in plain.get_data(as_text=True)
    named = tutor_client.post(
        "/tutor/sheet", data=sheet_form(tutor_client, keys, person_name="Amina", note="Martedì")
    )
    html = named.get_data(as_text=True)
    assert '<span class="sheet-person-name">Amina</span>' in html
    assert "Martedì" in html


def test_sheet_pdf_holds_the_places(tutor_client, shortlist):
    keys = [f"offer-{shortlist['offer'].id}", f"course-{shortlist['course'].id}"]
    response = tutor_client.post("/tutor/sheet.pdf", data=sheet_form(tutor_client, keys, "ar"))
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.data))
    assert len(reader.pages) == 1
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Forno Sant'Ambrogio" in text
    assert "Via Padova 51" in text
    assert "Parrocchia di Turro" in text
    assert "Offerta non scelta" not in text


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_sheet_pdf_is_tagged_for_screen_readers_in_her_language(app, tutor_client, shortlist, lang):
    keys = [f"offer-{shortlist['offer'].id}", f"course-{shortlist['course'].id}"]
    response = tutor_client.post("/tutor/sheet.pdf", data=sheet_form(tutor_client, keys, lang))
    assert response.status_code == 200
    reader, tags, text = tagged_pdf(response.data, lang)
    with app.test_request_context(), force_locale(lang):
        title = gettext("Work within walking distance")
    assert reader.metadata.title == title
    assert tags[0] == "/Document"
    assert tags.count("/H1") == 1
    assert tags.count("/H2") == 2  # one heading per place, in reading order after the title
    assert tags.index("/H1") < tags.index("/H2")
    assert {"/P", "/L", "/LI"} <= set(tags)
    assert_reads(text, [title, "Forno Sant'Ambrogio", "Parrocchia di Turro", "Via Padova 51"])


@pytest.mark.parametrize(
    "change",
    [
        {"items": []},
        {"items": ["offer-999999"]},
        {"lang": "de"},
        {"search": "not json"},
        {"search": json.dumps({"origin": {"lon": 9.04, "lat": 45.53}})},
    ],
)
def test_bad_sheet_requests_are_refused(tutor_client, shortlist, change):
    data = sheet_form(tutor_client, [f"offer-{shortlist['offer'].id}"])
    data.update(change)
    assert tutor_client.post("/tutor/sheet", data=data).status_code == 400


def test_sheet_needs_the_csrf_token(tutor_client, shortlist):
    data = sheet_form(tutor_client, [f"offer-{shortlist['offer'].id}"])
    del data["csrf_token"]
    assert tutor_client.post("/tutor/sheet", data=data).status_code == 400


def test_arabic_sheet_shows_a_partners_opening_hours_in_arabic(tutor_client, make_place):
    from scout.schedule import day_names, parse_opening_hours

    partner = make_place(
        name="Associazione Padova aperta",
        lon=9.2285,
        lat=45.4983,
        org_is_partner=True,
        opening_schedule=parse_opening_hours("lun-ven 8:30-18:00"),
    )
    data = sheet_form(tutor_client, [f"organisation-{partner.id}"], "ar")
    html = tutor_client.post("/tutor/sheet", data=data).get_data(as_text=True)
    monday, friday = day_names("ar")[0], day_names("ar")[4]
    assert f"{monday}–{friday} 08:30–18:00" in html
    assert "lun-ven" not in html
    assert "Mon" not in html
