"""Places a scout adds or edits, with their organisation, and the nearby-duplicate check."""

from __future__ import annotations

from typing import Any

from scout import spatial
from scout.capture import photos
from scout.capture.entries import (
    DuplicatesFound,
    _add_once,
    _check_version,
    _status_after_save,
    by_client_key,
    place_point,
)
from scout.capture.forms import PlaceForm
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    Organisation,
    OrgKind,
    Place,
    User,
)

DUPLICATE_RADIUS_M = 75


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
