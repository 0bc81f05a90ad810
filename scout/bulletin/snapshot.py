"""The frozen public content of a published bulletin (``Bulletin.snapshot``), plain JSON.

Only public fields are copied: an employer is named only if it agreed to be public, its
contacts only if it agreed to that too; a non-public employer's point is blurred.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from flask import current_app
from shapely.geometry import shape
from sqlalchemy import select

from scout import spatial
from scout.basemap import svg
from scout.bulletin import kmzero
from scout.bulletin.common import SECTIONS, SNAPSHOT_VERSION
from scout.bulletin.kmzero import km_zero_rule
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Bulletin, BulletinItem, MarketOffer, Nil, Offer, Place, Resource


def build_snapshot(bulletin: Bulletin, items: list[BulletinItem]) -> dict[str, Any]:
    """The public content of the bulletin as plain JSON (what publication freezes)."""
    places = {
        i.subject.place_id: i.subject.place
        for i in items
        if i.subject is not None and not isinstance(i.subject, MarketOffer)
    }
    points = kmzero.points(set(places))
    nil_names = dict(
        db.session.execute(
            select(Nil.id, Nil.name).where(Nil.id.in_({p.nil_id for p in places.values()}))
        ).all()
    )
    sections: dict[str, dict[str, Any]] = {
        key: {"key": key, "note": (bulletin.notes or {}).get(key), "items": []} for key in SECTIONS
    }
    for n, item in enumerate(items, start=1):
        subject = item.subject
        assert subject is not None  # noqa: S101 (kept_items only keeps live subjects)
        if isinstance(subject, MarketOffer):
            entry = _market_fields(subject)
        else:
            entry = _public_fields(subject, points[subject.place_id], nil_names)
        entry["n"] = n
        if item.offer_id is not None:
            entry["walk"] = (
                {
                    "minutes": item.walk_minutes,
                    "estimate": item.walk_estimate,
                    "hub": item.hub_name,
                    "reason": item.km_zero_reason,
                }
                if item.walk_minutes is not None or item.km_zero_reason
                else None
            )
        sections[item.section]["items"].append(entry)
    snapshot = {
        "version": SNAPSHOT_VERSION,
        "number": bulletin.number,
        "week_start": bulletin.week_start.isoformat(),
        "week_end": (bulletin.week_start + timedelta(days=6)).isoformat(),
        "published_on": bulletin.published_on.isoformat() if bulletin.published_on else None,
        "editorial": bulletin.editorial,
        "km_zero_minutes": current_app.config["KM_ZERO_MINUTES"],
        "km_zero": km_zero_rule(),
        "sections": [s for s in sections.values() if s["items"] or s["note"]],
        "hubs": [_hub_fields(hub) for hub, _p in kmzero.hubs()],
    }
    snapshot["map"] = km_zero_map(snapshot)
    return snapshot


def _public_fields(
    subject: Offer | Resource, point: LonLat, nil_names: dict[int, str]
) -> dict[str, Any]:
    """Only what may be printed: the employer is named only if it agreed to be public, and
    its contacts only if it agreed to that too (otherwise people apply through the hubs)."""
    place = subject.place
    org = place.organisation
    public = bool(org and org.public_consent)
    contacts_public = bool(public and org and org.contacts_public)
    digits = 5 if public else 3  # a non-public employer's point is blurred to ~100 m
    out: dict[str, Any] = {
        "kind": "offer" if isinstance(subject, Offer) else "resource",
        "title": subject.title,
        "description": subject.description,
        "schedule": subject.schedule or [],
        "where": place.name if public else None,
        "address": (place.address or None) if public else None,
        "area": nil_names.get(place.nil_id) if place.nil_id else None,
        "municipio": place.municipio,
        "lon": round(point.lon, digits),
        "lat": round(point.lat, digits),
        "contacts": (
            {k: getattr(org, k) for k in ("email", "phone", "website") if getattr(org, k)}
            if contacts_public and org
            else None
        ),
    }
    if isinstance(subject, Offer):
        out.update(
            sector=subject.sector,
            contract=subject.contract_type.value,
            part_time=subject.part_time.value,
            hours_per_week=float(subject.hours_per_week) if subject.hours_per_week else None,
            italian_level=subject.italian_level.value,
            documents_required=subject.documents_required,
            positions=subject.positions,
            expires_on=subject.expires_on.isoformat() if subject.expires_on else None,
            how_to_apply=subject.how_to_apply if contacts_public else None,
        )
    else:
        out.update(
            resource_kind=subject.kind.value,
            languages=list(subject.languages or []),
            childcare=subject.childcare,
            is_free=subject.is_free,
            cost=subject.cost,
            starts_on=subject.starts_on.isoformat() if subject.starts_on else None,
            ends_on=subject.ends_on.isoformat() if subject.ends_on else None,
            how_to_enrol=subject.how_to_enrol if public else None,
        )
    return out


def _market_fields(offer: MarketOffer) -> dict[str, Any]:
    """An open-market offer as printed: what its source published, and where to read it.
    It has no point on the km-zero map."""
    return {
        "kind": "market",
        "title": offer.title,
        "description": offer.description,
        "employer": offer.employer,
        "area": offer.area,
        "contract": offer.contract_type.value if offer.contract_type else None,
        "source": offer.source,
        "link": offer.link if offer.link.lower().startswith(("https://", "http://")) else None,
        "expires_on": offer.expires_on.isoformat() if offer.expires_on else None,
        "schedule": [],
    }


def _hub_fields(hub: Place) -> dict[str, Any]:
    org = hub.organisation
    contacts = bool(org and org.contacts_public)
    return {
        "name": hub.name,
        "address": hub.address or None,
        "opening_hours": hub.opening_hours,
        "opening_schedule": list(hub.opening_schedule or []),
        "phone": org.phone if contacts and org else None,
        "email": org.email if contacts and org else None,
    }


# --- the small map of km-zero offers (inline SVG, no tiles, no network) ---------------------

MAP_WIDTH = 480
MAP_STREET_NAMES = 14


def km_zero_map(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """Outlines of the served municipi, their main roads with names, the hubs and the
    numbered km-zero offers, projected to SVG coordinates (equirectangular, fine at this
    scale). None without km-zero offers."""
    offers = [
        i for s in snapshot["sections"] if s["key"] == "km_zero" for i in s["items"] if "lon" in i
    ]
    if not offers:
        return None
    outlines = spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"])
    shapes = [shape(f["geometry"]).simplify(2e-4) for f in outlines["features"]]
    hubs = [(p.lon, p.lat) for _h, p in kmzero.hubs()]
    xs = [i["lon"] for i in offers] + [x for x, _y in hubs]
    ys = [i["lat"] for i in offers] + [y for _x, y in hubs]
    for geom in shapes:
        x0, y0, x1, y1 = geom.bounds
        xs += [x0, x1]
        ys += [y0, y1]
    pad = 0.003
    min_lon, max_lon, min_lat, max_lat = min(xs) - pad, max(xs) + pad, min(ys) - pad, max(ys) + pad
    kx = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = MAP_WIDTH / ((max_lon - min_lon) * kx)
    height = round((max_lat - min_lat) * scale)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - min_lon) * kx * scale, 1), round((max_lat - lat) * scale, 1)

    paths = []
    for geom in shapes:
        polygons = getattr(geom, "geoms", [geom])
        d = []
        for poly in polygons:
            for ring in [poly.exterior, *poly.interiors]:
                pts = [xy(x, y) for x, y in ring.coords]
                d.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        paths.append(" ".join(d))
    # Milan's main roads with their names, so that a reader can tell where each offer is.
    roads = spatial.main_roads_in_box(db.session, (min_lon, min_lat, max_lon, max_lat), 1e-4)
    return {
        "width": MAP_WIDTH,
        "height": height,
        "outlines": paths,
        "streets": svg.layout(roads, xy, font_px=10, max_labels=MAP_STREET_NAMES),
        "hubs": [dict(zip(("x", "y"), xy(x, y), strict=True)) for x, y in hubs],
        "points": _spread([(xy(i["lon"], i["lat"]), i["n"]) for i in offers]),
    }


def _spread(points: list[tuple[tuple[float, float], int]]) -> list[dict[str, Any]]:
    """Numbered markers; markers on the same spot are fanned out on a small circle."""
    groups: dict[tuple[float, float], list[int]] = {}
    for xy, n in points:
        groups.setdefault(xy, []).append(n)
    out = []
    for (x, y), numbers in groups.items():
        for k, n in enumerate(numbers):
            if len(numbers) == 1:
                dx = dy = 0.0
            else:
                angle = 2 * math.pi * k / len(numbers)
                dx, dy = 9 * math.cos(angle), 9 * math.sin(angle)
            out.append({"x": round(x + dx, 1), "y": round(y + dy, 1), "n": n})
    return out
