"""The referrals and placements API: a tutor's bearer token, her hub's people only; "sent"
refused without the sharing consent; km zero computed from her home, never returned."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
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
    start = (date.today() - timedelta(days=40)).isoformat()
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
