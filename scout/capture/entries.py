"""What every scout entry shares: exactly-once delivery by ``client_key`` (an entry sent twice from
a device's offline queue is stored once) and version checks (an edit made on an older version
raises :class:`StaleEdit` with both versions instead of overwriting).

Deliveries of one entry that arrive at the same instant are serialised on their key (a
transaction-level advisory lock taken by :func:`by_client_key`): the later one waits for the
first to commit, then reads the stored row. No INSERT ever hits the unique index on
``client_key`` twice, so an ordinary duplicate leaves no ERROR in PostgreSQL's log.

Operations ``flush()`` and never ``commit()``: the view commits once.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from scout import spatial
from scout.errors import Conflict
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    Offer,
    Place,
    Resource,
    ReviewStatus,
    Role,
    User,
    Visit,
)

M = TypeVar("M", Place, Offer, Resource, Visit)


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


def _key_lock_id(key: uuid.UUID) -> int:
    """A signed 64-bit advisory lock id for an entry key (a rare clash only serialises)."""
    return int.from_bytes(key.bytes[:8], "big", signed=True)


def by_client_key(model: type[M], key: uuid.UUID | None) -> M | None:
    """The row stored for ``key``, if any. Holds the key's lock until the transaction ends,
    so a concurrent delivery of the same entry waits here and then finds this one's row."""
    if key is None:
        return None
    db.session.execute(select(func.pg_advisory_xact_lock(_key_lock_id(key))))
    return db.session.scalar(select(model).where(model.client_key == key))


def _add_once(build: Callable[[], M], key: uuid.UUID | None) -> tuple[M, bool]:
    """Build and add a row in a savepoint; if its ``client_key`` is already stored (a
    delivery that did not take the key's lock in :func:`by_client_key` first), return the
    stored row instead."""
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


def _differences(
    labels: dict[str, Any], theirs: dict[str, Any], mine: dict[str, Any]
) -> list[Difference]:
    out = []
    for name, value in mine.items():
        if theirs.get(name) != value:
            out.append(Difference(name, labels.get(name, _l("Position")), theirs.get(name), value))
    return out


def _check_version(
    record: Any,
    version: int | None,
    labels: dict[str, Any],
    theirs: dict[str, Any],
    mine: dict[str, Any],
) -> bool:
    """Whether the edit (made on ``version``) may be written. False: identical to what is
    stored (a re-sent edit), nothing to do. Raises :class:`StaleEdit` when the record moved
    on meanwhile."""
    diffs = _differences(labels, theirs, mine)
    if version is None or version == record.version:
        return bool(diffs)
    if not diffs:
        return False
    raise StaleEdit(record=record, differences=diffs)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Decimal):
        return float(value)
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


def _current(record: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: _plain(getattr(record, name)) for name in names}


def _assign(record: Any, values: dict[str, Any], enums: dict[str, type]) -> None:
    for name, value in values.items():
        if name in enums and value is not None:
            value = enums[name](value)
        if name == "hours_per_week" and value is not None:
            value = Decimal(str(value))
        setattr(record, name, value)
