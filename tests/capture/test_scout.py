"""Scout pages on the server side: every form's validation, exactly-once storage of entries
re-sent from a device's queue, duplicates, optimistic locking, "to visit near me"."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from scout.extensions import db
from scout.models import (
    Address,
    AuditEvent,
    Offer,
    Organisation,
    Place,
    PlaceSource,
    Resource,
    ReviewStatus,
    Role,
    Visit,
    VisitOutcome,
)
from tests.factories import DUOMO, VIA_PADOVA, milan_today

JSON = {"Accept": "application/json"}


def scout_client(app, login, user, monkeypatch):
    """A logged-in scout's client; CSRF is exercised by the browser tests."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    db.session.commit()
    return login(user)


@pytest.fixture
def scout_user(make_user):
    return make_user(Role.SCOUT)


@pytest.fixture
def scout(app, login, scout_user, monkeypatch):
    return scout_client(app, login, scout_user, monkeypatch)


def place_data(**kw):
    data = {
        "name": "Trattoria Da Gino",
        "kind": "employer",
        "lon": str(VIA_PADOVA[0]),
        "lat": str(VIA_PADOVA[1]),
        "accuracy_m": "12",
        "position_source": "gps",
        "sectors": "restaurant, cleaning",
        "phone": "+39 02 1234567",
        "email": "gino@example.org",
        "website": "gino.example.org",
        "client_key": str(uuid.uuid4()),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


# ---- add a place ---------------------------------------------------------------------------


def test_scout_pages_render(scout, make_place):
    place = make_place()
    for url in (
        "/scout/",
        "/scout/places/new",
        "/scout/nearby",
        f"/scout/places/{place.id}",
        f"/scout/places/{place.id}/edit",
        f"/scout/places/{place.id}/visits/new",
        f"/scout/places/{place.id}/offers/new",
        f"/scout/places/{place.id}/resources/new",
    ):
        assert scout.get(url).status_code == 200, url


def test_new_place_is_stored_to_review_with_organisation(scout, scout_user):
    response = scout.post("/scout/places/new", data=place_data(), headers=JSON)
    assert response.status_code == 201, response.json
    place = db.session.get(Place, response.json["id"])
    assert place.status == ReviewStatus.TO_REVIEW
    assert place.created_by_id == scout_user.id
    assert place.municipio == 2
    assert place.organisation.name == "Trattoria Da Gino"
    assert place.organisation.sectors == ["restaurant", "cleaning"]
    assert place.organisation.website == "https://gino.example.org"
    assert response.json["redirect"] == f"/scout/places/{place.id}"


def test_new_place_is_audited(scout, scout_user):
    response = scout.post("/scout/places/new", data=place_data(), headers=JSON)
    event = db.session.scalar(
        select(AuditEvent).where(
            AuditEvent.entity == "place", AuditEvent.entity_id == response.json["id"]
        )
    )
    assert event.user_id == scout_user.id
    assert event.changes["name"] == "Trattoria Da Gino"


def test_existing_organisation_is_linked_not_duplicated(scout, make_org):
    org = make_org("Cooperativa Sole", website="https://sole.example.org")
    db.session.commit()
    response = scout.post(
        "/scout/places/new",
        data=place_data(name="Sole, sede Padova", organisation_id=str(org.id), website="other.org"),
        headers=JSON,
    )
    place = db.session.get(Place, response.json["id"])
    assert place.organisation_id == org.id
    assert place.organisation.website == "https://sole.example.org"  # not overwritten


def test_same_client_key_is_stored_once(scout):
    data = place_data()
    first = scout.post("/scout/places/new", data=data, headers=JSON)
    again = scout.post("/scout/places/new", data={**data, "queued": "1"}, headers=JSON)
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json["id"] == first.json["id"]
    assert again.json["created"] is False
    assert count(Place, Place.client_key == uuid.UUID(data["client_key"])) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "castle"}, "kind"),
        ({"lon": None, "lat": None}, "lat"),
        ({"lon": str(DUOMO[0] - 0.05), "lat": str(DUOMO[1])}, "lat"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"website": "http://"}, "website"),
        ({"postcode": "2012"}, "postcode"),
        ({"client_key": "not-a-uuid"}, "client_key"),
    ],
)
def test_place_form_validation(scout, changes, field):
    response = scout.post("/scout/places/new", data=place_data(**changes), headers=JSON)
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert count(Place, Place.name == "Trattoria Da Gino") == 0


