"""Compose and publish: propose a week's items, edit the draft, publish a frozen snapshot.

A draft's items point at live offers and resources. :func:`publish` copies only their public
fields into ``Bulletin.snapshot``; every output (web page, PDF, plain text, feed) is rendered
from that snapshot, so a published bulletin never changes when offers are edited later.

Section titles and field labels are not stored: the snapshot keeps keys and enum values, and
they are rendered in the reader's language (Italian, or English) at view time.

Services ``flush()`` and never ``commit()``; the view commits once.
"""

from __future__ import annotations

import math
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from scout import audit
from scout.bulletin.common import RESOURCE_SECTION, SECTIONS, today, week_of
from scout.bulletin.kmzero import classify_km_zero
from scout.bulletin.market import eligible_market_offers
from scout.bulletin.snapshot import build_snapshot
from scout.errors import Conflict
from scout.extensions import db
from scout.models import (
    AuditAction,
    Bulletin,
    BulletinItem,
    BulletinStatus,
    MarketOffer,
    Offer,
    OfferStatus,
    Place,
    Resource,
    ReviewStatus,
    User,
    utcnow,
)

_PUBLISH_LOCK = 7_007_001  # pg advisory lock key: one publication (numbering) at a time


# --- what is eligible for a week ---------------------------------------------------------


def eligible_offers(week_start: date) -> Select:
    """Published, open offers at published places, not expired when the week starts (or
    today, if the week has already started)."""
    cutoff = max(week_start, today())
    return (
        select(Offer)
        .join(Offer.place)
        .where(
            Offer.status == ReviewStatus.PUBLISHED,
            Offer.offer_status == OfferStatus.OPEN,
            Place.status == ReviewStatus.PUBLISHED,
            or_(Offer.expires_on.is_(None), Offer.expires_on >= cutoff),
        )
    )


def eligible_resources(week_start: date) -> Select:
    """Published courses and services at published places that run during the week."""
    week_end = week_start + timedelta(days=6)
    return (
        select(Resource)
        .join(Resource.place)
        .where(
            Resource.status == ReviewStatus.PUBLISHED,
            Place.status == ReviewStatus.PUBLISHED,
            or_(Resource.starts_on.is_(None), Resource.starts_on <= week_end),
            or_(Resource.ends_on.is_(None), Resource.ends_on >= week_start),
        )
    )


# --- compose ---------------------------------------------------------------------------------


def propose(week_start: date) -> list[BulletinItem]:
    """Every eligible item of the week, sorted into sections (not yet added to a session)."""
    offers = db.session.scalars(
        eligible_offers(week_start).options(selectinload(Offer.place))
    ).all()
    resources = db.session.scalars(
        eligible_resources(week_start).options(selectinload(Resource.place))
    ).all()
    km = classify_km_zero(list({o.place_id: o.place for o in offers}.values()))
    items: list[tuple[tuple[Any, ...], BulletinItem]] = []
    for offer in offers:
        k = km[offer.place_id]
        section = "km_zero" if k.reason else "market"
        item = BulletinItem(
            section=section,
            offer=offer,
            offer_id=offer.id,
            walk_minutes=k.minutes,
            walk_estimate=k.estimate,
            hub_name=k.hub_name,
            km_zero_reason=k.reason,
        )
        key = (k.minutes if k.minutes is not None else math.inf, offer.title.lower(), offer.id)
        items.append((key, item))
    # Open-market offers come after the walkable ones of their section, newest first.
    market = db.session.scalars(
        eligible_market_offers(max(week_start, today())).order_by(
            MarketOffer.created_at.desc(), MarketOffer.id.desc()
        )
    ).all()
    for n, market_offer in enumerate(market):
        item = BulletinItem(
            section="market", market_offer=market_offer, market_offer_id=market_offer.id
        )
        items.append(((math.inf, "\uffff", n), item))
    for resource in resources:
        item = BulletinItem(
            section=RESOURCE_SECTION[resource.kind], resource=resource, resource_id=resource.id
        )
        key = (resource.starts_on or date.min, resource.title.lower(), resource.id)
        items.append((key, item))
    items.sort(key=lambda ki: (list(SECTIONS).index(ki[1].section), ki[0]))
    counters: dict[str, int] = {}
    for _key, item in items:
        item.position = counters[item.section] = counters.get(item.section, 0) + 1
    return [item for _key, item in items]


def create_draft(week_start: date, user: User | None) -> Bulletin:
    """A new draft for the week of ``week_start``, with every eligible item proposed."""
    bulletin = Bulletin(week_start=week_of(week_start), created_by=user, notes={})
    bulletin.items = propose(bulletin.week_start)
    db.session.add(bulletin)
    db.session.flush()
    return bulletin


