"""Operations: ``/healthz`` for load balancers and monitoring, and a 503 (not a 500 with a
traceback) for any request made while the database is unreachable."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from sqlalchemy import text
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from scout.errors import _respond
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


@bp.app_errorhandler(OperationalError)
def database_unavailable(err: OperationalError) -> tuple[Any, int]:
    """The database dropped or refused the connection (a restart, a failover): answer 503
    so clients retry. The pool discards the broken connection (``pool_pre_ping``), so the
    next request reconnects by itself."""
    db.session.rollback()
    logger.warning("database unavailable: %s", type(err.orig).__name__ if err.orig else "?")
    body, status = _respond(503, str(_l("The service is briefly unavailable. Please retry.")))
    return body, status


def close_session(_exc: BaseException | None) -> None:
    """End the request's session (before Flask-SQLAlchemy's own teardown, which then finds
    nothing to do). When the database went away after the answer was made, the rollback of
    the closing session fails: the broken session is dropped (its connection is already
    invalidated) and the answer stands, instead of turning into a 500 at the last moment."""
    try:
        db.session.remove()
    except SQLAlchemyError as err:
        orig = getattr(err, "orig", None)
        logger.warning(
            "database connection lost at the end of a request: %s",
            type(orig).__name__ if orig else type(err).__name__,
        )
        db.session.registry.clear()
