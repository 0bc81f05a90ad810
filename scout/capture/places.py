"""Places a scout adds or edits, with their organisation, and the nearby-duplicate check.

The operations take a :class:`~scout.capture.drafts.PlaceDraft`, built by the place form or by
the CSV/GeoJSON import, so both go through the same write path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from scout import spatial
from scout.capture import photos
from scout.capture.drafts import OrganisationDraft, PlaceDraft
from scout.capture.entries import (
    DuplicatesFound,
    _add_once,
    _check_version,
    _status_after_save,
    by_client_key,
    place_point,
)
from scout.capture.forms import PLACE_TEXT_FIELDS, PlaceForm, labels
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    Organisation,
    Place,
    PlaceSource,
    ReviewStatus,
    User,
)

DUPLICATE_RADIUS_M = 75

PLACE_FIELDS = ("name", *PLACE_TEXT_FIELDS)
ORG_FIELDS = ("kind", "sectors", "website")
# Kept as they are unless the draft gives a value (the scout's form does not show them).
ORG_KEPT_UNLESS_GIVEN = ("description", "email", "phone")
PLACE_LABELS = labels(PlaceForm)


def similar_places(
    point: LonLat, name: str, exclude_id: int | None = None
) -> list[tuple[Place, float]]:
    """Possible duplicates of a place called ``name`` at ``point``: (place, metres)."""
    stmt = spatial.similar_places_near(point, name, DUPLICATE_RADIUS_M)
    if exclude_id is not None:
        stmt = stmt.where(Place.id != exclude_id)
    return [(p, d) for p, d, _sim in db.session.execute(stmt.limit(10)).all()]


def _new_organisation(draft: OrganisationDraft, place_name: str) -> Organisation:
    org = Organisation(
        name=draft.name or place_name,
        kind=draft.kind,
        sectors=list(draft.sectors),
        website=draft.website,
        **{name: getattr(draft, name) for name in ORG_KEPT_UNLESS_GIVEN},
    )
    db.session.add(org)
    return org


def _organisation_for(draft: OrganisationDraft, place_name: str) -> Organisation:
    org = db.session.get(Organisation, draft.id) if draft.id else None
    if org is None:
        return _new_organisation(draft, place_name)
    # An existing organisation: fill what it lacks, never overwrite what others entered.
    if not org.sectors and draft.sectors:
        org.sectors = list(draft.sectors)
    if not org.website and draft.website:
        org.website = draft.website
    return org


def _locate(place: Place, point: LonLat, locate: bool) -> None:
    place.location = point.wkt
    if locate:
        place.municipio, place.nil_id = spatial.admin_units(db.session, point)
    else:  # the caller fills them for many places at once (spatial.assign_admin_units)
        place.municipio = place.nil_id = None


def create_place(
    draft: PlaceDraft, user: User | None, *, locate: bool = True
) -> tuple[Place, bool]:
    """Store a new place (with organisation and photos); ``(place, created)``.

    Raises :class:`DuplicatesFound` unless the draft says the duplicates were confirmed (the
    scout confirmed, or the entry comes from the device's queue: the coordinator then sees the
    possible duplicates in review). ``user`` None is an import: its places start as drafts
    ("to visit"), not as proposals to review. ``locate`` False leaves municipio and NIL for
    :func:`scout.spatial.assign_admin_units` (many places at once).
    """
    key = draft.client_key
    existing = by_client_key(Place, key)
    if existing is not None:
        return existing, False
    if not draft.duplicates_confirmed:
        candidates = similar_places(draft.point, draft.name)
        if candidates:
            raise DuplicatesFound(candidates)

    municipio, nil_id = spatial.admin_units(db.session, draft.point) if locate else (None, None)

    def build() -> Place:
        return Place(
            organisation=_organisation_for(draft.organisation, draft.name),
            status=(
                ReviewStatus.DRAFT
                if draft.source == PlaceSource.IMPORT
                else _status_after_save(user, None)
            ),
            created_by_id=user.id if user is not None else None,
            client_key=key,
            source=draft.source,
            source_dataset=draft.source_dataset,
            source_ref=draft.source_ref,
            location=draft.point.wkt,
            municipio=municipio,
            nil_id=nil_id,
            **{name: getattr(draft, name) for name in PLACE_FIELDS},
        )

    if key is None:
        place, created = build(), True
        db.session.add(place)
    else:
        place, created = _add_once(build, key)
    if created and draft.photos:
        photos.store(place, list(draft.photos), user)
    return place, created


def _values(draft: PlaceDraft, org: Organisation | None) -> dict[str, Any]:
    """What a scout compares field by field (a conflict shows each difference)."""
    values = {name: getattr(draft, name) for name in PLACE_FIELDS}
    values.update(
        organisation_name=draft.organisation.name or (org.name if org else None),
        kind=draft.organisation.kind.value,
        sectors=list(draft.organisation.sectors),
        website=draft.organisation.website,
        position=(round(draft.point.lon, 6), round(draft.point.lat, 6)),
    )
    for name in ORG_KEPT_UNLESS_GIVEN:
        if getattr(draft.organisation, name) is not None:
            values[f"organisation_{name}"] = getattr(draft.organisation, name)
    return values


def _stored_values(place: Place) -> dict[str, Any]:
    org = place.organisation
    point = place_point(place)
    values = {name: getattr(place, name) for name in PLACE_FIELDS}
    values.update(
        organisation_name=org.name if org else None,
        kind=org.kind.value if org else None,
        sectors=list(org.sectors or []) if org else [],
        website=org.website if org else None,
        position=(round(point.lon, 6), round(point.lat, 6)),
        **{f"organisation_{n}": getattr(org, n) if org else None for n in ORG_KEPT_UNLESS_GIVEN},
    )
    return values


def update_place(
    place: Place, draft: PlaceDraft, user: User | None, *, locate: bool = True
) -> bool:
    """Write the edit of ``place``; False when there was nothing to change. ``user`` None is
    an import (the status is left as it is). Raises :class:`StaleEdit` when the place moved
    on since ``draft.version``."""
    org = place.organisation
    theirs, mine = _stored_values(place), _values(draft, org)
    if not _check_version(place, draft.version, PLACE_LABELS, theirs, mine) and not draft.photos:
        return False
    for name in PLACE_FIELDS:
        setattr(place, name, mine[name])
    if theirs["position"] != mine["position"]:
        _locate(place, draft.point, locate)
    if org is None:
        place.organisation = _organisation_for(draft.organisation, draft.name)
    else:
        org.kind = draft.organisation.kind
        org.sectors = list(draft.organisation.sectors)
        org.website = draft.organisation.website
        if draft.organisation.name:
            org.name = draft.organisation.name
        for name in ORG_KEPT_UNLESS_GIVEN:
            if getattr(draft.organisation, name) is not None:
                setattr(org, name, getattr(draft.organisation, name))
    if user is not None:
        place.status = _status_after_save(user, place.status)
    db.session.flush()
    if draft.photos:
        photos.store(place, list(draft.photos), user)
    return True


def organisations_like(q: str, limit: int = 8) -> list[Organisation]:
    """Organisations whose name contains or resembles ``q`` (trigram similarity), best first:
    the place form's organisation picker."""
    sim = func.similarity(func.lower(Organisation.name), q.lower())
    return list(
        db.session.scalars(
            select(Organisation)
            .where(
                (func.lower(Organisation.name).contains(q.lower(), autoescape=True)) | (sim > 0.3)
            )
            .order_by(sim.desc(), Organisation.name)
            .limit(limit)
        )
    )
