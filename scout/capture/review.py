"""The coordinators' review queue: publish, send back or archive what scouts entered."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from scout import audit
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
