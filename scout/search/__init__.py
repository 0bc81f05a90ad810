"""The tutors' search: offers, courses, services and partners a person can walk to, ranked by
walking time from home, with the school-hours fit rule.

Framework-free: functions take plain values and a session and return dataclasses; the API and
the tutor pages are thin adapters (pygeoapi's split). The origin is a person's home: it is
never stored, logged or echoed back; only :func:`audit_changes` describes a search, without it.
"""

from __future__ import annotations

from scout.search.fit import Fit, FitResult, SchoolHours, availability_fit, school_hours_fit
from scout.search.geojson import audit_changes, feature, to_geojson
from scout.search.items import Hit, place_point
from scout.search.lists import SchoolInfo, hubs, school_info, schools, sectors
from scout.search.query import (
    DEFAULT_LIMIT,
    DEFAULT_MINUTES,
    MAX_LIMIT,
    MAX_MINUTES,
    MIN_MINUTES,
    Kind,
    SearchQuery,
    parse_query,
    parse_request,
    parse_school_hours,
    resolve_origin,
)
from scout.search.run import SearchResult, isochrones, run, run_selected
from scout.search.schemas import (
    AddressRequest,
    IsochronesRequest,
    RouteRequest,
    SearchRequest,
)

__all__ = [
    "AddressRequest",
    "IsochronesRequest",
    "RouteRequest",
    "SearchRequest",
    "DEFAULT_LIMIT",
    "DEFAULT_MINUTES",
    "MAX_LIMIT",
    "MAX_MINUTES",
    "MIN_MINUTES",
    "Fit",
    "FitResult",
    "Hit",
    "Kind",
    "SchoolHours",
    "SchoolInfo",
    "SearchQuery",
    "SearchResult",
    "audit_changes",
    "availability_fit",
    "feature",
    "hubs",
    "isochrones",
    "parse_query",
    "parse_request",
    "parse_school_hours",
    "resolve_origin",
    "place_point",
    "run",
    "run_selected",
    "school_hours_fit",
    "school_info",
    "schools",
    "sectors",
    "to_geojson",
]
