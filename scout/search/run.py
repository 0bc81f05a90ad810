"""The search itself: reach from home, the wanted items there, walks from school, the fit
rule, the ranking. The origin is a person's home: it is never stored, logged or echoed back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import clock, spatial, walking
from scout.errors import BadRequest
from scout.geo import LonLat
from scout.models import (
    Offer,
    Place,
    Resource,
)
from scout.search.fit import UNKNOWN, Fit, availability_fit, school_hours_fit
from scout.search.items import Hit, MarketHit, _hits, candidate_places, market_hits
from scout.search.lists import SchoolInfo, school_info
from scout.search.query import (
    CHUNK_EXTRA,
    ISOCHRONE_BANDS,
    Kind,
    SearchQuery,
)
from scout.walking import Profile, Walk


@dataclass(slots=True)
class SearchResult:
    query: SearchQuery
    hits: list[Hit]
    estimate: bool
    network_date: datetime | None
    school: SchoolInfo | None = None
    total: int | None = None  # all results found (None: not counted, more than shown)
    truncated: bool = False  # more results lie within reach than are shown
    market: list[MarketHit] = field(default_factory=list)  # after every walkable result

    @property
    def place_count(self) -> int:
        return len({h.place_id for h in self.hits})


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
    """Fill walks from school, the school-hours fit and the fit with her availability of
    every hit."""
    for h in hits:
        h.walk_from_school = school_walks.get(h.place_id) if school else None
        if q.availability is not None and h.kind != Kind.ORGANISATION:
            h.availability_fit = availability_fit(h.schedule, q.availability)
        if q.school_hours is None:
            continue
        if h.kind == Kind.ORGANISATION:
            h.fit = UNKNOWN
            continue
        # School → work when the school is known; otherwise home stands in for it.
        basis = h.walk_from_school or h.walk
        h.fit = school_hours_fit(h.schedule, q.school_hours, basis.whole_minutes)


def _finish(
    q: SearchQuery, hits: list[Hit], answer: walking.Answer, school: SchoolInfo | None
) -> SearchResult:
    """Walks from school and the fit rule, then the ranking."""
    school_walks: dict[int, Walk] = {}
    if school is not None and hits:
        targets = {h.place_id: LonLat(h.lon, h.lat) for h in hits}
        school_walks = walking.walk_to(
            school.point,
            targets,
            q.profile,
            place_ids=True,
            same_as=answer,
            fixed_origin=True,
        ).walks
    apply_school(hits, q, school, school_walks)
    return SearchResult(q, rank(hits), answer.estimate, answer.network_date, school)


def run(session: Session, q: SearchQuery) -> SearchResult:
    """The search: reach from home, the wanted items there, walks from school, the fit rule;
    open-market offers, if asked for, after every walkable result."""
    result = _run_walkable(session, q)
    if q.include_market and Kind.OFFER in q.kinds:
        result.market = market_hits(session, q, q.today or clock.today())
    return result


def _run_walkable(session: Session, q: SearchQuery) -> SearchResult:
    today = q.today or clock.today()
    # An unknown school fails before any walking.
    school = school_info(session, q.school_id) if q.school_id is not None else None
    hiding = q.hide_not_fitting and q.school_hours is not None
    if hiding:
        answer = walking.reach(
            q.origin, q.max_minutes, q.profile, places=candidate_places(q, today)
        )
        hits = rank(_hits(session, q, answer.walks, today).hits)
        result = _finish(q, hits, answer, school)
        result.hits = [h for h in result.hits if h.fit is None or h.fit.status != Fit.DOES_NOT_FIT]
        result.total = len(result.hits)
        result.hits = nearest(rank(result.hits), q.limit)
        return result
    # The engine's own reach over every published place (its cheapest query), then the
    # wanted items of the nearest places, a chunk at a time, until ``limit`` are found (the
    # database keeps those up to the limit-th's place): items, walks from school and JSON
    # only for what is shown.
    answer = walking.reach(q.origin, q.max_minutes, q.profile)
    ids, seconds = walking.ids_and_seconds(answer.walks)
    hits: list[Hit] = []
    done = 0
    more = False
    while done < len(ids) and len(hits) < q.limit:
        end = chunk_end(seconds, done, q.limit + CHUNK_EXTRA)
        found = _hits(
            session,
            q,
            answer.walks,
            today,
            limit=q.limit - len(hits),
            places=(ids[done:end], seconds[done:end]),
        )
        hits += found.hits
        more = found.more
        done = end
    # Read in the ranking's order and cut after the limit-th's place: nothing to trim.
    result = _finish(q, hits, answer, school)
    more = more or done < len(ids)
    result.total = None if more else len(hits)
    result.truncated = more
    return result


def chunk_end(seconds: list[float], start: int, size: int) -> int:
    """The end of the chunk of ``size`` places from ``start`` (walking ``seconds`` in
    ascending order), moved on past the places as near as its last: ranking breaks such ties
    by name, so they are read together."""
    end = min(start + size, len(seconds))
    while end < len(seconds) and seconds[end] == seconds[end - 1]:
        end += 1
    return end


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
    walking.check_origin(q.origin)
    today = q.today or clock.today()
    lon, lat = spatial.place_lonlat()
    rows = session.execute(
        select(Place.id, lon, lat).where(
            Place.id.in_(_places_of_keys(session, wanted)),
            Place.id.in_(candidate_places(q, today).scalar_subquery()),
        )
    ).all()
    targets = {pid: LonLat(x, y) for pid, x, y in rows}
    answer = walking.walk_to(q.origin, targets, q.profile, place_ids=True)
    hits = [h for h in _hits(session, q, answer.walks, today).hits if h.key in wanted]
    school = school_info(session, q.school_id) if q.school_id is not None else None
    return _finish(q, hits, answer, school)


def isochrones(q_origin: LonLat, profile: Profile, max_minutes: int) -> dict[str, Any]:
    """The 5/10/15-minute bands (those up to ``max_minutes``, and ``max_minutes`` itself)."""
    bands = sorted({b for b in ISOCHRONE_BANDS if b <= max_minutes} | {max_minutes})
    answer = walking.isochrones(q_origin, bands, profile)
    return {
        "type": "FeatureCollection",
        "estimate": answer.estimate,
        "features": [
            {"type": "Feature", "properties": {"minutes": minutes}, "geometry": geom}
            for minutes, geom in answer.bands
        ],
    }
