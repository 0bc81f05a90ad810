"""The JSON API (``/api/v1``) for staff: browser session or ``Authorization: Bearer`` token.

Session callers must send the CSRF token in ``X-CSRFToken`` on state-changing requests;
token callers need not (a token is not sent by the browser on its own).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms.validators import ValidationError

from scout.models import Role

bp = Blueprint("api", __name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Endpoints about the people the programme serves: tutors and coordinators only (checked
# before the CSRF token, so a scout gets 403 whatever she sends).
TUTOR_ONLY: set[str] = set()


def tutors_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Mark an API view as tutors' and coordinators' only."""
    TUTOR_ONLY.add(f"{bp.name}.{view.__name__}")
    return view


@bp.before_request
def require_staff() -> None:
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.has_role(Role.SCOUT, Role.TUTOR):
        abort(403)
    if request.endpoint in TUTOR_ONLY and not current_user.has_role(Role.TUTOR):
        abort(403)
    if request.method not in SAFE_METHODS and not g.get("token_auth"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except (ValidationError, CSRFError):
            abort(400, "CSRF token missing or invalid.")


# Route modules register on ``bp``; import them last.
from scout.views.api import (  # noqa: E402, F401
    courses,
    openapi,
    outcomes,
    people,
    places,
    report,
    search,
    walk,
)
