"""Publishing: what the public may see, and the open data built from it (GeoJSON, CSV, HSDS,
OGC API – Features records).

Only the fields of :data:`PUBLIC_FIELDS` are ever published; contacts only where the
organisation agreed. Nothing a scout enters is public before a coordinator approves it.
"""

from __future__ import annotations

from scout.publishing.exports import places_csv, resources_csv
from scout.publishing.hsds import hsds_export
from scout.publishing.opendata import (
    CONTACT_FIELDS,
    PUBLIC_FIELDS,
    PUBLIC_KEYS,
    Filters,
    PublicPlace,
    count,
    data_version,
    feature,
    load_places,
    place_feature,
    place_record,
    places_geojson,
    places_query,
    resource_feature,
    resource_record,
    resources_geojson,
    resources_query,
)

__all__ = [
    "CONTACT_FIELDS",
    "PUBLIC_FIELDS",
    "PUBLIC_KEYS",
    "Filters",
    "PublicPlace",
    "count",
    "data_version",
    "feature",
    "hsds_export",
    "load_places",
    "place_feature",
    "place_record",
    "places_csv",
    "places_geojson",
    "places_query",
    "resource_feature",
    "resource_record",
    "resources_csv",
    "resources_geojson",
    "resources_query",
]
