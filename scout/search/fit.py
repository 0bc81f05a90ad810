"""The school-hours rule: whether a job's or a course's weekly windows fit between drop-off and
pick-up, with the walk in between. Pure: plain values in, a :class:`FitResult` out.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from typing import Any

from scout.schedule import minutes, parse_windows

WEEKDAYS = frozenset(range(5))


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
    earliest = minutes(hours.drop_off) + walk_minutes  # type: ignore[operator]
    latest = minutes(hours.pick_up) - back  # type: ignore[operator]
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


def availability_fit(
    schedule: Iterable[Mapping[str, Any]] | None, availability: Iterable[Mapping[str, Any]]
) -> FitResult:
    """Whether every working window lies within the person's weekly availability windows
    (the same schedule model). A window's minutes outside all her windows of that day are
    missing; the result carries the worst day's shortfall. No windows on the job's side, or
    any unreadable window on either side, means unknown."""
    windows = parse_windows(schedule)
    free = parse_windows(availability)
    if not windows or free is None:
        return UNKNOWN
    short: dict[int, int] = {}
    for day, start, end in windows:
        covered = 0
        for fday, fstart, fend in free:
            if fday == day:
                covered += max(0, min(end, fend) - max(start, fstart))
        missing = (end - start) - min(covered, end - start)
        if missing > 0:
            short[day] = short.get(day, 0) + missing
    if not short:
        return FITS
    return FitResult(Fit.DOES_NOT_FIT, max(short.values()), tuple(sorted(short)))
