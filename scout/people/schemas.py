"""Request models of the referrals and placements API (``/api/v1``): each parses its request
and, through :mod:`scout.views.api.openapi`, describes it in the OpenAPI document."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import Field

from scout.models import Evidence, PartTime, PlacementContract, ReferralStatus, StillWorking
from scout.validation import Request, Say

EMPLOYER_MESSAGE = _l("Give the employer's name and the contract.")
DATE = Say(_l("Give the date (day, month, year)."))
NOTES = Annotated[str | None, Field(max_length=2000), Say(_l("Notes: at most 2000 characters."))]


class ReferralRequest(Request):
    """Propose her for a published offer (``offer-12``) or course (``course-3``)."""

    target: Annotated[
        str,
        Field(
            pattern=r"^(offer|course)-[1-9][0-9]{0,8}$",
            description="`offer-<id>` or `course-<id>`.",
        ),
        Say(_l("Choose a published offer or course.")),
    ]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")
    notes: NOTES = None


class ReferralStepRequest(Request):
    """The referral's next step; `sent` to an employer needs her consent to sharing."""

    status: Annotated[
        ReferralStatus, Say(_l("This step cannot follow the referral's present one."))
    ]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")
    notes: NOTES = None


class PlacementRequest(Request):
    """A placement: from a hired referral (its offer's employer and workplace) or direct, with
    the employer's address found in the gazetteer. Km zero is computed from her home."""

    referral_id: Annotated[
        int | None,
        Field(ge=1, lt=2**31),
        Say(_l("A placement follows a referral only once she is hired.")),
    ] = None
    employer_name: Annotated[
        str | None, Field(max_length=200), Say(_l("Give the employer's name."))
    ] = None
    employer_address: Annotated[
        str | None,
        Field(max_length=200),
        Say(
            _l(
                "No address in the area matches the employer's address: check the street "
                "and number."
            )
        ),
    ] = None
    contract_type: Annotated[
        PlacementContract | None, Say(_l("Choose contract types from the list."))
    ] = None
    sector: Annotated[
        str | None, Field(max_length=80), Say(_l("Sector: at most 80 characters."))
    ] = None
    starts_on: Annotated[dt.date, DATE]
    ends_on: Annotated[dt.date | None, DATE] = None
    hours_per_week: Annotated[
        Decimal | None,
        Field(ge=1, le=60, decimal_places=1),
        Say(_l("Give the hours per week, between 1 and 60.")),
    ] = None
    part_time: Annotated[PartTime | None, Say(_l("Choose working hours from the list."))] = None
    evidence: Annotated[Evidence, Say(_l("Choose how we know from the list."))] = (
        Evidence.SELF_REPORTED
    )
    notes: NOTES = None


class FollowUpRequest(Request):
    """Whether she still works there (``yes`` or ``no``), as the tutor found out."""

    still_working: Annotated[StillWorking, Say(_l("Choose whether she still works there."))]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")
    notes: NOTES = None


class EnrolmentRequest(Request):
    """Enrol her in a published course or service (``resource_id``, as in ``course-3``)."""

    resource_id: Annotated[int, Field(ge=1, lt=2**31), Say(_l("Choose a published course."))]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")


class EnrolmentEndRequest(Request):
    """She completed the course or dropped out."""

    status: Annotated[Literal["completed", "dropped"], Say(_l("Choose completed or dropped out."))]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")


class AutonomyRequest(Request):
    """The follow-up assessment: does she search for work on her own?"""

    searches_alone: Annotated[
        bool, Say(_l("Say whether she searches for work on her own (true or false)."))
    ]
    on: Annotated[dt.date | None, DATE] = Field(None, description="Default: today.")
