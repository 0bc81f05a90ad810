"""The tutors' pages for the people the programme serves (``/people``): her list, her
record, her children's schools, her plan, her consents, her data and forgetting her.

Staff only: scouts and visitors get 403 or the login page on every route. A person appears
by her pseudonymous code; her home is decrypted only here on the server, shown only in the
edit form after a POST, and never put in a URL, a log or the audit. Every read is audited.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort
from flask_login import current_user

from scout.auth import role_required
from scout.extensions import db
from scout.models import Person, Role
from scout.people import records
from scout.schedule import WEEKDAYS, WINDOWS_PER_DAY

bp = Blueprint("people", __name__)
bp.before_request(role_required(Role.TUTOR))


@bp.after_request
def _no_referrer(response: Response) -> Response:
    """Her pages name her code in their URL: the requests they make (the record form's map
    tiles) carry no Referer, so no log ties a tile near her home to her record."""
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.context_processor
def _people_globals() -> dict[str, Any]:
    return {"weekdays": WEEKDAYS, "windows_per_day": WINDOWS_PER_DAY}


def person_or_404(code: str) -> Person:
    """Her record if the current user may see it; 404 otherwise (not even whether it exists)."""
    person = records.find(db.session, current_user, code)
    if person is None:
        abort(404)
    return person


from scout.views.people import pages, plan, privacy  # noqa: E402, F401  (register the routes)
