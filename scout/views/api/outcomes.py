"""Referrals and placements as JSON (``/api/v1/people/<code>/referrals`` and ``/placements``,
``/api/v1/referrals/<id>/step``, ``/api/v1/follow-ups/<id>``): tutors and coordinators, for
the people they may see (anyone else: 404). Her home is used for km zero and never returned."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from scout import clock
from scout.errors import BadRequest
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    ConsentPurpose,
    FollowUp,
    Offer,
    Person,
    Referral,
    Resource,
)
from scout.people import followups, placements, records, referrals
from scout.people import schemas as people_schemas
from scout.search import parse_request
from scout.validation import json_body
from scout.views.api import bp, tutors_only
from scout.walking import Profile

CODE_MESSAGE = _l("A person's code looks like P-2027-0042.")


def _person(code: str) -> Person:
    if not records.CODE_RE.match(code):
        raise BadRequest(CODE_MESSAGE, field="code")
    person = records.find(db.session, current_user, code)
    if person is None:
        abort(404)
    records.audit_read(db.session, person, "api")
    return person


def _referral(r: Referral) -> dict[str, Any]:
    return {
        "id": r.id,
        "person_id": r.person_id,
        "target": f"offer-{r.offer_id}" if r.offer_id else f"course-{r.resource_id}",
        "title": r.target_title,
        "status": r.status.value,
        "proposed_on": r.proposed_on.isoformat(),
        "sent_on": r.sent_on.isoformat() if r.sent_on else None,
        "interview_on": r.interview_on.isoformat() if r.interview_on else None,
        "closed_on": r.closed_on.isoformat() if r.closed_on else None,
        "next_steps": [s.value for s in referrals.next_steps(r)],
    }


@bp.get("/people/<code>/referrals")
@tutors_only
def person_referrals(code: str) -> dict[str, Any]:
    """Her referrals, newest first."""
    person = _person(code)
    out = [_referral(r) for r in referrals.of_person(db.session, person.id)]
    db.session.commit()
    return {"referrals": out}


@bp.post("/people/<code>/referrals")
@tutors_only
def person_referral_new(code: str) -> tuple[dict[str, Any], int]:
    """Propose her for a published offer or course."""
    person = _person(code)
    req = parse_request(people_schemas.ReferralRequest, json_body())
    kind, _sep, number = req.target.partition("-")
    target = db.session.get(Offer if kind == "offer" else Resource, int(number))
    referral = referrals.propose(
        db.session, person.id, target, current_user, on=req.on or clock.today(), notes=req.notes
    )
    db.session.commit()
    return _referral(referral), 201


def _owned(model: type, item_id: int) -> tuple[Any, Person]:
    if not 0 < item_id < 2**31:  # no such row (and no integer overflow in the query)
        abort(404)
    row = db.session.get(model, item_id)
    if row is None:
        abort(404)
    person_id = row.placement.person_id if isinstance(row, FollowUp) else row.person_id
    person = db.session.scalars(records.visible(current_user).where(Person.id == person_id)).first()
    if person is None:
        abort(404)
    records.audit_read(db.session, person, "api")
    return row, person


@bp.post("/referrals/<int:referral_id>/step")
@tutors_only
def referral_step_api(referral_id: int) -> dict[str, Any]:
    """The referral's next step (refused with 400 on ``status`` when it is "sent" to an
    employer without her consent to sharing)."""
    referral, person = _owned(Referral, referral_id)
    req = parse_request(people_schemas.ReferralStepRequest, json_body())
    on = req.on or clock.today()
    referrals.advance(
        db.session,
        referral,
        req.status,
        on=on,
        sharing_consent=person.has_consent(ConsentPurpose.EMPLOYER_SHARING, on),
        notes=req.notes,
    )
    db.session.commit()
    return _referral(referral)


@bp.get("/people/<code>/placements")
@tutors_only
def person_placements(code: str) -> dict[str, Any]:
    """Her placements with km zero and follow-ups (never a point, never her home)."""
    person = _person(code)
    out = [placements.summary(p) for p in placements.of_person(db.session, person.id)]
    db.session.commit()
    return {"placements": out}


@bp.post("/people/<code>/placements")
@tutors_only
def person_placement_new(code: str) -> tuple[dict[str, Any], int]:
    """Record a placement; km zero is computed from her home here."""
    person = _person(code)
    req = parse_request(people_schemas.PlacementRequest, json_body())
    if req.referral_id is not None:
        referral = db.session.get(Referral, req.referral_id)
        if referral is None or referral.person_id != person.id:
            raise BadRequest(placements.NOT_HIRED, field="referral_id")
        base = placements.draft_from_referral(db.session, referral, req.starts_on)
    else:
        if not (req.employer_name or "").strip() or req.contract_type is None:
            raise BadRequest(
                people_schemas.EMPLOYER_MESSAGE,
                field="employer_name" if not (req.employer_name or "").strip() else "contract_type",
            )
        base = None
    draft = placements.PlacementDraft(
        employer_name=(req.employer_name or (base.employer_name if base else "")).strip(),
        contract_type=req.contract_type or base.contract_type,
        starts_on=req.starts_on,
        employer_address=req.employer_address or (base.employer_address if base else None),
        workplace=base.workplace if base and not req.employer_address else None,
        sector=req.sector or (base.sector if base else None),
        ends_on=req.ends_on,
        hours_per_week=req.hours_per_week or (base.hours_per_week if base else None),
        part_time=req.part_time or (base.part_time if base else None),
        evidence=req.evidence,
        notes=req.notes,
        referral_id=base.referral_id if base else None,
        offer_id=base.offer_id if base else None,
    )
    home = records.home_of(person)
    placement = placements.create_placement(
        db.session,
        person.id,
        draft,
        current_user,
        home=LonLat(home.lon, home.lat) if home else None,
        profile=Profile(str(person.walking_profile)),
        km_zero_minutes=current_app.config["KM_ZERO_MINUTES"],
    )
    db.session.commit()
    return placements.summary(placement), 201


@bp.post("/follow-ups/<int:follow_up_id>")
@tutors_only
def follow_up_api(follow_up_id: int) -> dict[str, Any]:
    """Record whether she still works there."""
    row, _person_row = _owned(FollowUp, follow_up_id)
    req = parse_request(people_schemas.FollowUpRequest, json_body())
    followups.record_follow_up(
        db.session,
        row,
        req.still_working,
        current_user,
        on=req.on or clock.today(),
        notes=req.notes,
    )
    db.session.commit()
    return placements.summary(row.placement)
