"""Referrals, placements with km zero from her home, follow-ups, enrolments and the autonomy
assessment, on a real PostGIS (estimate mode and an imported street grid)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import text

from scout.errors import BadRequest
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    EnrolmentStatus,
    Evidence,
    PlacementContract,
    ReferralStatus,
    ResourceKind,
    StillWorking,
)
from scout.models.people import ConsentPurpose
from scout.people import followups, placements, referrals
from scout.people.crypto import decrypt_home
from scout.walking import Profile
from tests.factories import add_addresses
from tests.people.outcome_helpers import (
    HOME,
    grid_point,
    import_grid,
    make_hub,
    make_person,
    weekdays,
)

DAY = date(2026, 11, 2)


@pytest.fixture(params=["estimate", "network"])
def mode(request, app, tmp_path):
    if request.param == "network":
        import_grid(tmp_path)
    return request.param


@pytest.fixture
def offer(make_place, make_offer):
    p = grid_point(3, 1)
    place = make_place(
        name="Pulizie Vicine", lon=p.lon, lat=p.lat, street="Via Test", civic_number="3"
    )
    return make_offer(
        place,
        "Pulizie mattina",
        sector="pulizie",
        hours_per_week=20,
        schedule=weekdays("09:00", "13:00"),
    )


@pytest.fixture
def tutor(make_user):
    return make_user("tutor")


def _sent(person, referral, **kw):
    return referrals.advance(
        db.session,
        referral,
        ReferralStatus.SENT,
        on=DAY,
        sharing_consent=person.has_consent(ConsentPurpose.EMPLOYER_SHARING),
        **kw,
    )


def test_sending_her_to_an_employer_is_refused_without_her_consent(offer, tutor):
    person = make_person(make_hub("Sede"), sharing=False)
    referral = referrals.propose(db.session, person.id, offer, tutor, on=DAY)
    with pytest.raises(BadRequest) as refused:
        _sent(person, referral)
    assert refused.value.field == "status"
    assert "consent" in refused.value.message
    assert referral.status == ReferralStatus.PROPOSED
    assert referral.sent_on is None


def test_a_referral_goes_step_by_step_with_dates(offer, tutor):
    person = make_person(make_hub("Sede"), sharing=True)
    referral = referrals.propose(db.session, person.id, offer, tutor, on=DAY, notes=" cv ok ")
    assert referral.notes == "cv ok"
    assert referrals.next_steps(referral) == [ReferralStatus.SENT, ReferralStatus.WITHDRAWN]
    with pytest.raises(BadRequest):  # hired straight from proposed
        referrals.advance(db.session, referral, ReferralStatus.HIRED, on=DAY, sharing_consent=True)
    _sent(person, referral)
    with pytest.raises(BadRequest) as early:
        referrals.advance(
            db.session,
            referral,
            ReferralStatus.INTERVIEW,
            on=DAY - timedelta(days=1),
            sharing_consent=True,
        )
    assert early.value.field == "on"
    referrals.advance(
        db.session,
        referral,
        ReferralStatus.INTERVIEW,
        on=DAY + timedelta(days=3),
        sharing_consent=True,
    )
    referrals.advance(
        db.session, referral, ReferralStatus.HIRED, on=DAY + timedelta(days=7), sharing_consent=True
    )
    assert (referral.sent_on, referral.interview_on, referral.closed_on) == (
        DAY,
        DAY + timedelta(days=3),
        DAY + timedelta(days=7),
    )
    assert referrals.next_steps(referral) == []
    assert referrals.of_person(db.session, person.id) == [referral]
    assert referrals.of_target(db.session, offer) == [referral]


def test_one_open_referral_per_offer(offer, tutor):
    person = make_person(make_hub("Sede"))
    referrals.propose(db.session, person.id, offer, tutor, on=DAY)
    with pytest.raises(BadRequest) as twice:
        referrals.propose(db.session, person.id, offer, tutor, on=DAY)
    assert twice.value.field == "target"


def _place(person, referral_or_draft, tutor, km=15):
    home = decrypt_home(person.home_encrypted)
    return placements.create_placement(
        db.session,
        person.id,
        referral_or_draft,
        tutor,
        home=LonLat(home.lon, home.lat) if home else None,
        profile=Profile.STANDARD,
        km_zero_minutes=km,
    )


def test_a_hired_referral_becomes_a_km_zero_placement_with_follow_ups(mode, offer, tutor):
    person = make_person(make_hub("Sede"), sharing=True)
    referral = referrals.propose(db.session, person.id, offer, tutor, on=DAY)
    _sent(person, referral)
    referrals.advance(db.session, referral, ReferralStatus.HIRED, on=DAY, sharing_consent=True)
    draft = placements.draft_from_referral(db.session, referral, DAY)
    assert draft.employer_name == "Pulizie Vicine"
    assert draft.sector == "pulizie"
    placement = _place(person, draft, tutor)
    assert placement.km_zero is True
    assert 1 <= placement.walk_minutes <= 15
    assert placement.walk_estimate is (mode == "estimate")
    assert [(f.due_days, f.due_on, f.still_working) for f in placement.follow_ups] == [
        (30, DAY + timedelta(days=30), StillWorking.UNKNOWN),
        (90, DAY + timedelta(days=90), StillWorking.UNKNOWN),
        (180, DAY + timedelta(days=180), StillWorking.UNKNOWN),
    ]
    with pytest.raises(BadRequest) as again:
        _place(person, draft, tutor)
    assert again.value.field == "referral"


def test_km_zero_follows_the_configured_minutes(offer, tutor):
    person = make_person(make_hub("Sede"), sharing=True)
    draft = placements.PlacementDraft(
        employer_name="Pulizie Vicine",
        contract_type=PlacementContract.DETERMINATO,
        starts_on=DAY,
        workplace=grid_point(3, 1),
    )
    placement = _place(person, draft, tutor, km=1)
    assert placement.walk_minutes > 1
    assert placement.km_zero is False


def test_an_employer_outside_the_network_is_found_in_the_gazetteer(mode, tutor):
    far = grid_point(20, 14)
    add_addresses([("Via Lontana", "12", far.lon, far.lat)])
    person = make_person(make_hub("Sede"))
    draft = placements.PlacementDraft(
        employer_name="Famiglia Rossi",
        employer_address="via lontana 12",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
        evidence=Evidence.CONTRACT_SEEN,
    )
    placement = _place(person, draft, tutor)
    assert placement.employer_address == "Via Lontana 12"
    assert placement.walk_minutes > 15
    assert placement.km_zero is False
    lon, lat = db.session.execute(
        text(
            "SELECT ST_X(workplace::geometry), ST_Y(workplace::geometry)"
            " FROM placement WHERE id = :i"
        ),
        {"i": placement.id},
    ).one()
    assert (round(lon, 6), round(lat, 6)) == (round(far.lon, 6), round(far.lat, 6))


def test_an_unknown_employer_address_is_refused_by_field(tutor):
    person = make_person(make_hub("Sede"))
    draft = placements.PlacementDraft(
        employer_name="X",
        employer_address="zzzz qqqq 9",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
    )
    with pytest.raises(BadRequest) as refused:
        _place(person, draft, tutor)
    assert refused.value.field == "employer_address"


def test_without_a_home_km_zero_is_unknown_never_guessed(offer, tutor):
    person = make_person(make_hub("Sede"), home=None)
    draft = placements.PlacementDraft(
        employer_name="X",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
        workplace=grid_point(3, 1),
    )
    placement = _place(person, draft, tutor)
    assert placement.walk_minutes is None
    assert placement.km_zero is None


def test_the_placement_keeps_nothing_of_her_home(offer, tutor):
    person = make_person(make_hub("Sede"))
    draft = placements.PlacementDraft(
        employer_name="X",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
        workplace=grid_point(3, 1),
    )
    placement = _place(person, draft, tutor)
    row = db.session.execute(
        text("SELECT row_to_json(p)::text FROM placement p WHERE id = :i"), {"i": placement.id}
    ).scalar_one()
    assert f"{HOME.lon:.5f}"[:-1] not in row
    assert "Via Padova" not in row
    assert placements.summary(placement)["km_zero"] is True
    assert "workplace" not in placements.summary(placement)


def test_follow_ups_are_due_until_recorded(offer, tutor):
    person = make_person(make_hub("Sede"))
    other = make_person(make_hub("Altra"))
    draft = placements.PlacementDraft(
        employer_name="X",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
        workplace=grid_point(3, 1),
    )
    placement = _place(person, draft, tutor)
    _place(other, draft, tutor)
    assert followups.due(db.session, [person.id], DAY) == []
    due = followups.due(db.session, [person.id], DAY + timedelta(days=31))
    assert [f.due_days for f in due] == [30]
    with pytest.raises(BadRequest):
        followups.record_follow_up(
            db.session, due[0], StillWorking.YES, tutor, on=DAY - timedelta(days=1)
        )
    followups.record_follow_up(
        db.session, due[0], StillWorking.YES, tutor, on=DAY + timedelta(days=31)
    )
    assert followups.due(db.session, [person.id], DAY + timedelta(days=31)) == []
    later = followups.due(db.session, [person.id], DAY + timedelta(days=200))
    assert [f.due_days for f in later] == [90, 180]
    assert placement.follow_ups[1].still_working == StillWorking.UNKNOWN


def test_enrolments_and_the_autonomy_assessment(make_place, make_resource, tutor):
    person = make_person(make_hub("Sede"))
    place = make_place(name="Parrocchia")
    course = make_resource(place, "Italiano per il lavoro", kind=ResourceKind.ITALIAN_COURSE)
    enrolment = followups.enrol(db.session, person.id, course, tutor, on=DAY)
    with pytest.raises(BadRequest):
        followups.end_enrolment(
            db.session, enrolment, EnrolmentStatus.COMPLETED, on=DAY - timedelta(days=1)
        )
    followups.end_enrolment(
        db.session, enrolment, EnrolmentStatus.COMPLETED, on=DAY + timedelta(60)
    )
    assert followups.enrolments_of(db.session, person.id)[0].status == EnrolmentStatus.COMPLETED
    followups.assess_autonomy(db.session, person.id, True, tutor, on=DAY + timedelta(days=90))
    (row,) = followups.assessments_of(db.session, person.id)
    assert row.searches_alone is True
    assert row.assessed_on == DAY + timedelta(days=90)


def test_forgetting_her_wipes_the_outcomes_free_text_and_keeps_the_outcome(offer, tutor):
    from scout.people.retention import anonymise

    person = make_person(make_hub("Sede"), sharing=True)
    referral = referrals.propose(db.session, person.id, offer, tutor, on=DAY, notes="Maria, cv")
    draft = placements.PlacementDraft(
        employer_name="X",
        contract_type=PlacementContract.VOUCHER,
        starts_on=DAY,
        workplace=grid_point(3, 1),
        notes="Maria ha detto...",
    )
    placement = _place(person, draft, tutor)
    anonymise(db.session, person, "her request", forgotten=True)
    db.session.expire_all()
    assert referral.notes is None
    assert placement.notes is None
    assert placement.km_zero is True
    assert referral.status == ReferralStatus.PROPOSED


def test_placement_contracts_are_the_programmes_list_and_the_database_holds_to_it(app):
    from sqlalchemy.exc import IntegrityError

    from scout.models import ContractType

    with app.test_request_context(), force_locale("it"):
        labels = [str(c.label) for c in PlacementContract]
    for words in (
        "indeterminato",
        "determinato",
        "prestazione occasionale",
        "Voucher / LOL",
        "Tirocinio extracurricolare",
        "apprendistato",
    ):
        assert any(words.lower() in label.lower() for label in labels), words
    assert len(PlacementContract) == 6
    # A hired referral to an offer's internship is an extracurricular one; the rest map 1:1.
    assert PlacementContract.of_offer(ContractType.TIROCINIO) == (
        PlacementContract.TIROCINIO_EXTRACURRICOLARE
    )
    assert {PlacementContract.of_offer(c) for c in ContractType} == set(PlacementContract)
    hub = make_hub("Sede (contratti)")
    person = make_person(hub)
    insert = text(
        "INSERT INTO placement (person_id, employer_name, contract_type, starts_on, evidence,"
        " walk_estimate, created_at, updated_at) VALUES (:p, 'X', :c, '2026-01-05',"
        " 'self_reported', false, now(), now())"
    )
    with db.session.begin_nested():
        db.session.execute(insert, {"p": person.id, "c": "tirocinio_extracurricolare"})
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(insert, {"p": person.id, "c": "tirocinio"})
