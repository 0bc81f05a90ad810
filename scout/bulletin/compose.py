"""Compose and publish: propose a week's items, edit the draft, publish a frozen snapshot.

A draft's items point at live offers and resources. :func:`publish` copies only their public
fields into ``Bulletin.snapshot``; every output (web page, PDF, plain text, feed) is rendered
from that snapshot, so a published bulletin never changes when offers are edited later.

Section titles and field labels are not stored: the snapshot keeps keys and enum values, and
they are rendered in the reader's language (Italian, or English) at view time.

Services ``flush()`` and never ``commit()``; the view commits once.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from shapely.geometry import shape
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from scout import audit, spatial, walking
from scout.errors import Conflict, ScoutError
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    AuditAction,
    Bulletin,
    BulletinItem,
    BulletinStatus,
    Nil,
    Offer,
    OfferStatus,
    Organisation,
    OrgKind,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    User,
    utcnow,
)

logger = logging.getLogger(__name__)

# Sections in the order they are printed.
SECTIONS: dict[str, Any] = {
    "market": _l("Job offers on the open market"),
    "km_zero": _l("Km-zero job offers"),
    "professional": _l("Professional courses"),
    "labour_policy": _l("Active labour policies"),
    "italian": _l("Italian-language courses"),
    "services": _l("Useful services"),
    "local_training": _l("Local training activities"),
}
RESOURCE_SECTION = {
    ResourceKind.PROFESSIONAL_COURSE: "professional",
    ResourceKind.LABOUR_POLICY: "labour_policy",
    ResourceKind.ITALIAN_COURSE: "italian",
    ResourceKind.INCOME_SUPPORT: "services",
    ResourceKind.HOUSING_SUPPORT: "services",
    ResourceKind.CHILDCARE: "services",
    ResourceKind.HELP_DESK: "services",
    ResourceKind.DIGITAL_COURSE: "local_training",
    ResourceKind.OTHER: "local_training",
}
LANGUAGES = ("it", "en")  # the bulletin is written in Italian, with English available
SNAPSHOT_VERSION = 1
_PUBLISH_LOCK = 7_007_001  # pg advisory lock key: one publication (numbering) at a time


def today() -> date:
    """Today in the programme's time zone (a bulletin's date is a local date)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())


def km_zero_municipi() -> list[int]:
    """The municipi whose offers are km zero however far the walk ([]: the rule is off)."""
    return sorted({int(n) for n in current_app.config.get("KM_ZERO_MUNICIPI") or []})


def km_zero_rule() -> dict[str, Any]:
    """The km-zero rule in force, as the snapshot keeps it (and the pages state it)."""
    return {
        "minutes": int(current_app.config["KM_ZERO_MINUTES"]),
        "municipi": km_zero_municipi(),
    }


# --- what is eligible for a week ---------------------------------------------------------


def eligible_offers(week_start: date) -> Select:
    """Published, open offers at published places, not expired when the week starts (or
    today, if the week has already started)."""
    cutoff = max(week_start, today())
    return (
        select(Offer)
        .join(Offer.place)
        .where(
            Offer.status == ReviewStatus.PUBLISHED,
            Offer.offer_status == OfferStatus.OPEN,
            Place.status == ReviewStatus.PUBLISHED,
            or_(Offer.expires_on.is_(None), Offer.expires_on >= cutoff),
        )
    )


def eligible_resources(week_start: date) -> Select:
    """Published courses and services at published places that run during the week."""
    week_end = week_start + timedelta(days=6)
    return (
        select(Resource)
        .join(Resource.place)
        .where(
            Resource.status == ReviewStatus.PUBLISHED,
            Place.status == ReviewStatus.PUBLISHED,
            or_(Resource.starts_on.is_(None), Resource.starts_on <= week_end),
            or_(Resource.ends_on.is_(None), Resource.ends_on >= week_start),
        )
    )


# --- km zero -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KmZero:
    """The walk from the nearest hub to a place and whether that makes it km zero."""

    minutes: int | None
    estimate: bool
    hub_name: str | None
    reason: str | None  # "walk", "municipio" or None (not km zero)


def _hubs() -> list[tuple[Place, LonLat]]:
    lon, lat = spatial.place_lonlat()
    rows = db.session.execute(
        select(Place, lon, lat)
        .join(Place.organisation)
        .where(Place.status == ReviewStatus.PUBLISHED, Organisation.kind == OrgKind.HUB)
        .order_by(Place.name)
    ).all()
    return [(place, LonLat(x, y)) for place, x, y in rows]


def _points(place_ids: set[int]) -> dict[int, LonLat]:
    if not place_ids:
        return {}
    lon, lat = spatial.place_lonlat()
    rows = db.session.execute(select(Place.id, lon, lat).where(Place.id.in_(place_ids))).all()
    return {pid: LonLat(x, y) for pid, x, y in rows}


