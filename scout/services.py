"""Multi-model writes of the scout pages and the review queue.

Services ``flush()`` and never ``commit()``: the view commits once. Entries sent from a
device's offline queue carry a client-generated ``client_key``; a second delivery of the same
key returns the row stored the first time instead of adding another (exactly once).
Edits carry the version they were loaded at; an edit made on an older version raises
:class:`StaleEdit` with both versions instead of overwriting.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.exc import IntegrityError

from scout import audit, photos, spatial
from scout.errors import BadRequest, Conflict
from scout.extensions import db
from scout.forms import OfferForm, PlaceForm, ResourceForm, VisitForm
from scout.geo import LonLat
from scout.models import (
    AuditAction,
    ContractType,
    ItalianLevel,
    Offer,
    OfferStatus,
    Organisation,
    OrgKind,
    PartTime,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    User,
    Visit,
    VisitOutcome,
    utcnow,
)

M = TypeVar("M", Place, Offer, Resource, Visit)

DUPLICATE_RADIUS_M = 75


@dataclass
class Difference:
    field: str
    label: Any
    theirs: Any
    mine: Any


class StaleEdit(Conflict):
    """Someone saved the record after the scout loaded it; nothing was written."""

    def __init__(self, record: Any, differences: list[Difference]) -> None:
        super().__init__()
        self.record = record
        self.differences = differences


class DuplicatesFound(Conflict):
    """Places near the new one have a similar name; the scout must confirm."""

    default_message = _l("There may already be this place nearby.")

    def __init__(self, candidates: list[tuple[Place, float]]) -> None:
        super().__init__()
        self.candidates = candidates


# ---- helpers -------------------------------------------------------------------------------


def by_client_key(model: type[M], key: uuid.UUID | None) -> M | None:
    if key is None:
        return None
    return db.session.scalar(select(model).where(model.client_key == key))


def _add_once(build: Callable[[], M], key: uuid.UUID | None) -> tuple[M, bool]:
    """Build and add a row in a savepoint; if its ``client_key`` is already stored (a
    concurrent delivery of the same entry), return the stored row instead."""
    try:
        with db.session.begin_nested():
            obj = build()
            db.session.add(obj)
    except IntegrityError:
        existing = by_client_key(type(obj), key)
        if existing is None:
            raise
        return existing, False
    return obj, True


def _status_after_save(user: User, current: ReviewStatus | None) -> ReviewStatus:
    """What a scout saves waits for review; a coordinator's edit keeps the status."""
    if user.role == Role.COORDINATOR and current is not None:
        return current
    return ReviewStatus.TO_REVIEW


def place_point(place: Place) -> LonLat:
    lon, lat = db.session.execute(select(*spatial.place_lonlat()).where(Place.id == place.id)).one()
    return LonLat(lon, lat)


# ---- places --------------------------------------------------------------------------------

PLACE_FIELDS = (
    "name",
    "street",
    "civic_number",
    "postcode",
    "opening_hours",
    "accessibility_notes",
    "notes",
    "contact_person",
    "phone",
    "email",
)
ORG_FIELDS = ("kind", "sectors", "website")


def similar_places(
    point: LonLat, name: str, exclude_id: int | None = None
) -> list[tuple[Place, float]]:
    """Possible duplicates of a place called ``name`` at ``point``: (place, metres)."""
    stmt = spatial.similar_places_near(point, name, DUPLICATE_RADIUS_M)
    if exclude_id is not None:
        stmt = stmt.where(Place.id != exclude_id)
    return [(p, d) for p, d, _sim in db.session.execute(stmt.limit(10)).all()]


def _form_point(form: PlaceForm) -> LonLat:
    return LonLat(form.lon.data, form.lat.data)


def _organisation_for(form: PlaceForm) -> Organisation:
    org = (
        db.session.get(Organisation, form.organisation_id.data)
        if form.organisation_id.data
        else None
    )
    if org is None:
        org = Organisation(
            name=form.organisation_name.data or form.name.data,
            kind=OrgKind(form.kind.data),
            sectors=form.sector_list,
            website=form.website.data,
        )
        db.session.add(org)
        return org
    # An existing organisation: fill what it lacks, never overwrite what others entered.
    if not org.sectors and form.sector_list:
        org.sectors = form.sector_list
    if not org.website and form.website.data:
        org.website = form.website.data
    return org


