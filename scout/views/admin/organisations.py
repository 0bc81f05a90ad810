"""Partners and places for coordinators: details, history, partner and public flags.

``organisation_unpublish`` is the one-click removal from the public map: it clears
``public_consent`` (audited like every write), and since every public page and feed selects
through :func:`scout.spatial.public_places`, the next request no longer shows it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import BooleanField, DateField
from wtforms.validators import Optional

from scout import report, spatial
from scout.extensions import db
from scout.models import Organisation, Place
from scout.views.admin import bp

PER_PAGE = 50


class OrganisationFlagsForm(FlaskForm):
    is_partner = BooleanField(_l("Partner of the network"))
    public_consent = BooleanField(_l("Agreed to appear on the public map"))
    contacts_public = BooleanField(_l("Agreed to publish its contact details"))
    joined_network_on = DateField(_l("Joined the network on"), validators=[Optional()])


class ConfirmForm(FlaskForm):
    """A form with nothing but the CSRF token, for one-button actions."""


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@bp.route("/organisations")
def organisations() -> str:
    """Organisations, partners first; ``?all=1`` lists non-partners too, ``?q=`` by name."""
    q = request.args.get("q", "").strip()[:100]
    show_all = request.args.get("all") == "1"
    query = select(Organisation).order_by(Organisation.is_partner.desc(), Organisation.name)
    joined_from, joined_to = _date_arg("joined_from"), _date_arg("joined_to")
    if not show_all and not (joined_from or joined_to):
        query = query.where(Organisation.is_partner.is_(True))
    if q:
        query = query.where(Organisation.name.ilike(_like(q), escape="\\"))
    if joined_from or joined_to:  # the report's "organisations that joined the network"
        query = query.where(Organisation.joined_network_on.is_not(None))
        if joined_from:
            query = query.where(Organisation.joined_network_on >= joined_from)
        if joined_to:
            query = query.where(Organisation.joined_network_on <= joined_to)
        municipio = request.args.get("municipio", type=int)
        if municipio in range(1, 10):  # with a place there, as the report counts them
            query = query.where(report.in_municipio(municipio))
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    ids = [org.id for org in page.items]
    counts = dict(
        db.session.execute(
            select(Place.organisation_id, func.count())
            .where(Place.organisation_id.in_(ids))
            .group_by(Place.organisation_id)
        ).all()
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/organisations.html", page=page, counts=counts, q=q, show_all=show_all, args=args
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def _public_ids(organisation_id: int) -> set[int]:
    """Ids of the organisation's places that the public map shows now."""
    query = spatial.public_places().where(Place.organisation_id == organisation_id)
    return {place.id for place, _x, _y in db.session.execute(query).all()}


@bp.route("/organisations/<int:organisation_id>", methods=["GET", "POST"])
def organisation_detail(organisation_id: int) -> Any:
    """An organisation's details, places and history; POST saves its partner/public flags."""
    org = db.session.scalar(
        select(Organisation)
        .where(Organisation.id == organisation_id)
        .options(selectinload(Organisation.places))
    )
    if org is None:
        abort(404)
    form = OrganisationFlagsForm(obj=org)
    if form.validate_on_submit():
        for name in ("is_partner", "public_consent", "contacts_public"):
            value = bool(getattr(form, name).data)
            if getattr(org, name) != value:
                setattr(org, name, value)
        if org.joined_network_on != form.joined_network_on.data:
            org.joined_network_on = form.joined_network_on.data
        db.session.commit()
        flash(_("Saved."), "success")
        return redirect(url_for("admin.organisation_detail", organisation_id=org.id))
    status = 400 if form.errors else 200
    return render_template(
        "admin/organisation.html",
        org=org,
        form=form,
        confirm=ConfirmForm(),
        public_ids=_public_ids(org.id),
    ), status


@bp.post("/organisations/<int:organisation_id>/unpublish")
def organisation_unpublish(organisation_id: int) -> Response:
    """Remove the organisation from the public map at once (clears ``public_consent``)."""
    org = db.get_or_404(Organisation, organisation_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please reload the page and try again."), "danger")
    elif org.public_consent:
        org.public_consent = False
        db.session.commit()
        flash(_("%(name)s no longer appears on the public map.", name=org.name), "success")
    return redirect(url_for("admin.organisation_detail", organisation_id=organisation_id))


@bp.route("/places/<int:place_id>")
def place_detail(place_id: int) -> str:
    """A place's details (staff fields included) and its history."""
    lon, lat = spatial.place_lonlat()
    row = db.session.execute(
        select(Place, lon, lat)
        .where(Place.id == place_id)
        .options(selectinload(Place.organisation), selectinload(Place.photos))
    ).first()
    if row is None:
        abort(404)
    place, x, y = row
    public = place.organisation_id is not None and place.id in _public_ids(place.organisation_id)
    return render_template("admin/place.html", place=place, lon=x, lat=y, public=public)
