"""Meetings with institutions, network meetings and trainings (coordinators): list by period
and kind, add, edit. The report counts them (scout.report)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms import DateField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from scout import report
from scout.extensions import db
from scout.models import Meeting, MeetingKind, Organisation, Role, User
from scout.views.admin import bp

PER_PAGE = 50


def _optional_int(value: Any) -> int | None:
    return int(value) if value not in (None, "", "None") else None


class MeetingForm(FlaskForm):
    held_on = DateField(_l("Date"), validators=[DataRequired(_l("Enter the date."))])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k.value, k.label) for k in MeetingKind])
    organisation_id = SelectField(
        _l("Organisation of the records"), coerce=_optional_int, validators=[Optional()]
    )
    counterpart = StringField(
        _l("Or: institution or body (if it is not in the records)"),
        validators=[Optional(), Length(max=200)],
    )
    topic = StringField(
        _l("Topic"), validators=[DataRequired(_l("Enter the topic.")), Length(max=300)]
    )
    attendees = SelectMultipleField(_l("Who attended from the programme"), coerce=int)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def validate(self, extra_validators: Any = None) -> bool:
        """Field rules, then: with an organisation of the records or a named body."""
        ok = super().validate(extra_validators)
        if not self.organisation_id.data and not (self.counterpart.data or "").strip():
            self.counterpart.errors = [
                *self.counterpart.errors,
                _("Choose an organisation or write the institution's name."),
            ]
            ok = False
        return ok


def _form(meeting: Meeting | None = None) -> MeetingForm:
    form = MeetingForm(obj=meeting)
    orgs = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    )
    form.organisation_id.choices = [SelectChoice("", _("— none —"))] + [
        SelectChoice(i, n) for i, n in orgs
    ]
    staff = db.session.scalars(
        select(User).where(User.active.is_(True), User.role != Role.SCOUT).order_by(User.name)
    )
    form.attendees.choices = [SelectChoice(u.id, u.name or u.email) for u in staff]
    if meeting is not None and request.method == "GET":
        form.attendees.data = [u.id for u in meeting.attendees]
    return form


def _save(form: MeetingForm, meeting: Meeting) -> None:
    meeting.held_on = form.held_on.data
    meeting.kind = MeetingKind(form.kind.data)
    meeting.organisation_id = form.organisation_id.data or None
    meeting.counterpart = (form.counterpart.data or "").strip() or None
    meeting.topic = form.topic.data.strip()
    meeting.notes = (form.notes.data or "").strip() or None
    ids = set(form.attendees.data or [])
    meeting.attendees = (
        list(db.session.scalars(select(User).where(User.id.in_(ids)))) if ids else []
    )


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/meetings")
def meetings() -> str:
    """Meetings, newest first; ``?kind=``, ``?from=``, ``?to=``, ``?municipio=`` (with an
    organisation that has a place there, as the report counts them) narrow the list."""
    query = select(Meeting).order_by(Meeting.held_on.desc(), Meeting.id.desc())
    kind = request.args.get("kind", "")
    if kind in {k.value for k in MeetingKind}:
        query = query.where(Meeting.kind == MeetingKind(kind))
    start, end = _date_arg("from"), _date_arg("to")
    if start:
        query = query.where(Meeting.held_on >= start)
    if end:
        query = query.where(Meeting.held_on <= end)
    municipio = request.args.get("municipio", type=int)
    if municipio in range(1, 10):
        query = query.where(report.meeting_in_municipio(municipio))
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "admin/meetings.html",
        page=page,
        kinds=list(MeetingKind),
        kind=kind,
        start=start,
        end=end,
        args=args,
    )


@bp.route("/meetings/new", methods=["GET", "POST"])
def meeting_new() -> Any:
    form = _form()
    if form.validate_on_submit():
        meeting = Meeting()
        _save(form, meeting)
        db.session.add(meeting)
        db.session.commit()
        flash(_("Meeting saved."), "success")
        return redirect(url_for("admin.meetings"))
    return render_template("admin/meeting_form.html", form=form, meeting=None), (
        400 if form.errors else 200
    )


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
def meeting_edit(meeting_id: int) -> Response | Any:
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    form = _form(meeting)
    if form.validate_on_submit():
        _save(form, meeting)
        db.session.commit()
        flash(_("Meeting saved."), "success")
        return redirect(url_for("admin.meetings"))
    return render_template("admin/meeting_form.html", form=form, meeting=meeting), (
        400 if form.errors else 200
    )