def create_place(form: PlaceForm, user: User) -> tuple[Place, bool]:
    """Store a new place (with organisation and photos); ``(place, created)``.

    Raises :class:`DuplicatesFound` unless the scout confirmed or the entry comes from the
    device's queue (the coordinator then sees the possible duplicates in review).
    """
    key = form.client_uuid
    existing = by_client_key(Place, key)
    if existing is not None:
        return existing, False
    point = _form_point(form)
    if not form.duplicates_confirmed:
        candidates = similar_places(point, form.name.data)
        if candidates:
            raise DuplicatesFound(candidates)
    municipio, nil_id = spatial.admin_units(db.session, point)
    place, created = _add_once(
        lambda: Place(
            organisation=_organisation_for(form),
            location=point.wkt,
            municipio=municipio,
            nil_id=nil_id,
            status=_status_after_save(user, None),
            created_by_id=user.id,
            client_key=key,
            **{name: getattr(form, name).data for name in PLACE_FIELDS},
        ),
        key,
    )
    if created and form.prepared_photos:
        photos.store(place, form.prepared_photos, user)
    return place, created


def _place_current(place: Place) -> dict[str, Any]:
    org = place.organisation
    point = place_point(place)
    values = {name: getattr(place, name) for name in PLACE_FIELDS}
    values.update(
        kind=org.kind.value if org else None,
        sectors=list(org.sectors or []) if org else [],
        website=org.website if org else None,
        position=(round(point.lon, 6), round(point.lat, 6)),
    )
    return values


def _place_submitted(form: PlaceForm) -> dict[str, Any]:
    values = {name: getattr(form, name).data for name in PLACE_FIELDS}
    values.update(
        kind=form.kind.data,
        sectors=form.sector_list,
        website=form.website.data,
        position=(round(form.lon.data, 6), round(form.lat.data, 6)),
    )
    return values


def _differences(form: Any, theirs: dict[str, Any], mine: dict[str, Any]) -> list[Difference]:
    out = []
    for name, value in mine.items():
        if theirs.get(name) != value:
            label = getattr(form, name).label.text if hasattr(form, name) else _l("Position")
            out.append(Difference(name, label, theirs.get(name), value))
    return out


def _check_version(record: Any, form: Any, theirs: dict[str, Any], mine: dict[str, Any]) -> bool:
    """Whether the edit may be written. False: identical to what is stored (a re-sent edit),
    nothing to do. Raises :class:`StaleEdit` when the record moved on meanwhile."""
    diffs = _differences(form, theirs, mine)
    if form.version.data is None or form.version.data == record.version:
        return bool(diffs)
    if not diffs:
        return False
    raise StaleEdit(record=record, differences=diffs)


def update_place(place: Place, form: PlaceForm, user: User) -> bool:
    """Write the scout's edit of ``place``; False when there was nothing to change."""
    theirs, mine = _place_current(place), _place_submitted(form)
    new_photos = bool(form.prepared_photos)
    if not _check_version(place, form, theirs, mine) and not new_photos:
        return False
    for name in PLACE_FIELDS:
        setattr(place, name, mine[name])
    if theirs["position"] != mine["position"]:
        point = _form_point(form)
        place.location = point.wkt
        place.municipio, place.nil_id = spatial.admin_units(db.session, point)
    org = place.organisation
    if org is None:
        place.organisation = _organisation_for(form)
    else:
        org.kind = OrgKind(form.kind.data)
        org.sectors = form.sector_list
        org.website = form.website.data
        if form.organisation_name.data:
            org.name = form.organisation_name.data
    place.status = _status_after_save(user, place.status)
    db.session.flush()
    if new_photos:
        photos.store(place, form.prepared_photos, user)
    return True


# ---- visits --------------------------------------------------------------------------------


def add_visit(place: Place, form: VisitForm, user: User) -> tuple[Visit, bool]:
    key = form.client_uuid
    existing = by_client_key(Visit, key)
    if existing is not None:
        return existing, False
    return _add_once(
        lambda: Visit(
            place=place,
            user_id=user.id,
            visited_on=form.visited_on.data,
            outcome=VisitOutcome(form.outcome.data),
            notes=form.notes.data,
            follow_up_on=form.follow_up_on.data,
            client_key=key,
        ),
        key,
    )


