"""What the public may see: the allow-list of published fields, the queries of published places
and resources, and their public records and GeoJSON features.

Only the fields of :data:`PUBLIC_FIELDS` are ever published; contacts only where the
organisation agreed (``contacts_public``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import contains_eager

from scout import clock, spatial
from scout.extensions import db
from scout.models import Organisation, OrgKind, Place, Resource, ResourceKind, ReviewStatus

MILAN = ZoneInfo("Europe/Rome")
CONTACT_FIELDS = ("website", "email", "phone")  # only with Organisation.contacts_public


PUBLIC_FIELDS: dict[str, tuple[str, ...]] = {
    "organisation": ("id", "name", "kind", "description", *CONTACT_FIELDS),
    "place": (
        "id",
        "name",
        "kind",
        "organisation",
        "organisation_id",
        "street",
        "civic_number",
        "postcode",
        "address",
        "municipio",
        "opening_schedule",
        "opening_hours",
        "accessibility_notes",
        "languages",
        "resource_kinds",
        "resources",
        "verified_on",
        *CONTACT_FIELDS,
    ),
    "place_resource": ("id", "kind", "title"),
    "resource": (
        "id",
        "place_id",
        "place",
        "organisation",
        "title",
        "kind",
        "description",
        "schedule",
        "languages",
        "target_groups",
        "is_free",
        "cost",
        "childcare",
        "starts_on",
        "ends_on",
        "how_to_enrol",
        "verified_on",
    ),
    "schedule": ("day", "start", "end"),
}


# Every field scout's HSDS export (scout.publishing.hsds) writes, by the record holding it.
HSDS_FIELDS: dict[str, tuple[str, ...]] = {
    "organization": (
        "id", "name", "description", "email", "website", "phones", "locations", "services",
    ),
    "phone": ("id", "organization_id", "number"),
    "location": (
        "id", "location_type", "organization_id", "name", "latitude", "longitude", "addresses",
        "accessibility", "schedules",
    ),
    "address": (
        "id", "location_id", "address_1", "city", "state_province", "postal_code", "country",
        "address_type",
    ),
    "accessibility": ("id", "location_id", "description"),
    "service": (
        "id", "organization_id", "name", "description", "status", "application_process",
        "fees_description", "eligibility_description", "last_modified", "assured_date", "schedules",
        "service_at_locations", "languages", "cost_options", "attributes",
    ),
    "schedule": (
        "id", "service_id", "location_id", "freq", "wkst", "byday", "opens_at", "closes_at",
        "description", "valid_from", "valid_to",
    ),
    "service_at_location": ("id", "service_id", "location_id"),
    "language": ("id", "service_id", "code", "name"),
    "cost_option": ("id", "service_id", "currency", "amount", "amount_description"),
    "attribute": (
        "id", "link_id", "link_type", "link_entity", "taxonomy_term_id", "taxonomy_term",
    ),
    "taxonomy_term": (
        "id", "code", "name", "description", "taxonomy_id", "taxonomy_detail", "language",
    ),
    "taxonomy": ("id", "name", "description", "version"),
}  # fmt: skip


PUBLIC_KEYS = frozenset(k for fields in PUBLIC_FIELDS.values() for k in fields) | frozenset(
    k for fields in HSDS_FIELDS.values() for k in fields
)


@dataclass(frozen=True, slots=True)
class Filters:
    """The public map's filters, as URL parameters ``kind``, ``resource`` (repeatable) and
    ``q``. Unknown values are ignored rather than refused: they come from shared links."""

    kinds: tuple[OrgKind, ...] = ()
    resource_kinds: tuple[ResourceKind, ...] = ()
    q: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        kinds = tuple(OrgKind(v) for v in args.getlist("kind") if v in OrgKind._value2member_map_)
        res = tuple(
            ResourceKind(v)
            for v in args.getlist("resource")
            if v in ResourceKind._value2member_map_
        )
        return cls(kinds, res, (args.get("q") or "").strip()[:100])

    def to_args(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.kinds:
            out["kind"] = [k.value for k in self.kinds]
        if self.resource_kinds:
            out["resource"] = [k.value for k in self.resource_kinds]
        if self.q:
            out["q"] = self.q
        return out


@dataclass(slots=True)
class PublicPlace:
    place: Place
    lon: float
    lat: float
    resources: list[Resource] = field(default_factory=list)


def _resource_is_public(today: date | None = None) -> Any:
    today = today or clock.today()
    return (Resource.status == ReviewStatus.PUBLISHED) & (
        Resource.ends_on.is_(None) | (Resource.ends_on >= today)
    )


def _like(text: str) -> str:
    return "%" + re.sub(r"([\\%_])", r"\\\1", text) + "%"


def places_query(filters: Filters = Filters()) -> Select:
    """Public places matching ``filters``, ordered by name, organisation loaded."""
    stmt = spatial.public_places().options(contains_eager(Place.organisation))
    if filters.kinds:
        stmt = stmt.where(Organisation.kind.in_(filters.kinds))
    if filters.resource_kinds:
        stmt = stmt.where(
            exists().where(
                Resource.place_id == Place.id,
                Resource.kind.in_(filters.resource_kinds),
                _resource_is_public(),
            )
        )
    if filters.q:
        pattern = _like(filters.q)
        stmt = stmt.where(or_(Place.name.ilike(pattern), Organisation.name.ilike(pattern)))
    return stmt


def load_places(stmt: Select) -> list[PublicPlace]:
    """Run a :func:`places_query` (possibly narrowed or paged) and attach public resources."""
    rows = db.session.execute(stmt).unique().all()
    out = [PublicPlace(p, lon, lat) for p, lon, lat in rows]
    by_id = {pp.place.id: pp for pp in out}
    if by_id:
        resources = db.session.scalars(
            select(Resource)
            .where(Resource.place_id.in_(by_id), _resource_is_public())
            .order_by(Resource.title, Resource.id)
        )
        for r in resources:
            by_id[r.place_id].resources.append(r)
    return out


def count(stmt: Select) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))


@functools.cache
def _data_version_query() -> Select:
    """What :func:`data_version` reads, in one round trip; built once (every public answer
    reads it)."""
    parts = []
    for model in (Organisation, Place, Resource):
        parts += [select(func.max(model.updated_at)).scalar_subquery()]
        parts += [select(func.count()).select_from(model).scalar_subquery()]
    return select(*parts)


def data_version() -> tuple[Any, ...]:
    """A cheap fingerprint of everything the public data is made of (last change and row count
    of organisations, places and resources, and today's date, since ended courses drop out):
    a cached answer built under another fingerprint is stale."""
    row = db.session.execute(_data_version_query()).one()
    return (*row, clock.today(), spatial.unverified_cutoff())


def resources_query(kinds: Iterable[ResourceKind] = ()) -> Select:
    """Public resources (published, not ended, at a public place) with their place's lon/lat."""
    lon, lat = spatial.place_lonlat()
    stmt = (
        select(Resource, lon, lat)
        .join(Resource.place)
        .options(contains_eager(Resource.place).joinedload(Place.organisation))
        .where(Resource.place_id.in_(spatial.public_place_ids()), _resource_is_public())
        .order_by(Resource.id)
    )
    kinds = tuple(kinds)
    return stmt.where(Resource.kind.in_(kinds)) if kinds else stmt


def _day(at: datetime | None) -> str | None:
    """The day (Milan time) a person last verified a record, as ISO 8601; no time of day."""
    return at.astimezone(MILAN).date().isoformat() if at else None


def _only(kind: str, record: Mapping[str, Any]) -> dict[str, Any]:
    """Keep the allow-listed fields of ``record``, in allow-list order."""
    return {k: record[k] for k in PUBLIC_FIELDS[kind] if k in record}


def _contacts(org: Organisation | None) -> dict[str, Any]:
    if org is None or not org.contacts_public:
        return {}
    return {"website": org.website, "email": org.email, "phone": org.phone}


def schedule_record(schedule: Iterable[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    return [_only("schedule", w) for w in schedule or () if isinstance(w, Mapping)]


def place_record(pp: PublicPlace) -> dict[str, Any]:
    p, org = pp.place, pp.place.organisation
    languages = sorted({code for r in pp.resources for code in r.languages or ()})
    return _only(
        "place",
        {
            "id": p.id,
            "name": p.name,
            "kind": org.kind.value if org else None,
            "organisation": org.name if org else None,
            "organisation_id": org.id if org else None,
            "street": p.street,
            "civic_number": p.civic_number,
            "postcode": p.postcode,
            "address": p.address or None,
            "municipio": p.municipio,
            "opening_schedule": schedule_record(p.opening_schedule),
            "opening_hours": p.opening_hours,
            "accessibility_notes": p.accessibility_notes,
            "verified_on": _day(p.verified_at),
            "languages": languages,
            "resource_kinds": sorted({r.kind.value for r in pp.resources}),
            "resources": [
                _only("place_resource", {"id": r.id, "kind": r.kind.value, "title": r.title})
                for r in pp.resources
            ],
            **_contacts(org),
        },
    )


def resource_record(r: Resource) -> dict[str, Any]:
    return _only(
        "resource",
        {
            "id": r.id,
            "place_id": r.place_id,
            "place": r.place.name,
            "organisation": r.place.organisation.name if r.place.organisation else None,
            "title": r.title,
            "kind": r.kind.value,
            "description": r.description,
            "schedule": schedule_record(r.schedule),
            "languages": list(r.languages or ()),
            "target_groups": list(r.target_groups or ()),
            "is_free": r.is_free,
            "cost": r.cost,
            "childcare": r.childcare,
            "starts_on": r.starts_on.isoformat() if r.starts_on else None,
            "ends_on": r.ends_on.isoformat() if r.ends_on else None,
            "how_to_enrol": r.how_to_enrol,
            "verified_on": _day(r.verified_at),
        },
    )


def feature(fid: int, lon: float, lat: float, properties: dict[str, Any]) -> dict[str, Any]:
    """A GeoJSON Feature ([lon, lat], 6 decimals ≈ 0.1 m)."""
    return {
        "type": "Feature",
        "id": fid,
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def place_feature(pp: PublicPlace) -> dict[str, Any]:
    return feature(pp.place.id, pp.lon, pp.lat, place_record(pp))


def resource_feature(r: Resource, lon: float, lat: float) -> dict[str, Any]:
    return feature(r.id, lon, lat, resource_record(r))


def places_geojson(filters: Filters = Filters()) -> dict[str, Any]:
    places = load_places(places_query(filters))
    return {"type": "FeatureCollection", "features": [place_feature(pp) for pp in places]}


def resources_geojson(kinds: Iterable[ResourceKind] = ()) -> dict[str, Any]:
    rows = db.session.execute(resources_query(kinds)).all()
    return {"type": "FeatureCollection", "features": [resource_feature(*row) for row in rows]}
