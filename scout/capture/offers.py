"""Job offers and resources (courses, services) attached to a place."""

from __future__ import annotations

from typing import Any

from scout.capture.entries import (
    M,
    _add_once,
    _assign,
    _check_version,
    _current,
    _plain,
    _status_after_save,
    by_client_key,
)
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


def _offer_submitted(form: OfferForm) -> dict[str, Any]:
    return {name: _plain(getattr(form, name).data) for name in OFFER_FIELDS}


def _resource_submitted(form: ResourceForm) -> dict[str, Any]:
    values = {name: _plain(getattr(form, name).data) for name in RESOURCE_FIELDS}
    values["languages"] = form.language_list
    values["target_groups"] = form.target_group_list
    values["cost"] = None if form.is_free.data else form.cost.data
    return values


def _save_child(
    model: type[M],
    place: Place,
    form: Any,
    user: User,
    record: M | None,
    names: tuple[str, ...],
    values: dict[str, Any],
    enums: dict[str, type],
) -> tuple[M, bool]:
    """Add an offer or resource to ``place`` (``record`` None) or edit ``record``:
    ``(record, created or changed)``."""
    if record is None:
        key = form.client_uuid
        existing = by_client_key(model, key)
        if existing is not None:
            return existing, False

        def build() -> M:
            new = model(place=place, created_by_id=user.id, client_key=key)
            _assign(new, values, enums)
            new.status = _status_after_save(user, None)
            return new

        return _add_once(build, key)
    if not _check_version(record, form, _current(record, names), values):
        return record, False
    _assign(record, values, enums)
    record.status = _status_after_save(user, record.status)
    db.session.flush()
    return record, True


def save_offer(
    place: Place, form: OfferForm, user: User, offer: Offer | None = None
) -> tuple[Offer, bool]:
    """Add an offer to ``place`` or edit ``offer``."""
    values = _offer_submitted(form)
    return _save_child(Offer, place, form, user, offer, OFFER_FIELDS, values, OFFER_ENUMS)


def save_resource(
    place: Place, form: ResourceForm, user: User, resource: Resource | None = None
) -> tuple[Resource, bool]:
    """Add a resource to ``place`` or edit ``resource``."""
    values = _resource_submitted(form)
    enums = {"kind": ResourceKind}
    return _save_child(Resource, place, form, user, resource, RESOURCE_FIELDS, values, enums)
