"""The tutors' search: offers, courses, services and partners a person can walk to, ranked by
walking time from home, with the school-hours fit rule.

Framework-free: functions take plain values and a session and return dataclasses; the API and
the tutor pages are thin adapters (pygeoapi's split). The origin is a person's home: it is
never stored, logged or echoed back; only :func:`audit_changes` describes a search, without it.
"""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from babel.dates import get_day_names
from sqlalchemy import Integer, Select, and_, any_, func, literal, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from scout import routing, spatial
from scout.errors import BadRequest, NotFound
from scout.geo import LonLat
from scout.models import (
    ContractType,
    ItalianLevel,
    Offer,
    OfferStatus,
    Organisation,
    OrgKind,
    PartTime,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    School,
)
from scout.routing import Profile, Walk


class Kind(enum.StrEnum):
    """What a result is. Courses and services are both :class:`Resource` rows."""

    OFFER = "offer"
    COURSE = "course"
    SERVICE = "service"
    ORGANISATION = "organisation"


COURSE_KINDS = frozenset(
    {ResourceKind.ITALIAN_COURSE, ResourceKind.DIGITAL_COURSE, ResourceKind.PROFESSIONAL_COURSE}
)
SERVICE_KINDS = frozenset(ResourceKind) - COURSE_KINDS
MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 5, 30, 15
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
CHUNK_EXTRA = 50  # places read beyond ``limit`` at a time (some hold no wanted result)
ISOCHRONE_BANDS = (5, 10, 15)
WEEKDAYS = frozenset(range(5))


# ---------------------------------------------------------------- the school-hours rule


class Fit(enum.StrEnum):
    FITS = "fits"
    DOES_NOT_FIT = "does_not_fit"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class SchoolHours:
    """When the children are at school: drop-off and pick-up times on ``days`` (Monday = 0)."""

    drop_off: time
    pick_up: time
    days: frozenset[int] = WEEKDAYS


@dataclass(frozen=True, slots=True)
class FitResult:
    status: Fit
    missing_minutes: int | None = None  # with DOES_NOT_FIT: the worst day's shortfall
    days: tuple[int, ...] = ()  # with DOES_NOT_FIT: the days that do not fit


FITS = FitResult(Fit.FITS)
UNKNOWN = FitResult(Fit.UNKNOWN)
_HHMM = re.compile(r"^([01]?\d|2[0-4])[:.]([0-5]\d)$")


def _minutes(value: Any) -> int | None:
    if isinstance(value, time):
        return value.hour * 60 + value.minute
    match = _HHMM.match(str(value).strip()) if value is not None else None
    if not match:
        return None
    total = int(match[1]) * 60 + int(match[2])
    return total if total <= 24 * 60 else None


def parse_windows(
    schedule: Iterable[Mapping[str, Any]] | None,
) -> list[tuple[int, int, int]] | None:
    """``[(day, start_minute, end_minute)]`` of a schedule, or None when any window is unreadable.

    A window ending before it starts runs past midnight (its end gets 24 h added).
    """
    out = []
    for window in schedule or ():
        try:
            day = int(window["day"])
        except (KeyError, TypeError, ValueError):
            return None
        start, end = _minutes(window.get("start")), _minutes(window.get("end"))
        if start is None or end is None or not 0 <= day <= 6 or start == end:
            return None
        out.append((day, start, end if end > start else end + 24 * 60))
    return out


def school_hours_fit(
    schedule: Iterable[Mapping[str, Any]] | None,
    hours: SchoolHours,
    walk_minutes: int,
    walk_back_minutes: int | None = None,
) -> FitResult:
    """Whether every working window fits between drop-off and pick-up.

    A window fits when it starts no earlier than drop-off + ``walk_minutes`` (school → work)
    and ends no later than pick-up − ``walk_back_minutes`` (work → school; the same walk unless
    given). A window on a day without school (not in ``hours.days``) does not fit at all: the
    children are at home, so the whole window is missing. The shortfall of a day is the sum of
    its windows' shortfalls; the result carries the worst day's. No windows, or any unreadable
    one, means the hours are unknown.
    """
    windows = parse_windows(schedule)
    if not windows:
        return UNKNOWN
    back = walk_minutes if walk_back_minutes is None else walk_back_minutes
    earliest = _minutes(hours.drop_off) + walk_minutes  # type: ignore[operator]
    latest = _minutes(hours.pick_up) - back  # type: ignore[operator]
    short: dict[int, int] = {}
    for day, start, end in windows:
        if day not in hours.days:
            missing = end - start
        else:
            missing = max(0, earliest - start) + max(0, end - latest)
        if missing > 0:
            short[day] = short.get(day, 0) + missing
    if not short:
        return FITS
    return FitResult(Fit.DOES_NOT_FIT, max(short.values()), tuple(sorted(short)))


