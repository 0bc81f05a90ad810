"""The scouts' "to visit near me": places never visited, with a follow-up due, or to
re-verify, nearest first by walking time; and the one-tap "still valid" visit. Routes on the
scout blueprint (``/scout/nearby``)."""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, flash, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scout import capture, clock, coverage, walking
from scout.errors import OutOfArea
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Place
from scout.views.scout import bp

NEARBY_LIMIT = 40


def _origin() -> LonLat | None:
    """The scout's position from the POSTed form (never from the URL), if it sent one."""
    try:
        return LonLat(float(request.form["lon"]), float(request.form["lat"]))
    except (KeyError, ValueError):
        return None


@bp.route("/nearby", methods=["GET", "POST"])
def nearby() -> Any:
    """Places still to visit (never visited, a follow-up due, or to re-verify), nearest first
    by walking time from the position the page POSTs (never in the URL, where access logs
    would keep it; a URL carrying one is refused). The position is not stored. ``due=1``
    keeps only the places to re-verify.

    ``still_valid=<place id>`` is the one tap on a place to re-verify: a visit today with
    outcome "still valid", which re-verifies the place, its offers and resources; then the
    list again, from the same position, at the same URL (a reload repeats nothing harmful)."""
    if "lon" in request.args or "lat" in request.args:
        abort(400)
    origin = _origin() if request.method == "POST" else None
    if request.method == "POST" and request.form.get("still_valid"):
        try:
            place_id = int(request.form["still_valid"])
        except ValueError:
            abort(400)
        place = db.get_or_404(Place, place_id)
        coverage.still_valid(place, current_user, clock.today())
        db.session.commit()
        flash(_("%(name)s: verified today.", name=place.name), "success")
    return _nearby_page(origin, request.form.get("due") == "1")


def _nearby_page(origin: LonLat | None, only_due: bool) -> str:
    today = clock.today()
    rows: list[dict[str, Any]] = []
    answer = None
    error = None
    if origin is not None:
        try:
            answer = walking.reach(
                origin,
                current_app.config["NEARBY_MINUTES"],
                walking.Profile.STANDARD,
                places=coverage.due_places(today) if only_due else coverage.to_visit_or_due(today),
            )
        except OutOfArea as exc:
            error = exc.message
    if answer is not None:
        rows = capture.nearby_rows(answer, NEARBY_LIMIT)
    due = set(
        db.session.scalars(
            coverage.due_places(today).where(Place.id.in_([r["place"].id for r in rows]))
        )
    )
    for r in rows:
        r["due"] = r["place"].id in due
    rows_json = [
        {
            "id": r["place"].id,
            "name": r["place"].name,
            "lon": r["lon"],
            "lat": r["lat"],
            "minutes": r["walk"].whole_minutes,
            "url": url_for(".place", place_id=r["place"].id),
        }
        for r in rows
    ]
    return render_template(
        "scout/nearby.html",
        origin=origin,
        only_due=only_due,
        rows=rows,
        rows_json=rows_json,
        answer=answer,
        error=error,
    )
