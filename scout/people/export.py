"""Her data on request (GDPR Art. 15): everything held about her, as one JSON document (and
the same content as a PDF, templates/people/data.html).

Her home is never in an export (issue 14): the document says whether one is held, its NIL and
municipio, and that the address is kept encrypted and shown to her by her tutor on request.
Neither the address nor the point is decrypted for it."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from scout.models import Person
from scout.people import followups, placements, referrals


def _value(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value"):
        return value.value
    return value


FIELDS = (
    "code",
    "first_name",
    "phone",
    "language",
    "parent_role",
    "birth_year",
    "nationality",
    "education",
    "employment",
    "referred_by",
    "children_count",
    "availability",
    "italian_level",
    "digital_email",
    "digital_spid",
    "digital_smartphone",
    "sectors",
    "contract_types",
    "part_time_types",
    "max_walk_minutes",
    "walking_profile",
    "municipio",
    "nil_id",
    "goal_professional",
    "goal_training",
    "status",
    "closed_reason",
    "closed_at",
    "notes",
    "anonymised_at",
    "created_at",
    "updated_at",
)


def home_note(person: Person) -> dict[str, Any]:
    """What an export says of her home: held or not, its NIL and municipio, and a sentence in
    her language. Never the address or the point."""
    held = person.home_encrypted is not None
    with force_locale(person.language.value):
        note = (
            _(
                "Your home address is held encrypted: only its neighbourhood (NIL) and "
                "municipio are kept in clear. Your tutor shows it to you on request."
            )
            if held
            else _("No home address is held.")
        )
    return {
        "held": held,
        "nil": person.nil.name if person.nil else None,
        "municipio": person.municipio,
        "note": note,
    }


def her_data(session: Session, person: Person) -> dict[str, Any]:
    """Everything held about her, her outcomes included; her home only as :func:`home_note`."""
    return {
        "person": {name: _value(getattr(person, name)) for name in FIELDS},
        "hub": person.hub.name if person.hub else None,
        "tutor": (person.tutor.name or person.tutor.email) if person.tutor else None,
        "home": home_note(person),
        "children": [
            {
                "school": child.school.name if child.school else None,
                "days": child.days,
                "drop_off": _value(child.drop_off),
                "pick_up": _value(child.pick_up),
            }
            for child in person.children
        ],
        "plan_steps": [
            {"text": s.text, "due_on": _value(s.due_on), "done_on": _value(s.done_on)}
            for s in person.steps
        ],
        "consents": [
            {
                "purpose": c.purpose.value,
                "given_on": _value(c.given_on),
                "paper_ref": c.paper_ref,
                "withdrawn_on": _value(c.withdrawn_on),
            }
            for c in person.consents
        ],
        **_outcomes(session, person),
    }


def _outcomes(session: Session, person: Person) -> dict[str, Any]:
    return {
        "referrals": [
            {
                "to": r.target_title,
                "status": r.status.value,
                "proposed_on": _value(r.proposed_on),
                "sent_on": _value(r.sent_on),
                "interview_on": _value(r.interview_on),
                "closed_on": _value(r.closed_on),
                "notes": r.notes,
            }
            for r in referrals.of_person(session, person.id)
        ],
        "placements": [
            {
                **{
                    k: v
                    for k, v in placements.summary(p).items()
                    if k != "id" and not k.endswith("_id")
                },
                "notes": p.notes,
            }
            for p in placements.of_person(session, person.id)
        ],
        "enrolments": [
            {
                "course": e.resource.title if e.resource else None,
                "status": e.status.value,
                "enrolled_on": _value(e.enrolled_on),
                "ended_on": _value(e.ended_on),
            }
            for e in followups.enrolments_of(session, person.id)
        ],
        "autonomy": [
            {"assessed_on": _value(a.assessed_on), "searches_alone": a.searches_alone}
            for a in followups.assessments_of(session, person.id)
        ],
    }


def summary(person: Person) -> dict[str, Any]:
    """Her record for staff over the API: no first name, phone, notes or home."""
    return {
        "code": person.code,
        "status": person.status.value,
        "language": person.language.value,
        "parent_role": _value(person.parent_role),
        "birth_year": person.birth_year,
        "nationality": person.nationality,
        "education": _value(person.education),
        "employment": _value(person.employment),
        "referred_by": _value(person.referred_by),
        "hub_id": person.hub_id,
        "tutor_id": person.tutor_id,
        "municipio": person.municipio,
        "nil_id": person.nil_id,
        "has_home": person.home_encrypted is not None,
        "italian_level": _value(person.italian_level),
        "max_walk_minutes": person.max_walk_minutes,
        "walking_profile": person.walking_profile.value,
        "anonymised": person.anonymised_at is not None,
    }


def detail(person: Person) -> dict[str, Any]:
    """:func:`summary` plus her availability, wishes, children's schools, steps and consents."""
    return {
        **summary(person),
        "availability": person.availability,
        "sectors": person.sectors,
        "contract_types": person.contract_types,
        "part_time_types": person.part_time_types,
        "digital": {
            "email": person.digital_email,
            "spid": person.digital_spid,
            "smartphone": person.digital_smartphone,
        },
        "children": [
            {
                "school_id": c.school_id,
                "days": c.days,
                "drop_off": _value(c.drop_off),
                "pick_up": _value(c.pick_up),
            }
            for c in person.children
        ],
        "plan_steps": [
            {"text": s.text, "due_on": _value(s.due_on), "done_on": _value(s.done_on)}
            for s in person.steps
        ],
        "consents": [
            {
                "purpose": c.purpose.value,
                "given_on": _value(c.given_on),
                "withdrawn_on": _value(c.withdrawn_on),
            }
            for c in person.consents
        ],
    }