@functools.lru_cache(maxsize=16)
def _day_names(locale: str) -> list[str]:
    names = get_day_names("abbreviated", locale=locale)
    return [str(names[d]) for d in range(7)]


def format_schedule(schedule: Iterable[Mapping[str, Any]] | None, locale: str) -> str:
    """Readable hours in ``locale``: days with the same windows grouped, e.g.
    "Mon–Fri 09:00–13:00; Wed 14:00–16:00". Empty when unknown."""
    windows = parse_windows(schedule)
    if not windows:
        return ""
    names = _day_names(locale)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for day, start, end in sorted(windows):
        by_day.setdefault(day, []).append((start, end))

    def hhmm(m: int) -> str:
        return f"{m // 60 % 24:02d}:{m % 60:02d}"

    groups: list[tuple[list[int], tuple[tuple[int, int], ...]]] = []
    for day in sorted(by_day):
        times = tuple(by_day[day])
        if groups and groups[-1][1] == times and groups[-1][0][-1] == day - 1:
            groups[-1][0].append(day)
        else:
            groups.append(([day], times))
    parts = []
    for days, times in groups:
        label = names[days[0]] if len(days) == 1 else f"{names[days[0]]}–{names[days[-1]]}"
        parts.append(label + " " + ", ".join(f"{hhmm(s)}–{hhmm(e)}" for s, e in times))
    return "; ".join(parts)


# ---------------------------------------------------------------- the query


@dataclass(frozen=True, slots=True)
class SearchQuery:
    origin: LonLat
    origin_kind: str = "point"  # "address", "map", "hub" or "point": for the audit only
    school_id: int | None = None
    kinds: frozenset[Kind] = frozenset(Kind)
    sector: str | None = None
    contract_types: frozenset[ContractType] = frozenset()  # empty: any
    part_times: frozenset[PartTime] = frozenset()
    max_italian_level: ItalianLevel | None = None
    max_minutes: int = DEFAULT_MINUTES
    profile: Profile = Profile.STANDARD
    school_hours: SchoolHours | None = None
    hide_not_fitting: bool = False
    limit: int = DEFAULT_LIMIT
    today: date | None = None


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise BadRequest(f"{key} must be a list", field=key)
    return value


def _enum_set(data: Mapping[str, Any], key: str, enum_cls: type[enum.Enum]) -> frozenset[Any]:
    try:
        return frozenset(enum_cls(v) for v in _list(data, key))
    except ValueError:
        raise BadRequest(f"{key}: unknown value", field=key) from None


def parse_origin(session: Session, data: Any) -> tuple[LonLat, str]:
    """``{"lon", "lat"}`` (optionally ``"source": "address" | "map"``) or ``{"hub_id"}``."""
    if not isinstance(data, Mapping):
        raise BadRequest("origin is required", field="origin")
    if data.get("hub_id") not in (None, ""):
        hub = next((h for h in hubs(session) if str(h["id"]) == str(data["hub_id"])), None)
        if hub is None:
            raise BadRequest("unknown hub", field="origin")
        return LonLat(hub["lon"], hub["lat"]), "hub"
    try:
        origin = LonLat(float(data["lon"]), float(data["lat"]))
    except (KeyError, TypeError, ValueError):
        raise BadRequest("origin needs lon and lat", field="origin") from None
    source = data.get("source")
    return origin, source if source in ("address", "map") else "point"


