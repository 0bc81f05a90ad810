"""The funder's figures report: every figure of the programme's report to its funder,
computed from the records for a period, optionally one hub or one municipio; charts drawn on
the server (SVG); outputs as a page, an A4 PDF, CSV, XLSX and JSON.

Counts only, never a person; small counts of people are shown as "< 3" (and a count that
would give one away as "*") except in a coordinator's internal copy. Each figure links to
the staff list of the records behind it (``*_behind``: the same conditions it counts with).
"""

from scout.report.figures import compute
from scout.report.groups import GROUPS, group_of
from scout.report.links import PEOPLE_FILTERS, PLACEMENT_FILTERS
from scout.report.model import HIDDEN, SUPPRESSED, Figure, Report, Table
from scout.report.outcomes import placements_behind
from scout.report.outputs import XLSX, render_html, to_csv, to_json, to_pdf, to_xlsx
from scout.report.people import hub_of, hubs
from scout.report.period import DEFAULT_FROM, DEFAULT_TO, Scope, make_scope, open_scope
from scout.report.programme import (
    MAPPED,
    bulletins_behind,
    in_municipio,
    mapped_behind,
    meeting_in_municipio,
    visits_behind,
)
from scout.report.records import people_behind

__all__ = [
    "DEFAULT_FROM",
    "DEFAULT_TO",
    "GROUPS",
    "HIDDEN",
    "MAPPED",
    "PEOPLE_FILTERS",
    "PLACEMENT_FILTERS",
    "SUPPRESSED",
    "XLSX",
    "Figure",
    "Report",
    "Scope",
    "Table",
    "bulletins_behind",
    "compute",
    "group_of",
    "hub_of",
    "hubs",
    "in_municipio",
    "make_scope",
    "mapped_behind",
    "meeting_in_municipio",
    "open_scope",
    "people_behind",
    "placements_behind",
    "render_html",
    "to_csv",
    "to_json",
    "to_pdf",
    "to_xlsx",
    "visits_behind",
]
