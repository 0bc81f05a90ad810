"""Weekly windows, the one schedule model of offers, courses and services (and of a person's
availability): ``[{"day": 0, "start": "09:00", "end": "13:00"}, ...]`` with Monday = 0.

Parse, check, count hours and write them in each language here, and nowhere else.
"""

from __future__ import annotations

import functools
import re
import unicodedata
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


def opening_hours_fields(text: str | None) -> dict[str, Any]:
    """A place's ``opening_schedule`` and ``opening_hours`` (note) from a free-text value, e.g.
    OpenStreetMap's ``opening_hours``: the windows if it parses, else the text as the note."""
    windows = parse_opening_hours(text)
    return {"opening_schedule": windows or [], "opening_hours": None if windows else text}


def hours_text(schedule: Iterable[Mapping[str, Any]] | None, note: str | None, locale: str) -> str:
    """A place's opening hours in ``locale``: the weekly windows, else the free-text note."""
    return format_schedule(schedule, locale) or (note or "")


def schedule_codes(schedule: Iterable[Mapping[str, Any]] | None) -> str:
    """Language-neutral text for CSV: "MO 09:00-13:00; TU 09:00-13:00"."""
    return "; ".join(
        f"{BYDAY[w['day']] if isinstance(w.get('day'), int) and 0 <= w['day'] < 7 else '?'} "
        f"{w.get('start', '')}-{w.get('end', '')}"
        for w in schedule or ()
    )


# Free-text opening hours: the common OpenStreetMap ``opening_hours`` forms ("Mo-Fr 08:30-18:00",
# "Mo-Sa 09:00-12:30,15:30-19:30; Su off", "Mo,We 10:00-12:00", "24/7") and the Italian ones
# scouts wrote before the grid ("lun-ven 9-12, mer 15-18").
_DAY_WORDS = {
    **{code.lower(): d for d, code in enumerate(BYDAY)},
    **{
        word: d
        for d, words in enumerate(
            (
                ("lun", "lunedì", "lunedi"),
                ("mar", "martedì", "martedi"),
                ("mer", "mercoledì", "mercoledi"),
                ("gio", "giovedì", "giovedi"),
                ("ven", "venerdì", "venerdi"),
                ("sab", "sabato"),
                ("dom", "domenica"),
            )
        )
        for word in words
    },
}
_OFF_WORDS = {"off", "closed", "chiuso"}
_HOLIDAY_WORDS = {"ph", "sh"}
_TOKEN = re.compile(
    r"(?P<time>\d{1,2}(?:[:.]\d{2})?\s*-\s*\d{1,2}(?:[:.]\d{2})?)"
    r"|(?P<days>[^\W\d_]+\.?(?:\s*-\s*[^\W\d_]+\.?)?)"
    r"|(?P<sep>[,\s]+)"
    r"|(?P<bad>.)"
)


def _clock(text: str) -> int | None:
    text = text.strip()
    return minutes(text if re.search(r"[:.]", text) else f"{text}:00")


def _day_set(text: str) -> set[int] | None:
    ends = [w.strip().rstrip(".") for w in text.lower().split("-")]
    if any(w not in _DAY_WORDS for w in ends):
        return None
    first, last = _DAY_WORDS[ends[0]], _DAY_WORDS[ends[-1]]
    return {(first + i) % 7 for i in range((last - first) % 7 + 1)}


def _rule(text: str) -> tuple[set[int], list[tuple[int, int]]] | str | None:
    """One ``;``-separated rule as {day: windows} additions, "off" days, or None if unreadable."""
    days: set[int] = set()
    off = False
    groups: list[tuple[set[int], list[tuple[int, int]]]] = []
    spans: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text):
        if m["bad"]:
            return None
        if m["days"]:
            word = m["days"].lower().rstrip(".")
            if word in _OFF_WORDS:
                off = True
                continue
            if word in _HOLIDAY_WORDS:
                return "holiday"
            found = _day_set(m["days"])
            if found is None:
                return None
            if spans:  # a new day group after times: "lun-ven 9-12, mer 15-18"
                groups.append((days, spans))
                days, spans = set(), []
            days |= found
        elif m["time"]:
            start_text, end_text = m["time"].split("-")
            start, end = _clock(start_text), _clock(end_text)
            if start is None or end is None or end <= start or start >= 24 * 60:
                return None
            spans.append((start, min(end, 24 * 60 - 1)))
    if off and not spans:
        return ("off", days or set(range(7)))  # type: ignore[return-value]
    if off or not spans:
        return None
    groups.append((days, spans))
    return groups  # type: ignore[return-value]


