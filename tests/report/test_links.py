"""Each figure of the report links to the records behind it, and the list at the end of the
link holds exactly as many records as the figure counts; each link only for the staff who
may read its list (a tutor: her hub's people and placements, no coordinator's list)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import html as lxml_html

from scout import report
from scout.extensions import db
from tests.report.conftest import END, START

PERIOD = {"from": "2021-09-01", "to": "2022-12-31"}


def _page(client, **args):
    response = client.get("/report/", query_string={**PERIOD, **args})
    assert response.status_code == 200
    return lxml_html.fromstring(response.get_data(as_text=True))


def _listed(client, href: str) -> int:
    """The number of records the list at ``href`` says it holds, checked against its rows
    when it fits one page."""
    response = client.get(href)
    assert response.status_code == 200, href
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    (count,) = doc.xpath('//*[@id="records-count"]/@data-count')
    rows = doc.xpath("//table//tbody/tr[@data-code or @data-placement-id or @data-visit-id]")
    if (rows or int(count) == 0) and int(count) <= 100:
        assert len(rows) == int(count), href
    return int(count)


def _funnel_total(client, href: str, stage: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    doc = lxml_html.fromstring(response.get_data(as_text=True))
    (cell,) = doc.xpath(f'//tr[@data-nil="total"]/td[@data-stage="{stage}"]')
    return int(cell.text_content().split()[0])


def _figure_links(doc) -> dict[str, str]:
    return {
        row.get("data-figure"): row.xpath('.//td[@class="figure-link"]/a/@href')[0]
        for row in doc.xpath("//tr[@data-figure]")
        if row.xpath('.//td[@class="figure-link"]/a')
    }


def _expected(built: report.Report, key: str) -> int:
    """The records a figure rests on: its count, or for a share or a mean its people."""
    return built.figure(key).count


@pytest.mark.parametrize("municipio", [None, 2], ids=["programme", "municipio-2"])
def test_every_link_holds_as_many_records_as_its_figure(app, client, login, cohort, municipio):
    login(cohort.coordinator)
    args = {"internal": "1", **({"municipio": str(municipio)} if municipio else {})}
    doc = _page(client, **args)
    with app.test_request_context():
        built = report.compute(db.session, report.make_scope(START, END, municipio=municipio))
    found = _figure_links(doc)
    # People, placements and outcomes, the programme's records, the map's.
    for key in (
        "people_with_plan",
        "women_share",
        "italian_mothers_share",
        "fathers_unemployed",
        "placements",
        "placements_determinato",
        "km_zero",
        "internships",
        "searches_alone",
        "digital_mothers",
        "italian",
        "bulletins",
        "organisations_joined",
        "meetings_institution_meeting",
        "offers_mapped",
        "resources_mapped",
        "visits",
    ):
        assert key in found, key
    for key, href in found.items():
        if key.startswith("funnel_"):  # the coverage page's funnel, its row of totals
            assert municipio is None, key
            assert _funnel_total(client, href, key.removeprefix("funnel_")) == _expected(
                built, key
            ), key
            continue
        assert _listed(client, href) == _expected(built, key), key
    if municipio is None:  # the funder's figures, at the end of their links
        assert _listed(client, found["people_with_plan"]) == 107
        assert _listed(client, found["placements"]) == 35
        assert _listed(client, found["km_zero"]) == 8
        assert _listed(client, found["visits"]) == 3


def test_every_table_count_links_to_its_records(app, client, login, cohort):
    login(cohort.coordinator)
    doc = _page(client, internal="1")
    cells = doc.xpath('//figure[contains(@class, "report-table")]//td[@class="table-count"]')
    linked = 0
    for cell in cells:
        anchors = cell.xpath("./a")
        shown = cell.text_content().split("(")[0].strip()
        if not anchors:
            assert shown == "0"  # nothing behind a zero
            continue
        linked += 1
        assert _listed(client, anchors[0].get("href")) == int(shown)
    sectors = doc.xpath('//*[@id="table-results-sectors"]//td[@class="table-count"]/a/@href')
    assert any("sector=ristorazione" in s for s in sectors)
    assert linked >= 20


def test_a_tutor_gets_her_hubs_people_and_placements_only(app, client, login, cohort):
    login(cohort.tutor_a)
    doc = _page(client)
    found = _figure_links(doc)
    assert set(found) >= {"people_with_plan", "placements", "km_zero", "searches_alone"}
    for key in ("bulletins", "meetings_institution_meeting", "visits", "offers_mapped"):
        assert key not in found  # coordinators' lists
    assert not any("/admin/" in href for href in doc.xpath("//a/@href"))
    people = found["people_with_plan"]
    assert parse_qs(urlsplit(people).query)["hub"] == [str(cohort.hub_a.id)]
    assert _listed(client, people) == 67
    with app.test_request_context():
        built = report.compute(db.session, report.make_scope(START, END, hub_id=cohort.hub_a.id))
    assert _listed(client, found["placements"]) == built.figure("placements").value
    # Another hub in the link's address shows none of that hub's people.
    other = people.replace(f"hub={cohort.hub_a.id}", f"hub={cohort.hub_b.id}")
    assert _listed(client, other) == 0
    assert client.get("/admin/visits").status_code in (302, 403)


def test_bad_filters_are_refused_without_a_500(app, client, login, cohort):
    login(cohort.coordinator)
    for args in (
        {"counted": "1", "role": "uncle"},
        {"counted": "1", "employment": "astronaut"},
        {"from": "2022-13-01"},
        {"from": "2022-12-31", "to": "2022-01-01"},
        {"outcome": "nope"},
    ):
        assert client.get("/people/", query_string=args).status_code == 400, args
    for args in ({"contract": "nope"}, {"km_zero": "maybe"}):
        assert client.get("/people/placements", query_string=args).status_code == 400, args
    assert client.get("/admin/mapped/nope").status_code == 404
    assert client.get("/admin/visits", query_string={"municipio": "12"}).status_code == 400
