"""What a search finds at the places it reaches: the wanted offers, courses, services and partners
of each place (one statement for every kind, the places' ids and walking seconds as arrays),
and the open-market offers.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from sqlalchemy import (
    Boolean,
    Date,
    Float,
    Integer,
    Select,
    String,
    Text,
    and_,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session

from scout import spatial
from scout.geo import LonLat, haversine_m
from scout.models import (
    ContractType,
    ItalianLevel,
    MarketOffer,
    Offer,
    OfferStatus,
    Organisation,
    OrgKind,
    PartTime,
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
from scout.walking import Walk, ids_and_seconds


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


# A search's filters, written once: as bound parameters (the items' statement, built once
# for every search) or as this search's values (``candidate_places``). Each optional filter
# is ``param IS NULL OR condition``: a NULL (no such filter asked for) turns it off.
Param = Callable[[str, Any], Any]  # (name, type) → the parameter's SQL expression

_TEXTS = ARRAY(String)


def _text(enum_column: Any) -> Any:
    """An enum column as its stored text (no conversion per row)."""
    return type_coerce(enum_column, String)


def _off_or(param: Param, name: str, type_: Any, condition: Callable[[Any], Any]) -> Any:
    """``condition`` on parameter ``name``, or true when the parameter is NULL."""
    value = param(name, type_)
    return or_(value.is_(None), condition(value))


def _offer_conditions(param: Param) -> list[Any]:
    return [
        Offer.status == ReviewStatus.PUBLISHED,
        Offer.offer_status == OfferStatus.OPEN,
        or_(Offer.expires_on.is_(None), Offer.expires_on >= param("today", Date)),
        _off_or(param, "sector", String, lambda v: func.lower(Offer.sector) == func.lower(v)),
        _off_or(param, "sectors", _TEXTS, lambda v: func.lower(Offer.sector) == any_(v)),
        _off_or(param, "contracts", _TEXTS, lambda v: _text(Offer.contract_type) == any_(v)),
        _off_or(param, "part_times", _TEXTS, lambda v: _text(Offer.part_time) == any_(v)),
        _off_or(param, "levels", _TEXTS, lambda v: _text(Offer.italian_level) == any_(v)),
    ]


def _resource_conditions(param: Param) -> list[Any]:
    return [
        Resource.status == ReviewStatus.PUBLISHED,
        _text(Resource.kind) == any_(param("resource_kinds", _TEXTS)),
        or_(Resource.ends_on.is_(None), Resource.ends_on >= param("today", Date)),
    ]


def _partner_conditions(param: Param, is_partner: Any, sectors: Any) -> list[Any]:
    return [is_partner.is_(True), _off_or(param, "sector", String, lambda v: v == any_(sectors))]


def _resource_kinds(q: SearchQuery) -> list[ResourceKind]:
    kinds: set[ResourceKind] = set()
    if Kind.COURSE in q.kinds:
        kinds |= COURSE_KINDS
    if Kind.SERVICE in q.kinds:
        kinds |= SERVICE_KINDS
    return sorted(kinds)


def _filter_values(q: SearchQuery, today: date) -> dict[str, Any]:
    """The values of the filters' parameters for ``q`` (None: not asked for)."""
    levels = None
    if q.max_italian_level is not None:
        levels = [lv.value for lv in ItalianLevel if lv.rank <= q.max_italian_level.rank]
    return {
        "today": today,
        "sector": q.sector or None,
        "sectors": sorted(s.lower() for s in q.sectors) if q.sectors else None,
        "contracts": sorted(c.value for c in q.contract_types) if q.contract_types else None,
        "part_times": sorted(p.value for p in q.part_times) if q.part_times else None,
        "levels": levels,
        "resource_kinds": [k.value for k in _resource_kinds(q)],
    }


def _bound(name: str, type_: Any) -> Any:
    return bindparam(name, type_=type_)


