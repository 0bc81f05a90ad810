"""Areas per scout: the NIL a coordinator assigns to each scout, and what a scout's home page
shows of them (their coverage, what is due there, what is new)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from scout import clock
from scout.coverage.coverage import Cell, Filters, cells
from scout.coverage.freshness import due_places
from scout.extensions import db
from scout.models import Nil, Place, ReviewStatus, ScoutArea, User

NEW_DAYS = 7


def served_nil() -> list[Nil]:
    """The NIL of the served municipi, by name (the choices of an assignment)."""
    served = current_app.config["SERVICE_MUNICIPI"]
    return list(db.session.scalars(select(Nil).where(Nil.municipio.in_(served)).order_by(Nil.name)))


def nil_ids_of(user: User) -> list[int]:
    return list(
        db.session.scalars(
            select(ScoutArea.nil_id).where(ScoutArea.user_id == user.id).order_by(ScoutArea.nil_id)
        )
    )


def assign(user: User, nil_ids: list[int]) -> None:
    """Make ``nil_ids`` the scout's areas (those already hers keep their date)."""
    wanted = set(nil_ids)
    have = set(nil_ids_of(user))
    if have - wanted:
        db.session.execute(
            delete(ScoutArea).where(
                ScoutArea.user_id == user.id, ScoutArea.nil_id.in_(have - wanted)
            )
        )
    for nil_id in sorted(wanted - have):
        db.session.add(ScoutArea(user_id=user.id, nil_id=nil_id))
    db.session.flush()


@dataclass(frozen=True, slots=True)
class Area:
    """One of a scout's areas as her home page shows it."""

    nil_id: int
    name: str
    cell: Cell
    due: list[Place]
    new: list[Place]


def areas_of(user: User, today: date | None = None, limit: int = 5) -> list[Area]:
    """The scout's areas with their coverage, the places due there (re-verification) and the
    places added there in the last week, by NIL name."""
    today = today or clock.today()
    ids = nil_ids_of(user)
    if not ids:
        return []
    by_key = {c.key: c for c in cells(Filters(kind="nil"), today)}
    since = datetime.combine(today - timedelta(days=NEW_DAYS), time.min, tzinfo=UTC)
    out = []
    for nil in db.session.scalars(select(Nil).where(Nil.id.in_(ids)).order_by(Nil.name)):
        due = db.session.scalars(
            select(Place)
            .where(Place.nil_id == nil.id, Place.id.in_(due_places(today)))
            .order_by(func.coalesce(Place.verified_at, Place.created_at), Place.id)
            .limit(limit)
        ).all()
        new = db.session.scalars(
            select(Place)
            .where(
                Place.nil_id == nil.id,
                Place.created_at >= since,
                Place.status != ReviewStatus.ARCHIVED,
            )
            .order_by(Place.created_at.desc(), Place.id.desc())
            .limit(limit)
        ).all()
        cell = by_key.get(str(nil.id)) or Cell(str(nil.id), nil.name, {}, b"")
        out.append(Area(nil.id, nil.name, cell, list(due), list(new)))
    return out


def assignments() -> dict[int, list[int]]:
    """Every scout's NIL ids (coordinator's page)."""
    out: dict[int, list[int]] = {}
    for user_id, nil_id in db.session.execute(
        select(ScoutArea.user_id, ScoutArea.nil_id).order_by(ScoutArea.nil_id)
    ):
        out.setdefault(user_id, []).append(nil_id)
    return out
