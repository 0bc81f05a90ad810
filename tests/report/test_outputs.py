"""The report as a page, A4 PDF (Italian and English), CSV, XLSX, JSON API and CLI; who may
read which scope."""

from __future__ import annotations

import csv
import io
import json

from openpyxl import load_workbook

from scout.auth import issue_token
from scout.extensions import db
from tests.pdfs import assert_reads, tagged_pdf

PERIOD = {"from": "2021-09-01", "to": "2022-12-31"}
ROUND = ("--from", "2021-09-01", "--to", "2022-12-31")


def test_coordinator_page_shows_the_figures_with_links(app, client, login, cohort):
    login(cohort.coordinator)
    response = client.get("/report/", query_string=PERIOD)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="figure-bulletins"' in html
    assert '<td class="figure-value">50</td>' in html
    assert "/admin/meetings?kind=institution_meeting" in html  # the records behind it


def test_tutor_reads_her_hubs_report_without_links(app, client, login, cohort):
    login(cohort.tutor_a)
    response = client.get(
        "/report/", query_string={**PERIOD, "hub": cohort.hub_b.id, "internal": "1"}
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Hub Padova" in html
    assert "Hub Lambrate" not in html
    assert "/admin/meetings" not in html
    assert 'id="report-internal"' not in html


def test_tutor_without_a_hub_and_scout_are_refused(app, client, login, cohort, make_user):
    login(make_user("tutor"))
    assert client.get("/report/").status_code == 403
    login(cohort.scout)
    assert client.get("/report/").status_code == 403
    assert client.get("/api/v1/report").status_code == 403


def test_bad_dates_are_shown_next_to_the_field(app, client, login, cohort):
    login(cohort.coordinator)
    response = client.get("/report/", query_string={"from": "2022-13-01", "to": "2022-12-31"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="report-from-error"' in html
    response = client.get("/report/", query_string={"from": "2022-12-31", "to": "2022-01-01"})
    assert response.status_code == 400
    assert 'id="report-to-error"' in response.get_data(as_text=True)


def test_pdf_in_italian_and_english_holds_every_figure(app, client, login, cohort):
    login(cohort.coordinator)
    for lang, phrases in {
        "it": ["Bollettini settimanali pubblicati", "Incontri con le istituzioni"],
        "en": ["Weekly bulletins published", "Meetings with institutions"],
    }.items():
        response = client.get("/report/report.pdf", query_string={**PERIOD, "lang": lang})
        assert response.status_code == 200
        assert response.mimetype == "application/pdf"
        _reader, tags, text = tagged_pdf(response.data, lang)
        assert "/Table" in tags
        assert_reads(text, phrases)
        json_report = client.get("/api/v1/report", query_string=PERIOD).get_json()
        for section in json_report["sections"]:
            for figure in section["figures"]:
                if figure["shown"] != "–":
                    assert figure["shown"] in text


def test_csv_and_xlsx_of_every_table(app, client, login, cohort):
    login(cohort.coordinator)
    response = client.get("/report/report.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert ["Risultati", "Bollettini settimanali pubblicati", "50"] in rows
    response = client.get("/report/report.xlsx", query_string=PERIOD)
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["Risultati", "Bollettini settimanali pubblicati", 50] in values
    assert client.get("/report/report.csv", query_string={"table": "nope"}).status_code == 404


def test_api_with_a_tutor_token_gives_her_hub(app, client, cohort):
    token = issue_token(cohort.tutor_a, "report")
    db.session.commit()
    response = client.get(
        "/api/v1/report", query_string=PERIOD, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["hub_id"] == cohort.hub_a.id
    assert body["internal"] is False
    bulletins = next(f for s in body["sections"] for f in s["figures"] if f["key"] == "bulletins")
    assert bulletins["value"] == 50
    bad = client.get(
        "/api/v1/report", query_string={"from": "x"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert bad.status_code == 400
    assert bad.get_json()["error"]["field"] == "from"


def test_cli_writes_json_csv_and_pdf(app, runner, cohort, tmp_path):
    def figures(*more: str):
        return runner.invoke(args=["report", "figures", *ROUND, *more])

    result = figures()
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert body["from"] == "2021-09-01"
    assert "Weekly bulletins published,50" in figures("--format", "csv", "--lang", "en").output
    out = tmp_path / "r.pdf"
    result = figures("--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["report", "figures", "--from", "2022-12-31", "--to", "2022-01-01"])
    assert result.exit_code != 0


def test_internal_version_only_for_coordinators(app, client, login, cohort):
    login(cohort.coordinator)
    internal = {**PERIOD, "internal": "1"}
    html = client.get("/report/", query_string=internal).get_data(as_text=True)
    voucher = html.split('data-figure="placements_voucher">', 1)[1].split("</tr>", 1)[0]
    assert '<td class="figure-value">2</td>' in voucher
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/report/report.csv", query_string=internal).get_data(as_text=True)
            )
        )
    )
    assert ["Risultati", "di cui voucher", "2"] in rows
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/report/report.csv", query_string=PERIOD).get_data(as_text=True)
            )
        )
    )
    assert ["Risultati", "di cui voucher", "< 3"] in rows
    login(cohort.tutor_a)
    body = client.get("/api/v1/report", query_string=internal).get_json()
    assert body["internal"] is False