def to_visit(today: date) -> Select:
    """Ids of places still to visit: never visited, or whose last visit asked to come back
    by ``today``. Archived places are left out."""
    ranked = select(
        Visit.place_id,
        Visit.follow_up_on,
        func.row_number()
        .over(partition_by=Visit.place_id, order_by=(Visit.visited_on.desc(), Visit.id.desc()))
        .label("rn"),
    ).subquery()
    due = select(ranked.c.place_id).where(ranked.c.rn == 1, ranked.c.follow_up_on <= today)
    never = ~exists().where(Visit.place_id == Place.id)
    return select(Place.id).where(
        Place.status != ReviewStatus.ARCHIVED, or_(never, Place.id.in_(due))
    )


def last_visits(place_ids: list[int]) -> dict[int, Visit]:
    """The most recent visit of each place."""
    if not place_ids:
        return {}
    rows = db.session.scalars(
        select(Visit)
        .where(Visit.place_id.in_(place_ids))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
    ).all()
    out: dict[int, Visit] = {}
    for visit in rows:
        out.setdefault(visit.place_id, visit)
    return out


# ---- offers and resources ------------------------------------------------------------------

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


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _offer_submitted(form: OfferForm) -> dict[str, Any]:
    return {name: _plain(getattr(form, name).data) for name in OFFER_FIELDS}


def _resource_submitted(form: ResourceForm) -> dict[str, Any]:
    values = {name: _plain(getattr(form, name).data) for name in RESOURCE_FIELDS}
    values["languages"] = form.language_list
    values["target_groups"] = form.target_group_list
    values["cost"] = None if form.is_free.data else form.cost.data
    return values


def _current(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name in names}


def _assign(record: Any, values: dict[str, Any], enums: dict[str, type]) -> None:
    for name, value in values.items():
        if name in enums and value is not None:
            value = enums[name](value)
        if name == "hours_per_week" and value is not None:
            value = Decimal(str(value))
        setattr(record, name, value)


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


# ---- review --------------------------------------------------------------------------------

REVIEWABLE: dict[str, type] = {"place": Place, "offer": Offer, "resource": Resource}


def review_queue() -> dict[str, list[Any]]:
    """Records waiting for review, oldest first."""
    return {
        kind: list(
            db.session.scalars(
                select(model)
                .where(model.status == ReviewStatus.TO_REVIEW)
                .order_by(model.updated_at, model.id)
            )
        )
        for kind, model in REVIEWABLE.items()
    }


def review(
    record: Any,
    action: str,
    user: User,
    *,
    version: int,
    comment: str | None = None,
    with_children: bool = False,
) -> None:
    """Publish, send back (with a comment) or archive ``record``. Raises :class:`Conflict`
    when the record changed since the coordinator opened it."""
    if record.version != version:
        raise Conflict(_l("The scout changed this record meanwhile: look at it again."))
    if action == "publish":
        if isinstance(record, Offer | Resource) and record.place.status != ReviewStatus.PUBLISHED:
            raise BadRequest(_l("Publish the place first."))
        _publish(record, user)
        if with_children and isinstance(record, Place):
            for child in [*record.offers, *record.resources]:
                if child.status == ReviewStatus.TO_REVIEW:
                    _publish(child, user)
    elif action == "send_back":
        record.status = ReviewStatus.DRAFT
        record.review_comment = comment
    elif action == "archive":
        record.status = ReviewStatus.ARCHIVED
        record.review_comment = comment
    else:
        raise BadRequest(_l("Unknown action."))
    db.session.flush()


def _publish(record: Any, user: User) -> None:
    record.status = ReviewStatus.PUBLISHED
    record.review_comment = None
    if isinstance(record, Place):
        record.verified_at = utcnow()
        record.verified_by_id = user.id
    db.session.flush()
    audit.record(db.session, AuditAction.PUBLISH, record.__tablename__, record.id)


def my_entries(user: User, limit: int = 30) -> list[Any]:
    """The user's places, offers and resources not yet published (sent back first)."""
    out: list[Any] = []
    for model in REVIEWABLE.values():
        out += db.session.scalars(
            select(model)
            .where(
                model.created_by_id == user.id,
                model.status.in_([ReviewStatus.TO_REVIEW, ReviewStatus.DRAFT]),
            )
            .order_by(model.updated_at.desc())
            .limit(limit)
        ).all()
    out.sort(key=lambda r: (r.review_comment is None, -r.updated_at.timestamp()))
    return out[:limit]
