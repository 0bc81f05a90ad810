"""Each area's progress week by week (the coordinator's dashboard): visits, places mapped and
re-verified per NIL, counted from the records, in Milan's weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scout import clock, coverage
from scout.extensions import db
from scout.models import PlaceSource, ReviewStatus, Role, Visit, VisitOutcome
from tests.factories import CITTA_STUDI

TODAY = date(2024, 3, 13)  # a Wednesday: the weeks run from Monday 25 December 2023
FIRST = date(2023, 12, 25)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def week(day: date) -> int:
    return (day - FIRST).days // 7


def visit(place, day: date, outcome=VisitOutcome.FIRST_CONTACT, user=None) -> Visit:
    v = Visit(place=place, user_id=user.id if user else None, visited_on=day, outcome=outcome)
    db.session.add(v)
    return v


def test_the_weeks_end_with_the_current_one():
    weeks = coverage.progress.week_starts(TODAY)
    assert len(weeks) == 12
    assert weeks[0] == FIRST
    assert weeks[-1] == date(2024, 3, 11)
    assert all(w.weekday() == 0 for w in weeks)


def test_a_nil_counts_its_visits_places_mapped_and_reverified_by_week(make_place, make_user):
    samira = make_user(Role.SCOUT, name="Samira")
    entered = make_place("Bar nuovo", created_at=at(date(2024, 3, 11)))
    nil = entered.nil_id
    # 23:30 UTC on Sunday 10 March is 00:30 on Monday 11 March in Milan: this week.
    make_place("Forno di mezzanotte", created_at=at(date(2024, 3, 10), 23, 30))
    make_place("Archiviato", created_at=at(date(2024, 3, 11)), status=ReviewStatus.ARCHIVED)
    osm = make_place("OSM visitato", source=PlaceSource.IMPORT, created_at=at(date(2023, 1, 1)))
    old_osm = make_place(
        "OSM già visto", source=PlaceSource.IMPORT, created_at=at(date(2023, 1, 2))
    )
    elsewhere = make_place("Altrove", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1],
                           created_at=at(date(2024, 3, 11)))  # fmt: skip
    assert elsewhere.nil_id != nil
    visit(entered, date(2024, 3, 11), VisitOutcome.INTERESTED, samira)
    visit(osm, date(2024, 2, 5))  # its first visit maps it
    visit(osm, date(2024, 3, 12), VisitOutcome.STILL_VALID)
    visit(osm, date(2024, 3, 13), VisitOutcome.STILL_VALID)  # same week, same place: once
    visit(old_osm, date(2023, 12, 20))  # before the weeks: mapped then, not now
    visit(old_osm, date(2024, 1, 10))
    visit(old_osm, date(2024, 3, 18))  # after today's week
    coverage.assign(samira, [nil])
    db.session.flush()

    area = next(a for a in coverage.weekly(TODAY).areas if a.nil_id == nil)
    expected = {name: [0] * 12 for name in coverage.SERIES}
    expected["visits"][week(date(2024, 3, 11))] = 3  # interested + two "still valid"
    expected["visits"][week(date(2024, 2, 5))] = 1
    expected["visits"][week(date(2024, 1, 10))] = 1
    expected["mapped"][week(date(2024, 3, 11))] = 2  # the bar and the midnight bakery
    expected["mapped"][week(date(2024, 2, 5))] = 1  # the OSM place, at its first visit
    expected["reverified"][week(date(2024, 3, 11))] = 1
    assert area.series == expected
    assert (area.total("visits"), area.total("mapped"), area.total("reverified")) == (5, 3, 1)
    assert area.scouts == ["Samira"]
    assert area.active


def test_the_dashboard_shows_each_areas_weeks(app, login, make_user, make_place):
    coordinator = login(make_user(Role.COORDINATOR))
    place = make_place("Bar di oggi")
    visit(place, clock.today(), VisitOutcome.STILL_VALID)
    db.session.flush()
    area = next(a for a in coverage.weekly().areas if a.nil_id == place.nil_id)
    html = coordinator.get("/admin/").get_data(as_text=True)
    row = html.split(f'<tr data-nil="{place.nil_id}">')[1].split("</tr>")[0]
    for name in coverage.SERIES:
        weeks = ",".join(str(n) for n in area.series[name])
        assert f'data-series="{name}" data-weeks="{weeks}"' in row
        assert f'<span class="progress-total">{area.total(name)}</span>' in row
    assert area.series["reverified"][-1] >= 1
    assert 'role="img"' in row
