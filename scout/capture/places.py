"""Places a scout adds or edits, with their organisation, and the nearby-duplicate check.

The operations take a :class:`~scout.capture.drafts.PlaceDraft`, built by the place form or by
the CSV/GeoJSON import, so both go through the same write path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from scout import spatial
from scout.capture import pending, photos
from scout.capture.drafts import OrganisationDraft, PlaceDraft
from scout.capture.entries import (
    Difference,
    DuplicatesFound,
    _add_once,
    _check_version,
    _differences,
    _status_after_save,
    by_client_key,
    place_point,
)
from scout.capture.fields import labels
from scout.capture.forms import PLACE_TEXT_FIELDS, PlaceForm
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    Organisation,
    OrgKind,
    Place,
    PlaceSource,
    ReviewStatus,
    User,
)

DUPLICATE_RADIUS_M = 75

PLACE_FIELDS = ("name", *PLACE_TEXT_FIELDS, "opening_schedule")
ORG_FIELDS = ("kind", "sectors", "website")
# Kept as they are unless the draft gives a value (the scout's form does not show them).
ORG_KEPT_UNLESS_GIVEN = ("description", "email", "phone")
# The organisation's keys among a place's values (see _values).
ORG_KEYS = (
    "organisation_name",
    "kind",
    "sectors",
    "website",
    *(f"organisation_{name}" for name in ORG_KEPT_UNLESS_GIVEN),
)
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


def _organisation_for(
    draft: OrganisationDraft, place_name: str, user: User | None
) -> tuple[Organisation, bool]:
    """The organisation of a new place, and whether it existed before. A coordinator's (or an
    import's) draft fills what an existing organisation lacks; a scout's only proposes it."""
    org = db.session.get(Organisation, draft.id) if draft.id else None
    if org is None:
        return _new_organisation(draft, place_name), False
    if pending.trusted(user):
        # Fill what it lacks, never overwrite what others entered.
        if not org.sectors and draft.sectors:
            org.sectors = list(draft.sectors)
        if not org.website and draft.website:
            org.website = draft.website
    return org, True


def _proposed_for_existing(draft: OrganisationDraft, org: Organisation) -> dict[str, Any]:
    """What a scout's new place adds to an existing organisation: its sectors and website
    when given and different (to review, like the place)."""
    out: dict[str, Any] = {}
    if draft.sectors and list(draft.sectors) != list(org.sectors or []):
        out["sectors"] = list(draft.sectors)
    if draft.website and draft.website != org.website:
        out["website"] = draft.website
    return out


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

    existed = False

    def build() -> Place:
        nonlocal existed
        org, existed = _organisation_for(draft.organisation, draft.name, user)
        return Place(
            organisation=org,
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
            **_values_of(draft),
        )

    if key is None:
        place, created = build(), True
        db.session.add(place)
    else:
        place, created = _add_once(build, key)
    if created and existed and not pending.trusted(user):
        proposal = _proposed_for_existing(draft.organisation, place.organisation)
        if proposal:
            pending.propose(place, proposal, {}, user)
            db.session.flush()
    if created and draft.photos:
        photos.store(place, list(draft.photos), user)
    return place, created


def _values_of(draft: PlaceDraft) -> dict[str, Any]:
    """The place's own columns of a draft (the schedule as the model's list)."""
    values = {name: getattr(draft, name) for name in PLACE_FIELDS}
    values["opening_schedule"] = [dict(w) for w in draft.opening_schedule]
    return values


def _values(draft: PlaceDraft, org: Organisation | None) -> dict[str, Any]:
    """What a scout compares field by field (a conflict shows each difference)."""
    values = _values_of(draft)
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
    values["opening_schedule"] = list(place.opening_schedule or [])
    values.update(
        organisation_name=org.name if org else None,
        kind=org.kind.value if org else None,
        sectors=list(org.sectors or []) if org else [],
        website=org.website if org else None,
        position=(round(point.lon, 6), round(point.lat, 6)),
        **{f"organisation_{n}": getattr(org, n) if org else None for n in ORG_KEPT_UNLESS_GIVEN},
    )
    return values


def proposed_values(place: Place) -> dict[str, Any]:
    """The place as its form shows it: the approved values with the pending change on top."""
    return pending.overlay(place, _stored_values(place))


def pending_changes(place: Place) -> list[Difference]:
    """The pending change field by field: (approved, proposed)."""
    approved = _stored_values(place)
    return _differences(PLACE_LABELS, approved, pending.overlay(place, approved))


def _write(
    place: Place,
    values: dict[str, Any],
    approved: dict[str, Any],
    point: LonLat | None = None,
    locate: bool = True,
) -> None:
    """Write ``values`` (all or some of :func:`_values`' keys) to the place and its
    organisation; ``approved`` is what is stored (read before any write: a read would flush
    the first half of the change as a version of its own)."""
    if "position" in values and values["position"] != approved["position"]:
        _locate(place, point or LonLat(*values["position"]), locate)
    for name in PLACE_FIELDS:
        if name in values:
            setattr(place, name, values[name])
    org = place.organisation
    if org is None:
        return
    if values.get("organisation_name"):
        org.name = values["organisation_name"]
    if "kind" in values:
        org.kind = OrgKind(values["kind"])
    if "sectors" in values:
        org.sectors = list(values["sectors"])
    if "website" in values:
        org.website = values["website"]
    for name in ORG_KEPT_UNLESS_GIVEN:
        if f"organisation_{name}" in values:
            setattr(org, name, values[f"organisation_{name}"])


def apply_pending(place: Place) -> None:
    """Apply the scout's pending change (on approval)."""
    if place.pending:
        _write(place, pending.values(place), _stored_values(place))
    place.pending = None


def update_place(
    place: Place, draft: PlaceDraft, user: User | None, *, locate: bool = True
) -> bool:
    """Write the edit of ``place``; False when there was nothing to change. Raises
    :class:`StaleEdit` when the place moved on since ``draft.version``.

    A coordinator's edit (or an import's, ``user`` None, which leaves the status alone) is
    written at once. A scout's edit of a published place waits as its pending change, and
    the published version stays public; of a place not yet published it is written and goes
    (back) to review, except its organisation's fields, which always wait for review (an
    organisation may be shared by published places)."""
    org = place.organisation
    approved = _stored_values(place)
    theirs = approved if user is None else pending.overlay(place, approved)
    mine = _values(draft, org)
    if not _check_version(place, draft.version, PLACE_LABELS, theirs, mine) and not draft.photos:
        return False
    own = {k: v for k, v in mine.items() if k not in ORG_KEYS}
    with db.session.no_autoflush:  # one change, one new version
        if org is None:  # a new organisation: nothing of it is public yet
            place.organisation, _existed = _organisation_for(draft.organisation, draft.name, user)
        if pending.trusted(user):
            _write(place, mine if org is not None else own, approved, draft.point, locate)
            if user is not None:
                place.pending = None
                place.status = _status_after_save(user, place.status)
        elif place.status == ReviewStatus.PUBLISHED:
            pending.propose(place, mine if org is not None else own, approved, user)
        else:
            _write(place, own, approved, draft.point, locate)
            if org is not None:
                pending.propose(place, {k: mine[k] for k in ORG_KEYS if k in mine}, approved, user)
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
