"""Drafts: what a scout (or an import) asks to store, as plain frozen data.

The forms build them (``form.draft()``) and so does the CSV/GeoJSON import, so the operations
in :mod:`.places`, :mod:`.offers` and :mod:`.visits` have one write path and never see a WTForms
object (as indico's ``create_user(email, data, …)`` takes plain data).

Lists are tuples (the drafts are frozen). ``version`` is the version the record was loaded at
(None: no check); ``client_key`` is the device's key of an offline entry (None: not from a
device).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from scout.capture.photos import PreparedPhoto
from scout.geo import LonLat
from scout.models import (
    ContractType,
    ItalianLevel,
    OfferStatus,
    OrgKind,
    PartTime,
    PlaceSource,
    ResourceKind,
    VisitOutcome,
)


@dataclass(frozen=True, slots=True)
class OrganisationDraft:
    """The organisation of a place. ``id`` names an existing one (picked by the scout);
    without it a new one is created. ``name`` None keeps an existing organisation's name (a
    new one takes the place's name). ``kind``, ``sectors`` and ``website`` are always meant
    as given; ``description``, ``email`` and ``phone`` None keep what is stored (the scout's
    form does not show them)."""

    kind: OrgKind
    id: int | None = None
    name: str | None = None
    sectors: tuple[str, ...] = ()
    website: str | None = None
    description: str | None = None
    email: str | None = None
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceDraft:
    name: str
    point: LonLat
    organisation: OrganisationDraft
    street: str | None = None
    civic_number: str | None = None
    postcode: str | None = None
    opening_hours: str | None = None
    opening_schedule: tuple[dict[str, Any], ...] = ()
    accessibility_notes: str | None = None
    notes: str | None = None
    contact_person: str | None = None
    phone: str | None = None
    email: str | None = None
    version: int | None = None
    client_key: uuid.UUID | None = None
    # The scout saw the possible duplicates and saves anyway (or could not see them: queued).
    duplicates_confirmed: bool = False
    photos: tuple[PreparedPhoto, ...] = ()
    source: PlaceSource = PlaceSource.SCOUTING
    source_dataset: str | None = None
    source_ref: str | None = None


@dataclass(frozen=True, slots=True)
class OfferDraft:
    title: str
    contract_type: ContractType
    part_time: PartTime
    description: str | None = None
    sector: str | None = None
    hours_per_week: Decimal | None = None
    schedule: tuple[dict[str, Any], ...] = ()
    italian_level: ItalianLevel = ItalianLevel.NONE
    documents_required: str | None = None
    positions: int = 1
    starts_on: date | None = None
    expires_on: date | None = None
    how_to_apply: str | None = None
    offer_status: OfferStatus = OfferStatus.OPEN
    version: int | None = None
    client_key: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class ResourceDraft:
    title: str
    kind: ResourceKind
    description: str | None = None
    schedule: tuple[dict[str, Any], ...] = ()
    languages: tuple[str, ...] = ()
    target_groups: tuple[str, ...] = ()
    is_free: bool = True
    cost: str | None = None
    childcare: bool = False
    starts_on: date | None = None
    ends_on: date | None = None
    how_to_enrol: str | None = None
    version: int | None = None
    client_key: uuid.UUID | None = None


@dataclass(frozen=True, slots=True)
class VisitDraft:
    visited_on: date
    outcome: VisitOutcome
    notes: str | None = None
    follow_up_on: date | None = None
    client_key: uuid.UUID | None = None
