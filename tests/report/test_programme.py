"""The programme's own figures (bulletins, network, meetings, the map) reproduce the funder's
report for 1 September 2021 – 31 December 2022, and move as the period and municipio do."""

from __future__ import annotations

from datetime import date

from scout import report
from scout.extensions import db
from tests.report.conftest import END, START


def figures(scope: report.Scope) -> dict[str, object]:
    built = report.compute(db.session, scope)
    return {f.key: f.value for s in built.sections for f in s.figures}


def test_programme_figures_of_the_funders_round(app, cohort):
    with app.test_request_context():
        got = figures(report.make_scope(START, END))
    assert got["bulletins"] == 50
    assert got["organisations_joined"] == 20
    assert got["meetings_institution_meeting"] == 8
    assert got["meetings_network_meeting"] == 2
    assert got["meetings_training"] == 1
    assert got["offers_mapped"] == 6
    assert got["resources_mapped"] == 4
    assert got["visits"] == 3


def test_a_shorter_period_counts_less(app, cohort):
    with app.test_request_context():
        got = figures(report.make_scope(date(2022, 1, 1), END))
    # 2021: 17 bulletins (6 Sep – 27 Dec), 7 organisations (every 20 days from 1 Sep), 2 meetings.
    assert got["bulletins"] == 33
    assert got["organisations_joined"] == 13
    assert got["meetings_institution_meeting"] == 6
    assert got["visits"] == 2


def test_a_municipio_counts_its_organisations_and_places(app, cohort):
    with app.test_request_context():
        m2 = figures(report.make_scope(START, END, municipio=2))
        m3 = figures(report.make_scope(START, END, municipio=3))
    assert (m2["organisations_joined"], m3["organisations_joined"]) == (15, 5)
    assert (m2["offers_mapped"], m3["offers_mapped"]) == (6, 0)
    assert m2["bulletins"] == m3["bulletins"] == 50  # the bulletin serves every municipio


def test_a_bad_period_is_refused_with_the_field(app):
    import pytest

    from scout.errors import BadRequest

    with app.test_request_context(), pytest.raises(BadRequest) as err:
        report.make_scope(END, START)
    assert err.value.field == "to"
