"""The funder's figures report as JSON: ``GET /api/v1/report?from=&to=`` (tutors, with a
session or a token, get their hub's; coordinators any scope, ``internal=1`` included)."""

from __future__ import annotations

from typing import Any

from flask import abort, request
from flask_login import current_user

from scout import report as service
from scout.extensions import db
from scout.models import Role
from scout.views.api import bp
from scout.views.report import resolve


@bp.get("/report")
def report() -> dict[str, Any]:
    """Every figure and table of the report for the scope; counts only."""
    if not current_user.has_role(Role.TUTOR):
        abort(403)
    scope, internal = resolve(request.args, current_user)
    return service.to_json(service.compute(db.session, scope), internal)
