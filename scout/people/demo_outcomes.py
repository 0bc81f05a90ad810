"""The example cohort's outcomes for ``make run``: new matches of the published offers and
courses, referrals, placements (one km zero, one not, both computed from her home) and their
follow-ups, some due."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import clock
from scout.geo import LonLat
from scout.models import (
    Consent,
    ConsentPurpose,
    Evidence,
    NewMatch,
    Offer,
    Person,
    Placement,
    PlacementContract,
    Referral,
    ReferralStatus,
    Resource,
    ReviewStatus,
    User,
)
from scout.people import matching, placements, records, referrals
from scout.search import Kind
from scout.walking import Profile

FAR_WORKPLACE = LonLat(9.1900, 45.4642)  # an employer near the Duomo: not a short walk


def load_outcomes(session: Session) -> None:
    """Once: skipped when any example person already has a placement."""
    people = list(
        session.scalars(select(Person).where(Person.is_example.is_(True)).order_by(Person.id))
    )
    tutor = session.scalar(select(User).where(User.email == "tutor@example.org"))
    if len(people) < 3 or tutor is None:
        return
    ids = [p.id for p in people]
    if session.scalar(select(Placement.id).where(Placement.person_id.in_(ids)).limit(1)):
        return
    today = clock.today()
    published = list(session.scalars(select(Offer).where(Offer.status == ReviewStatus.PUBLISHED)))
    courses = list(
        session.scalars(select(Resource).where(Resource.status == ReviewStatus.PUBLISHED))
    )
    matching.note_published(session, [*published, *courses], today)
    hired, placed_far, proposed = people[0], people[1], people[2]
    for person in (hired, placed_far):
        person.consents.append(
            Consent(
                purpose=ConsentPurpose.EMPLOYER_SHARING,
                given_on=today - timedelta(days=60),
                paper_ref="DEMO",
            )
        )
    session.flush()
    limit = int(current_app.config["KM_ZERO_MINUTES"])
    offer = _nearest_offer(session, hired)
    if offer is not None:
        start = today - timedelta(days=35)
        referral = referrals.propose(session, hired.id, offer, tutor, on=start - timedelta(days=14))
        for status, day in (
            (ReferralStatus.SENT, start - timedelta(days=12)),
            (ReferralStatus.INTERVIEW, start - timedelta(days=7)),
            (ReferralStatus.HIRED, start - timedelta(days=3)),
        ):
            referrals.advance(session, referral, status, on=day, sharing_consent=True)
        draft = placements.draft_from_referral(session, referral, start)
        _place(session, hired, draft, tutor, limit)
        other = _nearest_offer(session, proposed)
        if other is not None:
            referrals.propose(session, proposed.id, other, tutor, on=today)
    # A referral for one of the new matches (sent only with her consent to sharing).
    match = session.scalar(
        select(NewMatch)
        .where(NewMatch.person_id.in_(ids), NewMatch.offer_id.is_not(None))
        .order_by(NewMatch.walk_minutes, NewMatch.id)
        .limit(1)
    )
    if match is not None and not session.scalar(
        select(Referral.id).where(Referral.person_id == match.person_id).limit(1)
    ):
        referral = referrals.propose(
            session, match.person_id, match.offer, tutor, on=today - timedelta(days=5)
        )
        referrals.advance(
            session,
            referral,
            ReferralStatus.SENT,
            on=today - timedelta(days=2),
            sharing_consent=True,
        )
    far = placements.PlacementDraft(
        employer_name="Famiglia Bianchi (esempio)",
        employer_address="Centro (esempio)",
        workplace=FAR_WORKPLACE,
        contract_type=PlacementContract.VOUCHER,
        sector="assistenza familiare",
        starts_on=today - timedelta(days=100),
        evidence=Evidence.SELF_REPORTED,
    )
    _place(session, placed_far, far, tutor, limit)
    home = records.home_of(proposed) if proposed.home_encrypted else None
    if home is not None:  # a bar round the corner from her (fictional): km zero
        near = placements.PlacementDraft(
            employer_name="Bar sotto casa (esempio)",
            employer_address="Vicino a casa (esempio)",
            workplace=LonLat(home.lon + 0.0012, home.lat + 0.0008),
            contract_type=PlacementContract.DETERMINATO,
            sector="ristorazione",
            starts_on=today - timedelta(days=20),
            evidence=Evidence.CONTRACT_SEEN,
        )
        _place(session, proposed, near, tutor, limit)


def _place(
    session: Session, person: Person, draft: placements.PlacementDraft, user: User, limit: int
) -> None:
    home = records.home_of(person) if person.home_encrypted else None
    placements.create_placement(
        session,
        person.id,
        draft,
        user,
        home=LonLat(home.lon, home.lat) if home else None,
        profile=Profile(str(person.walking_profile)),
        km_zero_minutes=limit,
    )


def _nearest_offer(session: Session, person: Person) -> Offer | None:
    """The nearest offer of her own search (None without a home or a result)."""
    home = records.home_of(person) if person.home_encrypted else None
    if home is None:
        return None
    result = matching.matches_for(session, matching.needs_of(person, home))
    hit = next((h for h in result.hits if h.kind == Kind.OFFER), None)
    return session.get(Offer, hit.item_id) if hit is not None else None
