"""The referrals and placements API: a tutor's bearer token, her hub's people only; "sent"
refused without the sharing consent; km zero computed from her home, never returned."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
from tests.factories import milan_today
from tests.people.outcome_helpers import HOME, grid_point, make_hub, make_person, weekdays


@pytest.fixture
def setup(app, client, make_user, make_place, make_offer):
    hub, other = make_hub("Sede Padova"), make_hub("Sede Lambrate")
    tutor = make_user(Role.TUTOR, organisation_id=hub.id)
    p = grid_point(3, 1)
    place = make_place(name="Pulizie Vicine", lon=p.lon, lat=p.lat)
    offer = make_offer(place, "Pulizie", sector="pulizie", schedule=weekdays("09:00", "13:00"))
    person = make_person(hub, tutor=tutor)
    theirs = make_person(other)
    token = issue_token(tutor, "tests")
    db.session.commit()

    def call(method, path, body=None):
        return client.open(
            f"/api/v1{path}",
            method=method,
            json=body,
            headers={"Authorization": f"Bearer {token}"},
        )

    return call, person, theirs, offer


def test_referral_and_placement_through_the_api(setup):
    call, person, theirs, offer = setup
    made = call("POST", f"/people/{person.code}/referrals", {"target": f"offer-{offer.id}"})
    assert made.status_code == 201
    referral = made.get_json()
    assert referral["status"] == "proposed"
    assert referral["next_steps"] == ["sent", "withdrawn"]
    refused = call("POST", f"/referrals/{referral['id']}/step", {"status": "sent"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["field"] == "status"
    start = (milan_today() - timedelta(days=40)).isoformat()
    placed = call(
        "POST",
        f"/people/{person.code}/placements",
        {"employer_name": "Pulizie Vicine", "contract_type": "determinato", "starts_on": start},
    )
    assert placed.status_code == 201, placed.get_json()
    body = placed.get_json()
    # No workplace and no address typed: km zero cannot be measured, and is not guessed.
    assert body["km_zero"] is None
    assert [f["still_working"] for f in body["follow_ups"]] == ["unknown"] * 3
    assert str(HOME.lon) not in placed.get_data(as_text=True)
    first = body["follow_ups"][0]["id"]
    answered = call("POST", f"/follow-ups/{first}", {"still_working": "no"})
    assert answered.status_code == 200
    assert answered.get_json()["follow_ups"][0]["still_working"] == "no"
    listed = call("GET", f"/people/{person.code}/placements").get_json()["placements"]
    assert [p["id"] for p in listed] == [body["id"]]
    assert (
        call("GET", f"/people/{person.code}/referrals").get_json()["referrals"][0]["id"]
        == (referral["id"])
    )


def test_another_hubs_person_and_bad_codes(setup):
    call, _person, theirs, offer = setup
    assert call("GET", f"/people/{theirs.code}/referrals").status_code == 404
    assert call("GET", "/people/nobody/referrals").status_code == 400
    missing = call("POST", f"/people/{theirs.code}/referrals", {"target": f"offer-{offer.id}"})
    assert missing.status_code == 404


def test_enrolments_and_autonomy_through_the_api(setup, make_resource):
    call, person, theirs, offer = setup
    course = make_resource(offer.place, "Italiano per il lavoro", kind="italian_course")
    draft = make_resource(offer.place, "Corso in bozza", status="draft")
    db.session.commit()
    start = (milan_today() - timedelta(days=30)).isoformat()
    made = call(
        "POST", f"/people/{person.code}/enrolments", {"resource_id": course.id, "on": start}
    )
    assert made.status_code == 201, made.get_json()
    enrolment = made.get_json()
    assert (enrolment["status"], enrolment["title"], enrolment["enrolled_on"]) == (
        "enrolled",
        "Italiano per il lavoro",
        start,
    )
    # A course not published, a date before the enrolment, "enrolled" as an outcome: refused
    # next to the field, nothing written.
    unpublished = call("POST", f"/people/{person.code}/enrolments", {"resource_id": draft.id})
    assert unpublished.status_code == 400
    assert unpublished.get_json()["error"]["field"] == "resource"
    early = (milan_today() - timedelta(days=31)).isoformat()
    before = call("POST", f"/enrolments/{enrolment['id']}", {"status": "completed", "on": early})
    assert (before.status_code, before.get_json()["error"]["field"]) == (400, "on")
    wrong = call("POST", f"/enrolments/{enrolment['id']}", {"status": "enrolled"})
    assert (wrong.status_code, wrong.get_json()["error"]["field"]) == (400, "status")
    ended = call("POST", f"/enrolments/{enrolment['id']}", {"status": "completed"})
    assert ended.status_code == 200
    assert (ended.get_json()["status"], ended.get_json()["ended_on"]) == (
        "completed",
        milan_today().isoformat(),
    )
    listed = call("GET", f"/people/{person.code}/enrolments").get_json()["enrolments"]
    assert [(e["id"], e["status"]) for e in listed] == [(enrolment["id"], "completed")]

    assessed = call("POST", f"/people/{person.code}/autonomy", {"searches_alone": True})
    assert assessed.status_code == 201
    assert assessed.get_json()["searches_alone"] is True
    strict = call("POST", f"/people/{person.code}/autonomy", {"searches_alone": "yes"})
    assert (strict.status_code, strict.get_json()["error"]["field"]) == (400, "searches_alone")
    got = call("GET", f"/people/{person.code}/autonomy").get_json()["assessments"]
    assert [a["searches_alone"] for a in got] == [True]

    # Another hub's person: not found, for every operation.
    assert call("GET", f"/people/{theirs.code}/enrolments").status_code == 404
    assert call("GET", f"/people/{theirs.code}/autonomy").status_code == 404
    body = {"resource_id": course.id}
    assert call("POST", f"/people/{theirs.code}/enrolments", body).status_code == 404
    assert (
        call("POST", f"/people/{theirs.code}/autonomy", {"searches_alone": False}).status_code
        == 404
    )
    assert call("POST", "/enrolments/2147483648", {"status": "dropped"}).status_code == 404


def test_a_scout_gets_403_on_the_courses_and_autonomy_api(client, make_user, setup):
    _call, person, _theirs, _offer = setup
    token = issue_token(make_user(Role.SCOUT), "scout")
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    for method, path, body in (
        ("GET", f"/people/{person.code}/enrolments", None),
        ("POST", f"/people/{person.code}/enrolments", {"resource_id": 1}),
        ("POST", "/enrolments/1", {"status": "dropped"}),
        ("GET", f"/people/{person.code}/autonomy", None),
        ("POST", f"/people/{person.code}/autonomy", {"searches_alone": True}),
    ):
        answer = client.open(f"/api/v1{path}", method=method, json=body, headers=headers)
        assert answer.status_code == 403, path
        assert client.open(f"/api/v1{path}", method=method, json=body).status_code == 401