def parse_school_hours(data: Any) -> SchoolHours | None:
    """``{"drop_off": "08:30", "pick_up": "16:30", "days": [0, 1, 2, 3, 4]}`` or None."""
    if not data:
        return None
    if not isinstance(data, Mapping):
        raise BadRequest("school_hours must be an object", field="school_hours")
    if not data.get("drop_off") and not data.get("pick_up"):
        return None
    drop, pick = _minutes(data.get("drop_off")), _minutes(data.get("pick_up"))
    if drop is None or pick is None or pick <= drop:
        raise BadRequest("drop_off and pick_up must be times, drop-off first", field="school_hours")
    try:
        days = frozenset(int(d) for d in data.get("days", sorted(WEEKDAYS)))
    except (TypeError, ValueError):
        raise BadRequest("days must be numbers 0-6", field="school_hours") from None
    if not days or not days <= set(range(7)):
        raise BadRequest("days must be numbers 0-6", field="school_hours")
    return SchoolHours(time(drop // 60, drop % 60), time(pick // 60 % 24, pick % 60), days)


def parse_query(session: Session, data: Any) -> SearchQuery:
    """Validate the JSON body of a search (raises :class:`BadRequest` naming the field)."""
    if not isinstance(data, Mapping):
        raise BadRequest("a JSON object is required", field="body")
    origin, origin_kind = parse_origin(session, data.get("origin"))
    school_id = data.get("school_id")
    if school_id in (None, ""):
        school_id = None
    else:
        try:
            school_id = int(school_id)
            if not 1 <= school_id < 2**31:  # a PostgreSQL integer
                raise ValueError(school_id)
        except (TypeError, ValueError, OverflowError):
            raise BadRequest("school_id must be a number", field="school_id") from None
    kinds = _enum_set(data, "kinds", Kind) if "kinds" in data else frozenset(Kind)
    if not kinds:
        raise BadRequest("choose at least one kind of result", field="kinds")
    try:
        max_minutes = int(data.get("max_minutes", DEFAULT_MINUTES))
    except (TypeError, ValueError):
        raise BadRequest("max_minutes must be a number", field="max_minutes") from None
    if not MIN_MINUTES <= max_minutes <= MAX_MINUTES:
        raise BadRequest(
            f"max_minutes must be between {MIN_MINUTES} and {MAX_MINUTES}", field="max_minutes"
        )
    try:
        profile = Profile(data.get("profile") or Profile.STANDARD)
    except ValueError:
        raise BadRequest("unknown walking profile", field="profile") from None
    try:
        level = data.get("max_italian_level")
        level = ItalianLevel(level) if level else None
    except ValueError:
        raise BadRequest("unknown Italian level", field="max_italian_level") from None
    try:
        limit = int(data.get("limit", DEFAULT_LIMIT))
    except (TypeError, ValueError):
        raise BadRequest("limit must be a number", field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    sector = data.get("sector") or None
    if sector is not None and not isinstance(sector, str):
        raise BadRequest("sector must be text", field="sector")
    return SearchQuery(
        origin=origin,
        origin_kind=origin_kind,
        school_id=school_id,
        kinds=kinds,
        sector=sector.strip() if sector else None,
        contract_types=_enum_set(data, "contract_types", ContractType),
        part_times=_enum_set(data, "part_times", PartTime),
        max_italian_level=level,
        max_minutes=max_minutes,
        profile=profile,
        school_hours=parse_school_hours(data.get("school_hours")),
        hide_not_fitting=bool(data.get("hide_not_fitting")),
        limit=limit,
    )


# ---------------------------------------------------------------- reference lists


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
        {"id": pid, "name": name, "address": " ".join(p for p in (st, no) if p), "lon": x, "lat": y}
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
        {"id": sid, "name": name, "type": kind, "address": " ".join(p for p in (st, no) if p)}
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
    return SchoolInfo(sid, name, " ".join(p for p in (street, civic) if p), x, y)  # School.address


# ---------------------------------------------------------------- the search


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

    @property
    def key(self) -> str:
        return f"{self.kind.value}-{self.item_id}"


@dataclass(slots=True)
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    estimate: bool
    network_date: datetime | None
    school: SchoolInfo | None = None
    total: int | None = None  # all results found (None: not counted, more than shown)
    truncated: bool = False  # more results lie within reach than are shown

    @property
    def place_count(self) -> int:
        return len({h.place_id for h in self.hits})


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


def _address(street: str | None, civic: str | None, postcode: str | None) -> str:
    """As :attr:`Place.address`, from plain columns."""
    line = " ".join(p for p in (street, civic) if p)
    return ", ".join(p for p in (line, postcode and f"{postcode} Milano") if p)


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
            address = addresses[pid] = _address(p.street, p.civic_number, p.postcode)
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
                        "website": p.website,
                        "phone": p.phone,
                        "email": p.email,
                        "sectors": list(p.sectors or []),
                    },
                )
            )
    return out


_KIND_ORDER = {Kind.OFFER: 0, Kind.COURSE: 1, Kind.SERVICE: 2, Kind.ORGANISATION: 3}


