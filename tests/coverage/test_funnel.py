"""The scouting funnel per NIL and period: visits → interested → partner, offer or course,
each stage counted from the visits' outcomes and the records they led to."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest

from scout import coverage, report
from scout.extensions import db
from scout.models import ResourceKind, ReviewStatus, Role, Visit, VisitOutcome
from tests.factories import CITTA_STUDI

SINCE, UNTIL, TODAY = date(2024, 3, 1), date(2024, 3, 31), date(2024, 4, 15)
V = VisitOutcome


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def seeded(make_place, make_offer, make_resource, make_user):
    samira = make_user(Role.SCOUT, name="Samira")
    luca = make_user(Role.SCOUT, name="Luca")

    def place(name, visits, user=samira, **kw):
        kw.setdefault("org_is_partner", False)
        p = make_place(name, **kw)
        for day, outcome in visits:
            db.session.add(Visit(place=p, user_id=user.id, visited_on=day, outcome=outcome))
        return p

    partner = place("Diventa partner", [(date(2024, 3, 5), V.FIRST_CONTACT),
                                         (date(2024, 3, 12), V.INTERESTED)],
                    org_is_partner=True, org_joined_network_on=date(2024, 3, 20))  # fmt: skip
    offer = place("Offre lavoro", [(date(2024, 3, 6), V.INTERESTED)])
    make_offer(offer, "Commessa", created_at=at(date(2024, 3, 10)))
    course = place("Ospita un corso", [(date(2024, 3, 7), V.JOINED)],
                   org_is_partner=True, org_joined_network_on=date(2023, 1, 1))  # fmt: skip
    make_resource(course, "Italiano", kind=ResourceKind.ITALIAN_COURSE,
                  created_at=at(date(2024, 3, 7), 15))  # fmt: skip
    make_resource(course, "Sportello", kind=ResourceKind.HELP_DESK,
                  created_at=at(date(2024, 3, 8)))  # fmt: skip
    make_offer(course, "Bozza", status=ReviewStatus.DRAFT, created_at=at(date(2024, 3, 8)))
    not_interested = place("Non interessato", [(date(2024, 3, 8), V.NOT_INTERESTED)],
                           org_is_partner=True)  # fmt: skip
    make_offer(not_interested, "Offerta senza interesse", created_at=at(date(2024, 3, 9)))
    place("Solo riverifica", [(date(2024, 3, 9), V.STILL_VALID)])
    place("Prima del periodo", [(date(2024, 2, 20), V.INTERESTED)])
    before = place("Offerta già nota", [(date(2024, 3, 9), V.INTERESTED)])
    make_offer(before, "Offerta vecchia", created_at=at(date(2024, 3, 1)))
    place("Ripassa", [(date(2024, 3, 10), V.COME_BACK)], user=luca)
    place("Altro quartiere", [(date(2024, 3, 10), V.INTERESTED)],
          lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])  # fmt: skip
    db.session.flush()
    return {"nil": partner.nil_id, "other": db.session.get(type(partner), partner.id),
            "samira": samira, "luca": luca}  # fmt: skip


def stage(stages, nil_id):
    return next(s for s in stages if s.nil_id == nil_id)


def numbers(s) -> dict[str, int]:
    return {k: getattr(s, k) for k in coverage.STAGES}


def test_each_stage_counts_the_places_the_outcomes_say(seeded):
    got = coverage.funnel(coverage.Filters(since=SINCE, until=UNTIL), TODAY)
    assert numbers(stage(got, seeded["nil"])) == {
        "visits": 7,  # all but the re-verification and the visit before the period
        "visited": 6,
        "interested": 4,  # interested or joined; not "not interested", not "come back"
        "partner": 1,  # joined after the visit (the other joined in 2023)
        "offer": 1,  # recorded after the visit, published (not the draft, not the older one)
        "course": 1,  # the Italian course, not the help desk
        "yielded": 3,
    }
    assert stage(got, seeded["nil"]).yield_share == pytest.approx(3 / 6)
    total = coverage.totals(got)
    assert total.visited == 7  # the other neighbourhood's interested place too
    assert total.interested == 5


def test_the_scout_and_areas_filters_narrow_the_funnel(seeded):
    hers = coverage.funnel(
        coverage.Filters(since=SINCE, until=UNTIL, scout_id=seeded["samira"].id), TODAY
    )
    assert (stage(hers, seeded["nil"]).visits, stage(hers, seeded["nil"]).visited) == (6, 5)
    only = coverage.funnel(
        coverage.Filters(since=SINCE, until=UNTIL, nil_ids=(seeded["nil"],)), TODAY
    )
    assert [s.nil_id for s in only] == [seeded["nil"]]


def test_the_page_the_csv_and_the_report_show_the_same_funnel(app, login, make_user, seeded):
    coordinator = login(make_user(Role.COORDINATOR))
    expected = stage(coverage.funnel(coverage.Filters(since=SINCE, until=UNTIL), TODAY),
                     seeded["nil"])  # fmt: skip
    args = f"since={SINCE}&until={UNTIL}"
    html = coordinator.get(f"/admin/coverage?{args}").get_data(as_text=True)
    row = html.split(f'<tr data-nil="{seeded["nil"]}">')[1].split("</tr>")[0]
    for key in ("visits", "visited", "interested", "partner", "offer", "course"):
        assert re.search(rf'<td data-stage="{key}" [^>]*>{getattr(expected, key)}</td>', row)
    assert f'<span class="funnel-count">{expected.yielded}</span>' in row
    response = coordinator.get(f"/admin/coverage/funnel.csv?{args}")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    mine = next(r for r in rows if r["nil_id"] == str(seeded["nil"]))
    assert {k: int(mine[k]) for k in coverage.STAGES} == numbers(expected)
    assert (mine["since"], mine["until"]) == (str(SINCE), str(UNTIL))
    assert rows[-1]["name"] == "total"
    assert int(rows[-1]["visited"]) == sum(int(r["visited"]) for r in rows[:-1])

    with app.test_request_context():
        built = report.compute(db.session, report.make_scope(SINCE, UNTIL))
    total = coverage.period_totals(SINCE, UNTIL)
    assert built.figure("funnel_visited").value == total.visited == 7
    assert built.figure("funnel_interested").value == total.interested == 5
    assert built.figure("funnel_yielded").value == total.yielded == 3
