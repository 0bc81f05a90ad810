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

from scout import capture, coverage
from scout.capture.forms import ReviewForm
from scout.errors import wants_json
from scout.extensions import db
from scout.models import Offer, Place, Resource, ReviewStatus
from scout.people import matching
from scout.views.admin import bp


def _record(kind: str, item_id: int) -> Any:
    model = capture.REVIEWABLE.get(kind)
    if model is None:
        abort(404)
    return db.get_or_404(model, item_id)


def _place_of(record: Any) -> Place:
    return record if isinstance(record, Place) else record.place


def _offers_and_courses(record: Any, place: Place) -> list[Offer | Resource]:
    """The offers and resources a decision on ``record`` may publish (itself, or a place's)."""
    if isinstance(record, Offer | Resource):
        return [record]
    return [*place.offers, *place.resources]


@bp.route("/review")
def review_queue() -> str:
    """Everything waiting for review, oldest first."""
    return render_template(
        "admin/review.html", queue=capture.review_queue(), off_the_map=coverage.off_the_map()
    )


def _outcome(action: str, record: Any, place: Place) -> tuple[str, str]:
    """What the decision did, in plain words, and the flash category."""
    if action == "send_back":
        return _("Sent back to the scout with your comment."), "success"
    if action == "archive":
        return _("Archived."), "success"
    if action == "discard":
        return _("The proposed change was discarded; the published version stays as it was."), (
            "success"
        )
    seen = capture.publicity(place)
    name = place.name
    if seen.public:
        return _("Published: “%(name)s” is on the public map.", name=name), "success"
    return (
        _(
            "Published for tutors and scouts only: “%(name)s” is not on the public map, "
            "because %(reasons)s.",
            name=name,
            reasons="; ".join(str(r) for r in seen.reasons),
        ),
        "warning",
    )


@bp.route("/review/<kind>/<int:item_id>", methods=["GET", "POST"])
def review_item(kind: str, item_id: int) -> Any:
    """One record with its place, photos, possible duplicates, the scout's proposed change,
    whether the place will be public once approved (with the organisation's partner,
    consent and contacts flags to set right here) and the decisions."""
    record = _record(kind, item_id)
    place = _place_of(record)
    org = place.organisation
    form = ReviewForm()
    if request.method == "GET":
        form.version.data = record.version
        form.with_children.data = True
        if org is not None:
            form.flags_shown.data = "1"
            for name in capture.PARTNER_FLAGS:
                getattr(form, name).data = getattr(org, name)
    elif form.validate_on_submit():
        flags = None
        if org is not None and form.flags_shown.data == "1":
            flags = capture.PartnerFlags(
                *(bool(getattr(form, name).data) for name in capture.PARTNER_FLAGS)
            )
        before = {id(r): r.status for r in _offers_and_courses(record, place)}
        capture.review(
            record,
            form.action.data,
            current_user,
            version=form.version.data,
            comment=form.comment.data,
            with_children=form.with_children.data,
            flags=flags,
        )
        if form.action.data == "publish":
            # The people each newly published offer or course fits: their tutors' new matches.
            matching.note_published(
                db.session,
                [
                    r
                    for r in _offers_and_courses(record, place)
                    if r.status == ReviewStatus.PUBLISHED
                    and (before[id(r)] != ReviewStatus.PUBLISHED or r is record)
                ],
            )
        db.session.commit()
        message, category = _outcome(form.action.data, record, place)
        if wants_json():
            return {
                "ok": True,
                "status": record.status.value,
                "public": capture.publicity(place).public,
                "message": message,
            }
        flash(message, category)
        return redirect(url_for(".review_queue"))
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
            changes=capture.pending_changes(record),
            publicity=capture.publicity(place, once_approved=kind == "place"),
            form=form,
        ),
        status,
    )
