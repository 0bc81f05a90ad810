"""Capture: what scouts enter in the street and coordinators review (places, visits, offers,
resources, photos, CSV imports).

Operations take drafts (:mod:`.drafts`: plain frozen dataclasses that the forms' ``.draft()``
and the CSV/GeoJSON import build), never a form; they ``flush()`` and never ``commit()``: the
view commits once. Entries from a device's offline queue are stored exactly once
(:mod:`.entries`); edits carry their version.
"""

from __future__ import annotations

from scout.capture.drafts import (
    OfferDraft,
    OrganisationDraft,
    PlaceDraft,
    ResourceDraft,
    VisitDraft,
)
from scout.capture.entries import Difference, DuplicatesFound, StaleEdit, by_client_key, place_point
from scout.capture.offers import OFFER_FIELDS, RESOURCE_FIELDS, save_offer, save_resource
from scout.capture.places import (
    PLACE_FIELDS,
    create_place,
    organisations_like,
    similar_places,
    update_place,
)
from scout.capture.review import (
    PARTNER_FLAGS,
    REVIEWABLE,
    PartnerFlags,
    Publicity,
    my_entries,
    pending_changes,
    proposed_values,
    publicity,
    review,
    review_queue,
)
from scout.capture.visits import add_visit, last_visits, nearby_rows, reverify, to_visit

__all__ = [
    "OFFER_FIELDS",
    "PARTNER_FLAGS",
    "PLACE_FIELDS",
    "RESOURCE_FIELDS",
    "REVIEWABLE",
    "Difference",
    "DuplicatesFound",
    "OfferDraft",
    "OrganisationDraft",
    "PlaceDraft",
    "ResourceDraft",
    "VisitDraft",
    "StaleEdit",
    "add_visit",
    "by_client_key",
    "create_place",
    "last_visits",
    "PartnerFlags",
    "Publicity",
    "my_entries",
    "nearby_rows",
    "organisations_like",
    "pending_changes",
    "place_point",
    "proposed_values",
    "publicity",
    "reverify",
    "review",
    "review_queue",
    "save_offer",
    "save_resource",
    "similar_places",
    "to_visit",
    "update_place",
]
