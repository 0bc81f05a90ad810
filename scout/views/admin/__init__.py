"""Coordinator pages (``/admin``): review, users, partners, bulletin, audit."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from scout.auth import role_required
from scout.extensions import db
from scout.models import Place, ReviewStatus, Role

bp = Blueprint("admin", __name__)
bp.before_request(role_required(Role.COORDINATOR))


@bp.route("/")
def index() -> str:
    counts = dict(
        db.session.execute(select(Place.status, func.count()).group_by(Place.status)).all()
    )
    return render_template("admin/index.html", counts=counts, statuses=list(ReviewStatus))


# Route modules register on ``bp``; import them last.
from scout.views.admin import (  # noqa: E402, F401
    audit,
    audit_labels,
    bulletin,
    imports,
    network,
    organisations,
    review,
    users,
)