def classify_km_zero(places: list[Place]) -> dict[int, KmZero]:
    """Km-zero status of each place: within ``KM_ZERO_MINUTES`` walk of a programme hub
    (exactly N minutes counts), or, only if ``KM_ZERO_MUNICIPI`` is configured, inside one
    of those municipi.

    Walks are asked of the walking engine from each hub to all places at once; if it cannot
    answer for a hub, that hub is skipped and the municipio rule still applies.
    """
    limit_s = current_app.config["KM_ZERO_MINUTES"] * 60
    municipi = set(km_zero_municipi())
    targets = _points({p.id for p in places})
    best: dict[int, tuple[walking.Walk, str, bool]] = {}
    for hub, hub_point in _hubs() if targets else []:
        try:
            answer = walking.walk_to(hub_point, targets)
        except ScoutError as err:  # RoutingUnavailable, OutOfArea: fall back to municipi
            logger.warning("no walking times from hub %s: %s", hub.id, err)
            continue
        for pid, walk in answer.walks.items():
            if pid not in best or walk.seconds < best[pid][0].seconds:
                best[pid] = (walk, hub.name, answer.estimate)
    out = {}
    for place in places:
        walk, hub_name, estimate = best.get(place.id, (None, None, False))
        if walk is not None and walk.seconds <= limit_s + 1e-6:
            reason: str | None = "walk"
        elif place.municipio is not None and place.municipio in municipi:
            reason = "municipio"
        else:
            reason = None
        minutes = walk.whole_minutes if walk is not None else None
        out[place.id] = KmZero(minutes, estimate, hub_name, reason)
    return out


# --- compose ---------------------------------------------------------------------------------


def propose(week_start: date) -> list[BulletinItem]:
    """Every eligible item of the week, sorted into sections (not yet added to a session)."""
    offers = db.session.scalars(
        eligible_offers(week_start).options(selectinload(Offer.place))
    ).all()
    resources = db.session.scalars(
        eligible_resources(week_start).options(selectinload(Resource.place))
    ).all()
    km = classify_km_zero(list({o.place_id: o.place for o in offers}.values()))
    items: list[tuple[tuple[Any, ...], BulletinItem]] = []
    for offer in offers:
        k = km[offer.place_id]
        section = "km_zero" if k.reason else "market"
        item = BulletinItem(
            section=section,
            offer=offer,
            offer_id=offer.id,
            walk_minutes=k.minutes,
            walk_estimate=k.estimate,
            hub_name=k.hub_name,
            km_zero_reason=k.reason,
        )
        key = (k.minutes if k.minutes is not None else math.inf, offer.title.lower(), offer.id)
        items.append((key, item))
    for resource in resources:
        item = BulletinItem(
            section=RESOURCE_SECTION[resource.kind], resource=resource, resource_id=resource.id
        )
        key = (resource.starts_on or date.min, resource.title.lower(), resource.id)
        items.append((key, item))
    items.sort(key=lambda ki: (list(SECTIONS).index(ki[1].section), ki[0]))
    counters: dict[str, int] = {}
    for _key, item in items:
        item.position = counters[item.section] = counters.get(item.section, 0) + 1
    return [item for _key, item in items]


def create_draft(week_start: date, user: User | None) -> Bulletin:
    """A new draft for the week of ``week_start``, with every eligible item proposed."""
    bulletin = Bulletin(week_start=week_of(week_start), created_by=user, notes={})
    bulletin.items = propose(bulletin.week_start)
    db.session.add(bulletin)
    db.session.flush()
    return bulletin


def add_new_proposals(bulletin: Bulletin) -> int:
    """Add items that became eligible since the draft was made (dropped ones stay dropped)."""
    _require_draft(bulletin)
    have = {(i.offer_id, i.resource_id) for i in bulletin.items}
    last: dict[str, int] = {}
    for item in bulletin.items:
        last[item.section] = max(last.get(item.section, 0), item.position)
    added = 0
    for item in propose(bulletin.week_start):
        if (item.offer_id, item.resource_id) in have:
            continue
        item.position = last[item.section] = last.get(item.section, 0) + 1
        bulletin.items.append(item)
        added += 1
    db.session.flush()
    return added


def update_draft(
    bulletin: Bulletin,
    order: dict[str, list[int]],
    kept: set[int],
    notes: dict[str, str],
    editorial: str | None,
) -> None:
    """Apply the coordinator's edits: item order per section, kept items, notes, editorial.

    Item ids that are not this bulletin's are ignored; items not named in ``order`` keep their
    place after the named ones.
    """
    _require_draft(bulletin)
    by_id = {item.id: item for item in bulletin.items}
    for section, ids in order.items():
        if section not in SECTIONS:
            continue
        ranked = [by_id[i] for i in ids if i in by_id and by_id[i].section == section]
        rest = sorted(
            (i for i in by_id.values() if i.section == section and i not in ranked),
            key=lambda i: i.position,
        )
        for position, item in enumerate(ranked + rest, start=1):
            item.position = position
    for item in bulletin.items:
        item.included = item.id in kept
    bulletin.notes = {k: v.strip() for k, v in notes.items() if k in SECTIONS and v.strip()}
    bulletin.editorial = (editorial or "").strip() or None
    db.session.flush()


