"""The coordinators' review queue: publish, send back or archive what scouts entered."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select

from scout import audit
from scout.capture import offers, pending, places
from scout.capture.entries import Difference
from scout.errors import BadRequest, Conflict
from scout.extensions import db
from scout.models import (
    AuditAction,
    Offer,
    Place,
    Resource,
    ReviewStatus,
    User,
    utcnow,
)

REVIEWABLE: dict[str, type] = {"place": Place, "offer": Offer, "resource": Resource}
PARTNER_FLAGS = ("is_partner", "public_consent", "contacts_public")


@dataclass(frozen=True, slots=True)
class PartnerFlags:
    """What the coordinator sets about a place's organisation while reviewing it."""

    is_partner: bool
    public_consent: bool
    contacts_public: bool


@dataclass(frozen=True, slots=True)
class Publicity:
    """Whether a place is (or, once approved, will be) on the public map, and why not."""

    public: bool
    reasons: tuple[Any, ...]  # lazy translatable strings
    contacts_public: bool


def publicity(place: Place, *, once_approved: bool = False) -> Publicity:
    """The public map's rule (:func:`scout.spatial.public_places`) for ``place``: published,
    of a partner organisation that agreed to appear. ``once_approved`` answers for the place
    as it will be when the coordinator approves it."""
    org = place.organisation
    reasons: list[Any] = []
    if not once_approved and place.status != ReviewStatus.PUBLISHED:
        reasons.append(_l("the place is not published yet"))
    if org is None:
        reasons.append(_l("it has no organisation"))
    else:
        if not org.is_partner:
            reasons.append(_l("its organisation is not a partner of the network"))
        if not org.public_consent:
            reasons.append(_l("its organisation has not agreed to appear on the public map"))
    return Publicity(not reasons, tuple(reasons), bool(org and org.contacts_public))


def review_queue() -> dict[str, list[Any]]:
    """Records waiting for review (new ones, and published ones with a scout's change),
    oldest first."""
    return {
        kind: list(
            db.session.scalars(
                select(model).where(pending.waiting(model)).order_by(model.updated_at, model.id)
            )
        )
        for kind, model in REVIEWABLE.items()
    }


def pending_changes(record: Any) -> list[Difference]:
    """What the scout's pending change would change, field by field (approved, proposed)."""
    if not record.pending:
        return []
    if isinstance(record, Place):
        return places.pending_changes(record)
    return offers.pending_changes(record)


def proposed_values(record: Any) -> dict[str, Any]:
    """A record as its form shows it: the approved values with the pending change on top."""
    if isinstance(record, Place):
        return places.proposed_values(record)
    return offers.proposed_values(record)


def _waits(record: Any) -> bool:
    return record.status == ReviewStatus.TO_REVIEW or bool(
        record.pending and record.pending.get("state") == pending.TO_REVIEW
    )


def review(
    record: Any,
    action: str,
    user: User,
    *,
    version: int,
    comment: str | None = None,
    with_children: bool = False,
    flags: PartnerFlags | None = None,
) -> None:
    """Publish (applying the scout's pending change), send back (with a comment), archive
    ``record``, or discard its pending change. Raises :class:`Conflict` when the record
    changed since the coordinator opened it. ``flags``, given with "publish", are set on the
    place's organisation first (partner, consent to appear, contacts public)."""
    if record.version != version:
        raise Conflict(_l("The scout changed this record meanwhile: look at it again."))
    if action == "publish":
        if isinstance(record, Offer | Resource) and record.place.status != ReviewStatus.PUBLISHED:
            raise BadRequest(_l("Publish the place first."))
        org = (record if isinstance(record, Place) else record.place).organisation
        if flags is not None and org is not None:
            for name in PARTNER_FLAGS:
                if getattr(org, name) != getattr(flags, name):
                    setattr(org, name, getattr(flags, name))
        _publish(record, user)
        if with_children and isinstance(record, Place):
            for child in [*record.offers, *record.resources]:
                if _waits(child):
                    _publish(child, user)
    elif action == "send_back":
        if record.pending:
            record.pending = {**record.pending, "state": pending.SENT_BACK}
        if record.status != ReviewStatus.PUBLISHED:
            record.status = ReviewStatus.DRAFT
        record.review_comment = comment
    elif action == "archive":
        record.status = ReviewStatus.ARCHIVED
        record.pending = None
        record.review_comment = comment
    elif action == "discard":
        if not record.pending:
            raise BadRequest(_l("There is no proposed change to discard."))
        record.pending = None
        record.review_comment = comment
    else:
        raise BadRequest(_l("Unknown action."))
    db.session.flush()


def _publish(record: Any, user: User) -> None:
    if isinstance(record, Place):
        places.apply_pending(record)
    else:
        offers.apply_pending(record)
    record.status = ReviewStatus.PUBLISHED
    record.review_comment = None
    record.verified_at = utcnow()
    if isinstance(record, Place):
        record.verified_by_id = user.id
    db.session.flush()
    audit.record(db.session, AuditAction.PUBLISH, record.__tablename__, record.id)


def my_entries(user: User, limit: int = 30) -> list[Any]:
    """The user's places, offers and resources not yet published, and the changes they
    proposed to published ones (sent back first)."""
    out: list[Any] = []
    for model in REVIEWABLE.values():
        out += db.session.scalars(
            select(model)
            .where(
                or_(
                    and_(
                        model.created_by_id == user.id,
                        model.status.in_([ReviewStatus.TO_REVIEW, ReviewStatus.DRAFT]),
                    ),
                    pending.proposed_by(model, user),
                )
            )
            .order_by(model.updated_at.desc())
            .limit(limit)
        ).all()
    out.sort(key=lambda r: (r.review_comment is None, -r.updated_at.timestamp()))
    return out[:limit]