def parse_opening_hours(text: str | None) -> list[dict[str, Any]] | None:
    """Weekly windows of a free-text opening-hours value, or None when it does not parse.

    Later ``;`` rules replace the days they name (OpenStreetMap's rule); "PH off" is ignored.
    The result fits the place form: at most two non-overlapping windows a day.
    """
    text = (text or "").strip().rstrip(";").strip()
    if not text:
        return None
    if text == "24/7":
        return [{"day": d, "start": "00:00", "end": "23:59"} for d in range(7)]
    week: dict[int, list[tuple[int, int]]] = {}
    for rule_text in text.split(";"):
        rule = _rule(rule_text)
        if rule is None:
            return None
        if rule == "holiday":
            if not re.fullmatch(r"\s*(ph|sh)\s+off\s*", rule_text, re.IGNORECASE):
                return None
            continue
        if isinstance(rule, tuple):  # ("off", days)
            for d in rule[1]:
                week.pop(d, None)
            continue
        named: dict[int, list[tuple[int, int]]] = {}
        for days, spans in rule:
            for d in days or range(7):
                named.setdefault(d, []).extend(spans)
        week.update(named)
    out = []
    for day, spans in sorted(week.items()):
        spans.sort()
        if len(spans) > WINDOWS_PER_DAY or any(
            s2 < e1 for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False)
        ):
            return None
        out += [{"day": day, "start": _hhmm(s), "end": _hhmm(e)} for s, e in spans]
    return out or None


_IT_DAYS = {
    "lunedi": 0,
    "martedi": 1,
    "mercoledi": 2,
    "giovedi": 3,
    "venerdi": 4,
    "sabato": 5,
    "domenica": 6,
}
_OSM_DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
_IT_DAY = "(" + "|".join(_IT_DAYS) + ")"
_IT_RULE = re.compile(
    rf"(?:(?:dal|da)\s+{_IT_DAY}\s+(?:al|a)\s+{_IT_DAY}|{_IT_DAY}\s+e\s+{_IT_DAY}|(?:al\s+)?{_IT_DAY})"
    r"\s*:\s*(chius[oa]|\d{1,2}[.:]\d{1,2}\s*-\s*\d{1,2}[.:-]\d{1,2})"
)


def italian_hours(text: str | None) -> str | None:
    """Italian opening hours as the Comune writes them ("lunedi: chiuso, martedi e giovedi:
    9.30-14.30, dal martedi al venerdi: 10.30-19.00") in OpenStreetMap's syntax
    ("Tu,Th 09:30-14:30; ..."), or the text unchanged when it does not read as such."""
    if not text:
        return text
    folded = unicodedata.normalize("NFKD", text.replace("Ã¬", "ì")).encode("ascii", "ignore")
    plain = folded.decode().lower()
    rules = []
    for first, last, one, other, single, hours in _IT_RULE.findall(plain):
        if first:
            days = _OSM_DAYS[_IT_DAYS[first] : _IT_DAYS[last] + 1]
        elif one:
            days = [_OSM_DAYS[_IT_DAYS[one]], _OSM_DAYS[_IT_DAYS[other]]]
        else:
            days = [_OSM_DAYS[_IT_DAYS[single]]]
        if hours.startswith("chius"):
            rules.append(f"{','.join(days)} off")
            continue
        h1, m1, h2, m2 = re.findall(r"\d{1,2}", hours)
        rules.append(f"{','.join(days)} {int(h1):02}:{int(m1):02}-{int(h2):02}:{int(m2):02}")
    return "; ".join(rules) if rules else text
