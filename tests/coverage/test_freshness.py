"""Freshness: what is due to be re-verified, the one-tap "still valid", expired offers that
close by themselves, and "verified on …" on public and staff pages."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from scout import bulletin, coverage
from scout.auth import issue_token
from scout.extensions import db
from scout.models import Offer, OfferStatus, Role, Visit, VisitOutcome
from tests.capture.test_scout import scout_client
from tests.factories import VIA_PADOVA


def rome_today() -> date:
    """Today as the app's clock says (Milan's date, also between 22:00 and 24:00 UTC)."""
    return datetime.now(ZoneInfo("Europe/Rome")).date()


LON, LAT = VIA_PADOVA


def ago(days: int) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)


@pytest.fixture
def scout(app, login, make_user, monkeypatch):
    return scout_client(app, login, make_user(Role.SCOUT), monkeypatch)


def due_ids() -> set[int]:
    return set(db.session.scalars(coverage.due_places(rome_today())))


def test_places_offers_and_resources_are_due_after_their_intervals(
    make_place, make_offer, make_resource
):
    fresh = make_place("Fresh", verified_at=ago(10))
    old = make_place("Old place", verified_at=ago(181))
    offer_old = make_place("Old offer", verified_at=ago(10))
    make_offer(offer_old, verified_at=ago(61))
    offer_expiring = make_place("Offer expiring today", verified_at=ago(10))
    make_offer(offer_expiring, verified_at=ago(1), expires_on=rome_today())
    offer_fresh = make_place("Fresh offer", verified_at=ago(10))
    make_offer(offer_fresh, verified_at=ago(59))
    course_old = make_place("Old course", verified_at=ago(10))
    make_resource(course_old, verified_at=ago(91))
    course_ended = make_place("Ended course", verified_at=ago(10))
    make_resource(course_ended, verified_at=ago(91), ends_on=rome_today() - timedelta(days=1))
    expired = make_place("Expired offer", verified_at=ago(10))
    make_offer(expired, verified_at=ago(100), expires_on=rome_today() - timedelta(days=1))
    ids = due_ids()
    assert {old.id, offer_old.id, offer_expiring.id, course_old.id} <= ids
    # An expired offer is closed, not re-verified; an ended course is over.
    assert not {fresh.id, offer_fresh.id, course_ended.id, expired.id} & ids


def test_the_intervals_come_from_the_config(app, make_place, monkeypatch):
    place = make_place(verified_at=ago(40))
    assert place.id not in due_ids()
    monkeypatch.setitem(app.config, "PLACE_VERIFY_DAYS", 30)
    assert place.id in due_ids()


def test_still_valid_in_one_tap_reverifies_the_place_and_what_it_holds(
    scout, make_place, make_offer, make_resource
):
    place = make_place("Bar da riverificare", lon=LON + 0.0003, lat=LAT, verified_at=ago(200))
    offer = make_offer(place, verified_at=ago(70))
    course = make_resource(place, verified_at=ago(95))
    other = make_place("Altro bar", lon=LON + 0.0006, lat=LAT, verified_at=ago(200))
    db.session.commit()
    page = scout.post("/scout/nearby", data={"lon": LON, "lat": LAT, "due": "1"})
    html = page.get_data(as_text=True)
    assert f'data-place-id="{place.id}"' in html
    assert f'name="still_valid" value="{place.id}"' in html

    answer = scout.post(
        "/scout/nearby", data={"lon": LON, "lat": LAT, "due": "1", "still_valid": place.id}
    )
    assert answer.status_code == 200
    html = answer.get_data(as_text=True)
    listed = re.findall(r'<li class="list-group-item" data-place-id="(\d+)"', html)
    assert str(place.id) not in listed  # no longer due
    assert str(other.id) in listed  # the list is still there, from the same position
    db.session.expire_all()
    today = datetime.now(UTC)
    for record in (place, offer, course):
        assert today - record.verified_at < timedelta(minutes=1)
    visit = db.session.scalar(select(Visit).where(Visit.place_id == place.id))
    assert visit.outcome == VisitOutcome.STILL_VALID
    assert visit.visited_on == rome_today()


def test_the_due_filter_keeps_only_places_to_reverify(scout, make_place):
    due = make_place("Da riverificare", lon=LON + 0.0003, lat=LAT, verified_at=ago(200))
    never = make_place("Mai visitato", lon=LON + 0.0002, lat=LAT, verified_at=ago(5))
    db.session.commit()
    everything = scout.post("/scout/nearby", data={"lon": LON, "lat": LAT}).get_data(as_text=True)
    assert f'data-place-id="{due.id}"' in everything
    assert f'data-place-id="{never.id}"' in everything
    assert re.search(rf'data-place-id="{due.id}"[^>]*data-reason="due"', everything)
    only = scout.post("/scout/nearby", data={"lon": LON, "lat": LAT, "due": "1"})
    html = only.get_data(as_text=True)
    assert f'data-place-id="{due.id}"' in html
    assert f'data-place-id="{never.id}"' not in html


def test_close_expired_closes_stored_status_and_is_safe_to_rerun(runner, make_place, make_offer):
    place = make_place()
    gone = make_offer(place, expires_on=rome_today() - timedelta(days=1))
    last_day = make_offer(place, expires_on=rome_today())
    db.session.commit()
    result = runner.invoke(args=["coverage", "close-expired"])
    assert result.exit_code == 0, result.output
    assert "closed 1 expired offer(s)" in result.output
    db.session.expire_all()
    assert db.session.get(Offer, gone.id).offer_status == OfferStatus.CLOSED
    assert db.session.get(Offer, last_day.id).offer_status == OfferStatus.OPEN
    assert "closed 0 expired" in runner.invoke(args=["coverage", "close-expired"]).output


def test_an_expired_offer_leaves_search_and_bulletin_before_it_is_closed(
    client, make_user, make_place, make_offer
):
    place = make_place("Trattoria", lon=LON + 0.001, lat=LAT)
    live = make_offer(place, "Cameriera", expires_on=rome_today() + timedelta(days=3))
    expired = make_offer(place, "Lavapiatti", expires_on=rome_today() - timedelta(days=1))
    token = issue_token(make_user(Role.TUTOR), "tests")
    db.session.commit()
    assert expired.offer_status == OfferStatus.OPEN  # nobody ran close-expired
    found = client.post(
        "/api/v1/search",
        json={"origin": {"lon": LON, "lat": LAT, "source": "address"}, "kinds": ["offer"]},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    titles = [f["properties"]["title"] for f in found["features"]]
    assert "Cameriera" in titles
    assert "Lavapiatti" not in titles
    proposed = {o.id for o in db.session.scalars(bulletin.eligible_offers(rome_today()))}
    assert live.id in proposed
    assert expired.id not in proposed


def test_public_places_say_when_they_were_verified(client, make_place):
    place = make_place(
        "Parrocchia verificata",
        org_is_partner=True,
        org_public_consent=True,
        verified_at=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
    )
    db.session.commit()
    features = client.get("/data/places.geojson").get_json()["features"]
    mine = next(f for f in features if f["id"] == place.id)
    assert mine["properties"]["verified_on"] == "2026-03-04"
    html = client.get("/", headers={"Accept-Language": "it"}).get_data(as_text=True)
    assert "Verificato il 4 marzo 2026" in html
    csv = client.get("/data/places.csv").get_data(as_text=True)
    assert "verified_on" in csv.splitlines()[0]
    assert "2026-03-04" in csv


def test_unverified_places_leave_the_public_map_when_configured(
    app, client, login, make_user, make_place, monkeypatch
):
    stale = make_place(
        "Negozio dimenticato", org_is_partner=True, org_public_consent=True, verified_at=ago(400)
    )
    fresh = make_place(
        "Negozio verificato", org_is_partner=True, org_public_consent=True, verified_at=ago(3)
    )
    db.session.commit()

    def public_ids():
        return {f["id"] for f in client.get("/data/places.geojson").get_json()["features"]}

    assert {stale.id, fresh.id} <= public_ids()  # off by default
    monkeypatch.setitem(app.config, "PLACE_UNPUBLISH_DAYS", 365)
    ids = public_ids()
    assert fresh.id in ids
    assert stale.id not in ids
    coordinator = login(make_user(Role.COORDINATOR))
    queue = coordinator.get("/admin/review").get_data(as_text=True)
    assert f'data-unverified-id="{stale.id}"' in queue
    assert f'data-unverified-id="{fresh.id}"' not in queue