def test_place_form_errors_are_shown_next_to_fields_without_script(scout):
    response = scout.post("/scout/places/new", data=place_data(name="", email="bad"))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="name-error"' in html
    assert 'id="email-error"' in html


def test_point_outside_the_area_is_refused(scout):
    far = place_data(lon="9.10", lat="45.44")  # south-west Milan, far from Municipio 2 and 3
    response = scout.post("/scout/places/new", data=far, headers=JSON)
    assert response.status_code == 422
    assert "lat" in response.json["errors"]


def test_poor_accuracy_needs_confirmation_or_a_dragged_pin(scout, app):
    poor = place_data(accuracy_m="180")
    assert scout.post("/scout/places/new", data=poor, headers=JSON).status_code == 422
    confirmed = {**poor, "position_confirmed": "y"}
    assert scout.post("/scout/places/new", data=confirmed, headers=JSON).status_code == 201
    dragged = place_data(accuracy_m="180", position_source="manual", name="Altro posto")
    assert scout.post("/scout/places/new", data=dragged, headers=JSON).status_code == 201


def test_accuracy_limit_is_configurable(scout, app, monkeypatch):
    monkeypatch.setitem(app.config, "GPS_ACCURACY_MAX_M", 200)
    response = scout.post("/scout/places/new", data=place_data(accuracy_m="180"), headers=JSON)
    assert response.status_code == 201


# ---- duplicates ----------------------------------------------------------------------------


def test_near_similar_name_warns_before_saving(scout, make_place):
    existing = make_place("Trattoria da Gino", lon=VIA_PADOVA[0] + 0.0003, lat=VIA_PADOVA[1])
    db.session.commit()
    response = scout.post("/scout/places/new", data=place_data(), headers=JSON)
    assert response.status_code == 409
    assert f'data-place-id="{existing.id}"' in response.json["html"]
    assert 'name="confirm_duplicate"' in response.json["html"]
    assert count(Place, Place.name == "Trattoria Da Gino") == 0
    anyway = scout.post("/scout/places/new", data=place_data(confirm_duplicate="y"), headers=JSON)
    assert anyway.status_code == 201


def test_far_or_different_names_do_not_warn(scout, make_place):
    make_place("Trattoria da Gino", lon=VIA_PADOVA[0] + 0.003, lat=VIA_PADOVA[1])  # ~230 m
    make_place("Farmacia Centrale", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    db.session.commit()
    assert scout.post("/scout/places/new", data=place_data(), headers=JSON).status_code == 201


def test_entries_from_the_device_queue_skip_the_warning(scout, make_place):
    make_place("Trattoria da Gino")
    db.session.commit()
    response = scout.post("/scout/places/new", data=place_data(queued="1"), headers=JSON)
    assert response.status_code == 201


def test_duplicate_warning_page_without_script(scout, make_place):
    make_place("Trattoria da Gino")
    db.session.commit()
    response = scout.post("/scout/places/new", data=place_data())
    assert response.status_code == 409
    assert 'id="duplicates"' in response.get_data(as_text=True)


# ---- editing and optimistic locking --------------------------------------------------------


def edit_data(place, **kw):
    return place_data(
        name=place.name,
        version=str(place.version),
        client_key=None,
        position_source="stored",
        accuracy_m=None,
        **kw,
    )


def test_edit_with_current_version_saves_and_goes_back_to_review(scout, make_place):
    place = make_place("Bar Sport", status=ReviewStatus.DRAFT)  # sent back, not public
    version = place.version
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/edit",
        data=edit_data(place, notes="Owner is Gianni"),
        headers=JSON,
    )
    assert response.status_code == 200, response.json
    db.session.refresh(place)
    assert place.notes == "Owner is Gianni"
    assert place.version == version + 1
    assert place.status == ReviewStatus.TO_REVIEW


