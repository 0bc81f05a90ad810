"""Matching both ways, on a real PostGIS, in estimate mode and on an imported street grid:
"Cerca per lei" from her stored record, and the people a newly published offer or course fits
(stored as new matches, seen by the tutors of her hub only)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scout.extensions import db
from scout.models import ContractType, ItalianLevel, MatchFit, NewMatch, ResourceKind, ReviewStatus
from scout.people import matching
from scout.people.crypto import decrypt_home
from tests.factories import milan_today
from tests.people.outcome_helpers import (
    grid_point,
    import_grid,
    make_hub,
    make_person,
    make_school,
    weekdays,
)

TODAY = milan_today()


@pytest.fixture(params=["estimate", "network"])
def mode(request, app, tmp_path):
    if request.param == "network":
        import_grid(tmp_path)
    return request.param


@pytest.fixture
def at(make_place):
    def _at(col, row, name, **kw):
        p = grid_point(col, row)
        return make_place(
            name=name, lon=p.lon, lat=p.lat, street="Via Test", civic_number="1", **kw
        )

    return _at


@pytest.fixture
def around(at, make_offer, make_resource):
    """Offers and a course around her home: some for her, some not."""
    near = at(3, 1, "Pulizie Vicine")
    fits = make_offer(
        near,
        "Pulizie mattina",
        sector="pulizie",
        contract_type=ContractType.DETERMINATO,
        italian_level=ItalianLevel.A2,
        schedule=weekdays("09:00", "13:00"),
    )
    evening = make_offer(
        near, "Pulizie sera", sector="pulizie", schedule=weekdays("18:00", "21:00")
    )
    make_offer(near, "Cuoca", sector="ristorazione", schedule=weekdays("09:00", "13:00"))
    make_offer(near, "Pulizie B2", sector="pulizie", italian_level=ItalianLevel.B2)
    course_place = at(1, 5, "Parrocchia Corsi")
    course = make_resource(
        course_place,
        "Italiano per il lavoro",
        kind=ResourceKind.ITALIAN_COURSE,
        schedule=[{"day": 0, "start": "09:00", "end": "11:00"}],
    )
    far = at(40, 30, "Lontano")
    make_offer(far, "Pulizie lontane", sector="pulizie", schedule=weekdays("09:00", "13:00"))
    return {"fits": fits, "evening": evening, "course": course}


def _needs(person):
    return matching.needs_of(person, decrypt_home(person.home_encrypted))


def test_search_for_her_runs_from_her_record(mode, around):
    hub = make_hub("Sede Padova")
    person = make_person(hub, school=make_school())
    result = matching.matches_for(db.session, _needs(person))
    by_title = {h.title: h for h in result.hits}
    # Her wishes (sector, contract), her Italian level and her walking minutes filter...
    assert set(by_title) == {"Pulizie mattina", "Pulizie sera", "Italiano per il lavoro"}
    # ...ranked by walking minutes from her home...
    minutes = [h.walk.seconds for h in result.hits]
    assert minutes == sorted(minutes)
    assert result.estimate is (mode == "estimate")
    # ...with her children's school hours and her availability.
    assert by_title["Pulizie mattina"].fit.status.value == "fits"
    assert by_title["Pulizie mattina"].availability_fit.status.value == "fits"
    assert by_title["Pulizie sera"].fit.status.value == "does_not_fit"
    assert by_title["Pulizie sera"].availability_fit.status.value == "does_not_fit"
    assert by_title["Pulizie mattina"].walk_from_school is not None
    assert matching.fits(by_title["Pulizie mattina"])
    assert not matching.fits(by_title["Pulizie sera"])


def test_stroller_profile_and_minutes_come_from_her_record(around):
    hub = make_hub("Sede Padova")
    person = make_person(hub, max_walk_minutes=45, walking_profile="stroller")
    q = matching.query_for(_needs(person))
    assert q.max_minutes == 30  # the search's own cap
    assert q.profile.value == "stroller"
    assert q.origin_kind == "record"


def test_needs_of_combines_her_childrens_school_hours(around):
    from datetime import time

    from scout.models.people import Child

    hub = make_hub("Sede Padova")
    school = make_school()
    person = make_person(hub, school=school)
    person.children.append(
        Child(school_id=school.id, days=[0, 1, 2], drop_off=time(8, 0), pick_up=time(13, 0))
    )
    db.session.flush()
    hours = _needs(person).school_hours
    assert (hours.drop_off, hours.pick_up, hours.days) == (time(8, 15), time(13, 0), {0, 1, 2})


def test_a_published_offer_becomes_a_new_match_of_the_people_it_fits(mode, at, make_offer):
    padova, lambrate = make_hub("Sede Padova"), make_hub("Sede Lambrate")
    her = make_person(padova)
    too_far = make_person(lambrate, home=grid_point(20, 15))
    no_sector = make_person(padova, sectors=["ristorazione"])
    place = at(3, 1, "Nuovo Datore")
    offer = make_offer(
        place,
        "Pulizie nuove",
        sector="pulizie",
        schedule=weekdays("09:00", "13:00"),
        status=ReviewStatus.TO_REVIEW,
    )
    people = [_needs(p) for p in (her, too_far, no_sector)]
    assert matching.record_new_matches(db.session, offer, people, TODAY) == 0  # not published
    offer.status = ReviewStatus.PUBLISHED
    db.session.flush()
    assert matching.record_new_matches(db.session, offer, people, TODAY) == 1
    (row,) = db.session.query(NewMatch).filter_by(offer_id=offer.id).all()
    assert row.person_id == her.id
    assert 1 <= row.walk_minutes <= 15
    assert row.school_fit == MatchFit.UNKNOWN  # no children's school recorded
    assert row.availability_fit == MatchFit.FITS
    assert row.estimate is (mode == "estimate")
    # Publishing it again adds nothing.
    assert matching.record_new_matches(db.session, offer, people, TODAY) == 0


def test_a_course_is_matched_and_a_service_is_not(at, make_resource):
    hub = make_hub("Sede Padova")
    person = make_person(hub)
    place = at(2, 2, "Parrocchia")
    course = make_resource(place, "Digitale", kind=ResourceKind.DIGITAL_COURSE)
    service = make_resource(place, "Sportello", kind=ResourceKind.HOUSING_SUPPORT)
    assert matching.record_new_matches(db.session, course, [_needs(person)], TODAY) == 1
    assert matching.record_new_matches(db.session, service, [_needs(person)], TODAY) == 0


def test_an_offer_clashing_with_her_hours_is_not_a_new_match(at, make_offer):
    hub = make_hub("Sede Padova")
    person = make_person(hub, school=make_school())
    offer = make_offer(
        at(3, 1, "Sera"), "Pulizie sera", sector="pulizie", schedule=weekdays("18:00", "21:00")
    )
    assert matching.record_new_matches(db.session, offer, [_needs(person)], TODAY) == 0


def test_new_since_her_last_visit(at, make_offer, make_user):
    hub = make_hub("Sede Padova")
    tutor = make_user("tutor", organisation_id=hub.id)
    person = make_person(hub, tutor=tutor)
    first = make_offer(at(3, 1, "Uno"), "Pulizie uno", sector="pulizie")
    matching.record_new_matches(db.session, first, [_needs(person)], TODAY)
    assert [m.offer_id for m in matching.new_matches(db.session, [person.id], None)] == [first.id]
    matching.mark_seen(db.session, tutor.id)
    seen = matching.last_seen(db.session, tutor.id)
    assert matching.new_matches(db.session, [person.id], seen) == []
    second = make_offer(at(2, 2, "Due"), "Pulizie due", sector="pulizie")
    matching.record_new_matches(db.session, second, [_needs(person)], TODAY)
    db.session.query(NewMatch).filter_by(offer_id=second.id).update(
        {"created_at": seen + timedelta(seconds=1)}
    )
    assert [m.offer_id for m in matching.new_matches(db.session, [person.id], seen)] == [second.id]


def test_a_person_without_a_home_is_never_matched(at, make_offer):
    hub = make_hub("Sede Padova")
    person = make_person(hub, home=None)
    offer = make_offer(at(3, 1, "Uno"), "Pulizie", sector="pulizie")
    assert matching.record_new_matches(db.session, offer, [_needs(person)], TODAY) == 0
    with pytest.raises(ValueError, match="no home"):
        matching.query_for(_needs(person))


def test_a_new_match_leaves_whats_new_when_its_offer_expires(at, make_offer, monkeypatch):
    from scout import clock

    person = make_person(make_hub("Sede Padova"))
    today = clock.today()
    offer = make_offer(at(3, 1, "Uno"), "Pulizie fino a oggi", sector="pulizie", expires_on=today)
    matching.record_new_matches(db.session, offer, [_needs(person)], today)
    assert [m.offer_id for m in matching.new_matches(db.session, [person.id], None)] == [offer.id]
    tomorrow = clock.now() + timedelta(days=1)
    monkeypatch.setattr(clock, "now", lambda: tomorrow)
    assert matching.new_matches(db.session, [person.id], None) == []