def rank(hits: list[Hit]) -> list[Hit]:
    """Nearest place first (ties by name); within a place offers, courses, services, partner.
    Places are numbered 1, 2, ... in that order, as their map markers are."""
    hits.sort(
        key=lambda h: (h.walk.seconds, h.place_name, h.place_id, _KIND_ORDER[h.kind], h.item_id)
    )
    numbers: dict[int, int] = {}
    for h in hits:
        h.number = numbers.setdefault(h.place_id, len(numbers) + 1)
    return hits


def apply_school(
    hits: list[Hit], q: SearchQuery, school: SchoolInfo | None, school_walks: Mapping[int, Walk]
) -> None:
    """Fill walks from school and the school-hours fit of every hit."""
    for h in hits:
        h.walk_from_school = school_walks.get(h.place_id) if school else None
        if q.school_hours is None:
            continue
        if h.kind == Kind.ORGANISATION:
            h.fit = UNKNOWN
            continue
        # School → work when the school is known; otherwise home stands in for it.
        basis = h.walk_from_school or h.walk
        h.fit = school_hours_fit(h.schedule, q.school_hours, basis.whole_minutes)


def _finish(
    q: SearchQuery, hits: list[Hit], answer: routing.Answer, school: SchoolInfo | None
) -> SearchResult:
    """Walks from school and the fit rule, then the ranking."""
    school_walks: dict[int, Walk] = {}
    if school is not None and hits:
        targets = {h.place_id: LonLat(h.lon, h.lat) for h in hits}
        school_walks = routing.walk_to(school.point, targets, q.profile, place_ids=True).walks
    apply_school(hits, q, school, school_walks)
    return SearchResult(q, rank(hits), answer.estimate, answer.network_date, school)


def run(session: Session, q: SearchQuery) -> SearchResult:
    """The search: reach from home, the wanted items there, walks from school, the fit rule."""
    today = q.today or date.today()
    # An unknown school fails before any walking.
    school = school_info(session, q.school_id) if q.school_id is not None else None
    hiding = q.hide_not_fitting and q.school_hours is not None
    if hiding:
        answer = routing.reach(
            q.origin, q.max_minutes, q.profile, places=candidate_places(q, today)
        )
        hits = rank(_hits(session, q, answer.walks, today))
        result = _finish(q, hits, answer, school)
        result.hits = [h for h in result.hits if h.fit is None or h.fit.status != Fit.DOES_NOT_FIT]
        result.total = len(result.hits)
        result.hits = nearest(rank(result.hits), q.limit)
        return result
    # The engine's own reach over every published place (its cheapest query), then the
    # wanted items of the nearest places, a chunk at a time, until ``limit`` are found:
    # items, walks from school and JSON only for what is shown.
    answer = routing.reach(q.origin, q.max_minutes, q.profile)
    order = list(answer.walks)
    hits: list[Hit] = []
    done = 0
    while done < len(order) and len(hits) < q.limit:
        chunk = order[done : done + q.limit + CHUNK_EXTRA]
        done += len(chunk)
        hits += _hits(session, q, {pid: answer.walks[pid] for pid in chunk}, today)
    shown = nearest(rank(hits), q.limit)
    result = _finish(q, shown, answer, school)
    more = done < len(order) or len(shown) < len(hits)
    result.total = None if more else len(shown)
    result.truncated = more
    return result


def nearest(ranked: list[Hit], limit: int) -> list[Hit]:
    """The first ``limit`` hits, rounded up to whole places (a place's items stay together)."""
    if len(ranked) <= limit:
        return ranked
    last_place = ranked[limit - 1].place_id
    end = limit
    while end < len(ranked) and ranked[end].place_id == last_place:
        end += 1
    return ranked[:end]


def _places_of_keys(session: Session, keys: set[str]) -> set[int]:
    """Place ids of result keys such as ``offer-12``, ``course-3``, ``organisation-7``."""
    ids: dict[str, set[int]] = {}
    for key in keys:
        kind, _sep, number = key.partition("-")
        if kind in Kind.__members__.values() and number.isdigit():
            ids.setdefault(kind, set()).add(int(number))
    out = set(ids.get(Kind.ORGANISATION, set()))
    if ids.get(Kind.OFFER):
        out |= set(session.scalars(select(Offer.place_id).where(Offer.id.in_(ids[Kind.OFFER]))))
    resources = ids.get(Kind.COURSE, set()) | ids.get(Kind.SERVICE, set())
    if resources:
        out |= set(session.scalars(select(Resource.place_id).where(Resource.id.in_(resources))))
    return out


