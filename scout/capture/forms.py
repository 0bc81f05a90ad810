"""Flask-WTF forms of the scout pages and the review queue.

Every check that can be made without the database lives here, with its message attached to
the field it is about, so both the HTML page and the JSON answer of the offline-capable
forms show it next to that field.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    Field,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from scout import clock, spatial
from scout.capture import photos
from scout.capture.drafts import (
    OfferDraft,
    OrganisationDraft,
    PlaceDraft,
    ResourceDraft,
    VisitDraft,
)
from scout.capture.fields import (
    PHONE_RE,
    CoordinateField,
    OfflineForm,
    VersionedForm,
    WeeklyScheduleField,
    _blank_to_none,
    _choices,
    _split_list,
    _strip,
    _website,
)
from scout.geo import LonLat
from scout.models import (
    ContractType,
    ItalianLevel,
    OfferStatus,
    OrgKind,
    PartTime,
    ResourceKind,
    VisitOutcome,
)
from scout.schedule import weekly_hours

MAX_PHOTOS = 5


PLACE_TEXT_FIELDS = (
    "street",
    "civic_number",
    "postcode",
    "opening_hours",
    "accessibility_notes",
    "notes",
    "contact_person",
    "phone",
    "email",
)


class PlaceForm(VersionedForm):
    lon = CoordinateField()
    lat = CoordinateField()
    accuracy_m = FloatField(widget=HiddenInput(), validators=[Optional()])
    position_source = HiddenField(default="gps")
    position_confirmed = BooleanField(_l("The pin is in the right place"))
    confirm_duplicate = HiddenField()

    name = StringField(
        _l("Name of the place"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    organisation_id = IntegerField(widget=HiddenInput(), validators=[Optional()])
    organisation_name = StringField(
        _l("Organisation"),
        description=_l("Start typing to pick an existing one; leave empty to use the name."),
        validators=[Optional(), Length(max=200)],
        filters=[_blank_to_none],
    )
    kind = SelectField(_l("Kind"), choices=_choices(OrgKind), validators=[InputRequired()])
    sectors = StringField(
        _l("Sectors"),
        description=_l("Separate them with commas, e.g. restaurant, cleaning."),
        validators=[Optional(), Length(max=500)],
    )
    contact_person = StringField(
        _l("Contact person"), validators=[Optional(), Length(max=200)], filters=[_blank_to_none]
    )
    phone = StringField(
        _l("Phone"),
        validators=[
            Optional(),
            Length(max=50),
            Regexp(PHONE_RE, message=_l("Use digits, spaces and an optional leading +.")),
        ],
        filters=[_blank_to_none],
        render_kw={"type": "tel", "autocomplete": "off"},
    )
    email = StringField(
        _l("E-mail"),
        validators=[Optional(), Length(max=200), Email()],
        filters=[_blank_to_none],
        render_kw={"type": "email"},
    )
    website = StringField(
        _l("Website"),
        validators=[Optional(), Length(max=300), URL(message=_l("This is not a web address."))],
        filters=[_website],
        render_kw={"inputmode": "url"},
    )
    street = StringField(
        _l("Street"),
        validators=[Optional(), Length(max=200)],
        filters=[_blank_to_none],
        render_kw={"autocomplete": "off"},
    )
    civic_number = StringField(
        _l("Number"), validators=[Optional(), Length(max=20)], filters=[_blank_to_none]
    )
    postcode = StringField(
        _l("Postcode"),
        validators=[Optional(), Regexp(r"^\d{5}$", message=_l("Five digits, e.g. 20127."))],
        filters=[_blank_to_none],
        render_kw={"inputmode": "numeric"},
    )
    opening_schedule = WeeklyScheduleField(_l("Opening hours"))
    opening_hours = TextAreaField(
        _l("Notes on the opening hours"),
        description=_l("Only what the weekly grid cannot say, e.g. closed in August."),
        validators=[Optional(), Length(max=2000)],
        filters=[_blank_to_none],
    )
    accessibility_notes = TextAreaField(
        _l("Accessibility notes"),
        validators=[Optional(), Length(max=2000)],
        filters=[_blank_to_none],
    )
    notes = TextAreaField(
        _l("Notes (staff only)"),
        validators=[Optional(), Length(max=5000)],
        filters=[_blank_to_none],
    )
    photos = MultipleFileField(
        _l("Photos"),
        description=_l("Up to 5 photos: JPEG, PNG or WebP, at most 8 MB each."),
        render_kw={"accept": "image/jpeg,image/png,image/webp", "capture": "environment"},
    )

    def __init__(self, *args: Any, existing_photos: int = 0, **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.existing_photos = existing_photos
        self.prepared_photos: list[Any] = []

    @property
    def sector_list(self) -> list[str]:
        return [s[:80] for s in _split_list(self.sectors.data)]

    @property
    def duplicates_confirmed(self) -> bool:
        return self.confirm_duplicate.data == "y" or self.from_queue

    def draft(self) -> PlaceDraft:
        """The validated form as plain data."""
        return PlaceDraft(
            name=self.name.data,
            point=LonLat(self.lon.data, self.lat.data),
            organisation=OrganisationDraft(
                id=self.organisation_id.data or None,
                name=self.organisation_name.data,
                kind=OrgKind(self.kind.data),
                sectors=tuple(self.sector_list),
                website=self.website.data,
            ),
            **{name: getattr(self, name).data for name in PLACE_TEXT_FIELDS},
            opening_schedule=tuple(self.opening_schedule.data),
            version=self.version.data,
            client_key=self.client_uuid,
            duplicates_confirmed=self.duplicates_confirmed,
            photos=tuple(self.prepared_photos),
        )

    def validate_lat(self, field: Field) -> None:
        if self.lon.data is None or field.data is None:
            raise ValidationError(_l("Set the position: use the GPS or tap the map."))
        try:
            point = LonLat(self.lon.data, field.data)
        except ValueError:
            raise ValidationError(_l("The position is not valid.")) from None
        if not spatial.in_service_area(point):
            raise ValidationError(_l("This point is outside the area served (Municipio 2 and 3)."))
        limit = current_app.config["GPS_ACCURACY_MAX_M"]
        poor = self.accuracy_m.data is not None and self.accuracy_m.data > limit
        if poor and self.position_source.data != "manual" and not self.position_confirmed.data:
            raise ValidationError(
                _l(
                    "The GPS position is only accurate to %(metres)d m: check the pin and "
                    "confirm it, or drag it to the right place.",
                    metres=round(self.accuracy_m.data),
                )
            )

    def validate_photos(self, field: Field) -> None:
        files = [f for f in (field.data or []) if getattr(f, "filename", "")]
        if len(files) + self.existing_photos > MAX_PHOTOS:
            raise ValidationError(_l("At most %(n)d photos per place.", n=MAX_PHOTOS))
        try:
            self.prepared_photos = [photos.prepare(f.stream, f.filename) for f in files]
        except photos.PhotoRejected as exc:
            raise ValidationError(exc.message) from None


class VisitForm(OfflineForm):
    visited_on = DateField(
        _l("Date of the visit"), validators=[InputRequired()], default=date.today
    )
    outcome = RadioField(
        _l("Outcome"), choices=_choices(VisitOutcome), validators=[InputRequired()]
    )
    notes = TextAreaField(
        _l("Notes"), validators=[Optional(), Length(max=5000)], filters=[_blank_to_none]
    )
    follow_up_on = DateField(_l("Follow up on"), validators=[Optional()])

    def draft(self) -> VisitDraft:
        return VisitDraft(
            visited_on=self.visited_on.data,
            outcome=VisitOutcome(self.outcome.data),
            notes=self.notes.data,
            follow_up_on=self.follow_up_on.data,
            client_key=self.client_uuid,
        )

    def validate_visited_on(self, field: Field) -> None:
        if field.data and field.data > clock.today():
            raise ValidationError(_l("A visit cannot be in the future."))

    def validate_follow_up_on(self, field: Field) -> None:
        if field.data and self.visited_on.data and field.data < self.visited_on.data:
            raise ValidationError(_l("The follow-up must be on or after the visit."))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        come_back = self.outcome.data == VisitOutcome.COME_BACK.value
        if come_back and not self.follow_up_on.data and not self.follow_up_on.errors:
            self.follow_up_on.errors = [*self.follow_up_on.errors, _l("Say when to come back.")]
            return False
        return ok


class OfferForm(VersionedForm):
    title = StringField(
        _l("Job title"), validators=[DataRequired(), Length(max=200)], filters=[_strip]
    )
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)], filters=[_blank_to_none]
    )
    sector = StringField(
        _l("Sector"), validators=[Optional(), Length(max=80)], filters=[_blank_to_none]
    )
    contract_type = SelectField(
        _l("Contract"), choices=_choices(ContractType), validators=[InputRequired()]
    )
    part_time = SelectField(
        _l("Working time"), choices=_choices(PartTime), validators=[InputRequired()]
    )
    hours_per_week = DecimalField(
        _l("Hours per week"), places=1, validators=[Optional(), NumberRange(min=1, max=60)]
    )
    schedule = WeeklyScheduleField(_l("Weekly schedule"))
    italian_level = SelectField(
        _l("Italian needed"), choices=_choices(ItalianLevel), default=ItalianLevel.NONE.value
    )
    documents_required = TextAreaField(
        _l("Documents required"),
        validators=[Optional(), Length(max=2000)],
        filters=[_blank_to_none],
    )
    positions = IntegerField(
        _l("Positions"), default=1, validators=[InputRequired(), NumberRange(min=1, max=500)]
    )
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    expires_on = DateField(_l("Apply by"), validators=[Optional()])
    how_to_apply = TextAreaField(
        _l("How to apply"), validators=[Optional(), Length(max=2000)], filters=[_blank_to_none]
    )
    offer_status = SelectField(
        _l("Offer status"), choices=_choices(OfferStatus), default=OfferStatus.OPEN.value
    )

    def draft(self) -> OfferDraft:
        return OfferDraft(
            title=self.title.data,
            description=self.description.data,
            sector=self.sector.data,
            contract_type=ContractType(self.contract_type.data),
            part_time=PartTime(self.part_time.data),
            hours_per_week=self.hours_per_week.data,
            schedule=tuple(self.schedule.data),
            italian_level=ItalianLevel(self.italian_level.data),
            documents_required=self.documents_required.data,
            positions=self.positions.data,
            starts_on=self.starts_on.data,
            expires_on=self.expires_on.data,
            how_to_apply=self.how_to_apply.data,
            offer_status=OfferStatus(self.offer_status.data),
            version=self.version.data,
            client_key=self.client_uuid,
        )

    def validate_expires_on(self, field: Field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The closing date must not be before the start."))

    def validate_hours_per_week(self, field: Field) -> None:
        full_time = self.part_time.data == PartTime.FULL_TIME.value
        if field.data is not None and full_time and field.data < 30:
            raise ValidationError(_l("Full time means at least 30 hours a week."))
        total = weekly_hours(self.schedule.data) if not self.schedule.errors else 0
        if field.data is not None and total and total > float(field.data) + 0.01:
            raise ValidationError(_l("The weekly schedule adds up to %(h)s hours.", h=f"{total:g}"))


class ResourceForm(VersionedForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)], filters=[_strip])
    kind = SelectField(_l("Kind"), choices=_choices(ResourceKind), validators=[InputRequired()])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)], filters=[_blank_to_none]
    )
    schedule = WeeklyScheduleField(_l("Weekly schedule"))
    languages = StringField(
        _l("Languages spoken"),
        description=_l("Two-letter codes separated by commas, e.g. it, ar, es."),
        validators=[Optional(), Length(max=100)],
    )
    target_groups = StringField(
        _l("For whom"),
        description=_l("Separate them with commas, e.g. mothers, over 40."),
        validators=[Optional(), Length(max=500)],
    )
    is_free = BooleanField(_l("Free of charge"), default=True)
    cost = StringField(_l("Cost"), validators=[Length(max=200)], filters=[_blank_to_none])
    childcare = BooleanField(_l("Childcare available"))
    starts_on = DateField(_l("Starts on"), validators=[Optional()])
    ends_on = DateField(_l("Ends on"), validators=[Optional()])
    how_to_enrol = TextAreaField(
        _l("How to enrol"), validators=[Optional(), Length(max=2000)], filters=[_blank_to_none]
    )

    @property
    def language_list(self) -> list[str]:
        return [c.lower() for c in _split_list(self.languages.data)]

    @property
    def target_group_list(self) -> list[str]:
        return [s[:80] for s in _split_list(self.target_groups.data)]

    def draft(self) -> ResourceDraft:
        return ResourceDraft(
            title=self.title.data,
            kind=ResourceKind(self.kind.data),
            description=self.description.data,
            schedule=tuple(self.schedule.data),
            languages=tuple(self.language_list),
            target_groups=tuple(self.target_group_list),
            is_free=bool(self.is_free.data),
            cost=None if self.is_free.data else self.cost.data,
            childcare=bool(self.childcare.data),
            starts_on=self.starts_on.data,
            ends_on=self.ends_on.data,
            how_to_enrol=self.how_to_enrol.data,
            version=self.version.data,
            client_key=self.client_uuid,
        )

    def validate_languages(self, field: Field) -> None:
        bad = [c for c in self.language_list if not re.fullmatch(r"[a-z]{2,3}", c)]
        if bad:
            raise ValidationError(_l("Not a language code: %(codes)s.", codes=", ".join(bad)))

    def validate_cost(self, field: Field) -> None:
        if not self.is_free.data and not field.data:
            raise ValidationError(_l("Say what it costs, or tick 'Free of charge'."))

    def validate_ends_on(self, field: Field) -> None:
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The end must not be before the start."))


class ReviewForm(FlaskForm):
    """A coordinator's decision on one record."""

    # Set by the button pressed (not a hidden input, which would shadow the button's value).
    action = StringField(validators=[DataRequired()])
    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])
    comment = TextAreaField(
        _l("Comment for the scout"),
        validators=[Optional(), Length(max=2000)],
        filters=[_blank_to_none],
    )
    with_children = BooleanField(_l("Also publish its offers and resources waiting for review"))
    # The organisation's flags, shown on the review page (set on "publish"); ``flags_shown``
    # says the page showed them, so a decision sent without them changes none.
    flags_shown = HiddenField()
    is_partner = BooleanField(_l("Partner of the network"))
    public_consent = BooleanField(_l("Agreed to appear on the public map"))
    contacts_public = BooleanField(_l("Agreed to publish its contact details"))

    ACTIONS = ("publish", "send_back", "archive", "discard")

    def validate_action(self, field: Field) -> None:
        if field.data not in self.ACTIONS:
            raise ValidationError(_l("Unknown action."))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.action.data == "send_back" and not self.comment.data:
            self.comment.errors = [*self.comment.errors, _l("Tell the scout what to change.")]
            return False
        return ok
