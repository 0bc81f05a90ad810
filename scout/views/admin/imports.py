"""Upload a CSV or GeoJSON file of places (``/admin/import``): all rows or none."""

from __future__ import annotations

import re
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import Length, Optional, Regexp

from scout.capture.imports import DATASET_RE, ImportFormatError, format_of, import_places
from scout.extensions import db
from scout.views.admin import bp


class ImportForm(FlaskForm):
    file = FileField(
        _l("File (CSV or GeoJSON)"),
        validators=[
            FileRequired(),
            FileAllowed(["csv", "geojson", "json"], _l("Use a .csv or .geojson file.")),
        ],
    )
    dataset = StringField(
        _l("Dataset name"),
        validators=[
            Optional(),
            Length(max=100),
            Regexp(DATASET_RE, message=_l("Use letters, digits, '.', '_' or '-'.")),
        ],
    )


@bp.route("/import", methods=["GET", "POST"])
def import_places_page() -> Any:
    """Check the whole file; write every row, or none and list the bad rows (422)."""
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        upload = form.file.data
        filename = upload.filename or ""
        stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename.rsplit(".", 1)[0]).strip("-._")
        dataset = form.dataset.data or stem[:100] or "upload"
        try:
            report = import_places(db.session, upload.read(), format_of(filename), dataset)
        except ImportFormatError as exc:
            db.session.rollback()
            form.file.errors.append(str(exc.args[0]))
            return render_template("admin/import.html", form=form, report=None), 422
        if not report.ok:
            db.session.rollback()
            return render_template("admin/import.html", form=form, report=report), 422
        db.session.commit()
        form = ImportForm(formdata=None)
    elif form.errors:
        return render_template("admin/import.html", form=form, report=None), 400
    return render_template("admin/import.html", form=form, report=report)
