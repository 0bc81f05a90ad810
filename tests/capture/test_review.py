"""The coordinator's review queue: what scouts save waits as *to review*; publish (with the
place's offers and resources), send back with a comment, archive; versions guard decisions;
tutors find only published records; every decision is audited."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from scout.auth import issue_token
from scout.extensions import db
from scout.models import AuditAction, AuditEvent, Offer, Place, ReviewStatus, Role
from tests.capture.test_scout import JSON, offer_data, place_data, scout_client
from tests.factories import VIA_PADOVA


@pytest.fixture
def coordinator(make_user):
    return make_user(Role.COORDINATOR)


@pytest.fixture
def as_coordinator(app, login, coordinator, monkeypatch):
    return scout_client(app, login, coordinator, monkeypatch)


@pytest.fixture
def entry(make_place, make_offer, make_user):
    """A place and an offer a scout saved, waiting for review."""
    scout = make_user(Role.SCOUT)
    place = make_place("Pizzeria Nuova", status=ReviewStatus.TO_REVIEW, created_by_id=scout.id)
    offer = make_offer(place, "Pizzaiolo", status=ReviewStatus.TO_REVIEW, created_by_id=scout.id)
    db.session.commit()
    return place, offer


def decide(client, kind, record, action, **extra):
    data = {"action": action, "version": str(record.version), **extra}
    return client.post(f"/admin/review/{kind}/{record.id}", data=data)


def test_queue_lists_what_waits(as_coordinator, entry):
    place, offer = entry
    html = as_coordinator.get("/admin/review").get_data(as_text=True)
    assert f'data-review-kind="place" data-id="{place.id}"' in html
    assert f'data-review-kind="offer" data-id="{offer.id}"' in html
    page = as_coordinator.get(f"/admin/review/place/{place.id}")
    assert page.status_code == 200
    assert 'id="review-publish"' in page.get_data(as_text=True)


def test_publish_place_with_its_offers(as_coordinator, entry, coordinator):
    place, offer = entry
    response = decide(as_coordinator, "place", place, "publish", with_children="y")
    assert response.status_code == 302
    db.session.refresh(place)
    db.session.refresh(offer)
    assert place.status == ReviewStatus.PUBLISHED
    assert offer.status == ReviewStatus.PUBLISHED
    assert place.verified_by_id == coordinator.id
    assert place.verified_at is not None
    published = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.PUBLISH, AuditEvent.user_id == coordinator.id
        )
    ).all()
    assert {(e.entity, e.entity_id) for e in published} == {
        ("place", place.id),
        ("offer", offer.id),
    }


def test_publish_place_alone_leaves_its_offers_waiting(as_coordinator, entry):
    place, offer = entry
    decide(as_coordinator, "place", place, "publish")
    db.session.refresh(offer)
    assert offer.status == ReviewStatus.TO_REVIEW


def test_offer_of_an_unpublished_place_cannot_be_published(as_coordinator, entry):
    _place, offer = entry
    response = decide(as_coordinator, "offer", offer, "publish")
    assert response.status_code == 400
    db.session.refresh(offer)
    assert offer.status == ReviewStatus.TO_REVIEW


def test_send_back_needs_a_comment_and_shows_it_to_the_scout(as_coordinator, entry, app, login):
    place, _offer = entry
    refused = decide(as_coordinator, "place", place, "send_back")
    assert refused.status_code == 422
    assert 'id="comment-error"' in refused.get_data(as_text=True)
    decide(as_coordinator, "place", place, "send_back", comment="Add the phone number")
    db.session.refresh(place)
    assert place.status == ReviewStatus.DRAFT
    assert place.review_comment == "Add the phone number"
    scout = db.session.get(type(place.created_by), place.created_by_id)
    home = login(scout).get("/scout/").get_data(as_text=True)
    assert f'data-entity="place" data-id="{place.id}"' in home
    assert "Add the phone number" in home


def test_scout_edit_after_send_back_goes_back_to_review(app, login, entry, monkeypatch):
    place, _offer = entry
    place.status, place.review_comment = ReviewStatus.DRAFT, "Add the phone number"
    db.session.commit()
    scout = scout_client(app, login, place.created_by, monkeypatch)
    data = place_data(
        name=place.name,
        version=str(place.version),
        client_key=None,
        phone="02 555 1234",
        position_source="stored",
        accuracy_m=None,
    )
    assert scout.post(f"/scout/places/{place.id}/edit", data=data, headers=JSON).status_code == 200
    db.session.refresh(place)
    assert place.status == ReviewStatus.TO_REVIEW


def test_archive(as_coordinator, entry):
    place, _offer = entry
    decide(as_coordinator, "place", place, "archive")
    db.session.refresh(place)
    assert place.status == ReviewStatus.ARCHIVED
    html = as_coordinator.get("/admin/review").get_data(as_text=True)
    assert f'data-review-kind="place" data-id="{place.id}"' not in html


def test_decision_on_a_changed_record_is_refused(as_coordinator, entry):
    place, _offer = entry
    seen = place.version
    place.notes = "The scout changed it meanwhile"
    db.session.commit()
    response = as_coordinator.post(
        f"/admin/review/place/{place.id}", data={"action": "publish", "version": str(seen)}
    )
    assert response.status_code == 409
    db.session.refresh(place)
    assert place.status == ReviewStatus.TO_REVIEW


def test_unknown_action_is_refused(as_coordinator, entry):
    place, _offer = entry
    assert decide(as_coordinator, "place", place, "delete").status_code == 422


def test_coordinator_edit_keeps_the_status(as_coordinator, make_place):
    place = make_place("Bar Centrale")  # published
    db.session.commit()
    data = place_data(
        name=place.name,
        version=str(place.version),
        client_key=None,
        notes="fixed a typo",
        position_source="stored",
        accuracy_m=None,
    )
    response = as_coordinator.post(f"/scout/places/{place.id}/edit", data=data, headers=JSON)
    assert response.status_code == 200
    db.session.refresh(place)
    assert place.status == ReviewStatus.PUBLISHED


def _tutor_search(app, make_user):
    token = issue_token(make_user(Role.TUTOR), "review test")
    db.session.commit()
    body = {"origin": {"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]}, "kinds": ["offer"]}
    response = app.test_client().post(
        "/api/v1/search", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_json()
    return [f["properties"]["title"] for f in response.get_json()["features"]]


def test_scout_entry_reaches_tutors_only_once_published(app, login, make_user, monkeypatch):
    """Scout saves a place and an offer; the tutor does not find it; the coordinator
    publishes; the tutor finds it."""
    scout = scout_client(app, login, make_user(Role.SCOUT), monkeypatch)
    created = scout.post("/scout/places/new", data=place_data(), headers=JSON).json
    place = db.session.get(Place, created["id"])
    place.organisation.is_partner = True  # coordinators mark partners on their own page
    db.session.commit()
    offer_id = scout.post(
        f"/scout/places/{place.id}/offers/new", data=offer_data(title="Cameriere"), headers=JSON
    ).json["id"]
    assert "Cameriere" not in _tutor_search(app, make_user)
    coordinator = scout_client(app, login, make_user(Role.COORDINATOR), monkeypatch)
    decide(coordinator, "place", place, "publish", with_children="y")
    assert db.session.get(Offer, offer_id).status == ReviewStatus.PUBLISHED
    assert "Cameriere" in _tutor_search(app, make_user)