def move_item(bulletin: Bulletin, item_id: int, delta: int) -> None:
    """Move one item up (``delta`` -1) or down (+1) within its section."""
    _require_draft(bulletin)
    item = next((i for i in bulletin.items if i.id == item_id), None)
    if item is None:
        return
    same = sorted(
        (i for i in bulletin.items if i.section == item.section), key=lambda i: i.position
    )
    at = same.index(item)
    to = max(0, min(len(same) - 1, at + delta))
    same.insert(to, same.pop(at))
    for position, other in enumerate(same, start=1):
        other.position = position
    db.session.flush()


def preview_snapshot(bulletin: Bulletin) -> dict[str, Any]:
    """What the draft would look like if published now (nothing is written)."""
    snapshot = build_snapshot(bulletin)
    last = db.session.scalar(select(func.max(Bulletin.number))) or 0
    snapshot["number"] = bulletin.number or last + 1
    snapshot["published_on"] = (bulletin.published_on or today()).isoformat()
    return snapshot


def _require_draft(bulletin: Bulletin) -> None:
    if bulletin.is_published:
        raise Conflict(_l("This bulletin is already published and cannot be changed."))


# --- publish -------------------------------------------------------------------------------


def still_eligible(bulletin: Bulletin) -> tuple[set[int], set[int]]:
    """Ids of the offers and resources that are still eligible for the bulletin's week."""
    week = bulletin.week_start
    offers = set(db.session.scalars(eligible_offers(week).with_only_columns(Offer.id)))
    resources = set(db.session.scalars(eligible_resources(week).with_only_columns(Resource.id)))
    return offers, resources


def kept_items(bulletin: Bulletin) -> list[BulletinItem]:
    """The included items that may still be published, in section and position order."""
    offers, resources = still_eligible(bulletin)
    items = [
        i
        for i in bulletin.items
        if i.included
        and ((i.offer_id in offers) if i.offer_id is not None else (i.resource_id in resources))
    ]
    return sorted(items, key=lambda i: (list(SECTIONS).index(i.section), i.position, i.id))


def publish(bulletin: Bulletin) -> Bulletin:
    """Give the bulletin the next number and today's date, and freeze its public content."""
    _require_draft(bulletin)
    db.session.execute(select(func.pg_advisory_xact_lock(_PUBLISH_LOCK)))
    last = db.session.scalar(select(func.max(Bulletin.number))) or 0
    bulletin.number = last + 1
    bulletin.published_on = today()
    bulletin.published_at = utcnow()
    bulletin.snapshot = build_snapshot(bulletin)
    bulletin.status = BulletinStatus.PUBLISHED
    db.session.flush()
    audit.record(db.session, AuditAction.PUBLISH, "bulletin", bulletin.id, {"number": last + 1})
    return bulletin


def build_snapshot(bulletin: Bulletin) -> dict[str, Any]:
    """The public content of the bulletin as plain JSON (what publication freezes)."""
    items = kept_items(bulletin)
    places = {i.subject.place_id: i.subject.place for i in items if i.subject is not None}
    points = _points(set(places))
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
        "hubs": [_hub_fields(hub) for hub, _p in _hubs()],
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


def _hub_fields(hub: Place) -> dict[str, Any]:
    org = hub.organisation
    contacts = bool(org and org.contacts_public)
    return {
        "name": hub.name,
        "address": hub.address or None,
        "opening_hours": hub.opening_hours,
        "phone": org.phone if contacts and org else None,
        "email": org.email if contacts and org else None,
    }


# --- the small map of km-zero offers (inline SVG, no tiles, no network) ---------------------

MAP_WIDTH = 480


def km_zero_map(snapshot: dict[str, Any]) -> dict[str, Any] | None:
    """Outlines of the served municipi, the hubs and the numbered km-zero offers, projected
    to SVG coordinates (equirectangular, fine at this scale). None without km-zero offers."""
    offers = [
        i for s in snapshot["sections"] if s["key"] == "km_zero" for i in s["items"] if "lon" in i
    ]
    if not offers:
        return None
    outlines = spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"])
    shapes = [shape(f["geometry"]).simplify(2e-4) for f in outlines["features"]]
    hubs = [(p.lon, p.lat) for _h, p in _hubs()]
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
    return {
        "width": MAP_WIDTH,
        "height": height,
        "outlines": paths,
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


def published() -> Select:
    """Published bulletins, newest first."""
    return (
        select(Bulletin)
        .where(Bulletin.status == BulletinStatus.PUBLISHED)
        .order_by(Bulletin.number.desc())
    )
