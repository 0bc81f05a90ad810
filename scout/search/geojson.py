"""The search's answer as GeoJSON (``POST /api/v1/search``) and what the audit keeps of it."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from scout.schedule import format_schedule
from scout.search.fit import FitResult
from scout.search.items import Hit, MarketHit
from scout.search.query import SearchQuery
from scout.search.run import SearchResult


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def fit_properties(fit: FitResult | None) -> dict[str, Any]:
    if fit is None:
        return {"school_hours_fit": None}
    return {
        "school_hours_fit": fit.status.value,
        "school_hours_missing_minutes": fit.missing_minutes,
        "school_hours_conflict_days": list(fit.days),
    }


def feature(h: Hit, estimate: bool, locale: str = "it") -> dict[str, Any]:
    """A GeoJSON Feature of a hit ([lon, lat])."""
    return {
        "type": "Feature",
        "id": h.key,
        "geometry": {"type": "Point", "coordinates": [h.lon, h.lat]},
        "properties": {
            "key": h.key,
            "kind": h.kind.value,
            "item_id": h.item_id,
            "title": h.title,
            "number": h.number,
            "place_id": h.place_id,
            "place_name": h.place_name,
            "address": h.address,
            "organisation": h.organisation,
            "organisation_kind": _plain(h.organisation_kind),
            "walk_minutes": h.walk.whole_minutes,
            "walk_metres": round(h.walk.metres),
            "walk_minutes_from_school": (
                h.walk_from_school.whole_minutes if h.walk_from_school else None
            ),
            "estimate": estimate,
            "schedule": h.schedule,
            **fit_properties(h.fit),
            "availability_fit": h.availability_fit.status.value if h.availability_fit else None,
            **{k: _plain(v) for k, v in h.details.items()},
            # An organisation's opening hours, else the item's own schedule, in ``locale``.
            "hours": format_schedule(h.schedule or h.details.get("opening_schedule"), locale)
            or h.details.get("opening_hours")
            or "",
        },
    }


def market_feature(m: MarketHit) -> dict[str, Any]:
    """An open-market offer: outside walking range (no walk), with the straight-line
    distance from the origin; no geometry when it has no fixed place."""
    return {
        "type": "Feature",
        "id": f"market_offer-{m.item_id}",
        "geometry": (
            {"type": "Point", "coordinates": [m.lon, m.lat]} if m.lon is not None else None
        ),
        "properties": {
            "key": f"market_offer-{m.item_id}",
            "kind": "market_offer",
            "item_id": m.item_id,
            "title": m.title,
            "organisation": m.employer,
            "area": m.area,
            "source": m.source,
            "link": m.link,
            "contract_type": _plain(m.contract_type),
            "expires_on": _plain(m.expires_on),
            "description": m.description,
            "outside_walking_range": True,
            "walk_minutes": None,
            "straight_line_metres": (
                round(m.straight_metres) if m.straight_metres is not None else None
            ),
        },
    }


def to_geojson(result: SearchResult, locale: str = "it") -> dict[str, Any]:
    """The answer of ``POST /api/v1/search``. The origin is not echoed back."""
    q = result.query
    school = result.school
    return {
        "type": "FeatureCollection",
        "features": [feature(h, result.estimate, locale) for h in result.hits]
        + [market_feature(m) for m in result.market],
        "estimate": result.estimate,
        "network_date": result.network_date.isoformat() if result.network_date else None,
        "count": len(result.hits),
        "market_count": len(result.market),
        "total": result.total,
        "truncated": result.truncated
        or (result.total is not None and result.total > len(result.hits)),
        "places": result.place_count,
        "max_minutes": q.max_minutes,
        "profile": q.profile.value,
        "school": (
            {
                "id": school.id,
                "name": school.name,
                "address": school.address,
                "geometry": {"type": "Point", "coordinates": [school.lon, school.lat]},
            }
            if school
            else None
        ),
        "school_hours": (
            {
                "drop_off": q.school_hours.drop_off.strftime("%H:%M"),
                "pick_up": q.school_hours.pick_up.strftime("%H:%M"),
                "days": sorted(q.school_hours.days),
            }
            if q.school_hours
            else None
        ),
    }


def audit_changes(q: SearchQuery, result_count: int) -> dict[str, Any]:
    """What the audit trail keeps of a search: the filters, never where it started from."""
    return {
        "origin": q.origin_kind,
        "with_school": q.school_id is not None,
        "kinds": sorted(k.value for k in q.kinds),
        "max_minutes": q.max_minutes,
        "profile": q.profile.value,
        "school_hours": q.school_hours is not None,
        "results": result_count,
    }
