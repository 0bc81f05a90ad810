"""Freshness: when a person last verified a record, which records are due to be re-verified,
and offers that close by themselves at their expiry date.

A record is verified when a coordinator publishes it and when a scout's visit finds it "still
valid" (:func:`scout.capture.reverify`). Intervals come from the config
(``PLACE_VERIFY_DAYS``, ``RESOURCE_VERIFY_DAYS``, ``OFFER_VERIFY_DAYS``; an offer is due at its
expiry date if that comes first). Expired offers never reach a reader (every query filters them
at read time); :func:`close_expired` also marks them closed in the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, and_, exists, func, or_, select

from scout import capture, spatial
from scout.extensions import db
from scout.models import (
    Offer,
    OfferStatus,
    Organisation,
    Place,
    Resource,
    ReviewStatus,
    User,
    Visit,
    VisitOutcome,
)


def _cutoff(today: date, days: int) -> datetime:
    """The instant before which a verification is older than ``days`` on ``today``."""
    return datetime.combine(today - timedelta(days=days), time.min, tzinfo=UTC)


def _older(model: Any, today: date, days: int) -> Any:
    """Last verified (or, never verified, created) more than ``days`` before ``today``."""
    return func.coalesce(model.verified_at, model.created_at) < _cutoff(today, days)


def offer_open(today: date) -> Any:
    """Where-clause: an offer still open on ``today`` (not closed, not past its expiry)."""
    return and_(
        Offer.offer_status == OfferStatus.OPEN,
        or_(Offer.expires_on.is_(None), Offer.expires_on >= today),
    )


def place_due(today: date) -> Any:
    """Where-clause: a published place last verified more than PLACE_VERIFY_DAYS ago."""
    days = current_app.config["PLACE_VERIFY_DAYS"]
    return and_(Place.status == ReviewStatus.PUBLISHED, _older(Place, today, days))


def offer_due(today: date) -> Any:
    """Where-clause: a published open offer last verified more than OFFER_VERIFY_DAYS ago, or
    at its expiry date."""
    days = current_app.config["OFFER_VERIFY_DAYS"]
    return and_(
        Offer.status == ReviewStatus.PUBLISHED,
        offer_open(today),
        or_(_older(Offer, today, days), Offer.expires_on <= today),
    )


def resource_due(today: date) -> Any:
    """Where-clause: a published, not ended resource last verified more than
    RESOURCE_VERIFY_DAYS ago."""
    days = current_app.config["RESOURCE_VERIFY_DAYS"]
    return and_(
        Resource.status == ReviewStatus.PUBLISHED,
        or_(Resource.ends_on.is_(None), Resource.ends_on >= today),
        _older(Resource, today, days),
    )


def due_places(today: date) -> Select:
    """``select(Place.id)`` of the places "to re-verify": the place itself, or one of its
    published offers or resources, is past its interval."""
    return select(Place.id).where(
        Place.status == ReviewStatus.PUBLISHED,
        or_(
            place_due(today),
            exists().where(Offer.place_id == Place.id, offer_due(today)),
            exists().where(Resource.place_id == Place.id, resource_due(today)),
        ),
    )


def to_visit_or_due(today: date) -> Select:
    """The scout's "to visit near me": never visited, a follow-up due, or to re-verify."""
    return select(Place.id).where(
        or_(Place.id.in_(capture.to_visit(today)), Place.id.in_(due_places(today)))
    )


def is_due(place: Place, today: date) -> bool:
    return bool(db.session.scalar(select(due_places(today).where(Place.id == place.id).exists())))


@dataclass(frozen=True, slots=True)
class Freshness:
    """A record's last verification and whether it is due again."""

    verified_at: datetime | None
    due: bool


def of(record: Place | Offer | Resource, today: date) -> Freshness:
    """The freshness of one record (for the pages that show "verified on …")."""
    cfg = current_app.config
    at = record.verified_at
    since = at or record.created_at
    if isinstance(record, Place):
        days = cfg["PLACE_VERIFY_DAYS"]
    elif isinstance(record, Offer):
        days = cfg["OFFER_VERIFY_DAYS"]
    else:
        days = cfg["RESOURCE_VERIFY_DAYS"]
    due = since is not None and since < _cutoff(today, days)
    if isinstance(record, Offer) and record.expires_on is not None:
        due = due or record.expires_on <= today
    return Freshness(at, due)


def still_valid(place: Place, user: User, today: date) -> Visit:
    """The one-tap visit "still valid": stored as a visit today, and it re-verifies the place
    with its offers and resources."""
    visit, _ = capture.add_visit(
        place, capture.VisitDraft(visited_on=today, outcome=VisitOutcome.STILL_VALID), user
    )
    return visit


def off_the_map() -> list[Place]:
    """Published places of public partners that left the public map because nobody verified
    them for ``PLACE_UNPUBLISH_DAYS`` (empty when the setting is off), oldest first: the
    coordinator's review queue lists them until a scout finds them still valid."""
    cutoff = spatial.unverified_cutoff()
    if cutoff is None:
        return []
    since = func.coalesce(Place.verified_at, Place.created_at)
    return list(
        db.session.scalars(
            select(Place)
            .join(Place.organisation)
            .where(
                Place.status == ReviewStatus.PUBLISHED,
                Organisation.is_partner.is_(True),
                Organisation.public_consent.is_(True),
                since < cutoff,
            )
            .order_by(since, Place.id)
        )
    )


def close_expired(today: date) -> int:
    """Mark closed every open offer past its expiry date (readers already leave them out);
    the number closed. Safe to re-run."""
    offers = db.session.scalars(
        select(Offer).where(Offer.offer_status == OfferStatus.OPEN, Offer.expires_on < today)
    ).all()
    for offer in offers:
        offer.offer_status = OfferStatus.CLOSED
    db.session.flush()
    return len(offers)
