"""Job offers and resources (courses, services) attached to a place."""

from __future__ import annotations

from typing import Any

from scout.capture import pending
from scout.capture.drafts import OfferDraft, ResourceDraft
from scout.capture.entries import (
    Difference,
    M,
    _add_once,
    _assign,
    _check_version,
    _current,
    _differences,
    _status_after_save,
    by_client_key,
)
from scout.capture.fields import labels
from scout.capture.forms import OfferForm, ResourceForm
from scout.extensions import db
from scout.models import (
    ContractType,
    ItalianLevel,
    Offer,
    OfferStatus,
    PartTime,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    User,
)

OFFER_FIELDS = (
    "title",
    "description",
    "sector",
    "contract_type",
    "part_time",
    "hours_per_week",
    "schedule",
    "italian_level",
    "documents_required",
    "positions",
    "starts_on",
    "expires_on",
    "how_to_apply",
    "offer_status",
)


OFFER_ENUMS = {
    "contract_type": ContractType,
    "part_time": PartTime,
    "italian_level": ItalianLevel,
    "offer_status": OfferStatus,
}


RESOURCE_FIELDS = (
    "title",
    "kind",
    "description",
    "schedule",
    "languages",
    "target_groups",
    "is_free",
    "cost",
    "childcare",
    "starts_on",
    "ends_on",
    "how_to_enrol",
)


OFFER_LABELS = labels(OfferForm)
RESOURCE_LABELS = labels(ResourceForm)


def _save_child(
    model: type[M],
    place: Place,
    draft: OfferDraft | ResourceDraft,
    user: User,
    record: M | None,
    names: tuple[str, ...],
    field_labels: dict[str, Any],
    enums: dict[str, type],
) -> tuple[M, bool]:
    """Add an offer or resource to ``place`` (``record`` None) or edit ``record``:
    ``(record, created or changed)``."""
    values = _current(draft, names)
    if record is None:
        key = draft.client_key
        existing = by_client_key(model, key)
        if existing is not None:
            return existing, False

        def build() -> M:
            new = model(place=place, created_by_id=user.id, client_key=key)
            _assign(new, values, enums)
            new.status = _status_after_save(user, None)
            return new

        return _add_once(build, key)
    approved = _current(record, names)
    theirs = pending.overlay(record, approved)
    if not _check_version(record, draft.version, field_labels, theirs, values):
        return record, False
    if not pending.trusted(user) and record.status == ReviewStatus.PUBLISHED:
        # The published version stays public (and in the tutors' search) until approval.
        pending.propose(record, values, approved, user)
    else:
        _assign(record, values, enums)
        record.pending = None
        record.status = _status_after_save(user, record.status)
    db.session.flush()
    return record, True


def _fields_of(record: Offer | Resource) -> tuple[tuple[str, ...], dict[str, Any], dict[str, type]]:
    if isinstance(record, Offer):
        return OFFER_FIELDS, OFFER_LABELS, OFFER_ENUMS
    return RESOURCE_FIELDS, RESOURCE_LABELS, {"kind": ResourceKind}


def proposed_values(record: Offer | Resource) -> dict[str, Any]:
    """The offer or resource as its form shows it: approved values, pending change on top."""
    names, _labels, _enums = _fields_of(record)
    return pending.overlay(record, _current(record, names))


def pending_changes(record: Offer | Resource) -> list[Difference]:
    """The pending change field by field: (approved, proposed)."""
    names, field_labels, _enums = _fields_of(record)
    approved = _current(record, names)
    return _differences(field_labels, approved, pending.overlay(record, approved))


def apply_pending(record: Offer | Resource) -> None:
    """Apply the scout's pending change (on approval)."""
    _names, _labels, enums = _fields_of(record)
    if record.pending:
        _assign(record, pending.values(record), enums)
    record.pending = None


def save_offer(
    place: Place, draft: OfferDraft, user: User, offer: Offer | None = None
) -> tuple[Offer, bool]:
    """Add an offer to ``place`` or edit ``offer``."""
    return _save_child(Offer, place, draft, user, offer, OFFER_FIELDS, OFFER_LABELS, OFFER_ENUMS)


def save_resource(
    place: Place, draft: ResourceDraft, user: User, resource: Resource | None = None
) -> tuple[Resource, bool]:
    """Add a resource to ``place`` or edit ``resource``."""
    enums = {"kind": ResourceKind}
    return _save_child(
        Resource, place, draft, user, resource, RESOURCE_FIELDS, RESOURCE_LABELS, enums
    )