def run_selected(session: Session, q: SearchQuery, keys: Iterable[str]) -> SearchResult:
    """The chosen results only (for the printed sheet), walking times recomputed."""
    wanted = {k for k in keys if isinstance(k, str)}
    if not wanted:
        raise BadRequest("choose at least one result", field="items")
    routing.check_origin(q.origin)
    today = q.today or date.today()
    lon, lat = spatial.place_lonlat()
    rows = session.execute(
        select(Place.id, lon, lat).where(
            Place.id.in_(_places_of_keys(session, wanted)),
            Place.id.in_(candidate_places(q, today).scalar_subquery()),
        )
    ).all()
    targets = {pid: LonLat(x, y) for pid, x, y in rows}
    answer = routing.walk_to(q.origin, targets, q.profile, place_ids=True)
    hits = [h for h in _hits(session, q, answer.walks, today) if h.key in wanted]
    school = school_info(session, q.school_id) if q.school_id is not None else None
    return _finish(q, hits, answer, school)


# ---------------------------------------------------------------- output


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def fit_properties(fit: FitResult | None) -> dict[str, Any]:
    if fit is None:
        return {"school_hours_fit": None}
    return {
        "school_hours_fit": fit.status.value,
        "school_hours_missing_minutes": fit.missing_minutes,
        "school_hours_conflict_days": list(fit.days),
    }


def feature(h: Hit, estimate: bool, locale: str = "it") -> dict[str, Any]:
    """A GeoJSON Feature of a hit ([lon, lat])."""
    return {
        "type": "Feature",
        "id": h.key,
        "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
        "properties": {
            "key": h.key,
            "kind": h.kind.value,
            "item_id": h.item_id,
            "title": h.title,
            "number": h.number,
            "place_id": h.place_id,
            "place_name": h.place_name,
            "address": h.address,
            "organisation": h.organisation,
            "organisation_kind": _plain(h.organisation_kind),
            "walk_minutes": h.walk.whole_minutes,
            "walk_metres": round(h.walk.metres),
            "walk_minutes_from_school": (
                h.walk_from_school.whole_minutes if h.walk_from_school else None
            ),
            "estimate": estimate,
            "schedule": h.schedule,
            "hours": format_schedule(h.schedule, locale),
            **fit_properties(h.fit),
            **{k: _plain(v) for k, v in h.details.items()},
        },
    }


def to_geojson(result: SearchResult, locale: str = "it") -> dict[str, Any]:
    """The answer of ``POST /api/v1/search``. The origin is not echoed back."""
    q = result.query
    school = result.school
    return {
        "type": "FeatureCollection",
        "features": [feature(h, result.estimate, locale) for h in result.hits],
        "estimate": result.estimate,
        "network_date": result.network_date.isoformat() if result.network_date else None,
        "count": len(result.hits),
        "total": result.total,
        "truncated": result.truncated
        or (result.total is not None and result.total > len(result.hits)),
        "places": result.place_count,
        "max_minutes": q.max_minutes,
        "profile": q.profile.value,
        "school": (
            {
                "id": school.id,
                "name": school.name,
                "address": school.address,
                "geometry": {"type": "Point", "coordinates": [school.lon, school.lat]},
            }
            if school
            else None
        ),
        "school_hours": (
            {
                "drop_off": q.school_hours.drop_off.strftime("%H:%M"),
                "pick_up": q.school_hours.pick_up.strftime("%H:%M"),
                "days": sorted(q.school_hours.days),
            }
            if q.school_hours
            else None
        ),
    }


def audit_changes(q: SearchQuery, result_count: int) -> dict[str, Any]:
    """What the audit trail keeps of a search: the filters, never where it started from."""
    return {
        "origin": q.origin_kind,
        "with_school": q.school_id is not None,
        "kinds": sorted(k.value for k in q.kinds),
        "max_minutes": q.max_minutes,
        "profile": q.profile.value,
        "school_hours": q.school_hours is not None,
        "results": result_count,
    }


def isochrones(q_origin: LonLat, profile: Profile, max_minutes: int) -> dict[str, Any]:
    """The 5/10/15-minute bands (those up to ``max_minutes``, and ``max_minutes`` itself)."""
    bands = sorted({b for b in ISOCHRONE_BANDS if b <= max_minutes} | {max_minutes})
    answer = routing.isochrones(q_origin, bands, profile)
    return {
        "type": "FeatureCollection",
        "estimate": answer.estimate,
        "features": [
            {"type": "Feature", "properties": {"minutes": minutes}, "geometry": geom}
            for minutes, geom in answer.bands
        ],
    }
