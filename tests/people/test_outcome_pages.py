"""The tutors' outcome pages through the app: the journey from her record (a child's school) to
her matches, a referral refused without her consent, hired, a km-zero placement computed from
her home, the follow-up due and recorded; a newly published offer in the right tutor's
"what's new" and not in another hub's; nothing of her home in a page or the audit."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from scout.extensions import db
from scout.models import (
    AuditAction,
    AuditEvent,
    Placement,
    Referral,
    ReferralStatus,
    ReviewStatus,
    Role,
    StillWorking,
)
from scout.models.people import Consent, ConsentPurpose
from tests.factories import milan_today
from tests.people.outcome_helpers import (
    HOME,
    grid_point,
    make_hub,
    make_person,
    make_school,
    weekdays,
)


@pytest.fixture
def hubs():
    return make_hub("Sede Padova"), make_hub("Sede Lambrate")


@pytest.fixture
def tutor(make_user, hubs):
    return make_user(Role.TUTOR, organisation_id=hubs[0].id)


@pytest.fixture
def other_tutor(make_user, hubs):
    return make_user(Role.TUTOR, organisation_id=hubs[1].id)


@pytest.fixture
def as_user(app, client, login, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)

    def _as(user):
        db.session.commit()
        return login(user)

    return _as


@pytest.fixture
def offer(make_place, make_offer):
    p = grid_point(3, 1)
    place = make_place(
        name="Pulizie Vicine", lon=p.lon, lat=p.lat, street="Via Test", civic_number="3"
    )
    return make_offer(
        place, "Pulizie mattina", sector="pulizie", schedule=weekdays("09:00", "13:00")
    )


def _text(response):
    return response.get_data(as_text=True)


def test_the_journey_from_her_record_to_a_recorded_follow_up(as_user, tutor, hubs, offer):
    person = make_person(hubs[0], tutor=tutor, school=make_school())
    client = as_user(tutor)
    # Her matches, from her stored record: nothing re-typed, her home nowhere in the page.
    page = client.get(f"/people/{person.code}/matches")
    assert page.status_code == 200
    html = _text(page)
    assert f'data-key="offer-{offer.id}"' in html
    assert "badge fit-fits" in html
    assert "badge availability-fits" in html
    assert f"{HOME.lon}" not in html
    assert "Via Padova 36" not in html
    # Refer her.
    sent = client.post(f"/people/{person.code}/referrals", data={"target": f"offer-{offer.id}"})
    assert sent.status_code == 302
    referral = db.session.scalars(select(Referral).where(Referral.person_id == person.id)).one()
    # "Sent" is refused without her consent to sharing, with the reason next to the field.
    step = {f"r{referral.id}-status": "sent", f"r{referral.id}-on": milan_today().isoformat()}
    refused = client.post(f"/people/referrals/{referral.id}/step", data=step)
    assert refused.status_code == 422
    assert f'id="r{referral.id}-status-error"' in _text(refused)
    db.session.refresh(referral)
    assert referral.status == ReferralStatus.PROPOSED
    # With her consent it goes: sent, hired.
    db.session.add(
        Consent(
            person_id=person.id,
            purpose=ConsentPurpose.EMPLOYER_SHARING,
            given_on=milan_today() - timedelta(days=1),
        )
    )
    db.session.commit()
    assert client.post(f"/people/referrals/{referral.id}/step", data=step).status_code == 302
    hired = {**step, f"r{referral.id}-status": "hired"}
    to_placement = client.post(f"/people/referrals/{referral.id}/step", data=hired)
    assert to_placement.status_code == 302
    assert "placements/new" in to_placement.location
    # The placement form comes prefilled from the offer; km zero is computed from her home.
    form = client.get(to_placement.location)
    assert "Pulizie Vicine" in _text(form)
    start = milan_today() - timedelta(days=31)
    saved = client.post(
        to_placement.location,
        data={
            "referral_id": str(referral.id),
            "employer_name": "Pulizie Vicine",
            "employer_address": "Via Test 3",
            "contract_type": "determinato",
            "starts_on": start.isoformat(),
            "evidence": "contract_seen",
        },
    )
    assert saved.status_code == 302, _text(saved)
    placement = db.session.scalars(select(Placement).where(Placement.person_id == person.id)).one()
    assert placement.km_zero is True
    assert placement.referral_id == referral.id
    outcomes = _text(client.get(f"/people/{person.code}/outcomes"))
    assert 'data-km-zero="yes"' in outcomes
    # The 30-day follow-up is due on her tutor's page; she records it.
    news = _text(client.get("/people/whats-new"))
    assert person.code in news
    assert 'class="card mb-2 follow-up-due"' in news
    (first,) = [f for f in placement.follow_ups if f.due_days == 30]
    recorded = client.post(
        f"/people/follow-ups/{first.id}",
        data={f"f{first.id}-still_working": "yes", f"f{first.id}-on": milan_today().isoformat()},
    )
    assert recorded.status_code == 302
    db.session.refresh(first)
    assert first.still_working == StillWorking.YES
    assert 'id="no-due"' in _text(client.get("/people/whats-new"))
    # Every page of hers was an audited read, and the audit holds nothing of her home.
    reads = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == AuditAction.READ, AuditEvent.entity_id == person.id
        )
    ).all()
    assert {e.changes["viewed"] for e in reads} >= {"matches", "outcomes", "placement"}
    events = db.session.scalars(select(AuditEvent)).all()
    assert not any(f"{HOME.lon}" in str(e.changes) for e in events)


def test_a_published_offer_reaches_the_right_hubs_tutor_only(
    app, as_user, login, hubs, tutor, other_tutor, make_user, make_place, make_offer
):
    mine = make_person(hubs[0], tutor=tutor)
    make_person(hubs[1], tutor=other_tutor, home=grid_point(21, 15))
    p = grid_point(3, 1)
    place = make_place(name="Nuova Impresa", lon=p.lon, lat=p.lat)
    offer = make_offer(
        place,
        "Pulizie nuove",
        sector="pulizie",
        status=ReviewStatus.TO_REVIEW,
        schedule=weekdays("09:00", "13:00"),
    )
    coordinator = make_user(Role.COORDINATOR)
    client = as_user(coordinator)
    published = client.post(
        f"/admin/review/offer/{offer.id}", data={"action": "publish", "version": str(offer.version)}
    )
    assert published.status_code == 302
    client = as_user(tutor)
    news = _text(client.get("/people/whats-new"))
    assert "Pulizie nuove" in news
    assert mine.code in news
    # Seen: not new any more.
    assert "Pulizie nuove" not in _text(client.get("/people/whats-new"))
    client = as_user(other_tutor)
    assert "Pulizie nuove" not in _text(client.get("/people/whats-new"))


def test_another_hubs_person_is_not_found(as_user, hubs, tutor, other_tutor):
    theirs = make_person(hubs[1], tutor=other_tutor)
    client = as_user(tutor)
    assert client.get(f"/people/{theirs.code}/matches").status_code == 404
    assert client.get(f"/people/{theirs.code}/outcomes").status_code == 404


def test_a_direct_placement_with_an_unknown_address_is_refused_by_the_field(as_user, hubs, tutor):
    person = make_person(hubs[0], tutor=tutor)
    client = as_user(tutor)
    refused = client.post(
        f"/people/{person.code}/placements/new",
        data={
            "employer_name": "Famiglia Rossi",
            "employer_address": "zzzz qqqq 9",
            "contract_type": "voucher",
            "starts_on": milan_today().isoformat(),
            "evidence": "self_reported",
        },
    )
    assert refused.status_code == 422
    assert 'id="employer_address-error"' in _text(refused)
    assert db.session.scalars(select(Placement)).all() == []


def _codes_listed(response) -> list[str]:
    import re

    return re.findall(r'class="target-referral" data-code="([^"]+)"', _text(response))


def test_an_offer_and_a_course_list_their_referrals_to_staff_who_may_see_them(
    app, as_user, client, tutor, other_tutor, hubs, offer, make_user, make_resource
):
    course = make_resource(offer.place, "Italiano per il lavoro", kind="italian_course")
    mine = make_person(hubs[0], tutor=tutor)
    theirs = make_person(hubs[1], tutor=other_tutor)
    for person in (mine, theirs):
        db.session.add_all(
            [
                Referral(
                    person_id=person.id,
                    offer_id=offer.id,
                    status=ReferralStatus.SENT,
                    proposed_on=date(2026, 11, 2),
                    sent_on=date(2026, 11, 5),
                    notes="Nota riservata",
                ),
                Referral(
                    person_id=person.id,
                    resource_id=course.id,
                    status=ReferralStatus.PROPOSED,
                    proposed_on=date(2026, 11, 3),
                ),
            ]
        )
    coordinator = make_user(Role.COORDINATOR)
    scout = make_user(Role.SCOUT)
    offer_url, course_url = f"/people/offers/{offer.id}", f"/people/courses/{course.id}"

    page = as_user(tutor).get(offer_url)
    assert page.status_code == 200
    assert _codes_listed(page) == [mine.code]  # only the people she may see
    html = _text(page)
    assert theirs.code not in html
    assert f'href="/people/{mine.code}/outcomes"' in html
    assert "Inviata al datore di lavoro" in html
    assert "Nota riservata" not in html  # code, status and dates only
    assert _codes_listed(as_user(tutor).get(course_url)) == [mine.code]
    assert _codes_listed(as_user(other_tutor).get(offer_url)) == [theirs.code]
    assert sorted(_codes_listed(as_user(coordinator).get(offer_url))) == sorted(
        [mine.code, theirs.code]
    )
    # Her referrals and her search link to the offer's page.
    assert offer_url in _text(as_user(tutor).get(f"/people/{mine.code}/outcomes"))
    assert as_user(tutor).get("/people/offers/2147483648").status_code == 404

    # A scout sees none of it; a visitor is sent to log in; no public page names them.
    as_user(scout)
    for url in (offer_url, course_url):
        assert client.get(url).status_code == 403
    place_page = _text(client.get(f"/scout/places/{offer.place_id}"))
    assert mine.code not in place_page
    assert offer_url not in place_page  # the link is for tutors and coordinators
    with client.session_transaction() as sess:
        sess.clear()
    for url in (offer_url, course_url):
        answer = client.get(url)
        assert answer.status_code == 302
        assert "/login" in answer.location
    for url in ("/", "/data/places.geojson", "/data/resources.geojson", "/data/places.csv"):
        body = _text(client.get(url))
        assert mine.code not in body
        assert theirs.code not in body
    assert offer_url in _text(as_user(coordinator).get(f"/scout/places/{offer.place_id}"))
