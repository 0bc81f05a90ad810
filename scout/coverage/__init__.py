"""Coverage: what the scouts have mapped and verified, and what is due again.

:mod:`.freshness` knows when a person last verified a place, offer or resource, which are due
to be re-verified, and closes expired offers. :mod:`.coverage` counts, per NIL or per
square of a 250 m grid, what is mapped, partnered, offered and visited there.
:mod:`.progress` follows each area week by week; :mod:`.funnel` what its visits yielded.
"""

from __future__ import annotations

from scout.coverage.areas import Area, areas_of, assign, assignments, nil_ids_of, served_nil
from scout.coverage.coverage import (
    GRID_M,
    KINDS,
    METRICS,
    Cell,
    Filters,
    cells,
    csv_text,
    geojson,
    geopackage,
)
from scout.coverage.freshness import (
    Freshness,
    close_expired,
    due_places,
    is_due,
    of,
    off_the_map,
    offer_open,
    still_valid,
    to_visit_or_due,
)
from scout.coverage.funnel import STAGES, Stage, funnel, period_totals, totals
from scout.coverage.funnel import csv_text as funnel_csv
from scout.coverage.progress import SERIES, WEEKS, AreaWeeks, Progress, weekly

__all__ = [
    "Area",
    "areas_of",
    "assign",
    "assignments",
    "nil_ids_of",
    "served_nil",
    "GRID_M",
    "KINDS",
    "METRICS",
    "Cell",
    "Filters",
    "cells",
    "csv_text",
    "geojson",
    "geopackage",
    "Freshness",
    "close_expired",
    "due_places",
    "is_due",
    "of",
    "off_the_map",
    "offer_open",
    "still_valid",
    "to_visit_or_due",
    "STAGES",
    "Stage",
    "funnel",
    "funnel_csv",
    "period_totals",
    "totals",
    "SERIES",
    "WEEKS",
    "AreaWeeks",
    "Progress",
    "weekly",
]
