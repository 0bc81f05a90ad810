"""The tutors' search requests, one pydantic model each: parsed by :mod:`.query`, described by
the OpenAPI document (``/api/v1/openapi.json``) from the same models.

Rules JSON Schema cannot express (the service area's outline, drop-off before pick-up, a hub
that exists) are checked here or in :mod:`.query` and documented in the field's description.
"""

from __future__ import annotations

import enum
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field, model_validator

from scout.models import ContractType, ItalianLevel, PartTime
from scout.schedule import minutes
from scout.validation import INTEGRAL, PlaceId, Request, Say, refuse
from scout.walking import Lat, Lon, Minutes, Profile, WalkingProfile, check_served


class Kind(enum.StrEnum):
    """What a result is. Courses and services are both :class:`Resource` rows."""

    OFFER = "offer"
    COURSE = "course"
    SERVICE = "service"
    ORGANISATION = "organisation"


MIN_MINUTES, MAX_MINUTES, DEFAULT_MINUTES = 5, 30, 15
DEFAULT_LIMIT, MAX_LIMIT = 100, 500
WEEKDAYS = [0, 1, 2, 3, 4]

# A PostgreSQL integer key, or the same as text (what an HTML <select> gives).
DbKey = (
    Annotated[int, Field(ge=1, lt=2**31), INTEGRAL]
    | Annotated[str, Field(pattern=r"^[1-9][0-9]{0,8}$")]
)
# "08:30" or "8.30" (and the day's end "24:00"); "" or null: not given.
Time = Annotated[str, Field(pattern=r"^(([01]?[0-9]|2[0-3])[:.][0-5][0-9]|24[:.]00)?$")]


class PointOrigin(Request):
    """A point she starts from: chosen on the map or found from an address."""

    lon: Lon
    lat: Lat
    source: Literal["address", "map"] | None = None
    hub_id: None = Field(None, description="A point has no hub (see HubOrigin).")

    @model_validator(mode="after")
    def _served(self) -> PointOrigin:
        check_served(self.lon, self.lat, field="origin")
        return self


class HubOrigin(Request):
    """One of the programme's hubs (``GET`` the tutor page for their ids)."""

    hub_id: DbKey = Field(description="A published hub's place id; an unknown one is refused.")


ORIGIN_MESSAGE = _l("Choose where she starts: an address, a point on the map or a hub.")
Origin = Annotated[
    HubOrigin | PointOrigin,
    Field(description="Her starting point (her home): used for this answer only, never stored."),
    Say(ORIGIN_MESSAGE),
]


class SchoolHoursRequest(Request):
    """The times she takes the children to school and picks them up, and the school days."""

    drop_off: Time | None = None
    pick_up: Time | None = None
    days: Annotated[list[Annotated[int, Field(ge=0, le=6), INTEGRAL]], Field(min_length=1)] = Field(
        default_factory=lambda: list(WEEKDAYS), description="School days, Monday = 0."
    )

    @model_validator(mode="after")
    def _ordered(self) -> SchoolHoursRequest:
        drop, pick = minutes(self.drop_off or None), minutes(self.pick_up or None)
        if (drop is None) != (pick is None) or (drop is not None and pick <= drop):  # type: ignore[operator]
            raise refuse(SCHOOL_HOURS_MESSAGE)
        return self


SCHOOL_HOURS_MESSAGE = _l(
    "Give the school's drop-off and pick-up times, drop-off first, and at least one school day."
)


class SearchRequest(Request):
    """What a tutor searches: where she starts, what she looks for, how far she walks."""

    origin: Origin
    school_id: Annotated[
        DbKey | None,
        Field(description="Her children's school: walks from it and its hours."),
        Say(_l("Choose a school from the list.")),
    ] = None
    kinds: Annotated[
        list[Kind], Field(min_length=1), Say(_l("Choose at least one kind of result."))
    ] = Field(default_factory=lambda: list(Kind))
    sector: Annotated[
        str | None, Field(max_length=80), Say(_l("Choose a sector from the list."))
    ] = None
    contract_types: Annotated[
        list[ContractType], Say(_l("Choose contract types from the list."))
    ] = []
    part_times: Annotated[list[PartTime], Say(_l("Choose working hours from the list."))] = []
    max_italian_level: Annotated[
        ItalianLevel | None, Say(_l("Choose an Italian level from the list."))
    ] = None
    max_minutes: Minutes(MIN_MINUTES, MAX_MINUTES) = DEFAULT_MINUTES  # type: ignore[valid-type]
    profile: WalkingProfile = Profile.STANDARD
    school_hours: Annotated[SchoolHoursRequest | None, Say(SCHOOL_HOURS_MESSAGE)] = None
    hide_not_fitting: Annotated[bool, Say(_l("Tick or untick “only what fits school hours”."))] = (
        False
    )
    include_market: Annotated[
        bool,
        Field(
            description="Also list the open-market offers (outside the served area), after "
            "every walkable result, with `outside_walking_range` and the "
            "`straight_line_metres` from the origin."
        ),
        Say(_l("Tick or untick “also open-market offers”.")),
    ] = False
    limit: Annotated[
        int,
        Field(
            ge=1,
            le=MAX_LIMIT,
            description="At most this many results, nearest first (whole places); "
            "`truncated` says whether more lie within reach.",
        ),
        INTEGRAL,
        Say(_l("Ask for between 1 and %(n)d results.", n=MAX_LIMIT)),
    ] = DEFAULT_LIMIT


class AddressRequest(Request):
    """Typed text to find in the gazetteer."""

    q: Annotated[
        str,
        Field(
            min_length=1,
            max_length=200,
            pattern=r"^[^\x00]*[^\s\x00][^\x00]*$",
            description="What was typed (not only spaces).",
        ),
        Say(_l("Type an address (at most 200 characters).")),
    ]


class IsochronesRequest(Request):
    """The walking areas around where she starts."""

    origin: Origin
    max_minutes: Minutes(MIN_MINUTES, MAX_MINUTES) = DEFAULT_MINUTES  # type: ignore[valid-type]
    profile: WalkingProfile = Profile.STANDARD


class RouteRequest(Request):
    """The walking route from where she starts to one result."""

    origin: Origin
    place_id: PlaceId
    profile: WalkingProfile = Profile.STANDARD