def candidate_places(q: SearchQuery, today: date) -> Select:
    """``select(Place.id)`` of published places holding at least one wanted result.

    Correlated to the enclosing query's ``place`` (EXISTS per row, by index): the walking
    engine narrows the places to a box around the origin first, so only those are checked.
    """
    values = _filter_values(q, today)

    def param(name: str, type_: Any) -> Any:
        return literal(values[name], type_)

    wanted = []
    if Kind.OFFER in q.kinds:
        wanted.append(Place.offers.any(and_(*_offer_conditions(param))))
    if Kind.COURSE in q.kinds or Kind.SERVICE in q.kinds:
        wanted.append(Place.resources.any(and_(*_resource_conditions(param))))
    if Kind.ORGANISATION in q.kinds:
        partner = _partner_conditions(param, Organisation.is_partner, Organisation.sectors)
        wanted.append(Place.organisation.has(and_(*partner)))
    return select(Place.id).where(_published_place(), or_(*wanted)).correlate(Place)


def place_point(place_id: int) -> Select:
    """``(id, lon, lat)`` of one published place."""
    lon, lat = spatial.place_lonlat()
    return select(Place.id, lon, lat).where(Place.id == place_id, _published_place())


# --- the items at the reached places: one statement, built once ----------------------------
#
# The reached places come in as two arrays (ids and walking seconds, nearest first); each kind
# of item is one branch of a UNION ALL over them, its own columns padded with NULL in the
# others; the filters are bound parameters (above), so the statement is the same for every
# search (compiled once, prepared once per connection). Its rows come in the order of
# :func:`scout.search.run.rank` (names compared by code point, as Python does), so a search
# with a ``limit`` stops reading after the limit-th hit's place.

_BRANCH_OFFER, _BRANCH_RESOURCE, _BRANCH_ORGANISATION = 0, 1, 2


def _enum(cls: type[enum.Enum]) -> Callable[[Any], Any]:
    return lambda value: cls(value) if value is not None else None


def _list(value: Any) -> list[Any]:
    return list(value or [])


def _hours(value: Any) -> float | None:
    return float(value) if value else None


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


# Detail name → (its column in each branch, or None; how a value is read back, or None).
_DETAILS: dict[str, tuple[tuple[Any, Any, Any], Callable[[Any], Any] | None]] = {
    "sector": ((Offer.sector, None, None), None),
    "contract_type": ((_text(Offer.contract_type), None, None), _enum(ContractType)),
    "part_time": ((_text(Offer.part_time), None, None), _enum(PartTime)),
    "hours_per_week": ((Offer.hours_per_week, None, None), _hours),
    "italian_level": ((_text(Offer.italian_level), None, None), _enum(ItalianLevel)),
    "how_to_apply": ((Offer.how_to_apply, None, None), None),
    "documents_required": ((Offer.documents_required, None, None), None),
    "expires_on": ((Offer.expires_on, None, None), _date),
    "resource_kind": ((None, _text(Resource.kind), None), _enum(ResourceKind)),
    "languages": ((None, Resource.languages, None), _list),
    "childcare": ((None, Resource.childcare, None), None),
    "is_free": ((None, Resource.is_free, None), None),
    "cost": ((None, Resource.cost, None), None),
    "how_to_enrol": ((None, Resource.how_to_enrol, None), None),
    "starts_on": ((None, Resource.starts_on, None), _date),
    "ends_on": ((None, Resource.ends_on, None), _date),
    "description": ((Offer.description, Resource.description, None), None),
    "opening_hours": ((None, None, Place.opening_hours), None),
    "opening_schedule": ((None, None, Place.opening_schedule), _list),
    "website": ((None, None, Organisation.website), None),
    "phone": ((None, None, Organisation.phone), None),
    "email": ((None, None, Organisation.email), None),
    "sectors": ((None, None, Organisation.sectors), _list),
}
_PLACE_COLUMNS = (
    "place_id",
    "seconds",
    "place_name",
    "street",
    "civic_number",
    "postcode",
    "org_name",
    "org_kind",
    "lon",
    "lat",
)
# A row: the place's columns, then branch, item_id, title, schedule (as :func:`_branch`
# writes them), the details; a column's position is found by its name.
_ROW = (*_PLACE_COLUMNS, "branch", "item_id", "title", "schedule")
(_PLACE_ID, _PLACE_NAME, _STREET, _CIVIC, _POSTCODE, _ORG_NAME, _ORG_KIND, _LON, _LAT, _BRANCH,
 _ITEM_ID, _TITLE, _SCHEDULE) = map(_ROW.index, (
    "place_id", "place_name", "street", "civic_number", "postcode", "org_name", "org_kind", "lon",
    "lat", "branch", "item_id", "title", "schedule",
))  # fmt: skip
_FIRST_DETAIL = len(_ROW)
# (name, position in the row, reader) of the details each branch gives, in a hit's order.
_BRANCH_DETAILS = tuple(
    tuple(
        (name, _FIRST_DETAIL + i, read)
        for i, (name, (cols, read)) in enumerate(_DETAILS.items())
        if cols[b] is not None
    )
    for b in range(3)
)


