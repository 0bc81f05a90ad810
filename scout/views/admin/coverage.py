"""The coverage map for coordinators (``/admin/coverage``): per NIL or per 250 m square, what
the scouts have mapped and visited; as a map, a table, GeoPackage and CSV; and the scouting
funnel per NIL for the same period and scout (also as CSV)."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select
from wtforms import BooleanField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from scout import clock, coverage
from scout.extensions import db
from scout.models import Role, User
from scout.views.admin import bp
from scout.views.coverage_filters import CellFilterForm


class CoverageFilterForm(CellFilterForm):
    """The coordinator's filters: also one scout, and maybe only her areas."""

    scout = SelectField(_l("Scout"), coerce=str, validators=[Optional()])
    areas = BooleanField(_l("Only the chosen scout's areas"))

    def validate_areas(self, field: BooleanField) -> None:
        if field.data and not self.scout.data:
            raise ValidationError(_l("Choose a scout to see her areas."))

    def filters(self) -> coverage.Filters:
        scout_id = int(self.scout.data) if self.scout.data else None
        nil_ids = None
        if self.areas.data and scout_id is not None:
            nil_ids = tuple(coverage.nil_ids_of(db.get_or_404(User, scout_id)))
        return replace(super().filters(), scout_id=scout_id, nil_ids=nil_ids)


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
    """The coverage map and table, and the scouting funnel. Invalid filters answer 400 with
    the message next to the field (and no numbers)."""
    form, valid = _form()
    today = clock.today()
    filters = form.filters() if valid else coverage.Filters()
    found = coverage.cells(filters, today) if valid else []
    stages = coverage.funnel(filters, today) if valid else []
    args = {k: v for k, v in request.args.items() if v}
    since, until = filters.period(today)
    body = render_template(
        "admin/coverage.html",
        form=form,
        cells=found,
        features=coverage.geojson(found),
        stages=stages,
        funnel_total=coverage.totals(stages),
        funnel_csv_url=url_for("admin.coverage_funnel_csv", **args),
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
    return f"copertura-{form.kind.data or 'nil'}-{clock.today().isoformat()}.{ext}"


def _csv(text: str, filename: str) -> Response:
    return Response(
        text,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/coverage.csv")
def coverage_csv() -> Any:
    """The table as CSV (one row per cell, no geometry)."""
    form, valid = _form()
    if not valid:
        return coverage_map()
    return _csv(coverage.csv_text(coverage.cells(form.filters())), _export_name(form, "csv"))


@bp.route("/coverage/funnel.csv")
def coverage_funnel_csv() -> Any:
    """The scouting funnel per NIL for the period (and scout), with a row of totals."""
    form, valid = _form()
    if not valid:
        return coverage_map()
    today = clock.today()
    filters = form.filters()
    since, until = filters.period(today)
    text = coverage.funnel_csv(coverage.funnel(filters, today), since, until)
    return _csv(text, f"funnel-{since.isoformat()}-{until.isoformat()}.csv")


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
