"""The tutors' forms for referrals, placements, follow-ups, enrolments and the autonomy
assessment. Each gives plain values (a draft or keyword arguments) to the operations."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from scout import clock
from scout.models import (
    EnrolmentStatus,
    Evidence,
    PartTime,
    PlacementContract,
    ReferralStatus,
    StillWorking,
)
from scout.people.placements import PlacementDraft

REQUIRED_DATE = _l("Give the date (day, month, year).")


def _today() -> date:
    return clock.today()


def _notes() -> TextAreaField:
    return TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )


def _on(label: Any = None) -> DateField:
    return DateField(
        label or _l("Date"), default=_today, validators=[DataRequired(message=REQUIRED_DATE)]
    )


class ReferralForm(FlaskForm):
    """Propose her for a result of her search (``offer-12`` or ``course-3``)."""

    target = HiddenField(validators=[DataRequired(), Regexp(r"^(offer|course)-[1-9][0-9]{0,8}$")])
    on = _on(_l("Proposed on"))


class StepForm(FlaskForm):
    status = SelectField(_l("Next step"), validators=[DataRequired()])
    on = _on()
    notes = _notes()

    def set_steps(self, steps: list[ReferralStatus]) -> None:
        self.status.choices = [SelectChoice(s.value, s.label) for s in steps]


def _enum_choices(enum_cls: Any, blank: Any = None) -> list[SelectChoice]:
    head = [SelectChoice("", blank)] if blank is not None else []
    return head + [SelectChoice(m.value, m.label) for m in enum_cls]


class PlacementForm(FlaskForm):
    referral_id = HiddenField()
    employer_name = StringField(_l("Employer"), validators=[DataRequired(), Length(max=200)])
    employer_address = StringField(
        _l("Workplace address (street and number)"), validators=[Optional(), Length(max=200)]
    )
    contract_type = SelectField(
        _l("Contract"), choices=_enum_choices(PlacementContract), validators=[DataRequired()]
    )
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=80)])
    starts_on = DateField(_l("Start"), validators=[DataRequired(message=REQUIRED_DATE)])
    ends_on = DateField(_l("End (if fixed)"), validators=[Optional()])
    hours_per_week = DecimalField(
        _l("Hours per week"), places=1, validators=[Optional(), NumberRange(min=1, max=60)]
    )
    part_time = SelectField(
        _l("Working hours"),
        choices=_enum_choices(PartTime, _l("Not stated")),
        validators=[Optional()],
    )
    evidence = SelectField(
        _l("How we know"), choices=_enum_choices(Evidence), default=Evidence.SELF_REPORTED.value
    )
    notes = _notes()

    def draft(self, prefilled: PlacementDraft | None = None) -> PlacementDraft:
        """The placement as typed; a hired referral's workplace and offer are kept unless the
        tutor typed another address."""
        address = (self.employer_address.data or "").strip() or None
        keep_point = prefilled is not None and address == prefilled.employer_address
        return PlacementDraft(
            employer_name=self.employer_name.data.strip(),
            employer_address=address,
            workplace=prefilled.workplace if keep_point and prefilled else None,
            contract_type=PlacementContract(self.contract_type.data),
            sector=self.sector.data,
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            hours_per_week=self.hours_per_week.data,
            part_time=PartTime(self.part_time.data) if self.part_time.data else None,
            evidence=Evidence(self.evidence.data),
            notes=self.notes.data,
            referral_id=prefilled.referral_id if prefilled else None,
            offer_id=prefilled.offer_id if prefilled else None,
        )

    def fill(self, draft: PlacementDraft) -> None:
        self.referral_id.data = str(draft.referral_id or "")
        self.employer_name.data = draft.employer_name
        self.employer_address.data = draft.employer_address
        self.contract_type.data = draft.contract_type.value
        self.sector.data = draft.sector
        self.starts_on.data = draft.starts_on
        self.hours_per_week.data = draft.hours_per_week
        self.part_time.data = draft.part_time.value if draft.part_time else ""


class FollowUpForm(FlaskForm):
    still_working = SelectField(
        _l("Does she still work there?"),
        choices=[
            SelectChoice(StillWorking.YES.value, _l("Yes")),
            SelectChoice(StillWorking.NO.value, _l("No")),
        ],
        validators=[DataRequired()],
    )
    on = _on(_l("Checked on"))
    notes = _notes()


class EnrolForm(FlaskForm):
    resource = SelectField(_l("Course"), validators=[DataRequired()])
    on = _on(_l("Enrolled on"))


class EndEnrolmentForm(FlaskForm):
    status = SelectField(
        _l("Outcome"),
        choices=[
            SelectChoice(EnrolmentStatus.COMPLETED.value, EnrolmentStatus.COMPLETED.label),
            SelectChoice(EnrolmentStatus.DROPPED.value, EnrolmentStatus.DROPPED.label),
        ],
        validators=[DataRequired()],
    )
    on = _on()


class AutonomyForm(FlaskForm):
    searches_alone = SelectField(
        _l("Does she search for work on her own?"),
        choices=[SelectChoice("yes", _l("Yes")), SelectChoice("no", _l("No"))],
        validators=[DataRequired()],
    )
    on = _on(_l("Assessed on"))
