"""Placements (inserimenti lavorativi): a job she got, from a hired referral or found on her own,
with km zero computed from her home when it is recorded, and its follow-ups at 30, 90 and 180
days.

Km zero is the walking minutes from her home to the workplace against ``KM_ZERO_MINUTES``
(exactly that many minutes counts), measured by the walking engine once, here; only the minutes
and the yes/no are stored, never the home. An employer outside the network is typed once (name
and address) and its address found in the gazetteer: the workplace point is the employer's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import search, walking
from scout.errors import BadRequest, ScoutError
from scout.geo import LonLat
from scout.models import (
    FOLLOW_UP_DAYS,
    Evidence,
    FollowUp,
    Offer,
    PartTime,
    Placement,
    PlacementContract,
    Referral,
    ReferralStatus,
    User,
)
from scout.walking import Profile, gazetteer

NO_ADDRESS = _l(
    "No address in the area matches the employer's address: check the street and number."
)
NOT_HIRED = _l("A placement follows a referral only once she is hired.")
ALREADY_PLACED = _l("This referral already has its placement.")
ENDS_BEFORE = _l("The end date cannot be before the start.")


@dataclass(frozen=True, slots=True)
class PlacementDraft:
    """A placement as the form or the API gives it (plain values)."""

    employer_name: str
    contract_type: PlacementContract
    starts_on: date
    employer_address: str | None = None
    workplace: LonLat | None = None  # from the offer's place, or found from the address
    sector: str | None = None
    ends_on: date | None = None
    hours_per_week: Decimal | None = None
    part_time: PartTime | None = None
    evidence: Evidence = Evidence.SELF_REPORTED
    notes: str | None = None
    referral_id: int | None = None
    offer_id: int | None = None


@dataclass(frozen=True, slots=True)
class KmZero:
    walk_minutes: int | None
    km_zero: bool | None
    estimate: bool


def geocode_employer(session: Session, text: str) -> tuple[LonLat, str]:
    """The workplace of an address typed for an employer outside the network (the best
    gazetteer match that is not a mere guess); raises :class:`BadRequest` on
    ``employer_address``."""
    matches = [m for m in gazetteer.lookup(session, text) if m.confidence != gazetteer.WEAK]
    if not matches:
        raise BadRequest(NO_ADDRESS, field="employer_address")
    best = matches[0]
    return LonLat(best.lon, best.lat), best.label


def km_zero(home: LonLat | None, workplace: LonLat | None, profile: Profile, limit: int) -> KmZero:
    """Walking minutes from her home to the workplace and whether that is km zero (None when
    either point is missing or the walk cannot be measured: never guessed)."""
    if home is None or workplace is None:
        return KmZero(None, None, False)
    try:
        answer = walking.walk_to(home, {0: workplace}, profile)
    except ScoutError:
        return KmZero(None, None, False)
    walk = answer.walks.get(0)
    if walk is None:
        return KmZero(None, None, answer.estimate)
    minutes = walk.whole_minutes
    return KmZero(minutes, minutes <= limit, answer.estimate)


def draft_from_referral(session: Session, referral: Referral, starts_on: date) -> PlacementDraft:
    """A placement prefilled from a hired referral's offer: its employer, workplace (the
    offer's place), contract, sector, hours."""
    if referral.status != ReferralStatus.HIRED or referral.offer is None:
        raise BadRequest(NOT_HIRED, field="referral")
    offer: Offer = referral.offer
    place = offer.place
    row = session.execute(search.place_point(place.id)).first()
    workplace = LonLat(row.lon, row.lat) if row is not None else None
    employer = place.organisation.name if place.organisation else place.name
    return PlacementDraft(
        employer_name=employer,
        employer_address=place.address or None,
        workplace=workplace,
        contract_type=PlacementContract.of_offer(offer.contract_type),
        sector=offer.sector,
        starts_on=starts_on,
        hours_per_week=offer.hours_per_week,
        part_time=offer.part_time,
        referral_id=referral.id,
        offer_id=offer.id,
    )


def create_placement(
    session: Session,
    person_id: int,
    draft: PlacementDraft,
    user: User,
    *,
    home: LonLat | None,
    profile: Profile,
    km_zero_minutes: int,
) -> Placement:
    """Record the placement, its km zero (from ``home``, which goes no further) and its
    follow-ups due 30, 90 and 180 days after the start."""
    if draft.ends_on is not None and draft.ends_on < draft.starts_on:
        raise BadRequest(ENDS_BEFORE, field="ends_on")
    if draft.referral_id is not None and session.scalar(
        select(Placement.id).where(Placement.referral_id == draft.referral_id)
    ):
        raise BadRequest(ALREADY_PLACED, field="referral")
    workplace = draft.workplace
    address = draft.employer_address
    if workplace is None and address:
        workplace, address = geocode_employer(session, address)
    measured = km_zero(home, workplace, profile, km_zero_minutes)
    placement = Placement(
        person_id=person_id,
        referral_id=draft.referral_id,
        offer_id=draft.offer_id,
        employer_name=draft.employer_name.strip()[:200],
        employer_address=(address or "").strip()[:250] or None,
        workplace=f"SRID=4326;POINT({workplace.lon} {workplace.lat})" if workplace else None,
        contract_type=draft.contract_type,
        sector=(draft.sector or "").strip()[:80] or None,
        starts_on=draft.starts_on,
        ends_on=draft.ends_on,
        hours_per_week=draft.hours_per_week,
        part_time=draft.part_time,
        walk_minutes=measured.walk_minutes,
        km_zero=measured.km_zero,
        walk_estimate=measured.estimate,
        evidence=draft.evidence,
        notes=(draft.notes or "").strip()[:2000] or None,
        created_by_id=user.id,
    )
    placement.follow_ups = [
        FollowUp(due_days=days, due_on=draft.starts_on + timedelta(days=days))
        for days in FOLLOW_UP_DAYS
    ]
    session.add(placement)
    session.flush()
    return placement


def of_person(session: Session, person_id: int) -> list[Placement]:
    """Her placements, latest start first."""
    return list(
        session.scalars(
            select(Placement)
            .where(Placement.person_id == person_id)
            .order_by(Placement.starts_on.desc(), Placement.id.desc())
        )
    )


def summary(placement: Placement) -> dict[str, Any]:
    """What the API and the pages say of a placement (no workplace point, no home)."""
    return {
        "id": placement.id,
        "person_id": placement.person_id,
        "referral_id": placement.referral_id,
        "offer_id": placement.offer_id,
        "employer_name": placement.employer_name,
        "employer_address": placement.employer_address,
        "contract_type": placement.contract_type.value,
        "sector": placement.sector,
        "starts_on": placement.starts_on.isoformat(),
        "ends_on": placement.ends_on.isoformat() if placement.ends_on else None,
        "hours_per_week": float(placement.hours_per_week) if placement.hours_per_week else None,
        "part_time": placement.part_time.value if placement.part_time else None,
        "walk_minutes": placement.walk_minutes,
        "km_zero": placement.km_zero,
        "walk_estimate": placement.walk_estimate,
        "evidence": placement.evidence.value,
        "follow_ups": [
            {
                "id": f.id,
                "due_days": f.due_days,
                "due_on": f.due_on.isoformat(),
                "still_working": f.still_working.value,
                "recorded_on": f.recorded_on.isoformat() if f.recorded_on else None,
            }
            for f in placement.follow_ups
        ],
    }