def _padded(columns: tuple[Any, Any, Any], b: int) -> Any:
    """Branch ``b``'s column, or a NULL of the type the others give (UNION ALL matches types
    branch by branch, and an untyped NULL would be text)."""
    if columns[b] is not None:
        return columns[b]
    return cast(null(), next(c for c in columns if c is not None).type)


def _branch(b: int, places: Any, item: Any = None) -> Select:
    """One branch of the items: the reached places' ``item`` rows (offers or resources) or,
    with no ``item``, the reached partners; the place's columns, the item's, the others'
    NULL. Each branch starts from the places (a nested loop over the item's place index:
    the planner cannot know how many places a search passes)."""
    columns = [places.c[k] for k in _PLACE_COLUMNS]
    columns.append(literal(b).label("branch"))
    if item is None:
        columns += [places.c.place_id.label("item_id"), places.c.org_name.label("title")]
        columns.append(cast(null(), JSONB).label("schedule"))
    else:
        columns += [item.id.label("item_id"), item.title.label("title"), item.schedule]
    for name, (cols, _read) in _DETAILS.items():
        if cols[b] is not None and item is None:
            columns.append(places.c[cols[b].key].label(name))
        else:
            columns.append(_padded(cols, b).label(name))
    query = select(*columns).select_from(places)
    if item is not None:
        query = query.join(item, item.place_id == places.c.place_id)
    return query.where(bindparam(f"want_{b}", type_=Boolean))


def _numbers(values: list[int] | list[float]) -> str:
    """A PostgreSQL array literal of numbers (``{1,2.5}``), for the statement's ``ids`` and
    ``seconds``: psycopg's list dumper looks at every element, 0.3 ms for a chunk's two lists,
    ten times the cost of writing the text (Python's ``str`` of a float reads back exactly)."""
    return "{" + ",".join(map(str, values)) + "}"


