"""The people the programme serves, for staff tokens and sessions (tutors: their scope;
coordinators: everyone; scouts: 403). No name, phone, notes or home ever leaves here."""

from __future__ import annotations

from typing import Any

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from scout.errors import BadRequest
from scout.extensions import db
from scout.models import Person, Role
from scout.people import records
from scout.people.export import detail, summary
from scout.views.api import bp

LIMIT = 500


def _tutor_only() -> None:
    if not current_user.has_role(Role.TUTOR):
        abort(403)


@bp.get("/people")
def people_list() -> dict[str, Any]:
    """The people the caller may see, newest code first (coarse fields only)."""
    _tutor_only()
    rows = db.session.scalars(
        records.visible(current_user).order_by(Person.code.desc()).limit(LIMIT)
    ).all()
    return {"people": [summary(p) for p in rows]}


@bp.get("/people/<code>")
def people_detail(code: str) -> dict[str, Any]:
    """One person's record by code (the read is audited)."""
    _tutor_only()
    if not records.CODE_RE.match(code):
        raise BadRequest(_("Not a record code (like P-2027-0042)."), field="code")
    person = records.find(db.session, current_user, code)
    if person is None:
        abort(404)
    records.audit_read(db.session, person, "api")
    db.session.commit()
    return detail(person)
