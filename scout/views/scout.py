"""Scout pages (``/scout``): touch-first capture of places, visits, offers and resources.

The forms work as plain HTML forms; ``static/js/scout/forms.js`` sends them with ``fetch``
(``Accept: application/json``) and keeps them on the device when the connection drops. So
every form view answers both: a page, or ``{"ok": ..., "errors"/"html"/"redirect": ...}``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from scout import capture, coverage, spatial
from scout.auth import role_required
from scout.capture import photos
from scout.capture.forms import OfferForm, PlaceForm, ResourceForm, VisitForm
from scout.errors import Conflict, wants_json
from scout.extensions import db
from scout.geo import LonLat
from scout.maps import MILAN_CENTRE
from scout.models import Offer, Photo, Place, Resource, Role, Visit
from scout.schedule import WEEKDAYS, WINDOWS_PER_DAY
from scout.validation import parse_args
from scout.views import schemas
from scout.walking import gazetteer

bp = Blueprint("scout", __name__)
bp.before_request(role_required(Role.SCOUT))

SAVE_ATTEMPTS = 3
T = TypeVar("T")


@bp.app_template_filter("conflict_value")
def conflict_value(value: Any) -> str:
    """A field's value as shown side by side in a conflict."""
    if value is None or value in ("", []):
        return "—"
    if isinstance(value, tuple):
        return ", ".join(f"{v:.6f}" for v in value)
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return "; ".join(f"{WEEKDAYS[int(w['day'])]} {w['start']}–{w['end']}" for w in value)
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


@bp.context_processor
def _scout_globals() -> dict[str, Any]:
    return {
        "weekdays": WEEKDAYS,
        "windows_per_day": WINDOWS_PER_DAY,
    }


# ---- answering the offline-capable forms ---------------------------------------------------


def _client_key() -> uuid.UUID | None:
    try:
        return uuid.UUID(request.form.get("client_key", ""))
    except ValueError:
        return None


def _saved(
    record: Any, url: str, message: str, *, created: bool = False, changed: bool = True
) -> Any:
    """A stored entry: JSON for the script (which then navigates), a redirect otherwise.
    ``created`` False with ``changed`` False: a re-sent entry that was already stored."""
    if wants_json():
        body = {
            "ok": True,
            "id": record.id,
            "created": created,
            "changed": created or changed,
            "redirect": url,
        }
        return body, 201 if created else 200
    flash(message, "success")
    return redirect(url)


def _error_dict(form: Any) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, errors in form.errors.items():
        flat = errors if isinstance(errors, list) else [errors]
        out[name] = [str(e) for e in flat]
    return out


def _refused(template: str, form: Any, status: int, messages: str | None = None, **ctx: Any) -> Any:
    """A form that was not stored: its field errors, and optionally a panel of messages
    (``messages`` names a partial: duplicates, conflict) shown above the buttons."""
    if wants_json():
        body: dict[str, Any] = {"ok": False, "errors": _error_dict(form)}
        if messages:
            body["html"] = render_template(messages, form=form, **ctx)
        if getattr(form, "version", None) is not None and form.version.data is not None:
            body["version"] = form.version.data
        return body, status
    return render_template(template, form=form, messages=messages, **ctx), status


def _save_and_commit(save: Callable[[], T]) -> T:
    """Run ``save`` (an edit carrying the version it was loaded at) and commit.

    Two saves of one record at the same instant both pass the version check; PostgreSQL
    lets one UPDATE through and the other finds the version gone (``StaleDataError``). The
    loser is rolled back and run again against what is stored now: it raises
    :class:`capture.StaleEdit` (the conflict page) or finds nothing left to change.
    """
    for _attempt in range(SAVE_ATTEMPTS - 1):
        try:
            result = save()
            db.session.commit()
            return result
        except StaleDataError:
            db.session.rollback()
    try:
        result = save()
        db.session.commit()
    except StaleDataError:
        raise Conflict() from None
    return result


def _reset_version(form: Any, record: Any) -> None:
    """After a conflict the form carries the current version: sending it again is a
    knowing overwrite."""
    form.version.data = record.version
    form.version.raw_data = [str(record.version)]


# ---- pages ---------------------------------------------------------------------------------


@bp.route("/")
def index() -> str:
    """The scout's home: big buttons, her areas (coverage, what is due, what is new), what
    waits on the device, what waits for review."""
    return render_template(
        "scout/index.html",
        entries=capture.my_entries(current_user),
        areas=coverage.areas_of(current_user),
    )


