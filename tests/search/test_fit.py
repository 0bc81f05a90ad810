"""The school-hours fit rule and schedule formatting (no database)."""

from __future__ import annotations

from datetime import time

import pytest

from scout.errors import BadRequest
from scout.schedule import format_schedule, parse_windows
from scout.search import Fit, SchoolHours, availability_fit, parse_school_hours, school_hours_fit
from scout.search.fit import FITS

# Drop-off 08:30, pick-up 16:30, Monday to Friday.
HOURS = SchoolHours(time(8, 30), time(16, 30), frozenset(range(5)))


def week(start: str, end: str, days=range(5)) -> list[dict]:
    return [{"day": d, "start": start, "end": end} for d in days]


def test_window_inside_school_hours_fits():
    assert school_hours_fit(week("09:00", "13:00"), HOURS, 10).status == Fit.FITS


def test_window_ending_exactly_at_the_limit_fits():
    # 16:30 pick-up − 10 min walk = 16:20; 08:30 + 10 = 08:40.
    fit = school_hours_fit(week("08:40", "16:20"), HOURS, 10)
    assert fit.status == Fit.FITS
    assert fit.missing_minutes is None


def test_one_minute_past_the_limit_does_not_fit_by_one_minute():
    fit = school_hours_fit(week("08:40", "16:21"), HOURS, 10)
    assert fit.status == Fit.DOES_NOT_FIT
    assert fit.missing_minutes == 1
    assert fit.days == (0, 1, 2, 3, 4)


def test_start_too_early_counts_the_missing_minutes():
    # Earliest start 08:30 + 15 = 08:45; the job starts at 08:30.
    fit = school_hours_fit(week("08:30", "12:00"), HOURS, 15)
    assert (fit.status, fit.missing_minutes) == (Fit.DOES_NOT_FIT, 15)


def test_both_ends_missing_add_up_on_the_day():
    fit = school_hours_fit(week("08:00", "17:00"), HOURS, 5)
    # 08:35 − 08:00 = 35 and 17:00 − 16:25 = 35.
    assert fit.missing_minutes == 70


def test_split_shift_fits_when_both_parts_fit():
    split = week("09:00", "12:00") + week("13:00", "16:00")
    assert school_hours_fit(split, HOURS, 10).status == Fit.FITS


def test_split_shift_with_an_evening_part_does_not_fit():
    split = week("09:00", "12:00") + week("18:00", "21:00", days=[2])
    fit = school_hours_fit(split, HOURS, 10)
    assert fit.status == Fit.DOES_NOT_FIT
    # 21:00 − 16:20 = 280 minutes, on Wednesday only; the morning part fits.
    assert (fit.missing_minutes, fit.days) == (280, (2,))


def test_worst_day_is_reported():
    schedule = [
        {"day": 0, "start": "09:00", "end": "16:40"},  # 20 late
        {"day": 3, "start": "08:00", "end": "12:00"},  # 40 early
    ]
    fit = school_hours_fit(schedule, HOURS, 10)
    assert (fit.missing_minutes, fit.days) == (40, (0, 3))


def test_unknown_hours():
    assert school_hours_fit([], HOURS, 10).status == Fit.UNKNOWN
    assert school_hours_fit(None, HOURS, 10).status == Fit.UNKNOWN


def test_unreadable_window_makes_the_hours_unknown():
    schedule = week("09:00", "12:00") + [{"day": 1, "start": "9am", "end": "noon"}]
    assert school_hours_fit(schedule, HOURS, 10).status == Fit.UNKNOWN
    assert school_hours_fit([{"start": "09:00", "end": "10:00"}], HOURS, 10).status == Fit.UNKNOWN


def test_weekend_only_offer_does_not_fit_school_days():
    weekend = week("18:30", "23:00", days=[5, 6])
    fit = school_hours_fit(weekend, HOURS, 5)
    assert fit.status == Fit.DOES_NOT_FIT
    assert fit.days == (5, 6)
    assert fit.missing_minutes == 270  # the whole window: the children are at home


def test_weekend_offer_fits_when_saturday_is_a_school_day_with_those_hours():
    hours = SchoolHours(time(8, 0), time(13, 0), frozenset({5}))
    fit = school_hours_fit(week("08:15", "12:45", days=[5]), hours, 10)
    assert fit.status == Fit.FITS


def test_return_walk_may_differ():
    fit = school_hours_fit(week("09:00", "16:00"), HOURS, 5, walk_back_minutes=35)
    assert (fit.status, fit.missing_minutes) == (Fit.DOES_NOT_FIT, 5)


def test_window_past_midnight_runs_into_the_next_day():
    assert parse_windows([{"day": 4, "start": "22:00", "end": "02:00"}]) == [(4, 1320, 1560)]


def test_format_schedule_groups_days_with_the_same_hours():
    schedule = week("09:00", "13:00") + [{"day": 2, "start": "14:00", "end": "16:00"}]
    text = format_schedule(schedule, "en")
    assert text == "Mon–Fri 09:00–13:00; Wed 14:00–16:00"
    assert format_schedule([], "en") == ""


def test_format_schedule_in_arabic_uses_arabic_day_names():
    text = format_schedule(week("09:00", "13:00"), "ar")
    assert any("\u0600" <= ch <= "\u06ff" for ch in text)


@pytest.mark.parametrize(
    "data",
    [
        {"drop_off": "16:30", "pick_up": "08:30"},
        {"drop_off": "8.30x", "pick_up": "16:30"},
        {"drop_off": "08:30", "pick_up": "16:30", "days": [7]},
        {"drop_off": "08:30", "pick_up": "16:30", "days": []},
    ],
)
def test_bad_school_hours_are_refused(data):
    with pytest.raises(BadRequest):
        parse_school_hours(data)


def test_school_hours_default_to_weekdays_and_empty_means_none():
    assert parse_school_hours({"drop_off": "08:30", "pick_up": "16:30"}).days == frozenset(range(5))
    assert parse_school_hours({"drop_off": "", "pick_up": ""}) is None
    assert parse_school_hours(None) is None


def test_window_within_her_availability_fits():
    free = [{"day": 0, "start": "08:30", "end": "14:00"}]
    assert availability_fit([{"day": 0, "start": "09:00", "end": "13:00"}], free).status == Fit.FITS


def test_window_outside_her_availability_counts_the_missing_minutes():
    free = [
        {"day": 0, "start": "09:00", "end": "12:00"},
        {"day": 1, "start": "09:00", "end": "13:00"},
    ]
    job = [
        {"day": 0, "start": "09:00", "end": "13:00"},
        {"day": 2, "start": "09:00", "end": "10:00"},
    ]
    result = availability_fit(job, free)
    assert result.status == Fit.DOES_NOT_FIT
    assert result.missing_minutes == 60  # Monday one hour short, Wednesday not free at all
    assert result.days == (0, 2)


def test_two_availability_windows_cover_one_shift_together():
    free = [
        {"day": 3, "start": "08:00", "end": "11:00"},
        {"day": 3, "start": "11:00", "end": "15:00"},
    ]
    assert availability_fit([{"day": 3, "start": "10:00", "end": "14:00"}], free) == FITS


def test_availability_unknown_without_the_jobs_hours():
    assert (
        availability_fit([], [{"day": 0, "start": "08:00", "end": "12:00"}]).status == Fit.UNKNOWN
    )
