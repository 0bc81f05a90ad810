"""The walking network (``/admin/network``): what is imported, and uploading a new extract."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms.validators import ValidationError

from scout.errors import ImportFailed
from scout.extensions import db
from scout.views.admin import bp
from scout.walking.osm_import import import_osm, network_summary

SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")


def _osm_suffix(_form: Any, field: Any) -> None:
    name = (field.data.filename or "").lower() if field.data else ""
    if not name.endswith(SUFFIXES):
        raise ValidationError(_l("Use an OpenStreetMap extract (.osm.pbf, .osm or .osm.bz2)."))


class NetworkUploadForm(FlaskForm):
    file = FileField(_l("OpenStreetMap extract"), validators=[FileRequired(), _osm_suffix])


@bp.route("/network", methods=["GET", "POST"])
def network() -> Any:
    """Show the imported network; import an uploaded extract (the old network stays in place
    when the file is unusable: 422 with the reason)."""
    form = NetworkUploadForm()
    report = None
    error = None
    status = 200
    if form.validate_on_submit():
        upload = form.file.data
        name = Path(upload.filename or "extract.osm").name
        suffix = next(s for s in SUFFIXES if name.lower().endswith(s))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"upload{suffix}"
            upload.save(path)
            upload.close()  # the spooled temporary file of a large upload
            try:
                report = import_osm(db.session, path, source=name)
                db.session.commit()
                form = NetworkUploadForm(formdata=None)
            except ImportFailed as exc:
                db.session.rollback()
                error = exc.message.replace(path.name, name)
                form.file.errors = [error]
                status = 422
    elif form.errors:
        status = 400
    info = network_summary(db.session)
    return render_template(
        "admin/network.html", form=form, info=info, report=report, error=error
    ), status
