"""Weekly windows, the one schedule model of offers, courses and services (and of a person's
availability): ``[{"day": 0, "start": "09:00", "end": "13:00"}, ...]`` with Monday = 0.

Parse, check, count hours and write them in each language here, and nowhere else.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from datetime import time
from typing import Any

from babel.dates import get_day_names
from flask_babel import lazy_gettext as _l

# Day names for form labels and messages (translated lazily; Monday = 0).
WEEKDAYS = [
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
]
WINDOWS_PER_DAY = 2
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")  # what the form accepts: HH:MM
BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # iCalendar / HSDS day codes
_HHMM = re.compile(r"^([01]?\d|2[0-4])[:.]([0-5]\d)$")


def minutes(value: Any) -> int | None:
    """Minutes after midnight of ``"08:30"``, ``"8.30"`` or a :class:`time`; None if unreadable."""
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
        start, end = minutes(window.get("start")), minutes(window.get("end"))
        if start is None or end is None or not 0 <= day <= 6 or start == end:
            return None
        out.append((day, start, end if end > start else end + 24 * 60))
    return out


def weekly_hours(schedule: Iterable[Mapping[str, Any]] | None) -> float:
    """Hours per week of a schedule (0 when any window is unreadable)."""
    windows = parse_windows(schedule)
    if windows is None:
        return 0.0
    return sum(end - start for _day, start, end in windows) / 60


def window_key(window: Mapping[str, Any]) -> tuple[int, str]:
    """Sort key: day, then start."""
    return int(window.get("day", 0)), str(window.get("start", ""))


@functools.lru_cache(maxsize=16)
def day_names(locale: str) -> list[str]:
    """Abbreviated day names in ``locale``, Monday first."""
    names = get_day_names("abbreviated", locale=locale)
    return [str(names[d]) for d in range(7)]


def _hhmm(m: int) -> str:
    return f"{m // 60 % 24:02d}:{m % 60:02d}"


def format_schedule(schedule: Iterable[Mapping[str, Any]] | None, locale: str) -> str:
    """Readable hours in ``locale``: the days of each time window grouped into runs, e.g.
    "Mon–Fri 09:00–13:00; Wed 14:00–16:00". Empty when unknown or unreadable."""
    windows = parse_windows(schedule)
    if not windows:
        return ""
    names = day_names(locale)
    by_hours: dict[tuple[int, int], list[int]] = {}
    for day, start, end in sorted(windows, key=lambda w: (w[1], w[2], w[0])):
        by_hours.setdefault((start, end), []).append(day)
    parts = []
    for (start, end), days in sorted(by_hours.items(), key=lambda kv: (min(kv[1]), kv[0])):
        runs: list[list[int]] = []
        for d in sorted(set(days)):
            if runs and d == runs[-1][-1] + 1:
                runs[-1].append(d)
            else:
                runs.append([d])
        day_text = ", ".join(
            names[r[0]] if len(r) == 1 else f"{names[r[0]]}–{names[r[-1]]}" for r in runs
        )
        parts.append(f"{day_text} {_hhmm(start)}–{_hhmm(end)}")
    return "; ".join(parts)


def schedule_codes(schedule: Iterable[Mapping[str, Any]] | None) -> str:
    """Language-neutral text for CSV: "MO 09:00-13:00; TU 09:00-13:00"."""
    return "; ".join(
        f"{BYDAY[w['day']] if isinstance(w.get('day'), int) and 0 <= w['day'] < 7 else '?'} "
        f"{w.get('start', '')}-{w.get('end', '')}"
        for w in schedule or ()
    )
