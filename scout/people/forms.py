"""The tutor's forms for a person's record, her children, her plan's steps and her consents."""

from __future__ import annotations

from datetime import date
from typing import Any

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from scout import clock
from scout.capture.fields import PHONE_RE, WeeklyScheduleField, _blank_to_none, _split_list
from scout.models import (
    ConsentPurpose,
    ContractType,
    Education,
    Employment,
    ItalianLevel,
    Language,
    ParentRole,
    PartTime,
    PlanStatus,
    ReferredBy,
    WalkingProfile,
)
from scout.schedule import WEEKDAYS

BLANK = SelectChoice("", "—")


def _choices(enum_cls: Any, blank: bool = False) -> list[SelectChoice]:
    return ([BLANK] if blank else []) + [SelectChoice(v, label) for v, label in enum_cls.choices()]


def choices(pairs: Any) -> list[SelectChoice]:
    """``SelectChoice`` rows from (value, label) pairs, after a blank one."""
    return [BLANK, *(SelectChoice(str(value), label) for value, label in pairs)]


def countries() -> list[tuple[str, str]]:
    """ISO country codes with their names in the page's language, by name."""
    names = Locale.parse(str(get_locale())).territories
    rows = [(code, name) for code, name in names.items() if len(code) == 2 and code.isalpha()]
    return sorted(rows, key=lambda r: r[1])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class PersonForm(FlaskForm):
    # The record's version when the form was loaded (not ``version``: a POST without it
    # must not take the stored one): an older one means someone saved in between.
    loaded_version = HiddenField()
    first_name = StringField(
        _l("First name (optional)"),
        validators=[Optional(), Length(max=100)],
        filters=[_blank_to_none],
    )
    phone = StringField(
        _l("Phone (optional)"),
        validators=[Optional(), Regexp(PHONE_RE, message=_l("Write a phone number."))],
        filters=[_blank_to_none],
    )
    language = SelectField(_l("Preferred language"), choices=_choices(Language))
    parent_role = SelectField(_l("Parent"), choices=_choices(ParentRole, blank=True), default="")
    birth_year = IntegerField(
        _l("Year of birth"), validators=[Optional(), NumberRange(min=1930, max=2012)]
    )
    nationality = SelectField(_l("Nationality"), choices=[BLANK], default="")
    education = SelectField(_l("Education"), choices=_choices(Education, blank=True), default="")
    employment = SelectField(_l("Employment"), choices=_choices(Employment, blank=True), default="")
    referred_by = SelectField(
        _l("Referred by"), choices=_choices(ReferredBy, blank=True), default=""
    )
    hub_id = SelectField(_l("Hub"), choices=[BLANK], default="")
    tutor_id = SelectField(_l("Tutor"), choices=[BLANK], default="")
    children_count = IntegerField(
        _l("Children under 18"), validators=[Optional(), NumberRange(min=0, max=20)]
    )
    home_address = StringField(
        _l("Her home address"),
        validators=[Optional(), Length(max=200)],
        filters=[_blank_to_none],
        render_kw={"autocomplete": "off"},
    )
    home_pick = RadioField(
        _l("Which address is hers?"), choices=[], validators=[Optional()], validate_choice=False
    )
    home_lon = FloatField(_l("Or a point: longitude"), validators=[Optional()])
    home_lat = FloatField(_l("Latitude"), validators=[Optional()])
    home_clear = BooleanField(_l("Remove her home"))
    availability = WeeklyScheduleField(_l("When she is available"))
    italian_level = SelectField(
        _l("Italian (CEFR level)"), choices=_choices(ItalianLevel, True), default=""
    )
    digital_email = BooleanField(_l("Uses e-mail"))
    digital_spid = BooleanField(_l("Has SPID"))
    digital_smartphone = BooleanField(_l("Uses a smartphone"))
    sectors = StringField(
        _l("Sectors she wants (comma-separated)"), validators=[Optional(), Length(max=500)]
    )
    contract_types = MultiCheckboxField(_l("Contracts she wants"), choices=_choices(ContractType))
    part_time_types = MultiCheckboxField(_l("Working time she wants"), choices=_choices(PartTime))
    max_walk_minutes = IntegerField(
        _l("Longest walk (minutes)"), validators=[Optional(), NumberRange(min=5, max=60)]
    )
    walking_profile = SelectField(_l("How she walks"), choices=_choices(WalkingProfile))
    goal_professional = TextAreaField(
        _l("Professional goal"), validators=[Optional(), Length(max=2000)], filters=[_blank_to_none]
    )
    goal_training = TextAreaField(
        _l("Training goal"), validators=[Optional(), Length(max=2000)], filters=[_blank_to_none]
    )
    status = SelectField(_l("Plan status"), choices=_choices(PlanStatus))
    closed_reason = StringField(
        _l("Why the plan is closed"),
        validators=[Optional(), Length(max=500)],
        filters=[_blank_to_none],
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=5000)], filters=[_blank_to_none]
    )

    def __init__(self, *args: Any, hubs: Any = (), tutors: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.nationality.choices = choices(countries())
        self.hub_id.choices = choices((h.id, h.name) for h in hubs)
        self.tutor_id.choices = choices((u.id, u.name or u.email) for u in tutors)

    def validate_home_lat(self, field: Field) -> None:
        if (self.home_lon.data is None) != (field.data is None):
            raise ValidationError(_l("Give both the longitude and the latitude, or neither."))
        if field.data is not None and not (
            45.3 <= field.data <= 45.6 and 9.0 <= (self.home_lon.data or 0) <= 9.4
        ):
            raise ValidationError(_l("This point is not in Milan."))

    def validate_closed_reason(self, field: Field) -> None:
        if self.status.data == PlanStatus.CLOSED.value and not field.data:
            raise ValidationError(_l("Say why the plan is closed."))

    @property
    def sector_list(self) -> list[str]:
        return _split_list(self.sectors.data)

    def apply(self, person: Any) -> None:
        """Copy the plain fields onto ``person`` (the home is handled apart)."""

        def enum_or_none(enum_cls: Any, value: str) -> Any:
            return enum_cls(value) if value else None

        person.first_name = self.first_name.data
        person.phone = self.phone.data
        person.language = Language(self.language.data)
        person.parent_role = enum_or_none(ParentRole, self.parent_role.data)
        person.birth_year = self.birth_year.data
        person.nationality = self.nationality.data or None
        person.education = enum_or_none(Education, self.education.data)
        person.employment = enum_or_none(Employment, self.employment.data)
        person.referred_by = enum_or_none(ReferredBy, self.referred_by.data)
        person.hub_id = int(self.hub_id.data) if self.hub_id.data else None
        person.tutor_id = int(self.tutor_id.data) if self.tutor_id.data else None
        person.children_count = self.children_count.data
        person.availability = self.availability.data
        person.italian_level = enum_or_none(ItalianLevel, self.italian_level.data)
        person.digital_email = self.digital_email.data
        person.digital_spid = self.digital_spid.data
        person.digital_smartphone = self.digital_smartphone.data
        person.sectors = self.sector_list
        person.contract_types = list(self.contract_types.data or [])
        person.part_time_types = list(self.part_time_types.data or [])
        person.max_walk_minutes = self.max_walk_minutes.data
        person.walking_profile = WalkingProfile(self.walking_profile.data)
        person.goal_professional = self.goal_professional.data
        person.goal_training = self.goal_training.data
        person.status = PlanStatus(self.status.data)
        person.closed_reason = self.closed_reason.data if self.status.data == "closed" else None
        person.notes = self.notes.data


class ChildForm(FlaskForm):
    school_id = SelectField(_l("School"), choices=[BLANK], validators=[DataRequired()])
    days = MultiCheckboxField(
        _l("School days"),
        choices=[SelectChoice(str(i), d) for i, d in enumerate(WEEKDAYS)],
        default=[],
    )
    drop_off = TimeField(_l("Drop-off"), validators=[Optional()])
    pick_up = TimeField(_l("Pick-up"), validators=[Optional()])

    def __init__(self, *args: Any, schools: Any = (), **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.school_id.choices = choices((s["id"], s["name"]) for s in schools)

    def validate_pick_up(self, field: Field) -> None:
        if field.data and self.drop_off.data and field.data <= self.drop_off.data:
            raise ValidationError(_l("Pick-up must be after drop-off."))


class StepForm(FlaskForm):
    text = StringField(
        _l("Step"), validators=[DataRequired(), Length(max=500)], filters=[_blank_to_none]
    )
    due_on = DateField(_l("By"), validators=[Optional()])


class ConsentForm(FlaskForm):
    purpose = SelectField(_l("Purpose"), choices=_choices(ConsentPurpose))
    given_on = DateField(_l("Given on"), validators=[InputRequired()], default=date.today)
    paper_ref = StringField(
        _l("Paper form reference"),
        validators=[Optional(), Length(max=100)],
        filters=[_blank_to_none],
    )

    def validate_given_on(self, field: Field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("A consent cannot be given in the future."))


class ForgetForm(FlaskForm):
    reason = StringField(
        _l("Reason (her request, how it was made)"),
        validators=[DataRequired(), Length(min=5, max=300)],
        filters=[_blank_to_none],
    )
