"""The small-cell rule, applied the same way in the page, CSV, XLSX, JSON and charts of the
published version: a "< 3" is never recoverable from a percentage or from a total minus the
others (a second count is hidden as "*"); the coordinator's internal version shows every
number. And the line saying whom the report counts (the consent to statistics)."""

from __future__ import annotations

import csv
import io
import re

from flask_babel import force_locale
from openpyxl import load_workbook

from scout import report
from scout.extensions import db
from scout.report.model import SMALL, Figure, Row, Table, suppress
from tests.pdfs import tagged_pdf
from tests.report.conftest import END, START

PERIOD = {"from": "2021-09-01", "to": "2022-12-31"}
HIDDEN = {"< 3", "*"}


def _recoverable(shown: list[str], counts: list[int]) -> bool:
    """Whether a "< 3" of the column can be worked out from its total and the others."""
    hidden = [i for i, s in enumerate(shown) if s in HIDDEN]
    return any(s == "< 3" for s in shown) and len(hidden) == 1 and sum(counts) > counts[hidden[0]]


def test_no_small_count_is_recoverable_in_any_table(app, cohort):
    with app.test_request_context():
        scopes = [
            report.make_scope(START, END),
            report.make_scope(START, END, hub_id=cohort.hub_a.id),
            report.make_scope(START, END, municipio=3),
        ]
        for scope in scopes:
            built = report.compute(db.session, scope)
            for t in built.tables:
                for c in range(len(t.columns)):
                    shown = [t.cell(r, c) for r in t.rows]
                    counts = [r.counts[c] for r in t.rows]
                    assert not _recoverable(shown, counts), (t.key, shown)
                    for r, s in zip(t.rows, shown, strict=True):
                        # a percentage hides what its count hides, and never shows it
                        assert (t.percent(r, c) in HIDDEN) == (s in HIDDEN)
                        assert t.cell(r, c, internal=True) == str(r.counts[c])


def test_the_contracts_hide_a_second_count(app, cohort):
    with app.test_request_context():
        built = report.compute(db.session, report.make_scope(START, END))
    shown = {f.key: f.shown() for s in built.sections for f in s.figures}
    internal = {f.key: f.shown(True) for s in built.sections for f in s.figures}
    # 35 = 4 + 26 + 3 + 2 + 0: with the 3 shown, the "< 3" would be 35 - 33 = 2.
    assert (shown["placements_voucher"], shown["placements_occasionale"]) == ("< 3", "*")
    assert shown["placements"] == "35"
    assert (internal["placements_voucher"], internal["placements_occasionale"]) == ("2", "3")
    contracts = built.table("results:contracts")
    cells = {r.label: (contracts.cell(r, 0), contracts.percent(r, 0)) for r in contracts.rows}
    assert cells["Voucher / LOL"] == ("< 3", "< 3")
    assert cells["Prestazione occasionale"] == ("*", "*")
    assert cells["Tirocinio extracurricolare"][0] == "3"  # the first of equals is the one hidden
    assert cells["Tempo determinato"] == ("26", "68 %")  # 26 of 38, the real total


def test_the_rule_holds_for_shares_that_add_up():
    """Two fathers of 52: the fathers' share is "< 3", so the mothers' (and women's) share,
    which would give it away as 100 % minus it, is hidden too."""
    figures = suppress(
        [
            Figure("women_share", "w", 96.2, kind="percent", people=50, group="roles"),
            Figure("mothers_share", "m", 96.2, kind="percent", people=50, group="roles"),
            Figure("fathers_share", "f", 3.8, kind="percent", people=2, group="roles"),
            Figure("bulletins", "b", 2, kind="count"),
        ]
    )
    assert [f.shown() for f in figures] == ["*", "*", "< 3", "2"]
    assert [f.shown(internal=True) for f in figures] == ["96 %", "96 %", "4 %", "2"]
    two_small = Table("t", "t", ("n",), (Row("a", (1,)), Row("b", (2,)), Row("c", (9,))))
    assert [two_small.cell(r, 0) for r in two_small.rows] == ["< 3", "< 3", "9"]
    alone = Table("t", "t", ("n",), (Row("a", (2,)), Row("b", (0,))))
    assert [alone.cell(r, 0) for r in alone.rows] == ["< 3", "0"]
    assert SMALL == 3