def _statement() -> Select:
    ids = cast(bindparam("ids", type_=String), ARRAY(Integer))
    reached = (
        func.unnest(ids, cast(bindparam("seconds", type_=String), ARRAY(Float)))
        .table_valued(column("place_id", Integer), column("seconds", Float))
        .render_derived(name="reached")
    )
    lon, lat = spatial.place_lonlat()
    # The reached places, read by their ids (``= ANY``: the primary key's index) and joined to
    # their walking seconds.
    places = (
        select(
            reached.c.place_id,
            reached.c.seconds,
            Place.name.label("place_name"),
            Place.street,
            Place.civic_number,
            Place.postcode,
            Place.opening_hours,
            Place.opening_schedule,
            Organisation.name.label("org_name"),
            _text(Organisation.kind).label("org_kind"),
            Organisation.is_partner,
            Organisation.sectors,
            Organisation.website,
            Organisation.phone,
            Organisation.email,
            lon,
            lat,
        )
        .select_from(reached)
        .join(Place, Place.id == reached.c.place_id)
        .outerjoin(Organisation, Organisation.id == Place.organisation_id)
        .where(Place.id == any_(ids))
        .cte("places")
    )
    offers = _branch(_BRANCH_OFFER, places, Offer).where(*_offer_conditions(_bound))
    resources = _branch(_BRANCH_RESOURCE, places, Resource).where(*_resource_conditions(_bound))
    partners = _branch(_BRANCH_ORGANISATION, places).where(
        *_partner_conditions(_bound, places.c.is_partner, places.c.sectors)
    )
    items = union_all(offers, resources, partners).subquery("items")
    i = items.c
    # Each row as one JSON array of its columns, sent as text (psycopg would parse json with
    # the standard library), which orjson reads back at a fraction of the cost of psycopg's
    # conversion of ~35 columns one by one (3.2 -> 1.8 ms for a chunk's 185 rows, the
    # statement's own 1.3 ms included). Nearest place first, as
    # :func:`scout.search.run.rank` (names by code point, as Python).
    return select(cast(func.json_build_array(*i), Text)).order_by(
        i.seconds, i.place_name.collate("C"), i.place_id, i.branch, i.item_id
    )


@functools.cache
def _hits_statement() -> Select:
    """:func:`_statement`, built once per process on first use."""
    return _statement()


@dataclass(slots=True)
class Found:
    """The hits of :func:`_hits`, and whether the places given held more than those."""

    hits: list[Hit]
    more: bool = False


def _hits(
    session: Session,
    q: SearchQuery,
    walks: Mapping[int, Walk],
    today: date,
    *,
    limit: int | None = None,
    places: tuple[list[int], list[float]] | None = None,
) -> Found:
    """The wanted items at the places of ``walks`` (or at ``places``, ids and walking seconds
    of some of them); with ``limit``, only those up to the place of the limit-th hit in the
    order of :func:`scout.search.run.rank`."""
    if places is None:
        places = ids_and_seconds(walks)
    ids, seconds = places
    if not ids:
        return Found([])
    parameters = {
        "ids": _numbers(ids),
        "seconds": _numbers(seconds),
        "want_0": Kind.OFFER in q.kinds,
        "want_1": Kind.COURSE in q.kinds or Kind.SERVICE in q.kinds,
        "want_2": Kind.ORGANISATION in q.kinds,
        **_filter_values(q, today),
    }
    rows = session.connection().execute(_hits_statement(), parameters)
    addresses: dict[int, str] = {}
    out: list[Hit] = []
    more = False
    # Rows come nearest place first, as ranked: past the limit, the first row of another
    # place ends the read.
    for (text,) in rows:
        r = orjson.loads(text)
        pid = r[_PLACE_ID]
        if limit is not None and len(out) >= limit and pid != out[-1].place_id:
            more = True
            break
        address = addresses.get(pid)
        if address is None:
            address = addresses[pid] = address_line(r[_STREET], r[_CIVIC], r[_POSTCODE])
        branch = r[_BRANCH]
        details = {
            name: r[i] if read is None else read(r[i]) for name, i, read in _BRANCH_DETAILS[branch]
        }
        if branch == _BRANCH_OFFER:
            kind = Kind.OFFER
        elif branch == _BRANCH_RESOURCE:
            kind = Kind.COURSE if details["resource_kind"] in COURSE_KINDS else Kind.SERVICE
        else:
            kind = Kind.ORGANISATION
        org_kind = r[_ORG_KIND]
        out.append(
            Hit(
                kind=kind,
                item_id=r[_ITEM_ID],
                title=r[_TITLE],
                place_id=pid,
                place_name=r[_PLACE_NAME],
                address=address,
                organisation=r[_ORG_NAME],
                organisation_kind=OrgKind(org_kind) if org_kind else None,
                lon=r[_LON],
                lat=r[_LAT],
                walk=walks[pid],
                details=details,
                schedule=r[_SCHEDULE] or [],
            )
        )
    rows.close()
    return Found(out, more=more)


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
