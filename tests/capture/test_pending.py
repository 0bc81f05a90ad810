"""What the public sees while scouts work: a scout's change to a published place, offer or
resource, or to an organisation, waits in the review queue with its diff while the approved
version stays public (map data, tutors' search); it is applied when a coordinator approves.
The review page says whether the place will be public and lets the coordinator set the
organisation's partner / consent / contacts flags there."""

from __future__ import annotations

import pytest

from scout.extensions import db
from scout.models import Place, ReviewStatus, Role
from tests.capture.test_review import _tutor_search, decide
from tests.capture.test_scout import JSON, offer_data, place_data


def client_of(app, user, monkeypatch):
    """A client of its own logged in as ``user`` (scout and coordinator side by side)."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    return client


@pytest.fixture
def scout_user(make_user):
    return make_user(Role.SCOUT)


@pytest.fixture
def scout(app, scout_user, monkeypatch):
    return client_of(app, scout_user, monkeypatch)


@pytest.fixture
def coordinator(app, make_user, monkeypatch):
    return client_of(app, make_user(Role.COORDINATOR), monkeypatch)


def public_places(app) -> dict[str, dict]:
    """The public GeoJSON as anyone downloads it, by place name."""
    response = app.test_client().get("/data/places.geojson")
    assert response.status_code == 200
    return {f["properties"]["name"]: f["properties"] for f in response.get_json()["features"]}


def edit_data(place, **kw):
    """The edit form as loaded for ``place``, with the scout's changes ``kw``."""
    org = place.organisation
    data = {
        "name": place.name,
        "version": str(place.version),
        "client_key": None,
        "position_source": "stored",
        "accuracy_m": None,
        "kind": org.kind.value,
        "organisation_id": str(org.id),
        "organisation_name": org.name,
        "sectors": ", ".join(org.sectors or []),
        "website": org.website,
        "phone": place.phone,
        "email": place.email,
        "opening_hours": place.opening_hours,
    }
    return place_data(**{**data, **kw})


def review_page(coordinator, kind, record) -> str:
    response = coordinator.get(f"/admin/review/{kind}/{record.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


# ---- 1. organisations ----------------------------------------------------------------------


def test_scout_website_for_an_existing_organisation_waits_for_review(
    app, scout, coordinator, make_org, make_place
):
    org = make_org("Cooperativa Sole", contacts_public=True)
    make_place("Sole, sede Loreto", organisation=org)
    db.session.commit()
    response = scout.post(
        "/scout/places/new",
        data=place_data(
            name="Sole, sede Padova",
            organisation_id=str(org.id),
            website="sole.example.org",
            confirm_duplicate="y",
        ),
        headers=JSON,
    )
    assert response.status_code == 201, response.json
    assert public_places(app)["Sole, sede Loreto"]["website"] is None

    new = db.session.get(Place, response.json["id"])
    html = review_page(coordinator, "place", new)
    assert 'id="review-changes"' in html
    assert 'data-field="website"' in html
    assert "https://sole.example.org" in html
    decide(coordinator, "place", new, "publish")
    assert public_places(app)["Sole, sede Loreto"]["website"] == "https://sole.example.org"


def test_scout_renaming_the_organisation_of_a_published_place_waits(
    app, scout, coordinator, make_org, make_place
):
    place = make_place("Bar Sport", organisation=make_org("Bar Sport SRL"), opening_hours="8-20")
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, organisation_name="NOME CAMBIATO DA UNO SCOUT"),
        headers=JSON,
    )
    assert response.status_code == 200, response.json
    assert public_places(app)["Bar Sport"]["organisation"] == "Bar Sport SRL"

    html = review_page(coordinator, "place", place)
    assert 'data-field="organisation_name"' in html
    assert "NOME CAMBIATO DA UNO SCOUT" in html
    db.session.refresh(place)
    decide(coordinator, "place", place, "publish")
    assert public_places(app)["Bar Sport"]["organisation"] == "NOME CAMBIATO DA UNO SCOUT"


# ---- 2. a published version stays public while the edit waits ------------------------------


def test_scout_edit_of_a_published_place_keeps_it_public_until_approved(
    app, scout, coordinator, make_place
):
    place = make_place("Panetteria Greco", opening_hours="Lun-Ven 7-13")
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, opening_hours="Lun-Sab 7-13"),
        headers=JSON,
    )
    assert response.status_code == 200, response.json
    assert response.json["changed"] is True
    assert public_places(app)["Panetteria Greco"]["opening_hours"] == "Lun-Ven 7-13"
    home = app.test_client().get("/").get_data(as_text=True)
    assert "Panetteria Greco" in home

    queue = coordinator.get("/admin/review").get_data(as_text=True)
    assert f'data-review-kind="place" data-id="{place.id}"' in queue
    html = review_page(coordinator, "place", place)
    assert 'data-field="opening_hours"' in html
    assert "Lun-Ven 7-13" in html
    assert "Lun-Sab 7-13" in html
    # The scout opening the form again sees their own change, and may refine it.
    form = scout.get(f"/scout/places/{place.id}/edit").get_data(as_text=True)
    assert "Lun-Sab 7-13" in form

    db.session.refresh(place)
    decide(coordinator, "place", place, "publish")
    assert public_places(app)["Panetteria Greco"]["opening_hours"] == "Lun-Sab 7-13"
    db.session.refresh(place)
    assert place.pending is None
    assert place.status == ReviewStatus.PUBLISHED
    queue = coordinator.get("/admin/review").get_data(as_text=True)
    assert f'data-review-kind="place" data-id="{place.id}"' not in queue