def _area_geojson() -> dict[str, Any]:
    return spatial.municipi_geojson(db.session, current_app.config["SERVICE_MUNICIPI"])


def _place_form_page(form: PlaceForm, place: Place | None, status: int = 200, **ctx: Any) -> Any:
    point = capture.place_point(place) if place is not None else None
    ctx.setdefault("messages", None)
    return (
        render_template(
            "scout/place_form.html",
            form=form,
            place=place,
            point=point,
            area=_area_geojson(),
            centre=MILAN_CENTRE,
            accuracy_max=current_app.config["GPS_ACCURACY_MAX_M"],
            **ctx,
        ),
        status,
    )


def _place_refused(form: PlaceForm, place: Place | None, status: int, **ctx: Any) -> Any:
    if wants_json():
        return _refused("scout/place_form.html", form, status, **ctx)
    return _place_form_page(form, place, status, **ctx)


@bp.route("/places/new", methods=["GET", "POST"])
def place_new() -> Any:
    """Add a place at the device's position. Checks the point is in the served area, the
    GPS accuracy (or the scout's confirmation), the photos, and possible duplicates."""
    if request.method == "POST" and (existing := capture.by_client_key(Place, _client_key())):
        return _saved(existing, url_for(".place", place_id=existing.id), _("Saved."), changed=False)
    form = PlaceForm()
    if not form.validate_on_submit():
        if request.method == "POST":
            return _place_refused(form, None, 422)
        return _place_form_page(form, None)
    try:
        place, created = capture.create_place(form.draft(), current_user)
    except capture.DuplicatesFound as dup:
        return _place_refused(
            form, None, 409, messages="scout/_duplicates.html", candidates=dup.candidates
        )
    db.session.commit()
    return _saved(place, url_for(".place", place_id=place.id), _("Place saved."), created=created)


@bp.route("/places/<int:place_id>")
def place(place_id: int) -> str:
    record = db.get_or_404(Place, place_id)
    visits = sorted(record.visits, key=lambda v: (v.visited_on, v.id), reverse=True)
    return render_template(
        "scout/place.html", place=record, point=capture.place_point(record), visits=visits
    )


def _place_form_data(place: Place) -> dict[str, Any]:
    """The form of the place as the scout last left it (a pending change on top)."""
    org = place.organisation
    values = capture.proposed_values(place)
    lon, lat = values["position"]
    return {
        **{name: values[name] for name in capture.PLACE_FIELDS},
        "version": place.version,
        "lon": lon,
        "lat": lat,
        "position_source": "stored",
        "organisation_id": org.id if org else None,
        "organisation_name": values["organisation_name"],
        "kind": values["kind"],
        "sectors": ", ".join(values["sectors"] or []),
        "website": values["website"],
    }


@bp.route("/places/<int:place_id>/edit", methods=["GET", "POST"])
def place_edit(place_id: int) -> Any:
    """Edit a place. The form carries the version it was loaded at: if someone saved in
    between, both versions are shown and nothing is written."""
    record = db.get_or_404(Place, place_id)
    if request.method == "GET":
        return _place_form_page(PlaceForm(data=_place_form_data(record)), record)
    form = PlaceForm(existing_photos=len(record.photos))
    if not form.validate_on_submit():
        return _place_refused(form, record, 422)
    try:
        draft = form.draft()
        changed = _save_and_commit(lambda: capture.update_place(record, draft, current_user))
    except capture.StaleEdit as stale:
        _reset_version(form, record)
        return _place_refused(
            form,
            record,
            409,
            messages="scout/_conflict.html",
            differences=stale.differences,
            record=record,
        )
    url = url_for(".place", place_id=record.id)
    return _saved(
        record, url, _("Changes saved.") if changed else _("Nothing changed."), changed=changed
    )


@bp.route("/photos/<int:photo_id>")
def photo(photo_id: int) -> Response:
    """A stored photo (staff only; the file name is random, never the uploaded one)."""
    row = db.get_or_404(Photo, photo_id)
    path = photos.path_of(row)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=row.content_type, max_age=86400)
    response.headers["Cache-Control"] = "private, max-age=86400"
    return response


@bp.route("/places/<int:place_id>/visits/new", methods=["GET", "POST"])
def visit_new(place_id: int) -> Any:
    """Log a visit: the date (not in the future), the outcome and an optional follow-up."""
    record = db.get_or_404(Place, place_id)
    url = url_for(".place", place_id=record.id)
    if request.method == "POST" and (existing := capture.by_client_key(Visit, _client_key())):
        return _saved(existing, url, _("Saved."), changed=False)
    form = VisitForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _refused("scout/visit_form.html", form, status, place=record)
    visit, created = capture.add_visit(record, form.draft(), current_user)
    db.session.commit()
    return _saved(visit, url, _("Visit saved."), created=created)


