"""Matching both ways, with the tutors' search and its rules (:mod:`scout.search`), never a copy
of them.

- From her record: :func:`matches_for` runs the search from her stored needs (her home, her
  children's school and hours, her availability, Italian level, wishes, walking minutes and
  profile), ranked by walking minutes.
- From the offers: when an offer or a course is published, :func:`record_new_matches` finds the
  people it fits, with the same search run from each of their records for that one result, and
  stores a :class:`~scout.models.NewMatch` per person; her tutor sees them as new
  (:func:`new_matches`) until she has looked (:func:`mark_seen`).

Her home is decrypted by the caller into :class:`Needs` on the server and goes no further than
the walking engine: it is not stored, logged or returned here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy import exists, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session, selectinload

from scout import clock, search
from scout.errors import ScoutError
from scout.geo import LonLat, haversine_m
from scout.models import (
    ContractType,
    ItalianLevel,
    MatchesSeen,
    MatchFit,
    NewMatch,
    Offer,
    OfferStatus,
    PartTime,
    Person,
    PlanStatus,
    Resource,
    ResourceKind,
    ReviewStatus,
    utcnow,
)
from scout.people.crypto import decrypt_home
from scout.search import Fit, Hit, Kind, SchoolHours, SearchQuery, SearchResult
from scout.walking import Profile

logger = logging.getLogger(__name__)

COURSE_KINDS = frozenset(
    {ResourceKind.ITALIAN_COURSE, ResourceKind.DIGITAL_COURSE, ResourceKind.PROFESSIONAL_COURSE}
)
MATCH_KINDS = frozenset({Kind.OFFER, Kind.COURSE})


@dataclass(frozen=True, slots=True)
class Needs:
    """What the search needs of a person's record, decrypted on the server. ``home`` None: no
    home recorded, so nothing can be measured from it."""

    person_id: int
    home: LonLat | None
    school_id: int | None = None
    school_hours: SchoolHours | None = None
    availability: tuple[Mapping[str, Any], ...] | None = None  # None: not recorded
    italian_level: ItalianLevel | None = None
    sectors: frozenset[str] = frozenset()
    contract_types: frozenset[ContractType] = frozenset()
    part_times: frozenset[PartTime] = frozenset()
    max_minutes: int = search.DEFAULT_MINUTES
    profile: Profile = Profile.STANDARD
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


def query_for(
    needs: Needs, kinds: Iterable[Kind] = MATCH_KINDS, limit: int = search.DEFAULT_LIMIT
) -> SearchQuery:
    """The search a tutor would type for her, from her record."""
    if needs.home is None:
        raise ValueError("no home to search from")
    minutes = min(max(needs.max_minutes, search.MIN_MINUTES), search.MAX_MINUTES)
    return SearchQuery(
        origin=needs.home,
        origin_kind="record",
        school_id=needs.school_id,
        kinds=frozenset(kinds),
        sectors=needs.sectors,
        contract_types=needs.contract_types,
        part_times=needs.part_times,
        max_italian_level=needs.italian_level,
        max_minutes=minutes,
        profile=needs.profile,
        school_hours=needs.school_hours,
        availability=needs.availability,
        limit=limit,
    )


def matches_for(session: Session, needs: Needs, today: date | None = None) -> SearchResult:
    """Offers and courses for her, nearest first, each with its school-hours and availability
    fit ("Cerca per lei")."""
    q = query_for(needs)
    if today is not None:
        q = _with_today(q, today)
    return search.run(session, q)


def _with_today(q: SearchQuery, today: date) -> SearchQuery:
    return replace(q, today=today)


def fits(hit: Hit) -> bool:
    """A result fits her unless its hours clash with school or with her availability (an
    unknown fit is not a clash: the tutor checks it)."""
    return all(f is None or f.status != Fit.DOES_NOT_FIT for f in (hit.fit, hit.availability_fit))


def _fit(result: Any) -> MatchFit:
    return MatchFit(result.status.value) if result is not None else MatchFit.UNKNOWN


def _target(record: Offer | Resource) -> tuple[Kind, str] | None:
    if isinstance(record, Offer):
        return Kind.OFFER, f"offer-{record.id}"
    if record.kind in COURSE_KINDS:
        return Kind.COURSE, f"course-{record.id}"
    return None  # a service is not matched to people


def people_it_fits(
    session: Session, record: Offer | Resource, candidates: Iterable[Needs], today: date
) -> list[tuple[Needs, Hit, bool]]:
    """``(needs, hit, estimate)`` of each candidate the published ``record`` fits: the search
    from her record, for that one result (its filters: sector, contract, hours, Italian level;
    the walking minutes; the school-hours and availability fit)."""
    target = _target(record)
    if target is None or record.status != ReviewStatus.PUBLISHED:
        return []
    kind, key = target
    row = session.execute(search.place_point(record.place_id)).first()
    if row is None:
        return []
    place = LonLat(row.lon, row.lat)
    out = []
    for needs in candidates:
        if needs.home is None:
            continue
        q = _with_today(query_for(needs, kinds=(kind,)), today)
        # A walk is never shorter than the straight line: skip those surely out of reach.
        if haversine_m(needs.home, place) > q.max_minutes * 60 * q.profile.speed_m_s:
            continue
        try:
            result = search.run_selected(session, q, [key])
        except ScoutError as exc:  # her home out of the area, too far from paths: skip her
            logger.info("person %s not matched: %s", needs.person_id, type(exc).__name__)
            continue
        for hit in result.hits:
            if hit.walk.minutes <= q.max_minutes and fits(hit):
                out.append((needs, hit, result.estimate))
    return out


def record_new_matches(
    session: Session, record: Offer | Resource, candidates: Iterable[Needs], today: date
) -> int:
    """Store a new match for each person the just-published ``record`` fits (once: publishing
    it again adds nothing); how many were added."""
    added = 0
    for needs, hit, estimate in people_it_fits(session, record, candidates, today):
        values = {
            "person_id": needs.person_id,
            "offer_id": record.id if isinstance(record, Offer) else None,
            "resource_id": record.id if isinstance(record, Resource) else None,
            "walk_minutes": hit.walk.whole_minutes,
            "estimate": estimate,
            "school_fit": _fit(hit.fit),
            "availability_fit": _fit(hit.availability_fit),
            "created_at": utcnow(),
        }
        stmt = insert(NewMatch).values(**values)
        stmt = stmt.on_conflict_do_nothing(constraint="uq_new_match_target").returning(NewMatch.id)
        if session.execute(stmt).first() is not None:
            added += 1
    session.flush()
    return added


def last_seen(session: Session, user_id: int) -> datetime | None:
    return session.scalar(select(MatchesSeen.seen_at).where(MatchesSeen.user_id == user_id))


def new_matches(
    session: Session, person_ids: Iterable[int], since: datetime | None
) -> list[NewMatch]:
    """The new matches of these people since ``since`` (all when None), newest first; a match
    with an offer that has closed or passed its expiry date since is left out."""
    ids = list(person_ids)
    if not ids:
        return []
    still_open = exists().where(
        Offer.id == NewMatch.offer_id,
        Offer.offer_status == OfferStatus.OPEN,
        or_(Offer.expires_on.is_(None), Offer.expires_on >= clock.today()),
    )
    query = select(NewMatch).where(
        NewMatch.person_id.in_(ids), or_(NewMatch.offer_id.is_(None), still_open)
    )
    if since is not None:
        query = query.where(NewMatch.created_at > since)
    return list(session.scalars(query.order_by(NewMatch.created_at.desc(), NewMatch.walk_minutes)))


def mark_seen(session: Session, user_id: int, at: datetime | None = None) -> None:
    """She has looked at her people's new matches: what follows is new."""
    at = at or utcnow()
    stmt = insert(MatchesSeen).values(user_id=user_id, seen_at=at)
    session.execute(stmt.on_conflict_do_update(index_elements=["user_id"], set_={"seen_at": at}))