def test_discarded_change_leaves_the_published_version(app, scout, coordinator, make_place):
    place = make_place("Panetteria Greco", opening_hours="Lun-Ven 7-13")
    db.session.commit()
    scout.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, opening_hours="chiuso"),
        headers=JSON,
    )
    db.session.refresh(place)
    assert decide(coordinator, "place", place, "discard").status_code == 302
    assert public_places(app)["Panetteria Greco"]["opening_hours"] == "Lun-Ven 7-13"
    form = scout.get(f"/scout/places/{place.id}/edit").get_data(as_text=True)
    assert "chiuso" not in form


def test_change_sent_back_stays_off_the_public_data_and_reaches_the_scout(
    app, scout, coordinator, make_place
):
    place = make_place("Panetteria Greco", opening_hours="Lun-Ven 7-13")
    db.session.commit()
    scout.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, opening_hours="Lun-Sab 7-13"),
        headers=JSON,
    )
    db.session.refresh(place)
    decide(coordinator, "place", place, "send_back", comment="Sabato solo mattina?")
    assert public_places(app)["Panetteria Greco"]["opening_hours"] == "Lun-Ven 7-13"
    home = scout.get("/scout/").get_data(as_text=True)
    assert f'data-entity="place" data-id="{place.id}"' in home
    assert "Sabato solo mattina?" in home
    assert 'data-pending="draft"' in home


def test_scout_edit_of_a_published_offer_keeps_it_for_tutors_until_approved(
    app, scout, coordinator, make_user, make_place, make_offer
):
    place = make_place("Ristorante Loreto")
    offer = make_offer(place, "Cameriere")
    db.session.commit()
    data = offer_data(title="Cameriere di sala", version=str(offer.version), client_key=None)
    response = scout.post(f"/scout/offers/{offer.id}/edit", data=data, headers=JSON)
    assert response.status_code == 200, response.json
    titles = _tutor_search(app, make_user)
    assert "Cameriere" in titles
    assert "Cameriere di sala" not in titles

    html = review_page(coordinator, "offer", offer)
    assert 'data-field="title"' in html
    db.session.refresh(offer)
    decide(coordinator, "offer", offer, "publish")
    titles = _tutor_search(app, make_user)
    assert "Cameriere di sala" in titles
    assert "Cameriere" not in titles


def test_coordinator_edit_is_written_at_once(app, coordinator, make_place):
    place = make_place("Panetteria Greco", opening_hours="Lun-Ven 7-13")
    db.session.commit()
    response = coordinator.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, opening_hours="Lun-Sab 7-13"),
        headers=JSON,
    )
    assert response.status_code == 200, response.json
    assert public_places(app)["Panetteria Greco"]["opening_hours"] == "Lun-Sab 7-13"


# ---- 3. the review page says what the public will see --------------------------------------


def test_review_page_says_why_the_place_will_not_be_public_and_sets_the_flags(
    app, scout, coordinator
):
    created = scout.post(
        "/scout/places/new", data=place_data(name="Lavanderia Gorla"), headers=JSON
    )
    place = db.session.get(Place, created.json["id"])
    html = review_page(coordinator, "place", place)
    assert 'data-public="no"' in html
    assert "non è un partner della rete" in html
    assert "non ha acconsentito a comparire sulla mappa pubblica" in html

    response = coordinator.post(
        f"/admin/review/place/{place.id}",
        data={
            "action": "publish",
            "version": str(place.version),
            "flags_shown": "1",
            "is_partner": "y",
            "public_consent": "y",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Pubblicato: «Lavanderia Gorla» è sulla mappa pubblica." in response.get_data(
        as_text=True
    )
    assert "Lavanderia Gorla" in public_places(app)
    assert "website" not in public_places(app)["Lavanderia Gorla"]  # contacts stay private


def test_publishing_says_when_the_place_stays_off_the_public_map(app, scout, coordinator):
    created = scout.post(
        "/scout/places/new", data=place_data(name="Lavanderia Gorla"), headers=JSON
    )
    place = db.session.get(Place, created.json["id"])
    response = coordinator.post(
        f"/admin/review/place/{place.id}",
        data={"action": "publish", "version": str(place.version), "flags_shown": "1"},
        follow_redirects=True,
    )
    text = response.get_data(as_text=True)
    assert "non è sulla mappa pubblica" in text
    assert "non è un partner della rete" in text
    db.session.refresh(place)
    assert place.status == ReviewStatus.PUBLISHED
    assert "Lavanderia Gorla" not in public_places(app)
