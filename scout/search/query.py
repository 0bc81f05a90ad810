"""The tutors' search request: from a JSON body (or the tutor page's sheet form) through the
models of :mod:`.schemas` to a :class:`SearchQuery`, raising :class:`BadRequest` naming the
field with a message in the user's language.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from sqlalchemy.orm import Session

from scout.errors import BadRequest
from scout.geo import LonLat
from scout.models import ContractType, ItalianLevel, PartTime, ResourceKind
from scout.schedule import minutes
from scout.search.fit import SchoolHours
from scout.search.lists import hubs
from scout.search.schemas import (
    DEFAULT_LIMIT,
    DEFAULT_MINUTES,
    MAX_LIMIT,
    MAX_MINUTES,
    MIN_MINUTES,
    HubOrigin,
    Kind,
    PointOrigin,
    SchoolHoursRequest,
    SearchRequest,
)
from scout.validation import parse_json
from scout.walking import Profile

M = TypeVar("M", bound=BaseModel)

HUB_MESSAGE = _l("Choose one of the programme's hubs.")

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "MAX_MINUTES", "MIN_MINUTES", "Kind"]


COURSE_KINDS = frozenset(
    {ResourceKind.ITALIAN_COURSE, ResourceKind.DIGITAL_COURSE, ResourceKind.PROFESSIONAL_COURSE}
)


SERVICE_KINDS = frozenset(ResourceKind) - COURSE_KINDS


CHUNK_EXTRA = 50  # places read beyond ``limit`` at a time (some hold no wanted result)


ISOCHRONE_BANDS = (5, 10, 15)


@dataclass(frozen=True, slots=True)
class SearchQuery:
    origin: LonLat
    origin_kind: str = "point"  # "address", "map", "hub" or "point": for the audit only
    school_id: int | None = None
    kinds: frozenset[Kind] = frozenset(Kind)
    sector: str | None = None
    sectors: frozenset[str] = frozenset()  # any of these (a person's wishes); empty: any
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
    # Her weekly availability (the schedule model): each hit's ``availability_fit``.
    availability: tuple[Mapping[str, Any], ...] | None = None


def _hub_point(session: Session, hub_id: int | str) -> LonLat:
    hub = next((h for h in hubs(session) if str(h["id"]) == str(hub_id)), None)
    if hub is None:
        raise BadRequest(HUB_MESSAGE, field="origin")
    return LonLat(hub["lon"], hub["lat"])


def resolve_origin(session: Session, origin: HubOrigin | PointOrigin) -> tuple[LonLat, str]:
    """The point of a parsed origin and its kind for the audit (``hub``, ``address``, ``map``
    or ``point``); an unknown hub raises :class:`BadRequest`."""
    if isinstance(origin, HubOrigin):
        return _hub_point(session, origin.hub_id), "hub"
    return LonLat(origin.lon, origin.lat), origin.source or "point"


def _school_hours(hours: SchoolHoursRequest | None) -> SchoolHours | None:
    if hours is None or not (hours.drop_off or hours.pick_up):
        return None
    drop, pick = minutes(hours.drop_off) or 0, minutes(hours.pick_up) or 0  # checked by the model
    return SchoolHours(
        time(drop // 60, drop % 60), time(pick // 60 % 24, pick % 60), frozenset(hours.days)
    )


def parse_school_hours(data: Any) -> SchoolHours | None:
    """``{"drop_off": "08:30", "pick_up": "16:30", "days": [0, 1, 2, 3, 4]}`` or None."""
    if not data:
        return None
    return _school_hours(parse_json(SchoolHoursRequest, _json_text(data)))


def _json_text(data: str | bytes | Mapping[str, Any] | Any) -> str | bytes:
    return data if isinstance(data, str | bytes) else json.dumps(data)


def parse_request(model: type[M], data: str | bytes | Mapping[str, Any] | Any) -> M:
    """One of :mod:`.schemas`' requests from a JSON text (or an already decoded value);
    raises :class:`BadRequest` naming the field, in the user's language."""
    return parse_json(model, _json_text(data))


def parse_query(session: Session, data: str | bytes | Mapping[str, Any] | Any) -> SearchQuery:
    """Validate the JSON body of a search (raises :class:`BadRequest` naming the field)."""
    req = parse_request(SearchRequest, data)
    origin, origin_kind = resolve_origin(session, req.origin)
    return SearchQuery(
        origin=origin,
        origin_kind=origin_kind,
        school_id=int(req.school_id) if req.school_id is not None else None,
        kinds=frozenset(req.kinds),
        sector=(req.sector or "").strip() or None,
        contract_types=frozenset(req.contract_types),
        part_times=frozenset(req.part_times),
        max_italian_level=req.max_italian_level,
        max_minutes=req.max_minutes,
        profile=req.profile,
        school_hours=_school_hours(req.school_hours),
        hide_not_fitting=req.hide_not_fitting,
        include_market=req.include_market,
        limit=req.limit,
    )
