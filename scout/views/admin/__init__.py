"""Coordinator pages (``/admin``): review, users, partners, bulletin, audit."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from sqlalchemy import func, select

from scout import spatial
from scout.auth import role_required
from scout.coverage import weekly
from scout.extensions import db
from scout.geo import metres_per_degree
from scout.models import Place, ReviewStatus, Role

bp = Blueprint("admin", __name__)
bp.before_request(role_required(Role.COORDINATOR))


@bp.route("/")
def index() -> str:
    counts = dict(
        db.session.execute(select(Place.status, func.count()).group_by(Place.status)).all()
    )
    return render_template(
        "admin/index.html",
        counts=counts,
        statuses=list(ReviewStatus),
        progress=weekly(),
    )


@bp.app_template_global("nil_outlines_near")
def nil_outlines_near(lon: float, lat: float, metres: float = 600) -> list[dict[str, Any]]:
    """The neighbourhood outlines within about ``metres`` of a point, for a place's mini map."""
    m_lon, m_lat = metres_per_degree(lat)
    dx, dy = metres / float(m_lon), metres / float(m_lat)
    rows = spatial.nil_outlines_in_box(db.session, (lon - dx, lat - dy, lon + dx, lat + dy))
    return [{"name": name, "geometry": geometry} for name, geometry in rows]


# Route modules register on ``bp``; import them last.
from scout.views.admin import (  # noqa: E402, F401
    audit,
    audit_labels,
    bulletin,
    coverage,
    imports,
    meetings,
    network,
    organisations,
    records,
    review,
    users,
)
