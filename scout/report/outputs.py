"""The report as JSON, CSV, XLSX and an A4 PDF. Every output shows small counts of people as
"< 3" unless ``internal`` (a coordinator's own copy)."""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from scout.pdf import html_to_pdf
from scout.report.charts import chart
from scout.report.model import Figure, Report, Table

PRINT_CSS = "css/report.css"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _figure_json(f: Figure, internal: bool) -> dict[str, Any]:
    hidden = f.hidden(internal)
    value = None if hidden or f.value is None else f.value
    if isinstance(value, float):
        value = round(value, 1)
    return {
        "key": f.key,
        "label": f.label,
        "kind": f.kind,
        "value": value,
        "shown": f.shown(internal),
    }


def _table_json(t: Table, internal: bool) -> dict[str, Any]:
    return {
        "key": t.key,
        "title": t.title,
        "columns": list(t.columns),
        "rows": [
            {
                "label": r.label,
                "counts": [None if t.hidden(r, i, internal) else n for i, n in enumerate(r.counts)],
                "shown": [t.cell(r, i, internal) for i in range(len(r.counts))],
            }
            for r in t.rows
        ],
    }


def to_json(report: Report, internal: bool = False) -> dict[str, Any]:
    s = report.scope
    return {
        "from": s.date_from.isoformat(),
        "to": s.date_to.isoformat(),
        "hub_id": s.hub_id,
        "hub": report.hub_name,
        "municipio": s.municipio,
        "internal": internal,
        "sections": [
            {
                "key": sec.key,
                "title": sec.title,
                "figures": [_figure_json(f, internal) for f in sec.figures],
            }
            for sec in report.sections
        ],
        "tables": [_table_json(t, internal) for t in report.tables],
        "missing": list(report.missing),
    }


def _figure_rows(report: Report, internal: bool) -> list[list[str]]:
    rows = [[_("Section"), _("Figure"), _("Value")]]
    for sec in report.sections:
        rows += [[sec.title, f.label, f.shown(internal)] for f in sec.figures]
    return rows


def _table_rows(t: Table, internal: bool) -> list[list[str]]:
    head = [t.title]
    for col in t.columns:
        head += [col, "%"]
    rows = [head]
    for r in t.rows:
        line = [r.label]
        for i in range(len(r.counts)):
            line += [t.cell(r, i, internal), t.percent(r, i, internal)]
        rows.append(line)
    return rows


def to_csv(report: Report, table: str | None = None, internal: bool = False) -> str:
    """The figures (``table`` None) or one table, as CSV (a spreadsheet cell never starts
    with ``=``: every label here is the app's or a category's, never typed by the public)."""
    rows = (
        _figure_rows(report, internal)
        if table is None
        else _table_rows(report.table(table), internal)
    )
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def to_xlsx(report: Report, internal: bool = False) -> bytes:
    """One workbook: a sheet of the figures, then one sheet per table."""
    wb = Workbook()
    sheets = [(_("Figures"), _figure_rows(report, internal))] + [
        (t.title, _table_rows(t, internal)) for t in report.tables
    ]
    for i, (title, rows) in enumerate(sheets):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = _sheet_title(title, i)
        for row in rows:
            ws.append([_cell(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.column_dimensions["A"].width = 48
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet_title(title: str, i: int) -> str:
    clean = "".join(c for c in title if c not in "[]:*?/\\")[:28]
    return f"{i + 1} {clean}"[:31]


def _cell(value: str) -> Any:
    """Numbers as numbers (a spreadsheet can sum them); "< 3", "12 %" stay text."""
    return int(value) if value.isdigit() else value


def render_html(report: Report, internal: bool, template: str, **context: Any) -> str:
    # A table of zeros has nothing to draw: its table says so.
    charts = {t.key: chart(t, internal) for t in report.tables if t.chart and any(t.totals())}
    return render_template(template, report=report, internal=internal, charts=charts, **context)


def to_pdf(report_in: Any, lang: str, internal: bool = False) -> bytes:
    """The A4 PDF in ``lang`` (``report_in(locale)`` builds the report in that language)."""
    with force_locale(lang):
        report = report_in()
        html = render_html(report, internal, "report/print.html", lang=lang)
    return html_to_pdf(html, stylesheets=[PRINT_CSS])
