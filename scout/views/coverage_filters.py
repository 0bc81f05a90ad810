"""The coverage map's filters, shared by the coordinator's map and a scout's map of her areas
(read from the query string: a GET form, no CSRF token)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional, ValidationError

from scout import coverage


class CellFilterForm(FlaskForm):
    """Cells (NIL or 250 m squares) and the period of the visits."""

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
    since = DateField(_l("Visits from"), validators=[Optional()])
    until = DateField(_l("Visits to"), validators=[Optional()])

    def validate_until(self, field: DateField) -> None:
        if field.data and self.since.data and field.data < self.since.data:
            raise ValidationError(_l("The end date is before the start date."))

    def filters(self) -> coverage.Filters:
        return coverage.Filters(
            kind=self.kind.data or "nil", since=self.since.data, until=self.until.data
        )
