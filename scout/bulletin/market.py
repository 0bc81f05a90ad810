"""Open-market offers ("proposte di lavoro presenti sul libero mercato").

Coordinators copy offers found outside the served area (elsewhere in Milan or the
metropolitan area, or with no fixed place: an agency, home care across the city) with their
source and a link to the original. They go to the bulletin's open-market section only, never
to the km-zero one; the tutors' search lists them after every walkable result.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, or_, select

from scout import spatial
from scout.extensions import db
from scout.geo import LonLat
from scout.models import ContractType, MarketOffer, User

# The metropolitan city of Milan, with a margin: where an open-market offer may be placed.
METRO_BOUNDS = (8.70, 45.15, 9.60, 45.70)  # min lon, min lat, max lon, max lat


@dataclass(frozen=True, slots=True)
class MarketDraft:
    """An open-market offer as the coordinator's form (or an import) gives it."""

    title: str
    source: str
    link: str
    employer: str | None = None
    description: str | None = None
    area: str | None = None
    point: LonLat | None = None
    contract_type: ContractType | None = None
    expires_on: date | None = None


def in_metro_area(point: LonLat) -> bool:
    min_lon, min_lat, max_lon, max_lat = METRO_BOUNDS
    return min_lon <= point.lon <= max_lon and min_lat <= point.lat <= max_lat


def _apply(offer: MarketOffer, draft: MarketDraft) -> None:
    offer.title = draft.title.strip()
    offer.source = draft.source.strip()
    offer.link = draft.link.strip()
    offer.employer = (draft.employer or "").strip() or None
    offer.description = (draft.description or "").strip() or None
    offer.area = (draft.area or "").strip() or None
    offer.location = draft.point.wkt if draft.point else None
    offer.contract_type = draft.contract_type
    offer.expires_on = draft.expires_on


def create_market_offer(draft: MarketDraft, user: User | None) -> MarketOffer:
    offer = MarketOffer(created_by_id=user.id if user else None, active=True)
    _apply(offer, draft)
    db.session.add(offer)
    db.session.flush()
    return offer


def update_market_offer(offer: MarketOffer, draft: MarketDraft) -> MarketOffer:
    _apply(offer, draft)
    db.session.flush()
    return offer


def withdraw_market_offer(offer: MarketOffer) -> None:
    """Take an offer out of future bulletins and searches (published bulletins keep it)."""
    offer.active = False
    db.session.flush()


def eligible_market_offers(cutoff: date) -> Select:
    """Active open-market offers not expired on ``cutoff``."""
    return select(MarketOffer).where(
        MarketOffer.active.is_(True),
        or_(MarketOffer.expires_on.is_(None), MarketOffer.expires_on >= cutoff),
    )


def market_points(ids: set[int]) -> dict[int, LonLat]:
    """The points of those open-market offers that have one."""
    if not ids:
        return {}
    lon, lat = spatial.lonlat_of(MarketOffer.location)
    rows = db.session.execute(
        select(MarketOffer.id, lon, lat).where(
            MarketOffer.id.in_(ids), MarketOffer.location.is_not(None)
        )
    ).all()
    return {i: LonLat(x, y) for i, x, y in rows}
