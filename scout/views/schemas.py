"""Request models of the views that are not the tutors' search (that one lives in
:mod:`scout.search.schemas`): the staff walking API (a JSON body or form fields), the public
map's ``/walk`` and the scouts' type-ahead lookups (query strings). Each parses its request
and, through :mod:`scout.views.api.openapi`, describes it in the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from scout.models import OrgKind
from scout.validation import TEXT, PlaceId, QueryRequest, Request, Say
from scout.walking import MAX_MINUTES, Lat, Lon, Minutes, Profile, WalkingProfile, check_served

MAX_BANDS = 6
ORIGIN_FIELD = "lon,lat"


_BAND = r"\s*(0?[1-9]|[12][0-9]|30)\s*"
BANDS_TEXT = rf"^{_BAND}(,{_BAND}){{0,{MAX_BANDS - 1}}}$"


def _bands(value: Any) -> Any:
    """``"5,10,15"`` (a form field, or text in JSON) → ``[5, 10, 15]``; de-duplicated and
    sorted after validation."""
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        value = ",".join(value)  # a repeated field: minutes=5&minutes=10
    if isinstance(value, str):
        parts = [part.strip() for part in value.split(",") if part.strip()]
        return [int(p) if p.isascii() and p.isdigit() else p for p in parts]
    return value


def _also_text(schema: dict[str, Any]) -> None:
    """The document says what :func:`_bands` takes: an array, or the same as text."""
    array = {k: schema.pop(k) for k in ("type", "items", "minItems", "maxItems") if k in schema}
    schema["anyOf"] = [array, {"type": "string", "pattern": BANDS_TEXT}]


def _sorted(bands: list[int]) -> list[int]:
    return sorted(set(bands))


class _Origin:
    """An origin given as top-level ``lon`` and ``lat``, inside the area served."""

    lon: float
    lat: float

    @model_validator(mode="after")
    def _served(self) -> Any:
        check_served(self.lon, self.lat, field=ORIGIN_FIELD)
        return self


class WalkReachRequest(_Origin, Request):
    """Published places within ``minutes`` of walking from the origin."""

    lon: Lon
    lat: Lat
    minutes: Minutes(1, MAX_MINUTES) = 15  # type: ignore[valid-type]
    profile: WalkingProfile = Profile.STANDARD
    kind: Annotated[  # absent: every kind (no null: a form field cannot say it)
        OrgKind,
        Field(description="Only places of organisations of this kind."),
        Say(_l("Choose a kind of organisation from the list.")),
    ] = None


class WalkIsochronesRequest(_Origin, Request):
    """Isochrone polygons around the origin, one per band of minutes."""

    lon: Lon
    lat: Lat
    minutes: Annotated[
        list[Minutes(1, MAX_MINUTES)],  # type: ignore[misc]
        BeforeValidator(_bands),
        AfterValidator(_sorted),
        Field(
            min_length=1,
            max_length=MAX_BANDS,
            description=f'1 to {MAX_BANDS} bands in minutes, each 1-30; also as text "5,10,15".',
            json_schema_extra=_also_text,
        ),
        Say(
            _l(
                "Give 1 to %(n)d walking times between 1 and %(max)d minutes, e.g. 5,10,15.",
                n=MAX_BANDS,
                max=MAX_MINUTES,
            )
        ),
    ] = [5, 10, 15]
    profile: WalkingProfile = Profile.STANDARD


class WalkRouteRequest(_Origin, Request):
    """The walking route from the origin to one published place."""

    lon: Lon
    lat: Lat
    place_id: PlaceId
    profile: WalkingProfile = Profile.STANDARD


class PublicWalkRequest(_Origin, Request):
    """The public map's "how far on foot from here": the visitor's point, never stored."""

    lon: Lon
    lat: Lat
    profile: WalkingProfile = Profile.STANDARD


class PublicRouteRequest(PublicWalkRequest):
    """The public map's "how to get there": the visitor's point (never stored) to one public
    place, street by street."""

    place_id: PlaceId


class OrganisationLookup(QueryRequest):
    """Organisations whose name resembles what the scout typed (fewer than 2 letters: none)."""

    q: Annotated[
        str, Field(pattern=TEXT, description="What was typed."), Say(_l("Type a name."))
    ] = ""


_POSITION_MESSAGE = _l("Send the position as the numbers lon and lat.")


class AddressLookup(QueryRequest):
    """Gazetteer addresses matching what the scout typed, nearest to ``lon``/``lat`` first
    (form fields: the pin is POSTed, never put in a URL)."""

    q: Annotated[
        str, Field(pattern=TEXT, description="What was typed."), Say(_l("Type an address."))
    ] = ""
    # The place form sends its empty lon/lat fields before a pin is set: "" (or nothing) is
    # "not given"; no null, which a form cannot send.
    lon: Annotated[
        Annotated[float, Field(ge=-180, le=180)] | Literal[""], Say(_POSITION_MESSAGE)
    ] = ""
    lat: Annotated[Annotated[float, Field(ge=-90, le=90)] | Literal[""], Say(_POSITION_MESSAGE)] = (
        ""
    )


_DATE_MESSAGE = _l("Write the date as YYYY-MM-DD.")


class ReportQuery(QueryRequest):
    """The funder's figures report: the period (both days included; default the programme's
    2021–22 round), optionally a hub or a municipio; ``internal=1``: small counts not hidden
    (coordinators only, ignored for others)."""

    date_from: Annotated[
        dt.date | None,
        Field(alias="from", description="First day of the period (YYYY-MM-DD)."),
        Say(_DATE_MESSAGE),
    ] = None
    date_to: Annotated[
        dt.date | None,
        Field(alias="to", description="Last day of the period (YYYY-MM-DD)."),
        Say(_DATE_MESSAGE),
    ] = None
    hub: Annotated[
        int | None,
        Field(ge=1, le=2**31 - 1, description="A hub's place id (coordinators only)."),
        Say(_l("Choose a hub from the list.")),
    ] = None
    municipio: Annotated[
        int | None,
        Field(ge=1, le=9, description="A municipio of Milan (1-9)."),
        Say(_l("Choose a municipio from 1 to 9.")),
    ] = None
    internal: Annotated[
        Literal["0", "1"] | None,
        Field(description="1: the internal version, small counts shown (coordinators)."),
        Say(_l("Leave it out, or send 1 for the internal version.")),
    ] = None


_CHOICE = Say(_l("Choose a value from the list."))


class RecordsQuery(ReportQuery):
    """The staff lists behind a report figure (people, placements, visits, the map's
    records): the report's scope, each end of the period optional; ``counted=1``: only the
    people the report counts (consent to statistics); then the figure's own filters."""

    counted: Annotated[
        Literal["0", "1"] | None,
        Field(description="1: only the people the report counts."),
        Say(_l("Leave it out, or send 1.")),
    ] = None
    role: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    employment: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    education: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    group: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    outcome: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    contract: Annotated[str | None, Field(max_length=40), _CHOICE] = None
    sector: Annotated[str | None, Field(max_length=80), _CHOICE] = None
    km_zero: Annotated[str | None, Field(max_length=20), _CHOICE] = None