def test_every_published_output_shows_the_same_suppression(app, client, login, cohort):
    login(cohort.coordinator)
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    "/report/report.csv", query_string={**PERIOD, "table": "results:contracts"}
                ).get_data(as_text=True)
            )
        )
    )
    by_label = {r[0]: r[1:] for r in rows}
    assert by_label["Voucher / LOL"] == ["< 3", "< 3"]
    assert by_label["Prestazione occasionale"] == ["*", "*"]
    figures = list(
        csv.reader(
            io.StringIO(client.get("/report/report.csv", query_string=PERIOD).get_data(True))
        )
    )
    assert ["Risultati", "di cui prestazione occasionale", "*"] in figures
    book = load_workbook(io.BytesIO(client.get("/report/report.xlsx", query_string=PERIOD).data))
    values = [[c.value for c in row] for ws in book.worksheets for row in ws.iter_rows()]
    assert ["Prestazione occasionale", "*", "*"] in values
    body = client.get("/api/v1/report", query_string=PERIOD).get_json()
    table = next(t for t in body["tables"] if t["key"] == "results:contracts")
    occasional = next(r for r in table["rows"] if r["label"] == "Prestazione occasionale")
    assert (occasional["counts"], occasional["shown"]) == ([None], ["*"])
    figure = next(
        f for s in body["sections"] for f in s["figures"] if f["key"] == "placements_occasionale"
    )
    assert (figure["value"], figure["shown"]) == (None, "*")
    page = client.get("/report/", query_string=PERIOD).get_data(as_text=True)
    assert "cannot be worked out" in page or "non si possa ricavare" in page
    # The internal version: every real number, in the page and the exports.
    internal = {**PERIOD, "internal": "1", "table": "results:contracts"}
    rows = list(
        csv.reader(
            io.StringIO(client.get("/report/report.csv", query_string=internal).get_data(True))
        )
    )
    assert {r[0]: r[1] for r in rows}["Voucher / LOL"] == "2"
    internal_body = client.get("/api/v1/report", query_string={**PERIOD, "internal": "1"})
    table = next(t for t in internal_body.get_json()["tables"] if t["key"] == "results:contracts")
    assert [r["counts"][0] for r in table["rows"]] == [4, 26, 3, 2, 0, 3]


def test_a_charts_bars_hide_what_its_labels_hide(app, cohort):
    from scout.report.charts import _shown, chart_svg

    with app.test_request_context():
        built = report.compute(db.session, report.make_scope(START, END))
    contracts = built.table("results:contracts")
    public, internal = chart_svg(contracts), chart_svg(contracts, internal=True)
    assert "&lt; 3" in public
    assert ">*<" in public.replace(" ", "")
    assert public != internal
    assert "Voucher / LOL: 2" in internal
    assert "Voucher / LOL: &lt; 3" in public
    assert "Prestazione occasionale: *" in public
    # A hidden count's bar is drawn at 0: its length would tell what its label hides.
    lengths = {
        r.label: (_shown(contracts, r, 0, False), _shown(contracts, r, 0, True))
        for r in contracts.rows
    }
    assert lengths["Voucher / LOL"] == (0, 2)
    assert lengths["Prestazione occasionale"] == (0, 3)
    assert lengths["Tempo determinato"] == (26, 26)


def _consent_line(text: str) -> str:
    match = re.search(r"conta solo chi ha dato il consenso alle statistiche: [^.]*\.", text, re.I)
    assert match, "no consent line"
    return " ".join(match.group(0).split())


def test_the_page_and_the_pdf_say_whom_the_report_counts(app, client, login, cohort):
    login(cohort.coordinator)
    # 107 counted; the 2 without the consent (one never gave it, one withdrew it) are not.
    internal = client.get("/report/", query_string={**PERIOD, "internal": "1"}).get_data(True)
    assert _consent_line(internal).endswith("statistiche: 107 su 109.")
    # Published: that 2 people did not consent is itself a count under 3.
    page = client.get("/report/", query_string=PERIOD).get_data(as_text=True)
    assert _consent_line(page).endswith("statistiche: 107 su 108–109.")
    pdf = client.get("/report/report.pdf", query_string={**PERIOD, "internal": "1"})
    _reader, _tags, text = tagged_pdf(pdf.data, "it")
    assert _consent_line(text).endswith("107 su 109.")
    english = client.get("/report/report.pdf", query_string={**PERIOD, "lang": "en"})
    _reader, _tags, text = tagged_pdf(english.data, "en")
    assert "Counts only those who consented to statistics: 107 of 108–109." in " ".join(
        text.split()
    )
    # Everyone consented in Hub Lambrate: N of N.
    hub_b = client.get("/report/", query_string={**PERIOD, "hub": cohort.hub_b.id})
    assert _consent_line(hub_b.get_data(as_text=True)).endswith("40 su 40.")


def test_the_municipio_filter_on_meetings_and_bulletins(app, client, login, cohort):
    with app.test_request_context(), force_locale("en"):
        whole = report.compute(db.session, report.make_scope(START, END))
        m2 = report.compute(db.session, report.make_scope(START, END, municipio=2))
        m3 = report.compute(db.session, report.make_scope(START, END, municipio=3))
        meetings = "meetings_institution_meeting"
        assert whole.figure(meetings).value == 8
        # Held with the Municipio 2 office (a place there): 4; with a body only named: none.
        assert (m2.figure(meetings).value, m3.figure(meetings).value) == (4, 0)
        assert m2.figure(meetings).note.startswith("4 more were held with bodies that have no")
        assert m3.figure(meetings).note.startswith("8 more were held")
        assert whole.figure(meetings).note is None
        # The bulletin serves the whole city: the same 50, and the page says why.
        assert whole.figure("bulletins").value == m2.figure("bulletins").value == 50
        assert whole.figure("bulletins").note is None
        assert m3.figure("bulletins").note == (
            "The whole programme's: one bulletin serves every hub and municipio."
        )
    login(cohort.coordinator)
    page = client.get("/report/", query_string={**PERIOD, "municipio": "2"}).get_data(True)
    row = page.split('data-figure="bulletins"', 1)[1].split("</tr>", 1)[0]
    assert "figure-note" in row
    listing = client.get(
        "/admin/meetings",
        query_string={"kind": "institution_meeting", **PERIOD, "municipio": "2"},
    ).get_data(as_text=True)
    assert 'data-count="4"' in listing
