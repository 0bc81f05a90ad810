"""Each area's progress week by week (the coordinator's dashboard): per NIL of the served
municipi, over the last weeks (Monday to Sunday, the current week last), the visits made,
the places mapped and the places re-verified.

- visits: scouting visits to places of the NIL, any outcome, by their date;
- places mapped: places (not archived) that became mapped that week, as the coverage map
  counts them: a place a person entered, on the day it was entered (in Milan's time), or an
  imported (OpenStreetMap) place, on the day of its first visit;
- re-verified: places found "still valid" by a visit that week (a place twice in one week
  counts once).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import Date, cast, func, select

from scout import clock
from scout.coverage.areas import assignments, served_nil
from scout.extensions import db
from scout.models import Place, PlaceSource, ReviewStatus, User, Visit, VisitOutcome

WEEKS = 12
SERIES = ("visits", "mapped", "reverified")


@dataclass(slots=True)
class AreaWeeks:
    """One NIL's weekly series (oldest week first) and the scouts it is assigned to."""

    nil_id: int
    name: str
    scouts: list[str]
    series: dict[str, list[int]] = field(default_factory=dict)

    def total(self, name: str) -> int:
        return sum(self.series[name])

    @property
    def active(self) -> bool:
        return bool(self.scouts) or any(sum(s) for s in self.series.values())


@dataclass(frozen=True, slots=True)
class Progress:
    weeks: list[date]  # the Monday of each week, oldest first
    areas: list[AreaWeeks]


def week_starts(today: date, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last ``weeks`` weeks, the one holding ``today`` last."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]


def weekly(today: date | None = None, weeks: int = WEEKS) -> Progress:
    """Every served NIL's weekly visits, places mapped and re-verified, by NIL name."""
    today = today or clock.today()
    mondays = week_starts(today, weeks)
    first, last = mondays[0], mondays[-1] + timedelta(days=6)
    counts: dict[str, dict[tuple[int, int], set[int]]] = {s: defaultdict(set) for s in SERIES}

    def week(day: date) -> int | None:
        return (day - first).days // 7 if first <= day <= last else None

    in_period = (Visit.visited_on >= first, Visit.visited_on <= last)
    for nil_id, visit_id, place_id, day, outcome in db.session.execute(
        select(Place.nil_id, Visit.id, Visit.place_id, Visit.visited_on, Visit.outcome)
        .join(Visit.place)
        .where(*in_period, Place.nil_id.is_not(None))
    ):
        n = week(day)
        counts["visits"][nil_id, n].add(visit_id)
        if outcome == VisitOutcome.STILL_VALID:
            counts["reverified"][nil_id, n].add(place_id)
    for nil_id, place_id, day in _mapped_on(first, last):
        counts["mapped"][nil_id, week(day)].add(place_id)

    scouts = _scout_names()
    areas = []
    for nil in served_nil():
        area = AreaWeeks(nil.id, nil.name, scouts.get(nil.id, []))
        for name in SERIES:
            area.series[name] = [len(counts[name].get((nil.id, n), ())) for n in range(weeks)]
        areas.append(area)
    return Progress(mondays, areas)


def _mapped_on(first: date, last: date) -> list[tuple[int, int, date]]:
    """``(nil_id, place_id, day it became mapped)`` for the places mapped between the dates."""
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    entered_on = cast(func.timezone(zone, Place.created_at), Date)
    entered = select(Place.nil_id, Place.id, entered_on).where(
        Place.source != PlaceSource.IMPORT,
        Place.status != ReviewStatus.ARCHIVED,
        Place.nil_id.is_not(None),
        entered_on >= first,
        entered_on <= last,
    )
    first_visit = func.min(Visit.visited_on)
    visited = (
        select(Place.nil_id, Place.id, first_visit)
        .join(Visit.place)
        .where(
            Place.source == PlaceSource.IMPORT,
            Place.status != ReviewStatus.ARCHIVED,
            Place.nil_id.is_not(None),
        )
        .group_by(Place.nil_id, Place.id)
        .having(first_visit >= first, first_visit <= last)
    )
    return [tuple(r) for r in db.session.execute(entered.union_all(visited))]


def _scout_names() -> dict[int, list[str]]:
    """The names of the scouts assigned to each NIL."""
    by_user = assignments()
    if not by_user:
        return {}
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_user))))}
    out: dict[int, list[str]] = defaultdict(list)
    for user_id, nil_ids in by_user.items():
        user = users[user_id]
        if not user.active:
            continue
        for nil_id in nil_ids:
            out[nil_id].append(user.name or user.email)
    return {k: sorted(v) for k, v in out.items()}
