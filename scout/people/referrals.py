"""Referrals (candidature): a person proposed for an offer or a course, and what came of it.

proposed → sent → interview → hired / not selected / withdrawn / no-show, each step dated.
Sending her to an employer shares her profile, so it is refused without her consent to that
(``employer_sharing``): the caller says whether it is given, from her consent record.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout.errors import BadRequest
from scout.models import (
    CLOSED_REFERRALS,
    Offer,
    Referral,
    ReferralStatus,
    Resource,
    ReviewStatus,
    User,
)

S = ReferralStatus
NEXT: dict[ReferralStatus, frozenset[ReferralStatus]] = {
    S.PROPOSED: frozenset({S.SENT, S.WITHDRAWN}),
    S.SENT: frozenset({S.INTERVIEW, S.HIRED, S.NOT_SELECTED, S.WITHDRAWN, S.NO_SHOW}),
    S.INTERVIEW: frozenset({S.HIRED, S.NOT_SELECTED, S.WITHDRAWN, S.NO_SHOW}),
}
NOTES_MAX = 2000

NO_CONSENT = _l(
    "She has not agreed to her profile being shared with an employer: record her consent "
    "(sharing with an employer) before sending her."
)
NOT_NEXT = _l("This step cannot follow the referral's present one.")
NO_TARGET = _l("Choose a published offer or course.")
ALREADY = _l("She is already referred to this offer or course.")
DATE_BEFORE = _l("The date cannot be before the referral's previous step.")


def next_steps(referral: Referral) -> list[ReferralStatus]:
    """The steps that may follow, in the order of the vocabulary."""
    allowed = NEXT.get(referral.status, frozenset())
    return [s for s in ReferralStatus if s in allowed]


def _last_date(referral: Referral) -> date:
    return max(d for d in (referral.proposed_on, referral.sent_on, referral.interview_on) if d)


def open_referral(session: Session, person_id: int, target: Offer | Resource) -> Referral | None:
    column = Referral.offer_id if isinstance(target, Offer) else Referral.resource_id
    return session.scalar(
        select(Referral).where(
            Referral.person_id == person_id,
            column == target.id,
            Referral.status.not_in(sorted(CLOSED_REFERRALS)),
        )
    )


def propose(
    session: Session,
    person_id: int,
    target: Offer | Resource | None,
    user: User,
    *,
    on: date,
    notes: str | None = None,
) -> Referral:
    """Propose her for a published offer or course (one open referral per target)."""
    if target is None or target.status != ReviewStatus.PUBLISHED:
        raise BadRequest(NO_TARGET, field="target")
    if open_referral(session, person_id, target) is not None:
        raise BadRequest(ALREADY, field="target")
    referral = Referral(
        person_id=person_id,
        offer_id=target.id if isinstance(target, Offer) else None,
        resource_id=target.id if isinstance(target, Resource) else None,
        status=ReferralStatus.PROPOSED,
        proposed_on=on,
        notes=_clean(notes),
        created_by_id=user.id,
    )
    session.add(referral)
    session.flush()
    return referral


def _clean(notes: str | None) -> str | None:
    text = (notes or "").strip()
    return text[:NOTES_MAX] or None


def advance(
    session: Session,
    referral: Referral,
    status: ReferralStatus,
    *,
    on: date,
    sharing_consent: bool,
    notes: str | None = None,
) -> Referral:
    """Move the referral to its next step on ``on``. Sending her to an employer (an offer's
    referral) needs her consent to sharing; raises :class:`BadRequest` naming the field."""
    if status not in NEXT.get(referral.status, frozenset()):
        raise BadRequest(NOT_NEXT, field="status")
    if status == ReferralStatus.SENT and referral.offer_id is not None and not sharing_consent:
        raise BadRequest(NO_CONSENT, field="status")
    if on < _last_date(referral):
        raise BadRequest(DATE_BEFORE, field="on")
    referral.status = status
    if status == ReferralStatus.SENT:
        referral.sent_on = on
    elif status == ReferralStatus.INTERVIEW:
        referral.interview_on = on
    else:
        referral.closed_on = on
    if notes is not None and notes.strip():
        referral.notes = _clean(notes)
    session.flush()
    return referral


def of_person(session: Session, person_id: int) -> list[Referral]:
    """Her referrals, newest first."""
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.person_id == person_id)
            .order_by(Referral.proposed_on.desc(), Referral.id.desc())
        )
    )


def of_target(session: Session, target: Offer | Resource, person_ids: Any = None) -> list[Referral]:
    """The referrals to an offer or course (of ``person_ids`` only, when given: a tutor sees
    those of her people)."""
    column = Referral.offer_id if isinstance(target, Offer) else Referral.resource_id
    query = select(Referral).where(column == target.id)
    if person_ids is not None:
        query = query.where(Referral.person_id.in_(list(person_ids)))
    return list(session.scalars(query.order_by(Referral.proposed_on.desc(), Referral.id.desc())))