def test_stale_edit_does_not_overwrite_and_shows_both_versions(scout, make_place):
    place = make_place("Bar Sport", status=ReviewStatus.TO_REVIEW)
    old = edit_data(place, notes="Mine: closed on Monday")
    place.notes = "Theirs: open every day"
    db.session.commit()  # someone else saved first: version moved on
    response = scout.post(f"/scout/places/{place.id}/edit", data=old, headers=JSON)
    assert response.status_code == 409
    html = response.json["html"]
    assert "Theirs: open every day" in html
    assert "Mine: closed on Monday" in html
    assert 'data-field="notes"' in html
    db.session.refresh(place)
    assert place.notes == "Theirs: open every day"
    # The answer carries the current version: sending again is a knowing overwrite.
    assert response.json["version"] == place.version
    again = scout.post(
        f"/scout/places/{place.id}/edit",
        data={**old, "version": str(response.json["version"])},
        headers=JSON,
    )
    assert again.status_code == 200
    db.session.refresh(place)
    assert place.notes == "Mine: closed on Monday"


def test_resent_identical_edit_is_not_a_conflict(scout, make_place):
    place = make_place("Bar Sport")
    data = edit_data(place, notes="Same edit")
    db.session.commit()
    assert scout.post(f"/scout/places/{place.id}/edit", data=data, headers=JSON).status_code == 200
    again = scout.post(f"/scout/places/{place.id}/edit", data=data, headers=JSON)
    assert again.status_code == 200
    assert again.json["changed"] is False


def test_stale_offer_edit_is_refused(scout, make_place, make_offer):
    place = make_place()
    offer = make_offer(place, "Lavapiatti")
    data = offer_data(title="Lavapiatti (sera)", version=str(offer.version), client_key=None)
    offer.title = "Aiuto cuoco"
    db.session.commit()
    response = scout.post(f"/scout/offers/{offer.id}/edit", data=data, headers=JSON)
    assert response.status_code == 409
    db.session.refresh(offer)
    assert offer.title == "Aiuto cuoco"


# ---- visits --------------------------------------------------------------------------------


def visit_data(**kw):
    data = {
        "visited_on": milan_today().isoformat(),
        "outcome": "interested",
        "notes": "Talked to the owner",
        "client_key": str(uuid.uuid4()),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_visit_is_stored_once(scout, make_place, scout_user):
    place = make_place()
    db.session.commit()
    data = visit_data(follow_up_on=(milan_today() + timedelta(days=7)).isoformat())
    first = scout.post(f"/scout/places/{place.id}/visits/new", data=data, headers=JSON)
    again = scout.post(f"/scout/places/{place.id}/visits/new", data=data, headers=JSON)
    assert first.status_code == 201
    assert again.json["id"] == first.json["id"]
    visit = db.session.get(Visit, first.json["id"])
    assert visit.outcome == VisitOutcome.INTERESTED
    assert visit.user_id == scout_user.id
    assert count(Visit, Visit.place_id == place.id) == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"visited_on": None}, "visited_on"),
        ({"visited_on": "yesterday"}, "visited_on"),
        ({"visited_on": (milan_today() + timedelta(days=1)).isoformat()}, "visited_on"),
        ({"outcome": None}, "outcome"),
        ({"outcome": "maybe"}, "outcome"),
        ({"follow_up_on": (milan_today() - timedelta(days=1)).isoformat()}, "follow_up_on"),
        ({"outcome": "come_back"}, "follow_up_on"),
    ],
)
def test_visit_form_validation(scout, make_place, changes, field):
    place = make_place()
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/visits/new", data=visit_data(**changes), headers=JSON
    )
    assert response.status_code == 422
    assert field in response.json["errors"]


# ---- offers and resources ------------------------------------------------------------------


