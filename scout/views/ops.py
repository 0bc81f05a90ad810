"""Operations endpoints: ``/healthz`` for load balancers and monitoring."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from scout.extensions import db, limiter

logger = logging.getLogger(__name__)

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> tuple[dict[str, Any], int]:
    """200 when the database answers a query, 503 when it does not. Public: it says
    nothing but "ok" or "unavailable"."""
    try:
        # A constant query: the cheapest proof that a connection works end to end.
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError as exc:
        db.session.rollback()
        logger.warning("health check: database unavailable (%s)", type(exc).__name__)
        return {"status": "unavailable", "database": "unavailable"}, 503
    return {"status": "ok", "database": "ok"}, 200
