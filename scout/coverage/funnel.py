"""The scouting funnel: visits → interested → partner, offer or course, per NIL and period, so
the coordinator sees which neighbourhoods yield km-zero work.

A scout's visit records one outcome (:class:`scout.models.VisitOutcome`). The funnel reads
them as follows, for the scouting visits made in the period:

- visits: visits with any outcome but "still valid" (a re-verification of a known record is
  not scouting);
- places visited: the distinct places of those visits;
- interested: of those places, the ones where a visit of the period was "interested" or
  "agreed to join the network" (first contact, not interested and come back later are not);
- partner, offer, course: of the interested places, the ones whose organisation is a network
  partner (that did not join before the place's first visit of the period), that have a
  published job offer, or a published course (Italian, digital or professional), recorded
  on or after that first visit: what the scouting yielded, up to today;
- yielded: interested places with at least one of the three.

Each stage is a subset of the one before. Counts are of places and visits, never of people.
"""

from __future__ import annotations

import csv
import io
from dataclasses import astuple, dataclass, fields
from datetime import date
from typing import Any

from flask import current_app
from sqlalchemy import DateTime, and_, cast, exists, func, or_, select

from scout.coverage.areas import served_nil
from scout.coverage.coverage import Filters
from scout.extensions import db
from scout.models import (
    Offer,
    Organisation,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    Visit,
    VisitOutcome,
)

COURSE_KINDS = (
    ResourceKind.ITALIAN_COURSE,
    ResourceKind.DIGITAL_COURSE,
    ResourceKind.PROFESSIONAL_COURSE,
)
INTERESTED = (VisitOutcome.INTERESTED, VisitOutcome.JOINED)
STAGES = ("visits", "visited", "interested", "partner", "offer", "course", "yielded")


@dataclass(slots=True)
class Stage:
    """One NIL's funnel (or the totals: ``nil_id`` None)."""

    nil_id: int | None
    name: str
    visits: int = 0
    visited: int = 0
    interested: int = 0
    partner: int = 0
    offer: int = 0
    course: int = 0
    yielded: int = 0

    @property
    def yield_share(self) -> float | None:
        """Share of the places visited that yielded a partner, an offer or a course."""
        return self.yielded / self.visited if self.visited else None

    def record(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def funnel(f: Filters, today: date) -> list[Stage]:
    """The funnel of every served NIL (only ``f.nil_ids`` when given; visits of ``f.scout_id``
    when given) for the visits of ``f``'s period, by NIL name."""
    since, until = f.period(today)
    conds = [
        Visit.visited_on >= since,
        Visit.visited_on <= until,
        Visit.outcome != VisitOutcome.STILL_VALID,
        Place.nil_id.is_not(None),
    ]
    if f.scout_id is not None:
        conds.append(Visit.user_id == f.scout_id)
    if f.nil_ids is not None:
        conds.append(Place.nil_id.in_(list(f.nil_ids)))
    per_place = (
        select(
            Place.id.label("place_id"),
            Place.nil_id.label("nil_id"),
            Place.organisation_id.label("org_id"),
            func.count(Visit.id).label("visits"),
            func.min(Visit.visited_on).label("first"),
            func.bool_or(Visit.outcome.in_(INTERESTED)).label("interested"),
        )
        .join(Visit.place)
        .where(*conds)
        .group_by(Place.id)
        .subquery("per_place")
    )
    first = per_place.c.first
    from_first = _start_of(first)
    partner = exists().where(
        Organisation.id == per_place.c.org_id,
        Organisation.is_partner.is_(True),
        or_(Organisation.joined_network_on.is_(None), Organisation.joined_network_on >= first),
    )
    offer = exists().where(
        Offer.place_id == per_place.c.place_id,
        Offer.status == ReviewStatus.PUBLISHED,
        Offer.created_at >= from_first,
    )
    course = exists().where(
        Resource.place_id == per_place.c.place_id,
        Resource.status == ReviewStatus.PUBLISHED,
        Resource.kind.in_(COURSE_KINDS),
        Resource.created_at >= from_first,
    )
    interested = per_place.c.interested
    rows = db.session.execute(
        select(
            per_place.c.nil_id,
            func.sum(per_place.c.visits),
            func.count(),
            func.count().filter(interested),
            func.count().filter(and_(interested, partner)),
            func.count().filter(and_(interested, offer)),
            func.count().filter(and_(interested, course)),
            func.count().filter(and_(interested, or_(partner, offer, course))),
        ).group_by(per_place.c.nil_id)
    ).all()
    by_nil = {row[0]: row[1:] for row in rows}
    out = []
    for nil in served_nil():
        if f.nil_ids is not None and nil.id not in f.nil_ids:
            continue
        numbers = by_nil.get(nil.id, (0,) * len(STAGES))
        out.append(Stage(nil.id, nil.name, *(int(n) for n in numbers)))
    return out


def _start_of(day: Any) -> Any:
    """SQL: the first instant of a date column, midnight in Milan (for created_at)."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return func.timezone(zone, cast(day, DateTime()))


def totals(stages: list[Stage], name: str = "") -> Stage:
    """The stages summed (the funnel of the whole area)."""
    out = Stage(None, name)
    for s in stages:
        for stage in STAGES:
            setattr(out, stage, getattr(out, stage) + getattr(s, stage))
    return out


def period_totals(since: date, until: date, municipio: int | None = None) -> Stage:
    """The funnel's totals for a period, optionally one municipio (the figures report)."""
    f = Filters(since=since, until=until)
    stages = funnel(f, until)
    if municipio is not None:
        ids = {n.id for n in served_nil() if n.municipio == municipio}
        stages = [s for s in stages if s.nil_id in ids]
    return totals(stages)


def csv_text(stages: list[Stage], since: date, until: date) -> str:
    """One row per NIL and a last row of totals, with the period on every row."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["nil_id", "name", "since", "until", *STAGES])
    for s in [*stages, totals(stages, "total")]:
        nil_id, name, *numbers = astuple(s)
        writer.writerow([nil_id if nil_id is not None else "", name, since, until, *numbers])
    return buf.getvalue()