def offer_data(**kw):
    data = {
        "title": "Lavapiatti",
        "contract_type": "determinato",
        "part_time": "orizzontale",
        "hours_per_week": "20",
        "positions": "1",
        "italian_level": "A2",
        "offer_status": "open",
        "schedule-present": "1",
        "schedule-0-0-start": "09:00",
        "schedule-0-0-end": "13:00",
        "schedule-2-0-start": "09:00",
        "schedule-2-0-end": "13:00",
        "client_key": str(uuid.uuid4()),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_offer_is_stored_with_its_schedule(scout, make_place):
    place = make_place()
    db.session.commit()
    data = offer_data()
    response = scout.post(f"/scout/places/{place.id}/offers/new", data=data, headers=JSON)
    assert response.status_code == 201, response.json
    again = scout.post(f"/scout/places/{place.id}/offers/new", data=data, headers=JSON)
    assert again.json["id"] == response.json["id"]
    offer = db.session.get(Offer, response.json["id"])
    assert offer.status == ReviewStatus.TO_REVIEW
    assert offer.schedule == [
        {"day": 0, "start": "09:00", "end": "13:00"},
        {"day": 2, "start": "09:00", "end": "13:00"},
    ]
    assert float(offer.hours_per_week) == 20


def test_offer_edit_page_shows_its_schedule(scout, make_place, make_offer):
    offer = make_offer(make_place(), schedule=[{"day": 4, "start": "14:30", "end": "18:00"}])
    db.session.commit()
    html = scout.get(f"/scout/offers/{offer.id}/edit").get_data(as_text=True)
    assert 'name="schedule-4-0-start" value="14:30"' in html
    assert 'name="schedule-4-0-end" value="18:00"' in html


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"contract_type": "forever"}, "contract_type"),
        ({"part_time": None}, "part_time"),
        ({"positions": "0"}, "positions"),
        ({"hours_per_week": "80"}, "hours_per_week"),
        ({"part_time": "full_time", "hours_per_week": "20"}, "hours_per_week"),
        ({"hours_per_week": "4"}, "hours_per_week"),  # the schedule adds up to 8
        ({"starts_on": "2026-03-01", "expires_on": "2026-02-01"}, "expires_on"),
        ({"schedule-1-0-start": "13:00", "schedule-1-0-end": "09:00"}, "schedule"),
        ({"schedule-1-0-start": "25:00", "schedule-1-0-end": "26:00"}, "schedule"),
        ({"schedule-1-0-start": "09:00"}, "schedule"),
        (
            {
                "schedule-0-1-start": "12:00",
                "schedule-0-1-end": "15:00",
            },
            "schedule",
        ),  # overlaps Monday 09-13
    ],
)
def test_offer_form_validation(scout, make_place, changes, field):
    place = make_place()
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/offers/new", data=offer_data(**changes), headers=JSON
    )
    assert response.status_code == 422
    assert field in response.json["errors"]
    assert count(Offer, Offer.place_id == place.id) == 0


def resource_data(**kw):
    data = {
        "title": "Italiano per il lavoro",
        "kind": "italian_course",
        "languages": "it, AR",
        "target_groups": "mothers",
        "is_free": "y",
        "schedule-present": "1",
        "schedule-1-0-start": "09:00",
        "schedule-1-0-end": "11:00",
        "starts_on": "2026-09-15",
        "ends_on": "2027-06-15",
        "client_key": str(uuid.uuid4()),
    }
    data.update(kw)
    return {k: v for k, v in data.items() if v is not None}


def test_resource_is_stored(scout, make_place):
    place = make_place()
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/resources/new", data=resource_data(), headers=JSON
    )
    assert response.status_code == 201, response.json
    resource = db.session.get(Resource, response.json["id"])
    assert resource.languages == ["it", "ar"]
    assert resource.is_free is True
    assert resource.schedule == [{"day": 1, "start": "09:00", "end": "11:00"}]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": ""}, "title"),
        ({"kind": "party"}, "kind"),
        ({"languages": "italian"}, "languages"),
        ({"is_free": None}, "cost"),
        ({"starts_on": "2026-09-15", "ends_on": "2026-09-01"}, "ends_on"),
        ({"schedule-3-1-start": "18:00", "schedule-3-1-end": "17:00"}, "schedule"),
    ],
)
def test_resource_form_validation(scout, make_place, changes, field):
    place = make_place()
    db.session.commit()
    response = scout.post(
        f"/scout/places/{place.id}/resources/new", data=resource_data(**changes), headers=JSON
    )
    assert response.status_code == 422
    assert field in response.json["errors"]


