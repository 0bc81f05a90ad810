"""The funder's figures report: every figure of the programme's report to its funder,
computed from the records for a period, optionally one hub or one municipio; charts drawn on
the server (SVG); outputs as a page, an A4 PDF, CSV, XLSX and JSON.

Counts only, never a person; small counts of people are shown as "< 3" except in a
coordinator's internal copy.
"""

from scout.report.figures import compute
from scout.report.groups import GROUPS, group_of
from scout.report.model import HIDDEN, Figure, Report, Table
from scout.report.outputs import XLSX, render_html, to_csv, to_json, to_pdf, to_xlsx
from scout.report.people import hub_of, hubs
from scout.report.period import DEFAULT_FROM, DEFAULT_TO, Scope, make_scope

__all__ = [
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "GROUPS",
    "HIDDEN",
    "XLSX",
    "Figure",
    "Report",
    "Scope",
    "Table",
    "compute",
    "group_of",
    "hub_of",
    "hubs",
    "make_scope",
    "render_html",
    "to_csv",
    "to_json",
    "to_pdf",
    "to_xlsx",
]
