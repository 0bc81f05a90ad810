"""Follow-ups of placements (still working at 30, 90, 180 days: unknown until a tutor records
it), course enrolments (completed / dropped) and the "searches for work on her own" assessment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from scout.errors import BadRequest
from scout.models import (
    AutonomyAssessment,
    Enrolment,
    EnrolmentStatus,
    FollowUp,
    Placement,
    Resource,
    ReviewStatus,
    StillWorking,
    User,
)

NOT_YET = _l("This follow-up is not due yet.")
CHOOSE_ANSWER = _l("Choose whether she still works there.")
NO_COURSE = _l("Choose a published course.")
ENDED_BEFORE = _l("The date cannot be before the enrolment.")


def due(
    session: Session, person_ids: Iterable[int], today: date, ahead_days: int = 7
) -> list[FollowUp]:
    """Follow-ups of these people still unknown and due by ``today`` + ``ahead_days``, the
    most overdue first (what the tutor's page lists)."""
    ids = list(person_ids)
    if not ids:
        return []
    return list(
        session.scalars(
            select(FollowUp)
            .join(FollowUp.placement)
            .where(
                Placement.person_id.in_(ids),
                FollowUp.still_working == StillWorking.UNKNOWN,
                FollowUp.due_on <= date.fromordinal(today.toordinal() + ahead_days),
            )
            .options(selectinload(FollowUp.placement))
            .order_by(FollowUp.due_on, FollowUp.id)
        )
    )


def record_follow_up(
    session: Session,
    follow_up: FollowUp,
    still_working: StillWorking,
    user: User,
    *,
    on: date,
    notes: str | None = None,
) -> FollowUp:
    """What the tutor found out: yes or no (or back to unknown, with a note of why)."""
    if on < follow_up.placement.starts_on:
        raise BadRequest(NOT_YET, field="on")
    if still_working not in StillWorking:
        raise BadRequest(CHOOSE_ANSWER, field="still_working")
    follow_up.still_working = still_working
    follow_up.recorded_on = on if still_working != StillWorking.UNKNOWN else None
    follow_up.recorded_by_id = user.id
    text = (notes or "").strip()[:2000]
    if text:
        follow_up.notes = text
    session.flush()
    return follow_up


def enrol(
    session: Session, person_id: int, resource: Resource | None, user: User, *, on: date
) -> Enrolment:
    """Enrol her in a published course or service."""
    if resource is None or resource.status != ReviewStatus.PUBLISHED:
        raise BadRequest(NO_COURSE, field="resource")
    enrolment = Enrolment(
        person_id=person_id,
        resource_id=resource.id,
        status=EnrolmentStatus.ENROLLED,
        enrolled_on=on,
        created_by_id=user.id,
    )
    session.add(enrolment)
    session.flush()
    return enrolment


def end_enrolment(
    session: Session, enrolment: Enrolment, status: EnrolmentStatus, *, on: date
) -> Enrolment:
    """She completed the course or dropped out on ``on``."""
    if status == EnrolmentStatus.ENROLLED:
        raise BadRequest(_l("Choose completed or dropped out."), field="status")
    if on < enrolment.enrolled_on:
        raise BadRequest(ENDED_BEFORE, field="on")
    enrolment.status = status
    enrolment.ended_on = on
    session.flush()
    return enrolment


def enrolments_of(session: Session, person_id: int) -> list[Enrolment]:
    return list(
        session.scalars(
            select(Enrolment)
            .where(Enrolment.person_id == person_id)
            .order_by(Enrolment.enrolled_on.desc(), Enrolment.id.desc())
        )
    )


def assess_autonomy(
    session: Session, person_id: int, searches_alone: bool, user: User, *, on: date
) -> AutonomyAssessment:
    """Record whether she now searches for work on her own (the programme counts it)."""
    row = AutonomyAssessment(
        person_id=person_id, assessed_on=on, searches_alone=searches_alone, assessed_by_id=user.id
    )
    session.add(row)
    session.flush()
    return row


def assessments_of(session: Session, person_id: int) -> list[AutonomyAssessment]:
    return list(
        session.scalars(
            select(AutonomyAssessment)
            .where(AutonomyAssessment.person_id == person_id)
            .order_by(AutonomyAssessment.assessed_on.desc(), AutonomyAssessment.id.desc())
        )
    )