def _school_hours(children: Iterable[Any]) -> SchoolHours | None:
    """When all her children with school hours are at school: the latest drop-off, the
    earliest pick-up, on the days they all have school (None when that leaves nothing)."""
    known = [c for c in children if c.drop_off and c.pick_up and c.days]
    if not known:
        return None
    drop = max(c.drop_off for c in known)
    pick = min(c.pick_up for c in known)
    days = frozenset.intersection(*(frozenset(c.days) for c in known))
    if pick <= drop or not days:
        return None
    return SchoolHours(drop, pick, days)


def needs_of(person: Any, home: Any | None) -> Needs:
    """A person's record as the search needs it; ``home`` is her decrypted home (its
    ``lon``/``lat``), or None."""
    school = next((c.school_id for c in person.children if c.school_id is not None), None)
    return Needs(
        person_id=person.id,
        home=LonLat(home.lon, home.lat) if home is not None else None,
        school_id=school,
        school_hours=_school_hours(person.children),
        availability=tuple(person.availability) if person.availability else None,
        italian_level=ItalianLevel(person.italian_level) if person.italian_level else None,
        sectors=frozenset(s for s in person.sectors or () if s),
        contract_types=frozenset(
            ContractType(c)
            for c in person.contract_types or ()
            if c in ContractType._value2member_map_
        ),
        part_times=frozenset(
            PartTime(p) for p in person.part_time_types or () if p in PartTime._value2member_map_
        ),
        max_minutes=person.max_walk_minutes or search.DEFAULT_MINUTES,
        profile=Profile(str(person.walking_profile or Profile.STANDARD)),
    )


def active_needs(session: Session) -> list[Needs]:
    """The needs of every person still followed (not closed, not anonymised) with a home:
    the candidates of a newly published offer or course. Homes are decrypted here, in memory."""
    people = session.scalars(
        select(Person)
        .where(
            Person.status != PlanStatus.CLOSED,
            Person.anonymised_at.is_(None),
            Person.home_encrypted.is_not(None),
        )
        .options(selectinload(Person.children))
        .order_by(Person.id)
    )
    return [needs_of(p, decrypt_home(p.home_encrypted)) for p in people]


def note_published(session: Session, records: Iterable[Any], today: date | None = None) -> int:
    """New matches for the offers and courses just published (called where the review
    publishes them); how many were added."""
    wanted = [r for r in records if isinstance(r, Offer | Resource)]
    if not wanted:
        return 0
    candidates = active_needs(session)
    day = today or clock.today()
    return sum(record_new_matches(session, r, candidates, day) for r in wanted)