def _child_form(
    model: type,
    form_cls: type,
    template: str,
    place: Place,
    record: Any | None,
    save: Any,
) -> Any:
    """Add (``record`` None) or edit an offer or resource of ``place``."""
    url = url_for(".place", place_id=place.id)
    if (
        record is None
        and request.method == "POST"
        and (existing := capture.by_client_key(model, _client_key()))
    ):
        return _saved(existing, url, _("Saved."), changed=False)
    if request.method == "GET":
        form = form_cls(data=_record_data(record)) if record is not None else form_cls()
        return render_template(template, form=form, place=place, record=record, messages=None)
    form = form_cls()
    if not form.validate_on_submit():
        return _refused(template, form, 422, place=place, record=record)
    try:
        draft = form.draft()
        saved, changed = _save_and_commit(lambda: save(place, draft, current_user, record))
    except capture.StaleEdit as stale:
        _reset_version(form, record)
        return _refused(
            template,
            form,
            409,
            messages="scout/_conflict.html",
            place=place,
            record=record,
            differences=stale.differences,
        )
    if record is None:
        return _saved(saved, url, _("Saved."), created=changed)
    return _saved(saved, url, _("Saved.") if changed else _("Nothing changed."), changed=changed)


def _record_data(record: Any) -> dict[str, Any]:
    """Form data of an offer or resource (lists as comma-separated text), a pending change
    on top."""
    data = capture.proposed_values(record)
    for name, value in data.items():
        if isinstance(value, list) and name != "schedule":
            data[name] = ", ".join(value)
    data["version"] = record.version
    return data


@bp.route("/places/<int:place_id>/offers/new", methods=["GET", "POST"])
def offer_new(place_id: int) -> Any:
    place = db.get_or_404(Place, place_id)
    return _child_form(Offer, OfferForm, "scout/offer_form.html", place, None, capture.save_offer)


@bp.route("/offers/<int:offer_id>/edit", methods=["GET", "POST"])
def offer_edit(offer_id: int) -> Any:
    offer = db.get_or_404(Offer, offer_id)
    return _child_form(
        Offer, OfferForm, "scout/offer_form.html", offer.place, offer, capture.save_offer
    )


@bp.route("/places/<int:place_id>/resources/new", methods=["GET", "POST"])
def resource_new(place_id: int) -> Any:
    place = db.get_or_404(Place, place_id)
    return _child_form(
        Resource, ResourceForm, "scout/resource_form.html", place, None, capture.save_resource
    )


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
def resource_edit(resource_id: int) -> Any:
    resource = db.get_or_404(Resource, resource_id)
    return _child_form(
        Resource,
        ResourceForm,
        "scout/resource_form.html",
        resource.place,
        resource,
        capture.save_resource,
    )


@bp.get("/organisations.json")
def organisations_json() -> dict[str, Any]:
    """Organisations whose name resembles ``q``, for the place form's picker."""
    q = parse_args(schemas.OrganisationLookup, request.args).q.strip()[:100]
    if len(q) < 2:
        return {"organisations": []}
    return {
        "organisations": [
            {"id": o.id, "name": o.name, "kind": o.kind.value, "kind_label": str(o.kind.label)}
            for o in capture.organisations_like(q)
        ]
    }


@bp.post("/addresses.json")
def addresses_json() -> dict[str, Any]:
    """Gazetteer addresses matching what the scout typed ("via padova 12"), nearest to
    ``lon``/``lat`` when given (POSTed: the pin is where the scout stands). Empty when no
    network (and so no gazetteer) is imported."""
    req = parse_args(schemas.AddressLookup, request.form)
    street, number = gazetteer.split_address(req.q.strip()[:120])
    if len(street) < 3:
        return {"addresses": []}
    given = req.lon not in (None, "") and req.lat not in (None, "")
    near = LonLat(float(req.lon), float(req.lat)) if given else None  # type: ignore[arg-type]
    rows = gazetteer.suggest(db.session, street, number, near)
    return {
        "addresses": [
            {
                "label": a.label,
                "street": a.street,
                "housenumber": a.housenumber,
                "postcode": a.postcode,
                "lon": x,
                "lat": y,
            }
            for a, x, y in rows
        ]
    }


# The installable app: manifest and service worker (registered on ``bp``).
from scout.views import scout_app, scout_coverage, scout_nearby  # noqa: E402, F401
