"""Reference lists of the tutors' page: programme hubs (starting points), schools, sectors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scout import spatial
from scout.errors import NotFound
from scout.geo import LonLat
from scout.models import (
    Offer,
    Organisation,
    OrgKind,
    Place,
    ReviewStatus,
    School,
    address_line,
)


def hubs(session: Session) -> list[dict[str, Any]]:
    """The programme's published hubs, as possible starting points."""
    lon, lat = spatial.place_lonlat()
    rows = session.execute(
        select(Place.id, Place.name, Place.street, Place.civic_number, lon, lat)
        .join(Place.organisation)
        .where(Organisation.kind == OrgKind.HUB, Place.status == ReviewStatus.PUBLISHED)
        .order_by(Place.name)
    ).all()
    return [
        {"id": pid, "name": name, "address": address_line(st, no), "lon": x, "lat": y}
        for pid, name, st, no, x, y in rows
    ]


def schools(session: Session) -> list[dict[str, Any]]:
    """Every school site (a public register), for the type-ahead: id, name, type, address."""
    rows = session.execute(
        select(
            School.id, School.name, School.school_type, School.street, School.civic_number
        ).order_by(School.name)
    ).all()
    return [
        {"id": sid, "name": name, "type": kind, "address": address_line(st, no)}
        for sid, name, kind, st, no in rows
    ]


def sectors(session: Session) -> list[str]:
    """Sectors named by published offers or partner organisations."""
    offer = select(Offer.sector.label("s")).where(
        Offer.status == ReviewStatus.PUBLISHED, Offer.sector.is_not(None)
    )
    orgs = select(func.unnest(Organisation.sectors).label("s")).where(
        Organisation.is_partner.is_(True)
    )
    both = offer.union(orgs).subquery()
    return [s for s in session.scalars(select(both.c.s).order_by(both.c.s)) if s]


@dataclass(frozen=True, slots=True)
class SchoolInfo:
    id: int
    name: str
    address: str
    lon: float
    lat: float

    @property
    def point(self) -> LonLat:
        return LonLat(self.lon, self.lat)


def school_info(session: Session, school_id: int) -> SchoolInfo:
    lon, lat = spatial.lonlat_of(School.location)
    conn = session.connection()
    row = conn.execute(
        select(School.id, School.name, School.street, School.civic_number, lon, lat).where(
            School.id == school_id
        )
    ).first()
    if row is None:
        raise NotFound("unknown school")
    sid, name, street, civic, x, y = row
    return SchoolInfo(sid, name, address_line(street, civic), x, y)