def add_new_proposals(bulletin: Bulletin) -> int:
    """Add items that became eligible since the draft was made (dropped ones stay dropped)."""
    _require_draft(bulletin)
    have = {(i.offer_id, i.resource_id, i.market_offer_id) for i in bulletin.items}
    last: dict[str, int] = {}
    for item in bulletin.items:
        last[item.section] = max(last.get(item.section, 0), item.position)
    added = 0
    for item in propose(bulletin.week_start):
        if (item.offer_id, item.resource_id, item.market_offer_id) in have:
            continue
        item.position = last[item.section] = last.get(item.section, 0) + 1
        bulletin.items.append(item)
        added += 1
    db.session.flush()
    return added


def update_draft(
    bulletin: Bulletin,
    order: dict[str, list[int]],
    kept: set[int],
    notes: dict[str, str],
    editorial: str | None,
) -> None:
    """Apply the coordinator's edits: item order per section, kept items, notes, editorial.

    Item ids that are not this bulletin's are ignored; items not named in ``order`` keep their
    place after the named ones.
    """
    _require_draft(bulletin)
    by_id = {item.id: item for item in bulletin.items}
    for section, ids in order.items():
        if section not in SECTIONS:
            continue
        ranked = [by_id[i] for i in ids if i in by_id and by_id[i].section == section]
        rest = sorted(
            (i for i in by_id.values() if i.section == section and i not in ranked),
            key=lambda i: i.position,
        )
        for position, item in enumerate(ranked + rest, start=1):
            item.position = position
    for item in bulletin.items:
        item.included = item.id in kept
    bulletin.notes = {k: v.strip() for k, v in notes.items() if k in SECTIONS and v.strip()}
    bulletin.editorial = (editorial or "").strip() or None
    db.session.flush()


def move_item(bulletin: Bulletin, item_id: int, delta: int) -> None:
    """Move one item up (``delta`` -1) or down (+1) within its section."""
    _require_draft(bulletin)
    item = next((i for i in bulletin.items if i.id == item_id), None)
    if item is None:
        return
    same = sorted(
        (i for i in bulletin.items if i.section == item.section), key=lambda i: i.position
    )
    at = same.index(item)
    to = max(0, min(len(same) - 1, at + delta))
    same.insert(to, same.pop(at))
    for position, other in enumerate(same, start=1):
        other.position = position
    db.session.flush()


def preview_snapshot(bulletin: Bulletin) -> dict[str, Any]:
    """What the draft would look like if published now (nothing is written)."""
    snapshot = build_snapshot(bulletin, kept_items(bulletin))
    last = db.session.scalar(select(func.max(Bulletin.number))) or 0
    snapshot["number"] = bulletin.number or last + 1
    snapshot["published_on"] = (bulletin.published_on or today()).isoformat()
    return snapshot


def _require_draft(bulletin: Bulletin) -> None:
    if bulletin.is_published:
        raise Conflict(_l("This bulletin is already published and cannot be changed."))


# --- publish -------------------------------------------------------------------------------


def still_eligible(bulletin: Bulletin) -> set[int]:
    """Ids of the bulletin's items whose offer, resource or open-market offer is still
    eligible for the bulletin's week."""
    week = bulletin.week_start
    offers = set(db.session.scalars(eligible_offers(week).with_only_columns(Offer.id)))
    resources = set(db.session.scalars(eligible_resources(week).with_only_columns(Resource.id)))
    market = set(
        db.session.scalars(
            eligible_market_offers(max(week, today())).with_only_columns(MarketOffer.id)
        )
    )

    def live(item: BulletinItem) -> bool:
        if item.market_offer_id is not None:
            return item.market_offer_id in market
        if item.offer_id is not None:
            return item.offer_id in offers
        return item.resource_id in resources

    return {i.id for i in bulletin.items if live(i)}


def kept_items(bulletin: Bulletin) -> list[BulletinItem]:
    """The included items that may still be published, in section and position order."""
    eligible = still_eligible(bulletin)
    items = [i for i in bulletin.items if i.included and i.id in eligible]
    return sorted(items, key=lambda i: (list(SECTIONS).index(i.section), i.position, i.id))


def publish(bulletin: Bulletin) -> Bulletin:
    """Give the bulletin the next number and today's date, and freeze its public content."""
    _require_draft(bulletin)
    db.session.execute(select(func.pg_advisory_xact_lock(_PUBLISH_LOCK)))
    last = db.session.scalar(select(func.max(Bulletin.number))) or 0
    bulletin.number = last + 1
    bulletin.published_on = today()
    bulletin.published_at = utcnow()
    bulletin.snapshot = build_snapshot(bulletin, kept_items(bulletin))
    bulletin.status = BulletinStatus.PUBLISHED
    db.session.flush()
    audit.record(db.session, AuditAction.PUBLISH, "bulletin", bulletin.id, {"number": last + 1})
    return bulletin


def published() -> Select:
    """Published bulletins, newest first."""
    return (
        select(Bulletin)
        .where(Bulletin.status == BulletinStatus.PUBLISHED)
        .order_by(Bulletin.number.desc())
    )
