"""Retention and forgetting: a closed record is anonymised ``PEOPLE_RETENTION_MONTHS`` after
closing (``flask people purge``), or at once when she asks ("forget her", coordinators only).

Wiped: first name, phone, home, notes, the plan's free texts, the steps' texts, the consent
forms' references and the children's school links. Kept, for the figures: the code, parent
role, birth year, nationality, education, employment, referral channel, hub, NIL, municipio,
languages and skills, the plan's status and dates, the consents' purposes and dates.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from scout import audit
from scout.models import AuditAction, FollowUp, Person, Placement, PlanStatus, Referral

WIPED = "—"


def anonymise(session: Session, person: Person, reason: str, *, forgotten: bool) -> None:
    """Wipe her personal fields now and audit it (the reason, never the wiped values)."""
    person.first_name = person.phone = person.notes = None
    person.home_encrypted = None
    person.goal_professional = person.goal_training = None
    if person.closed_reason:
        person.closed_reason = None
    for step in person.steps:
        step.text = WIPED
    for consent in person.consents:
        consent.paper_ref = None
    for child in person.children:
        child.school_id = None
    # The free text of her outcomes (what came of them stays, for the figures).
    for model in (Referral, Placement):
        session.execute(update(model).where(model.person_id == person.id).values(notes=None))
    session.execute(
        update(FollowUp)
        .where(
            FollowUp.placement_id.in_(select(Placement.id).where(Placement.person_id == person.id))
        )
        .values(notes=None)
    )
    now = datetime.now(UTC)
    person.anonymised_at = now
    if person.status != PlanStatus.CLOSED:
        person.status = PlanStatus.CLOSED
        person.closed_at = now
    audit.record(
        session,
        AuditAction.ANONYMISE,
        "person",
        person.id,
        {"reason": reason, "forgotten": forgotten},
    )


def months_before(now: datetime, months: int) -> datetime:
    """``now`` moved back by whole calendar months (the 31st becomes the month's last day)."""
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    for day in (now.day, 30, 29, 28):
        try:
            return now.replace(year=year, month=month + 1, day=day)
        except ValueError:
            continue
    raise ValueError(now)


def due(session: Session, now: datetime, months: int) -> list[Person]:
    """Closed records not yet anonymised, closed more than ``months`` ago."""
    cutoff = months_before(now, months)
    return list(
        session.scalars(
            select(Person).where(
                Person.status == PlanStatus.CLOSED,
                Person.anonymised_at.is_(None),
                Person.closed_at < cutoff,
            )
        )
    )


def purge(session: Session, now: datetime, months: int) -> int:
    """Anonymise every record due; returns how many."""
    people = due(session, now, months)
    for person in people:
        reason = f"retention: closed more than {months} months ago"
        anonymise(session, person, reason, forgotten=False)
    return len(people)
