"""What a search finds at the places it reaches: the wanted offers, courses, services and partners
of each place (one query per kind, place ids as one array), and the open-market offers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Integer, Select, and_, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from scout import spatial
from scout.geo import LonLat, haversine_m
from scout.models import (
    ItalianLevel,
    MarketOffer,
    Offer,
    OfferStatus,
    Organisation,
    OrgKind,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    address_line,
)
from scout.search.fit import FitResult
from scout.search.query import (
    COURSE_KINDS,
    SERVICE_KINDS,
    Kind,
    SearchQuery,
)
from scout.walking import Walk


@dataclass(slots=True)
class Hit:
    """One result: an offer, a course, a service, or a partner organisation (its place)."""

    kind: Kind
    item_id: int
    title: str
    place_id: int
    place_name: str
    address: str
    organisation: str | None
    organisation_kind: OrgKind | None
    lon: float
    lat: float
    walk: Walk
    details: dict[str, Any] = field(default_factory=dict)
    schedule: list[dict[str, Any]] = field(default_factory=list)
    number: int = 0
    walk_from_school: Walk | None = None
    fit: FitResult | None = None
    availability_fit: FitResult | None = None

    @property
    def key(self) -> str:
        return f"{self.kind.value}-{self.item_id}"


@dataclass(slots=True)
class MarketHit:
    """An open-market offer: outside walking range, so only the straight-line distance from
    the origin is given (None: the offer has no fixed place)."""

    item_id: int
    title: str
    employer: str | None
    area: str | None
    source: str
    link: str
    contract_type: Any
    expires_on: date | None
    description: str | None
    lon: float | None
    lat: float | None
    straight_metres: float | None


def _published_place() -> Any:
    return Place.status == ReviewStatus.PUBLISHED


def _offer_filter(q: SearchQuery, today: date) -> Any:
    conds = [
        Offer.status == ReviewStatus.PUBLISHED,
        Offer.offer_status == OfferStatus.OPEN,
        or_(Offer.expires_on.is_(None), Offer.expires_on >= today),
    ]
    if q.sector:
        conds.append(func.lower(Offer.sector) == q.sector.lower())
    if q.sectors:
        conds.append(func.lower(Offer.sector).in_(sorted(s.lower() for s in q.sectors)))
    if q.contract_types:
        conds.append(Offer.contract_type.in_(sorted(q.contract_types)))
    if q.part_times:
        conds.append(Offer.part_time.in_(sorted(q.part_times)))
    if q.max_italian_level is not None:
        allowed = [lv for lv in ItalianLevel if lv.rank <= q.max_italian_level.rank]
        conds.append(Offer.italian_level.in_(allowed))
    return and_(*conds)


def _resource_kinds(q: SearchQuery) -> list[ResourceKind]:
    kinds: set[ResourceKind] = set()
    if Kind.COURSE in q.kinds:
        kinds |= COURSE_KINDS
    if Kind.SERVICE in q.kinds:
        kinds |= SERVICE_KINDS
    return sorted(kinds)


def _resource_filter(q: SearchQuery, today: date) -> Any:
    return and_(
        Resource.status == ReviewStatus.PUBLISHED,
        Resource.kind.in_(_resource_kinds(q)),
        or_(Resource.ends_on.is_(None), Resource.ends_on >= today),
    )


def _org_filter(q: SearchQuery) -> Any:
    conds = [Organisation.is_partner.is_(True)]
    if q.sector:
        conds.append(Organisation.sectors.any(q.sector))
    return and_(*conds)


def candidate_places(q: SearchQuery, today: date) -> Select:
    """``select(Place.id)`` of published places holding at least one wanted result.

    Correlated to the enclosing query's ``place`` (EXISTS per row, by index): the walking
    engine narrows the places to a box around the origin first, so only those are checked.
    """
    wanted = []
    if Kind.OFFER in q.kinds:
        wanted.append(Place.offers.any(_offer_filter(q, today)))
    if Kind.COURSE in q.kinds or Kind.SERVICE in q.kinds:
        wanted.append(Place.resources.any(_resource_filter(q, today)))
    if Kind.ORGANISATION in q.kinds:
        wanted.append(Place.organisation.has(_org_filter(q)))
    return select(Place.id).where(_published_place(), or_(*wanted)).correlate(Place)


def place_point(place_id: int) -> Select:
    """``(id, lon, lat)`` of one published place."""
    lon, lat = spatial.place_lonlat()
    return select(Place.id, lon, lat).where(Place.id == place_id, _published_place())


def _ids(ids: Iterable[int]) -> Any:
    """One ``integer[]`` parameter for ``column == any_(...)``: a search passes hundreds of
    place ids, and an expanded ``IN (...)`` list costs a parameter (and its typing) each."""
    return any_(literal(list(ids), ARRAY(Integer)))


def _place_rows(session: Session, ids: Sequence[int]) -> dict[int, Any]:
    # Plain rows through the connection, not ORM entities: a search may touch a thousand
    # places (so do its offers and resources below).
    lon, lat = spatial.place_lonlat()
    conn = session.connection()
    rows = conn.execute(
        select(
            Place.id,
            Place.name,
            Place.street,
            Place.civic_number,
            Place.postcode,
            Place.opening_hours,
            Place.opening_schedule,
            Organisation.name.label("org_name"),
            Organisation.kind.label("org_kind"),
            Organisation.is_partner,
            Organisation.sectors,
            Organisation.website,
            Organisation.phone,
            Organisation.email,
            lon,
            lat,
        )
        .outerjoin(Place.organisation)
        .where(Place.id == _ids(ids))
    ).all()
    return {r.id: r for r in rows}


OFFER_COLUMNS = (
    Offer.id,
    Offer.place_id,
    Offer.title,
    Offer.schedule,
    Offer.sector,
    Offer.contract_type,
    Offer.part_time,
    Offer.hours_per_week,
    Offer.italian_level,
    Offer.how_to_apply,
    Offer.documents_required,
    Offer.expires_on,
    Offer.description,
)


RESOURCE_COLUMNS = (
    Resource.id,
    Resource.place_id,
    Resource.title,
    Resource.schedule,
    Resource.kind,
    Resource.languages,
    Resource.childcare,
    Resource.is_free,
    Resource.cost,
    Resource.how_to_enrol,
    Resource.starts_on,
    Resource.ends_on,
    Resource.description,
)


def _hits(session: Session, q: SearchQuery, walks: Mapping[int, Walk], today: date) -> list[Hit]:
    ids = list(walks)
    if not ids:
        return []
    places = _place_rows(session, ids)
    conn = session.connection()
    addresses: dict[int, str] = {}

    def hit(kind: Kind, item_id: int, title: str, pid: int, **kw: Any) -> Hit:
        p = places[pid]
        address = addresses.get(pid)
        if address is None:
            address = addresses[pid] = address_line(p.street, p.civic_number, p.postcode)
        return Hit(
            kind=kind,
            item_id=item_id,
            title=title,
            place_id=pid,
            place_name=p.name,
            address=address,
            organisation=p.org_name,
            organisation_kind=p.org_kind,
            lon=p.lon,
            lat=p.lat,
            walk=walks[pid],
            **kw,
        )

    out: list[Hit] = []
    if Kind.OFFER in q.kinds:
        for o in conn.execute(
            select(*OFFER_COLUMNS)
            .where(Offer.place_id == _ids(ids), _offer_filter(q, today))
            .order_by(Offer.id)
        ):
            out.append(
                hit(
                    Kind.OFFER,
                    o.id,
                    o.title,
                    o.place_id,
                    schedule=list(o.schedule or []),
                    details={
                        "sector": o.sector,
                        "contract_type": o.contract_type,
                        "part_time": o.part_time,
                        "hours_per_week": float(o.hours_per_week) if o.hours_per_week else None,
                        "italian_level": o.italian_level,
                        "how_to_apply": o.how_to_apply,
                        "documents_required": o.documents_required,
                        "expires_on": o.expires_on,
                        "description": o.description,
                    },
                )
            )
    if Kind.COURSE in q.kinds or Kind.SERVICE in q.kinds:
        for r in conn.execute(
            select(*RESOURCE_COLUMNS)
            .where(Resource.place_id == _ids(ids), _resource_filter(q, today))
            .order_by(Resource.id)
        ):
            out.append(
                hit(
                    Kind.COURSE if r.kind in COURSE_KINDS else Kind.SERVICE,
                    r.id,
                    r.title,
                    r.place_id,
                    schedule=list(r.schedule or []),
                    details={
                        "resource_kind": r.kind,
                        "languages": list(r.languages or []),
                        "childcare": r.childcare,
                        "is_free": r.is_free,
                        "cost": r.cost,
                        "how_to_enrol": r.how_to_enrol,
                        "starts_on": r.starts_on,
                        "ends_on": r.ends_on,
                        "description": r.description,
                    },
                )
            )
    if Kind.ORGANISATION in q.kinds:
        # The same test as _org_filter, on the rows already read.
        for pid, p in places.items():
            if not p.is_partner or (q.sector and q.sector not in (p.sectors or [])):
                continue
            out.append(
                hit(
                    Kind.ORGANISATION,
                    pid,
                    p.org_name,
                    pid,
                    details={
                        "opening_hours": p.opening_hours,
                        "opening_schedule": list(p.opening_schedule or []),
                        "website": p.website,
                        "phone": p.phone,
                        "email": p.email,
                        "sectors": list(p.sectors or []),
                    },
                )
            )
    return out


def market_hits(session: Session, q: SearchQuery, today: date) -> list[MarketHit]:
    """Open, unexpired open-market offers (of the wanted contracts), nearest in a straight
    line first, those with no fixed place last."""
    lon, lat = spatial.lonlat_of(MarketOffer.location)
    conds = [
        MarketOffer.active.is_(True),
        or_(MarketOffer.expires_on.is_(None), MarketOffer.expires_on >= today),
    ]
    if q.contract_types:
        conds.append(MarketOffer.contract_type.in_(sorted(q.contract_types)))
    rows = session.execute(
        select(MarketOffer, lon, lat).where(*conds).order_by(MarketOffer.id)
    ).all()
    out = []
    for offer, x, y in rows:
        metres = haversine_m(q.origin, LonLat(x, y)) if x is not None else None
        out.append(
            MarketHit(
                item_id=offer.id,
                title=offer.title,
                employer=offer.employer,
                area=offer.area,
                source=offer.source,
                link=offer.link,
                contract_type=offer.contract_type,
                expires_on=offer.expires_on,
                description=offer.description,
                lon=x,
                lat=y,
                straight_metres=metres,
            )
        )
    out.sort(key=lambda m: (m.straight_metres is None, m.straight_metres or 0, m.item_id))
    return out
