"""The audit log for coordinators: who changed what, when (``/admin/audit``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import DateField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import NumberRange, Optional, ValidationError

from scout import audit
from scout.extensions import db
from scout.models import AuditAction, AuditEvent, User
from scout.views.admin import bp
from scout.views.admin.audit_labels import entity_label

PER_PAGE = 50


class AuditFilterForm(FlaskForm):
    """Filters read from the query string (a GET form: no CSRF token)."""

    class Meta:
        csrf = False

    user = SelectField(_l("User"), coerce=str, validators=[Optional()])
    entity = SelectField(_l("Record type"), coerce=str, validators=[Optional()])
    entity_id = IntegerField(_l("Record id"), validators=[Optional(), NumberRange(min=1)])
    action = SelectField(
        _l("Action"),
        choices=[SelectChoice("", _l("Any"))]
        + [SelectChoice(v, lbl) for v, lbl in AuditAction.choices()],
        validators=[Optional()],
    )
    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])

    def validate_date_to(self, field: DateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("The end date is before the start date."))


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` in the programme's time zone (dates are read as local days)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return dt.datetime.combine(day, dt.time(), tzinfo=zone)


def _filters(form: AuditFilterForm) -> list[Any]:
    where: list[Any] = []
    if form.user.data == "none":
        where.append(AuditEvent.user_id.is_(None))
    elif form.user.data:
        where.append(AuditEvent.user_id == int(form.user.data))
    if form.entity.data:
        where.append(AuditEvent.entity == form.entity.data)
    if form.entity_id.data:
        where.append(AuditEvent.entity_id == form.entity_id.data)
    if form.action.data:
        where.append(AuditEvent.action == AuditAction(form.action.data))
    if form.date_from.data:
        where.append(AuditEvent.at >= _day_start(form.date_from.data))
    if form.date_to.data:
        where.append(AuditEvent.at < _day_start(form.date_to.data + dt.timedelta(days=1)))
    return where


@bp.route("/audit")
def audit_log() -> tuple[str, int] | str:
    """The audit log, newest first, filtered by user, record type and id, action and dates.

    Invalid filters answer 400 with the form's message next to the field.
    """
    form = AuditFilterForm(formdata=request.args)
    users = db.session.scalars(select(User).order_by(User.email)).all()
    form.user.choices = [SelectChoice("", _l("Anyone")), SelectChoice("none", _l("System"))] + [
        SelectChoice(str(u.id), u.email) for u in users
    ]
    entities = list(
        db.session.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity))
    )
    wanted = request.args.get("entity")
    if wanted and wanted not in entities and len(wanted) <= 40:
        entities.append(wanted)  # a type nobody has touched yet is a valid, empty filter
    form.entity.choices = [SelectChoice("", _l("Any"))] + [
        SelectChoice(e, entity_label(e)) for e in entities
    ]

    valid = form.validate() if request.args else True
    query = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.user))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    page = (
        db.paginate(
            query.where(*_filters(form)), per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False
        )
        if valid
        else None
    )
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    body = render_template("admin/audit.html", form=form, page=page, args=args)
    return body if valid else (body, 400)


@bp.app_template_global("audit_history")
def audit_history(entity: str, entity_id: int) -> list[AuditEvent]:
    """The history of one record, for ``{% include "_history.html" %}`` on its page."""
    return audit.history(db.session, entity, entity_id)
