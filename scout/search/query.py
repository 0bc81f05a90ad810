"""The tutors' search request: one parser from a JSON body (or the tutor page's form) to a
:class:`SearchQuery`, raising :class:`BadRequest` naming the field.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from sqlalchemy.orm import Session

from scout import spatial
from scout.errors import BadRequest, OutOfArea
from scout.geo import LonLat
from scout.models import (
    ContractType,
    ItalianLevel,
    PartTime,
    ResourceKind,
)
from scout.schedule import minutes
from scout.search.fit import WEEKDAYS, SchoolHours
from scout.search.lists import hubs
from scout.walking import Profile


class Kind(enum.StrEnum):
    """What a result is. Courses and services are both :class:`Resource` rows."""

    OFFER = "offer"
    COURSE = "course"
    SERVICE = "service"
    ORGANISATION = "organisation"


COURSE_KINDS = frozenset(
    {ResourceKind.ITALIAN_COURSE, ResourceKind.DIGITAL_COURSE, ResourceKind.PROFESSIONAL_COURSE}
)


SERVICE_KINDS = frozenset(ResourceKind) - COURSE_KINDS


MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 5, 30, 15


DEFAULT_LIMIT, MAX_LIMIT = 100, 500


CHUNK_EXTRA = 50  # places read beyond ``limit`` at a time (some hold no wanted result)


ISOCHRONE_BANDS = (5, 10, 15)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    origin: LonLat
    origin_kind: str = "point"  # "address", "map", "hub" or "point": for the audit only
    school_id: int | None = None
    kinds: frozenset[Kind] = frozenset(Kind)
    sector: str | None = None
    contract_types: frozenset[ContractType] = frozenset()  # empty: any
    part_times: frozenset[PartTime] = frozenset()
    max_italian_level: ItalianLevel | None = None
    max_minutes: int = DEFAULT_MINUTES
    profile: Profile = Profile.STANDARD
    school_hours: SchoolHours | None = None
    hide_not_fitting: bool = False
    limit: int = DEFAULT_LIMIT
    today: date | None = None
    include_market: bool = False  # open-market offers after every walkable result


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list):
        raise BadRequest(f"{key} must be a list", field=key)
    return value


def _enum_set(data: Mapping[str, Any], key: str, enum_cls: type[enum.Enum]) -> frozenset[Any]:
    try:
        return frozenset(enum_cls(v) for v in _list(data, key))
    except ValueError:
        raise BadRequest(f"{key}: unknown value", field=key) from None


def parse_origin(session: Session, data: Any) -> tuple[LonLat, str]:
    """``{"lon", "lat"}`` (optionally ``"source": "address" | "map"``) or ``{"hub_id"}``."""
    if not isinstance(data, Mapping):
        raise BadRequest("origin is required", field="origin")
    if data.get("hub_id") not in (None, ""):
        hub = next((h for h in hubs(session) if str(h["id"]) == str(data["hub_id"])), None)
        if hub is None:
            raise BadRequest("unknown hub", field="origin")
        return LonLat(hub["lon"], hub["lat"]), "hub"
    try:
        origin = LonLat(float(data["lon"]), float(data["lat"]))
    except (KeyError, TypeError, ValueError):
        raise BadRequest("origin needs lon and lat", field="origin") from None
    if not spatial.in_service_area(origin):
        raise OutOfArea(field="origin")
    source = data.get("source")
    return origin, source if source in ("address", "map") else "point"


def parse_school_hours(data: Any) -> SchoolHours | None:
    """``{"drop_off": "08:30", "pick_up": "16:30", "days": [0, 1, 2, 3, 4]}`` or None."""
    if not data:
        return None
    if not isinstance(data, Mapping):
        raise BadRequest("school_hours must be an object", field="school_hours")
    if not data.get("drop_off") and not data.get("pick_up"):
        return None
    drop, pick = minutes(data.get("drop_off")), minutes(data.get("pick_up"))
    if drop is None or pick is None or pick <= drop:
        raise BadRequest("drop_off and pick_up must be times, drop-off first", field="school_hours")
    try:
        days = frozenset(int(d) for d in data.get("days", sorted(WEEKDAYS)))
    except (TypeError, ValueError):
        raise BadRequest("days must be numbers 0-6", field="school_hours") from None
    if not days or not days <= set(range(7)):
        raise BadRequest("days must be numbers 0-6", field="school_hours")
    return SchoolHours(time(drop // 60, drop % 60), time(pick // 60 % 24, pick % 60), days)


def parse_query(session: Session, data: Any) -> SearchQuery:
    """Validate the JSON body of a search (raises :class:`BadRequest` naming the field)."""
    if not isinstance(data, Mapping):
        raise BadRequest("a JSON object is required", field="body")
    origin, origin_kind = parse_origin(session, data.get("origin"))
    school_id = data.get("school_id")
    if school_id in (None, ""):
        school_id = None
    else:
        try:
            school_id = int(school_id)
            if not 1 <= school_id < 2**31:  # a PostgreSQL integer
                raise ValueError(school_id)
        except (TypeError, ValueError, OverflowError):
            raise BadRequest("school_id must be a number", field="school_id") from None
    kinds = _enum_set(data, "kinds", Kind) if "kinds" in data else frozenset(Kind)
    if not kinds:
        raise BadRequest("choose at least one kind of result", field="kinds")
    try:
        max_minutes = int(data.get("max_minutes", DEFAULT_MINUTES))
    except (TypeError, ValueError):
        raise BadRequest("max_minutes must be a number", field="max_minutes") from None
    if not MIN_MINUTES <= max_minutes <= MAX_MINUTES:
        raise BadRequest(
            f"max_minutes must be between {MIN_MINUTES} and {MAX_MINUTES}", field="max_minutes"
        )
    try:
        profile = Profile(data.get("profile") or Profile.STANDARD)
    except ValueError:
        raise BadRequest("unknown walking profile", field="profile") from None
    try:
        level = data.get("max_italian_level")
        level = ItalianLevel(level) if level else None
    except ValueError:
        raise BadRequest("unknown Italian level", field="max_italian_level") from None
    try:
        limit = int(data.get("limit", DEFAULT_LIMIT))
    except (TypeError, ValueError):
        raise BadRequest("limit must be a number", field="limit") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise BadRequest(f"limit must be between 1 and {MAX_LIMIT}", field="limit")
    sector = data.get("sector") or None
    if sector is not None and not isinstance(sector, str):
        raise BadRequest("sector must be text", field="sector")
    return SearchQuery(
        origin=origin,
        origin_kind=origin_kind,
        school_id=school_id,
        kinds=kinds,
        sector=sector.strip() if sector else None,
        contract_types=_enum_set(data, "contract_types", ContractType),
        part_times=_enum_set(data, "part_times", PartTime),
        max_italian_level=level,
        max_minutes=max_minutes,
        profile=profile,
        school_hours=parse_school_hours(data.get("school_hours")),
        hide_not_fitting=bool(data.get("hide_not_fitting")),
        limit=limit,
        include_market=bool(data.get("include_market")),
    )
