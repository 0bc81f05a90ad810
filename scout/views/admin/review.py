"""The coordinator's review queue (``/admin/review``): publish, send back, archive.

What scouts save waits here as *to review*; tutors and the public see only published records.
A decision carries the version the coordinator looked at, so a record the scout changed
meanwhile is not published unseen.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from scout import capture
from scout.capture.forms import ReviewForm
from scout.errors import wants_json
from scout.extensions import db
from scout.models import Place
from scout.views.admin import bp


def _record(kind: str, item_id: int) -> Any:
    model = capture.REVIEWABLE.get(kind)
    if model is None:
        abort(404)
    return db.get_or_404(model, item_id)


def _place_of(record: Any) -> Place:
    return record if isinstance(record, Place) else record.place


@bp.route("/review")
def review_queue() -> str:
    """Everything waiting for review, oldest first."""
    return render_template("admin/review.html", queue=capture.review_queue())


@bp.route("/review/<kind>/<int:item_id>", methods=["GET", "POST"])
def review_item(kind: str, item_id: int) -> Any:
    """One record with its place, photos, possible duplicates and the three decisions."""
    record = _record(kind, item_id)
    form = ReviewForm()
    if request.method == "GET":
        form.version.data = record.version
        form.with_children.data = True
    elif form.validate_on_submit():
        capture.review(
            record,
            form.action.data,
            current_user,
            version=form.version.data,
            comment=form.comment.data,
            with_children=form.with_children.data,
        )
        db.session.commit()
        if wants_json():
            return {"ok": True, "status": record.status.value}
        flash(_("Decision saved."), "success")
        return redirect(url_for(".review_queue"))
    place = _place_of(record)
    point = capture.place_point(place)
    duplicates = capture.similar_places(point, place.name, exclude_id=place.id)
    status = 422 if request.method == "POST" else 200
    return (
        render_template(
            "admin/review_item.html",
            kind=kind,
            record=record,
            place=place,
            point=point,
            duplicates=duplicates,
            form=form,
        ),
        status,
    )
