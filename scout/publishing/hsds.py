"""The public network as Open Referral HSDS 3.0: an *organization package*, the JSON array of
fully nested organizations that HSDS's ``compiled/organization_package.json`` describes. Each
organization holds its locations (the public places: position, address, accessibility, opening
hours) and its services (the public courses and services: schedules, languages, fees, category
as a taxonomy term, and the location each is delivered at).

Only public records and fields are used (see :mod:`scout.publishing.opendata`). Every record
has a UUID made from :data:`NAMESPACE` and its own id (``uuid5``), so it keeps its id from one
export to the next. HSDS marks an absent value by leaving the field out, never by ``null``;
text is in Italian, the programme's language.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from babel import Locale
from flask_babel import force_locale
from flask_babel import gettext as _

from scout import schedule
from scout.models import Organisation, Place, Resource, ResourceKind
from scout.publishing.opendata import PublicPlace, _contacts, _day, load_places, places_query

# Fixed for good: changing it changes every published id.
NAMESPACE = uuid.UUID("8f1d6c2e-4b7a-5e90-9c3d-2a6f0b1e7d45")
LANGUAGE = "it"  # the language of the export's text
CITY, PROVINCE, COUNTRY = "Milano", "MI", "IT"
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def record_id(*path: Any) -> str:
    """The stable UUID of a record: ``record_id("service", 12)``, ``record_id("service", 12,
    "language", "ar")``."""
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in path)))


def _present(record: Mapping[str, Any]) -> dict[str, Any]:
    """``record`` without its empty fields: HSDS leaves out what is unknown (no nulls, no
    empty strings or lists)."""
    return {k: v for k, v in record.items() if v is not None and v != "" and v != []}


def _uri(value: str | None) -> str | None:
    """An absolute http(s) URI for a website as people type it (``www.example.org``)."""
    value = (value or "").strip()
    if not value or any(c.isspace() for c in value):
        return None
    if "://" not in value:
        value = "https://" + value
    parts = urlsplit(value)
    return value if parts.scheme in ("http", "https") and parts.netloc else None


def _email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if _EMAIL.fullmatch(value) else None


def _taxonomy() -> dict[str, Any]:
    return {
        "id": record_id("taxonomy", "resource-kind"),
        "name": _("Courses and services"),
        "description": _("Published courses and services at the partners' places."),
        "version": "1",
    }


def _category(service_id: str, resource: Resource) -> dict[str, Any]:
    """The service's kind, as an attribute pointing to a term of scout's own taxonomy."""
    kind: ResourceKind = resource.kind
    taxonomy = _taxonomy()
    term = {
        "id": record_id("taxonomy_term", kind.value),
        "code": kind.value,
        "name": str(kind.label),
        "description": str(kind.label),
        "taxonomy_id": taxonomy["id"],
        "taxonomy_detail": taxonomy,
        "language": LANGUAGE,
    }
    return {
        "id": record_id("service", resource.id, "attribute", kind.value),
        "link_id": service_id,
        "link_type": "category",
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "taxonomy_term": term,
    }


def _weekly(
    windows: Any, owner: tuple[str, int], link: dict[str, str], extra: dict[str, Any]
) -> list[dict[str, Any]]:
    """Weekly windows with the same hours grouped into one iCalendar-style schedule."""
    days: dict[tuple[int, int], list[int]] = defaultdict(list)
    for day, start, end in schedule.parse_windows(windows) or ():
        days[(start, end)].append(day)
    out = []
    for (start, end), group in sorted(days.items(), key=lambda kv: (min(kv[1]), kv[0])):
        opens, closes = (f"{m // 60 % 24:02d}:{m % 60:02d}" for m in (start, end))
        same = [{"day": d, "start": opens, "end": closes} for d in sorted(group)]
        out.append(
            _present(
                {
                    "id": record_id(*owner, "schedule", opens, closes),
                    **link,
                    "freq": "WEEKLY",
                    "wkst": "MO",
                    "byday": ",".join(schedule.BYDAY[d] for d in sorted(group)),
                    "opens_at": opens,
                    "closes_at": closes,
                    "description": schedule.format_schedule(same, LANGUAGE),
                    **extra,
                }
            )
        )
    return out


def _schedules(resource: Resource, service_id: str) -> list[dict[str, Any]]:
    """Weekly windows with the same hours grouped into one iCalendar-style schedule
    (``byday=MO,WE``), valid between the course's first and last day. Times are Milan's wall
    clock (HH:MM): a fixed UTC offset would be wrong for half the year."""
    valid = {
        "valid_from": resource.starts_on.isoformat() if resource.starts_on else None,
        "valid_to": resource.ends_on.isoformat() if resource.ends_on else None,
    }
    out = _weekly(resource.schedule, ("service", resource.id), {"service_id": service_id}, valid)
    if not out and (resource.starts_on or resource.ends_on):
        dates = {"id": record_id("service", resource.id, "schedule", "dates"), **valid}
        out.append(_present({**dates, "service_id": service_id}))
    return out


def _languages(resource: Resource, service_id: str) -> list[dict[str, Any]]:
    """The languages the service is given in (ISO 639-1 codes, named in Italian)."""
    names = Locale.parse(LANGUAGE).languages
    return [
        _present(
            {
                "id": record_id("service", resource.id, "language", code),
                "service_id": service_id,
                "code": code,
                "name": names.get(code),
            }
        )
        for code in resource.languages or ()
    ]


def _costs(resource: Resource, service_id: str) -> list[dict[str, Any]]:
    if resource.is_free:
        option = {"currency": "EUR", "amount": 0, "amount_description": _("Free")}
    elif resource.cost:
        option = {"amount_description": resource.cost}
    else:
        return []
    return [{"id": record_id("service", resource.id, "cost"), "service_id": service_id, **option}]


def _service(resource: Resource, org_uuid: str, location_uuid: str) -> dict[str, Any]:
    sid = record_id("service", resource.id)
    return _present(
        {
            "id": sid,
            "organization_id": org_uuid,
            "name": resource.title,
            "description": resource.description,
            "status": "active",
            "application_process": resource.how_to_enrol,
            "fees_description": _("Free") if resource.is_free else resource.cost,
            "eligibility_description": ", ".join(resource.target_groups or ()),
            "last_modified": resource.updated_at.isoformat() if resource.updated_at else None,
            # Open Referral: the day a person last checked the service (not just edited it).
            "assured_date": _day(resource.verified_at),
            "schedules": _schedules(resource, sid),
            "service_at_locations": [
                {
                    "id": record_id("service_at_location", resource.id, resource.place_id),
                    "service_id": sid,
                    "location_id": location_uuid,
                }
            ],
            "languages": _languages(resource, sid),
            "cost_options": _costs(resource, sid),
            "attributes": [_category(sid, resource)],
        }
    )


def _address(place: Place, location_uuid: str) -> list[dict[str, Any]]:
    """The street address, when it is complete enough for HSDS (street and postcode)."""
    if not (place.street and place.postcode):
        return []
    return [
        {
            "id": record_id("location", place.id, "address"),
            "location_id": location_uuid,
            "address_1": " ".join(p for p in (place.street, place.civic_number) if p),
            "city": CITY,
            "state_province": PROVINCE,
            "postal_code": place.postcode,
            "country": COUNTRY,
            "address_type": "physical",
        }
    ]


def _location(pp: PublicPlace, org_uuid: str) -> dict[str, Any]:
    p = pp.place
    lid = record_id("location", p.id)
    accessibility = [
        {
            "id": record_id("location", p.id, "accessibility"),
            "location_id": lid,
            "description": p.accessibility_notes,
        }
    ]
    # The opening hours: weekly windows, else the free-text note as a description.
    hours = _weekly(p.opening_schedule, ("location", p.id), {"location_id": lid}, {})
    if not hours and p.opening_hours:
        hours = [
            {
                "id": record_id("location", p.id, "schedule"),
                "location_id": lid,
                "description": p.opening_hours,
            }
        ]
    return _present(
        {
            "id": lid,
            "location_type": "physical",
            "organization_id": org_uuid,
            "name": p.name,
            "latitude": round(pp.lat, 6),
            "longitude": round(pp.lon, 6),
            "addresses": _address(p, lid),
            "accessibility": accessibility if p.accessibility_notes else [],
            "schedules": hours,
        }
    )


def _organisation(org: Organisation, places: list[PublicPlace]) -> dict[str, Any]:
    oid = record_id("organization", org.id)
    contacts = _contacts(org)  # only where the organisation agreed to public contacts
    phone = {
        "id": record_id("organization", org.id, "phone"),
        "organization_id": oid,
        "number": contacts.get("phone"),
    }
    return _present(
        {
            "id": oid,
            "name": org.name,
            # HSDS requires a description: the kind of organisation when it has none.
            "description": org.description or str(org.kind.label),
            "email": _email(contacts.get("email")),
            "website": _uri(contacts.get("website")),
            "phones": [phone] if phone["number"] else [],
            "locations": [_location(pp, oid) for pp in places],
            "services": [
                _service(r, oid, record_id("location", pp.place.id))
                for pp in places
                for r in pp.resources
            ],
        }
    )


def hsds_export() -> list[dict[str, Any]]:
    """Every public organisation, fully nested (HSDS 3.0 organization package), by name."""
    by_org: dict[int, list[PublicPlace]] = defaultdict(list)
    orgs: dict[int, Organisation] = {}
    for pp in load_places(places_query()):
        org = pp.place.organisation
        if org is not None:
            orgs[org.id] = org
            by_org[org.id].append(pp)
    with force_locale(LANGUAGE):
        ordered = sorted(by_org, key=lambda oid: (orgs[oid].name, oid))
        return [_organisation(orgs[oid], by_org[oid]) for oid in ordered]
