"""Her courses and her autonomy as JSON (``/api/v1/people/<code>/enrolments`` and
``/autonomy``, ``/api/v1/enrolments/<id>``): enrolments in courses and services (completed /
dropped out) and the follow-up assessment "searches for work on her own". Tutors and
coordinators, for the people they may see (anyone else: 404); every call is an audited read."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from scout import clock
from scout.extensions import db
from scout.models import AutonomyAssessment, Enrolment, EnrolmentStatus, Resource
from scout.people import followups
from scout.people import schemas as people_schemas
from scout.search import parse_request
from scout.validation import json_body
from scout.views.api import bp, tutors_only
from scout.views.api.outcomes import _owned, _person


def _enrolment(e: Enrolment) -> dict[str, Any]:
    return {
        "id": e.id,
        "person_id": e.person_id,
        "resource_id": e.resource_id,
        "title": e.resource.title if e.resource else None,
        "status": e.status.value,
        "enrolled_on": e.enrolled_on.isoformat(),
        "ended_on": e.ended_on.isoformat() if e.ended_on else None,
    }


def _assessment(a: AutonomyAssessment) -> dict[str, Any]:
    return {
        "id": a.id,
        "person_id": a.person_id,
        "assessed_on": a.assessed_on.isoformat(),
        "searches_alone": a.searches_alone,
    }


@bp.get("/people/<code>/enrolments")
@tutors_only
def person_enrolments(code: str) -> dict[str, Any]:
    """Her course enrolments, newest first."""
    person = _person(code)
    out = [_enrolment(e) for e in followups.enrolments_of(db.session, person.id)]
    db.session.commit()
    return {"enrolments": out}


@bp.post("/people/<code>/enrolments")
@tutors_only
def person_enrolment_new(code: str) -> tuple[dict[str, Any], int]:
    """Enrol her in a published course or service."""
    person = _person(code)
    req = parse_request(people_schemas.EnrolmentRequest, json_body())
    enrolment = followups.enrol(
        db.session,
        person.id,
        db.session.get(Resource, req.resource_id),
        current_user,
        on=req.on or clock.today(),
    )
    db.session.commit()
    return _enrolment(enrolment), 201


@bp.post("/enrolments/<int:enrolment_id>")
@tutors_only
def enrolment_end_api(enrolment_id: int) -> dict[str, Any]:
    """She completed the course or dropped out (not before the enrolment)."""
    row, _person_row = _owned(Enrolment, enrolment_id)
    req = parse_request(people_schemas.EnrolmentEndRequest, json_body())
    followups.end_enrolment(
        db.session, row, EnrolmentStatus(req.status), on=req.on or clock.today()
    )
    db.session.commit()
    return _enrolment(row)


@bp.get("/people/<code>/autonomy")
@tutors_only
def person_autonomy(code: str) -> dict[str, Any]:
    """Her autonomy assessments, newest first."""
    person = _person(code)
    out = [_assessment(a) for a in followups.assessments_of(db.session, person.id)]
    db.session.commit()
    return {"assessments": out}


@bp.post("/people/<code>/autonomy")
@tutors_only
def person_autonomy_new(code: str) -> tuple[dict[str, Any], int]:
    """Record whether she now searches for work on her own (the programme counts it)."""
    person = _person(code)
    req = parse_request(people_schemas.AutonomyRequest, json_body())
    row = followups.assess_autonomy(
        db.session, person.id, req.searches_alone, current_user, on=req.on or clock.today()
    )
    db.session.commit()
    return _assessment(row), 201
