"""A scout's visits to places, and the places still to visit."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, exists, func, or_, select

from scout import spatial
from scout.capture.drafts import VisitDraft
from scout.capture.entries import _add_once, by_client_key
from scout.extensions import db
from scout.models import (
    OfferStatus,
    Place,
    ReviewStatus,
    User,
    Visit,
    VisitOutcome,
    utcnow,
)


def add_visit(place: Place, draft: VisitDraft, user: User) -> tuple[Visit, bool]:
    """Store the scout's visit once (a re-sent entry returns the stored one): ``(visit,
    created)``."""
    key = draft.client_key
    existing = by_client_key(Visit, key)
    if existing is not None:
        return existing, False
    if draft.outcome == VisitOutcome.STILL_VALID:
        reverify(place, user)
    return _add_once(
        lambda: Visit(
            place=place,
            user_id=user.id,
            visited_on=draft.visited_on,
            outcome=draft.outcome,
            notes=draft.notes,
            follow_up_on=draft.follow_up_on,
            client_key=key,
        ),
        key,
    )


def reverify(place: Place, user: User) -> None:
    """A person confirmed ``place`` on the spot: it and its published, open offers and
    published resources count as verified now."""
    now = utcnow()
    place.verified_at = now
    place.verified_by_id = user.id
    for offer in place.offers:
        if offer.status == ReviewStatus.PUBLISHED and offer.offer_status == OfferStatus.OPEN:
            offer.verified_at = now
    for resource in place.resources:
        if resource.status == ReviewStatus.PUBLISHED:
            resource.verified_at = now


def to_visit(today: date) -> Select:
    """Ids of places still to visit: never visited, or whose last visit asked to come back
    by ``today``. Archived places are left out."""
    ranked = select(
        Visit.place_id,
        Visit.follow_up_on,
        func.row_number()
        .over(partition_by=Visit.place_id, order_by=(Visit.visited_on.desc(), Visit.id.desc()))
        .label("rn"),
    ).subquery()
    due = select(ranked.c.place_id).where(ranked.c.rn == 1, ranked.c.follow_up_on <= today)
    never = ~exists().where(Visit.place_id == Place.id)
    return select(Place.id).where(
        Place.status != ReviewStatus.ARCHIVED, or_(never, Place.id.in_(due))
    )


def last_visits(place_ids: list[int]) -> dict[int, Visit]:
    """The most recent visit of each place."""
    if not place_ids:
        return {}
    rows = db.session.scalars(
        select(Visit)
        .where(Visit.place_id.in_(place_ids))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
    out: dict[int, Visit] = {}
    for visit in rows:
        out.setdefault(visit.place_id, visit)
    return out


def nearby_rows(answer: Any, limit: int) -> list[dict[str, Any]]:
    """The nearest ``limit`` places of a reach answer over :func:`to_visit`, with their point
    and last visit: ``[{"place", "walk", "lon", "lat", "last"}]``, nearest first."""
    walks = dict(list(answer.walks.items())[:limit])
    lon, lat = spatial.place_lonlat()
    found = {
        p.id: (p, x, y)
        for p, x, y in db.session.execute(
            select(Place, lon, lat).where(Place.id.in_(list(walks)))
        ).all()
    }
    last = last_visits(list(walks))
    rows = []
    for place_id, walk in walks.items():
        p, x, y = found[place_id]
        rows.append({"place": p, "walk": walk, "lon": x, "lat": y, "last": last.get(p.id)})
    return rows