# ---- to visit near me ----------------------------------------------------------------------


def test_to_visit_lists_unvisited_and_due_follow_ups_nearest_first(scout, make_place, make_user):
    lon, lat = VIA_PADOVA
    near = make_place(
        "Near, never visited",
        lon=lon + 0.001,
        lat=lat,
        status=ReviewStatus.DRAFT,
        source=PlaceSource.IMPORT,
    )
    nearer = make_place("Nearest, never visited", lon=lon + 0.0002, lat=lat)
    due = make_place("Follow-up due", lon=lon + 0.002, lat=lat)
    later = make_place("Follow-up later", lon=lon + 0.0005, lat=lat)
    done = make_place("Visited, no follow-up", lon=lon + 0.0001, lat=lat)
    archived = make_place("Archived", lon=lon, lat=lat, status=ReviewStatus.ARCHIVED)
    today = milan_today()
    db.session.add_all(
        [
            Visit(
                place=due,
                visited_on=today - timedelta(days=20),
                outcome=VisitOutcome.COME_BACK,
                follow_up_on=today - timedelta(days=1),
            ),
            Visit(
                place=later,
                visited_on=today,
                outcome=VisitOutcome.COME_BACK,
                follow_up_on=today + timedelta(days=9),
            ),
            Visit(place=done, visited_on=today, outcome=VisitOutcome.NOT_INTERESTED),
        ]
    )
    db.session.commit()
    html = scout.post("/scout/nearby", data={"lon": lon, "lat": lat}).get_data(as_text=True)
    listed = [
        int(x) for x in re.findall(r'<li class="list-group-item" data-place-id="(\d+)"', html)
    ]
    mine = {p.id for p in (near, nearer, due, later, done, archived)}
    # OSM places loaded by `geo load` are listed too; ours come in walking order.
    assert [i for i in listed if i in mine] == [nearer.id, near.id, due.id]


def test_to_visit_outside_the_area_says_so(scout):
    response = scout.post("/scout/nearby", data={"lon": DUOMO[0] - 0.05, "lat": DUOMO[1]})
    assert response.status_code == 200
    assert 'id="nearby-error"' in response.get_data(as_text=True)


# ---- suggestions ---------------------------------------------------------------------------


def test_address_suggestions_match_the_gazetteer(scout):
    db.session.add_all(
        [
            Address(
                street="Via Padova",
                street_key="via padova",
                housenumber=str(n),
                postcode="20127",
                location=f"SRID=4326;POINT({9.2271 + n * 1e-5} 45.4970)",
            )
            for n in (10, 12, 14)
        ]
    )
    db.session.commit()
    body = scout.post("/scout/addresses.json", data={"q": "V. Padova 12"}).json
    assert body["addresses"][0]["label"] == "Via Padova 12"
    assert body["addresses"][0]["postcode"] == "20127"
    assert scout.post("/scout/addresses.json", data={"q": "pdova"}).json["addresses"]
    near = {"q": "via padova", "lon": 9.2271 + 14e-5, "lat": 45.4970}
    nearest = scout.post("/scout/addresses.json", data=near).json["addresses"]
    assert nearest[0]["label"] == "Via Padova 14"
    assert scout.get("/scout/addresses.json?q=pdova&lon=9.2271&lat=45.497").status_code == 405


def test_organisation_suggestions(scout, make_org):
    make_org("Cooperativa Sole")
    db.session.commit()
    names = [o["name"] for o in scout.get("/scout/organisations.json?q=sole").json["organisations"]]
    assert "Cooperativa Sole" in names


def test_service_worker_is_served_under_scout(scout):
    response = scout.get("/scout/sw.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    text = response.get_data(as_text=True)
    assert "/static/vendor/leaflet-1.9.4/leaflet.js" in text
    assert '"/scout/places/new"' in text


def test_tutor_cannot_reach_scout_pages(client, login, make_user):
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    assert login(tutor).get("/scout/places/new").status_code == 403


__all__ = ["Organisation"]
