"""Pending changes: what a scout changes on a published record waits for review.

The approved columns stay what the public, the open data and the tutors' search read; the
scout's change is kept beside them in the record's ``pending`` (JSONB) as the fields that
differ from the approved version::

    {"values": {"opening_hours": "...", "website": "..."}, "by": <user id>, "state": "to_review"}

``state`` is ``to_review`` (in the review queue) or ``draft`` (sent back to the scout). A place's
pending values may also carry its organisation's fields (``organisation_name``, ``kind``,
``sectors``, ``website``): an organisation is shared, so a scout never writes it directly.
A coordinator applies the change on approval (:func:`scout.capture.review.review`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import Date, or_

from scout.models import ReviewStatus, Role, User

TO_REVIEW = "to_review"
SENT_BACK = "draft"


def trusted(user: User | None) -> bool:
    """Coordinators (and imports, ``user`` None) write records directly."""
    return user is None or user.role == Role.COORDINATOR


def _encode(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return [_encode(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Enum):
        return value.value
    return value


def decode(model: type, values: dict[str, Any]) -> dict[str, Any]:
    """Pending values as the operations compare them (dates as dates, the position a tuple)."""
    columns = model.__table__.c
    out: dict[str, Any] = {}
    for name, value in values.items():
        column = columns.get(name)
        if value is not None and column is not None and isinstance(column.type, Date):
            value = date.fromisoformat(value)
        elif name == "position" and value is not None:
            value = tuple(value)
        out[name] = value
    return out


def values(record: Any) -> dict[str, Any]:
    """The pending values of ``record`` (empty when nothing waits)."""
    if not record.pending:
        return {}
    return decode(type(record), record.pending.get("values", {}))


def overlay(record: Any, approved: dict[str, Any]) -> dict[str, Any]:
    """The approved values with the pending change on top: what the scout last proposed."""
    return {**approved, **values(record)}


def propose(record: Any, mine: dict[str, Any], approved: dict[str, Any], user: User) -> None:
    """Keep ``mine`` as the record's pending change (the fields that differ from
    ``approved``); a change back to the approved version leaves nothing pending."""
    diff = {name: _encode(value) for name, value in mine.items() if approved.get(name) != value}
    record.pending = {"values": diff, "by": user.id, "state": TO_REVIEW} if diff else None


def waiting(model: type) -> Any:
    """SQL condition: the record waits for review (new, or a pending change)."""
    return or_(model.status == ReviewStatus.TO_REVIEW, model.pending["state"].astext == TO_REVIEW)


def proposed_by(model: type, user: User) -> Any:
    """SQL condition: ``user`` proposed the record's pending change."""
    return model.pending["by"].as_integer() == user.id
