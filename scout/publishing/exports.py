"""Open-data downloads built from the public records: CSV (spreadsheet-safe) and Open Referral
HSDS.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from scout.extensions import db
from scout.models import ResourceKind
from scout.publishing.opendata import (
    PUBLIC_FIELDS,
    Filters,
    PublicPlace,
    _contacts,
    load_places,
    place_record,
    places_query,
    resource_record,
    resources_query,
)

BYDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


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
        rows.append({**rec, "lon": round(pp.lon, 6), "lat": round(pp.lat, 6)})
    return _csv(columns, rows)


def _schedule_text(schedule: list[dict[str, Any]]) -> str:
    return "; ".join(
        f"{BYDAY[w['day']] if isinstance(w.get('day'), int) and 0 <= w['day'] < 7 else '?'} "
        f"{w.get('start', '')}-{w.get('end', '')}"
        for w in schedule
    )


def resources_csv(kinds: Iterable[ResourceKind] = ()) -> str:
    columns = list(PUBLIC_FIELDS["resource"]) + ["lon", "lat"]
    rows = []
    for r, lon, lat in db.session.execute(resources_query(kinds)).all():
        rec = resource_record(r)
        rec["schedule"] = _schedule_text(rec["schedule"])
        rows.append({**rec, "lon": round(lon, 6), "lat": round(lat, 6)})
    return _csv(columns, rows)


def _hsds_schedules(schedule: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out = []
    for w in schedule:
        day = w.get("day")
        if isinstance(day, int) and 0 <= day < 7:
            out.append(
                {
                    "freq": "WEEKLY",
                    "byday": BYDAY[day],
                    "opens_at": w.get("start"),
                    "closes_at": w.get("end"),
                }
            )
    return out


def hsds_export() -> dict[str, Any]:
    """Organisations, locations and services in Open Referral HSDS 3.0 shape (public fields
    only; identifiers are stable strings, not UUIDs)."""
    places = load_places(places_query())
    organisations: dict[int, dict[str, Any]] = {}
    locations, services = [], []
    by_org: dict[int, list[PublicPlace]] = defaultdict(list)
    for pp in places:
        org = pp.place.organisation
        if org is None:
            continue
        by_org[org.id].append(pp)
        if org.id not in organisations:
            contacts = _contacts(org)
            organisations[org.id] = {
                "id": f"organization-{org.id}",
                "name": org.name,
                "description": org.description,
                "website": contacts.get("website"),
                "email": contacts.get("email"),
                "phones": [{"number": contacts["phone"]}] if contacts.get("phone") else [],
            }
        p = pp.place
        locations.append(
            {
                "id": f"location-{p.id}",
                "organization_id": f"organization-{org.id}",
                "name": p.name,
                "location_type": "physical",
                "latitude": round(pp.lat, 6),
                "longitude": round(pp.lon, 6),
                "addresses": [
                    {
                        "address_1": " ".join(x for x in (p.street, p.civic_number) if x),
                        "city": "Milano",
                        "state_province": "MI",
                        "postal_code": p.postcode,
                        "country": "IT",
                        "address_type": "physical",
                    }
                ]
                if p.street
                else [],
                "accessibility": [{"description": p.accessibility_notes}]
                if p.accessibility_notes
                else [],
                "schedules": [{"description": p.opening_hours}] if p.opening_hours else [],
            }
        )
        for r in pp.resources:
            rec = resource_record(r)
            services.append(
                {
                    "id": f"service-{r.id}",
                    "organization_id": f"organization-{org.id}",
                    "name": r.title,
                    "description": r.description,
                    "status": "active",
                    "category": r.kind.value,
                    "application_process": r.how_to_enrol,
                    "fees_description": None if r.is_free else r.cost,
                    "languages": [{"code": c} for c in rec["languages"]],
                    "schedules": _hsds_schedules(rec["schedule"]),
                    "service_at_locations": [
                        {"id": f"service-at-location-{r.id}", "location_id": f"location-{p.id}"}
                    ],
                    "start_date": rec["starts_on"],
                    "end_date": rec["ends_on"],
                }
            )
    return {
        "hsds_version": "3.0",
        "generated_on": date.today().isoformat(),
        "organizations": list(organisations.values()),
        "locations": locations,
        "services": services,
    }
