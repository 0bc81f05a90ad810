"""Open-data downloads built from the public records: CSV (spreadsheet-safe). Open Referral
HSDS is :mod:`scout.publishing.hsds`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from scout import schedule
from scout.extensions import db
from scout.models import ResourceKind
from scout.publishing.opendata import (
    PUBLIC_FIELDS,
    Filters,
    load_places,
    place_record,
    places_query,
    resource_record,
    resources_query,
)

_PHONE_OR_NUMBER = re.compile(r"[+-][\d\s().]*")


def _cell(value: Any) -> Any:
    """A CSV cell; lists joined by ``;``, and text that a spreadsheet would run as a formula
    prefixed with ``'`` (OWASP CSV injection), except plain phone numbers and numbers."""
    if isinstance(value, list | tuple):
        value = ";".join(str(v) for v in value)
    if (
        isinstance(value, str)
        and value[:1] in ("=", "+", "-", "@", "\t", "\r")
        and not _PHONE_OR_NUMBER.fullmatch(value)
    ):
        value = "'" + value
    return value


def _csv(columns: list[str], rows: Iterable[Mapping[str, Any]]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row.get(k)) for k in columns})
    return "\ufeff" + buf.getvalue()  # BOM: spreadsheets then read UTF-8 correctly


def places_csv(filters: Filters = Filters()) -> str:
    columns = [c for c in PUBLIC_FIELDS["place"] if c != "resources"] + ["lon", "lat"]
    rows = []
    for pp in load_places(places_query(filters)):
        rec = place_record(pp)
        rec["opening_schedule"] = schedule.schedule_codes(rec["opening_schedule"])
        rows.append({**rec, "lon": round(pp.lon, 6), "lat": round(pp.lat, 6)})
    return _csv(columns, rows)


def resources_csv(kinds: Iterable[ResourceKind] = ()) -> str:
    columns = list(PUBLIC_FIELDS["resource"]) + ["lon", "lat"]
    rows = []
    for r, lon, lat in db.session.execute(resources_query(kinds)).all():
        rec = resource_record(r)
        rec["schedule"] = schedule.schedule_codes(rec["schedule"])
        rows.append({**rec, "lon": round(lon, 6), "lat": round(lat, 6)})
    return _csv(columns, rows)
