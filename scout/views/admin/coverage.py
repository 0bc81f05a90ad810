"""The coverage map for coordinators (``/admin/coverage``): per NIL or per 250 m square, what
the scouts have mapped and visited; as a map, a table, GeoPackage and CSV."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from scout import coverage
from scout.extensions import db
from scout.models import Role, User
from scout.views.admin import bp


class CoverageFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    kind = SelectField(
        _l("Cells"),
        choices=[
            SelectChoice("nil", _l("Neighbourhoods (NIL)")),
            SelectChoice("grid", _l("Squares of 250 m")),
        ],
        default="nil",
        validators=[Optional()],
    )
    scout = SelectField(_l("Scout"), coerce=str, validators=[Optional()])
    since = DateField(_l("Visits from"), validators=[Optional()])
    until = DateField(_l("Visits to"), validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> coverage.Filters:
        return coverage.Filters(
            kind=self.kind.data or "nil",
            since=self.since.data,
            until=self.until.data,
            scout_id=int(self.scout.data) if self.scout.data else None,
        )


def _form() -> tuple[CoverageFilterForm, bool]:
    form = CoverageFilterForm(formdata=request.args)
    scouts = db.session.scalars(
        select(User).where(User.role == Role.SCOUT).order_by(User.name, User.email)
    ).all()
    form.scout.choices = [SelectChoice("", _l("Every scout"))] + [
        SelectChoice(str(u.id), u.name or u.email) for u in scouts
    ]
    valid = form.validate() if request.args else True
    return form, valid


@bp.route("/coverage")
def coverage_map() -> tuple[str, int] | str:
    """The coverage map and table. Invalid filters answer 400 with the message next to the
    field (and no numbers)."""
    form, valid = _form()
    found = coverage.cells(form.filters()) if valid else []
    args = {k: v for k, v in request.args.items() if v}
    since, until = form.filters().period(date.today())
    body = render_template(
        "admin/coverage.html",
        form=form,
        cells=found,
        features=coverage.geojson(found),
        args=args,
        since=since,
        until=until,
        grid_m=coverage.GRID_M,
        export_urls={
            "gpkg": url_for("admin.coverage_gpkg", **args),
            "csv": url_for("admin.coverage_csv", **args),
        },
    )
    return body if valid else (body, 400)


def _export_name(form: CoverageFilterForm, ext: str) -> str:
    return f"copertura-{form.kind.data or 'nil'}-{date.today().isoformat()}.{ext}"


@bp.route("/coverage.csv")
def coverage_csv() -> Any:
    """The table as CSV (one row per cell, no geometry)."""
    form, valid = _form()
    if not valid:
        return coverage_map()
    text = coverage.csv_text(coverage.cells(form.filters()))
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(form, "csv")}"'},
    )


@bp.route("/coverage.gpkg")
def coverage_gpkg() -> Any:
    """The cells with their counts as a GeoPackage layer (EPSG:4326), for the funder's GIS."""
    form, valid = _form()
    if not valid:
        return coverage_map()
    found = coverage.cells(form.filters())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "coverage.gpkg"
        coverage.geopackage(found, str(path), layer=f"coverage_{form.kind.data or 'nil'}")
        data = path.read_bytes()
    return Response(
        data,
        mimetype="application/geopackage+sqlite3",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(form, "gpkg")}"'},
    )


@bp.route("/coverage/areas")
def scout_areas() -> str:
    """Which NIL each scout covers, with a form per scout to change them."""
    scouts = db.session.scalars(
        select(User).where(User.role == Role.SCOUT, User.active.is_(True)).order_by(User.name)
    ).all()
    return render_template(
        "admin/scout_areas.html",
        scouts=scouts,
        nils=coverage.served_nil(),
        assigned=coverage.assignments(),
    )


@bp.post("/coverage/areas/<int:user_id>")
def scout_areas_save(user_id: int) -> Any:
    """Make the chosen NIL the scout's areas. A NIL outside the served municipi is refused
    (400, nothing changed)."""
    user = db.get_or_404(User, user_id)
    if user.role != Role.SCOUT:
        abort(404)
    served = {n.id for n in coverage.served_nil()}
    try:
        chosen = [int(v) for v in request.form.getlist("nil")]
    except ValueError:
        chosen = [-1]
    if not set(chosen) <= served:
        flash(_("Choose neighbourhoods of the served municipi."), "danger")
        return scout_areas(), 400
    coverage.assign(user, chosen)
    db.session.commit()
    flash(
        ngettext(
            "%(name)s now covers %(num)d neighbourhood.",
            "%(name)s now covers %(num)d neighbourhoods.",
            len(chosen),
            name=user.name or user.email,
        ),
        "success",
    )
    return redirect(url_for("admin.scout_areas"))
