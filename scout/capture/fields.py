"""The building blocks of the scouts' forms: the weekly schedule grid, coordinates, the offline
entry's client key and version, and the small filters and validators every form shares.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    FloatField,
    HiddenField,
    IntegerField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.fields.core import UnboundField
from wtforms.validators import (
    Optional,
    ValidationError,
)
from wtforms.widgets import HiddenInput

from scout.schedule import TIME_RE, WEEKDAYS, WINDOWS_PER_DAY, window_key

PHONE_RE = r"^\+?[0-9][0-9 ./-]{4,24}$"


def _choices(enum_cls: Any) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in enum_cls.choices()]


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _blank_to_none(value: Any) -> Any:
    value = _strip(value)
    return value or None


def _split_list(text: str | None, max_items: int = 12) -> list[str]:
    items = [p.strip() for p in re.split(r"[,;\n]", text or "") if p.strip()]
    seen: list[str] = []
    for item in items:
        if item.lower() not in (s.lower() for s in seen):
            seen.append(item)
    return seen[:max_items]


def labels(form_cls: type) -> dict[str, Any]:
    """Each field's label by name, without building the form (to name the fields of a
    draft, e.g. in a conflict)."""
    out: dict[str, Any] = {}
    for name in dir(form_cls):
        unbound = getattr(form_cls, name, None)
        if isinstance(unbound, UnboundField):
            label = unbound.args[0] if unbound.args else unbound.kwargs.get("label")
            if label is not None:
                out[name] = label
    return out


def _website(value: Any) -> Any:
    value = _blank_to_none(value)
    if value and not re.match(r"^https?://", value, re.IGNORECASE):
        value = "https://" + value
    return value


class WeeklyScheduleField(Field):
    """Weekday × time windows. Inputs are named ``<name>-<day>-<slot>-start|end`` (Monday = 0);
    the data is the model's list of ``{"day", "start", "end"}`` windows, sorted."""

    def __init__(self, label: Any = None, validators: Any = None, **kw: Any) -> None:
        super().__init__(label, validators, **kw)
        self.raw_windows: dict[tuple[int, int], tuple[str, str]] = {}

    def process(self, formdata: Any, data: Any = None, extra_filters: Any = None) -> None:
        self.process_errors = []
        self.object_data = data
        self.data = [dict(w) for w in (data or [])] if isinstance(data, list) else []
        if formdata is None or f"{self.name}-present" not in formdata:
            self.raw_windows = self._windows_of(self.data)
            return
        self.raw_windows = {}
        for day in range(7):
            for slot in range(WINDOWS_PER_DAY):
                start = (formdata.get(f"{self.name}-{day}-{slot}-start") or "").strip()
                end = (formdata.get(f"{self.name}-{day}-{slot}-end") or "").strip()
                if start or end:
                    self.raw_windows[(day, slot)] = (start, end)
        self.data = [
            {"day": day, "start": start, "end": end}
            for (day, _slot), (start, end) in sorted(self.raw_windows.items())
        ]

    @staticmethod
    def _windows_of(data: list[dict[str, Any]]) -> dict[tuple[int, int], tuple[str, str]]:
        out: dict[tuple[int, int], tuple[str, str]] = {}
        for window in sorted(data, key=window_key):
            day = int(window["day"])
            slot = sum(1 for d, _s in out if d == day)
            if slot < WINDOWS_PER_DAY:
                out[(day, slot)] = (window["start"], window["end"])
        return out

    def window(self, day: int, slot: int) -> tuple[str, str]:
        return self.raw_windows.get((day, slot), ("", ""))

    def pre_validate(self, form: Any) -> None:
        for day in range(7):
            spans = []
            for slot in range(WINDOWS_PER_DAY):
                if (day, slot) not in self.raw_windows:
                    continue
                start, end = self.raw_windows[(day, slot)]
                if not start or not end:
                    raise ValidationError(
                        _l("%(day)s: give both the start and the end.", day=WEEKDAYS[day])
                    )
                if not TIME_RE.match(start) or not TIME_RE.match(end):
                    raise ValidationError(
                        _l("%(day)s: write times as HH:MM, e.g. 08:30.", day=WEEKDAYS[day])
                    )
                if end <= start:
                    raise ValidationError(
                        _l("%(day)s: the end must be after the start.", day=WEEKDAYS[day])
                    )
                spans.append((start, end))
            spans.sort()
            for (_s1, e1), (s2, _e2) in zip(spans, spans[1:], strict=False):
                if s2 < e1:
                    raise ValidationError(
                        _l("%(day)s: the time windows overlap.", day=WEEKDAYS[day])
                    )


def _valid_client_key(form: Any, field: Field) -> None:
    if field.data:
        try:
            uuid.UUID(field.data)
        except ValueError:
            raise ValidationError(_l("Invalid entry key.")) from None


class CoordinateField(FloatField):
    """A hidden coordinate; empty means "not set" (the check says what to do)."""

    widget = HiddenInput()

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and str(valuelist[0]).strip() == "":
            self.data = None
            return
        super().process_formdata(valuelist)


class OfflineForm(FlaskForm):
    """A form that may be kept on the device and sent later: ``client_key`` (a UUID made in
    the browser) lets the server store a re-sent entry once; ``queued`` says it was sent
    from the device's queue (so the scout could not see warnings at the time)."""

    client_key = HiddenField(validators=[Optional(), _valid_client_key])
    queued = HiddenField()

    @property
    def client_uuid(self) -> uuid.UUID | None:
        return uuid.UUID(self.client_key.data) if self.client_key.data else None

    @property
    def from_queue(self) -> bool:
        return self.queued.data == "1"


class VersionedForm(OfflineForm):
    """Editing forms carry the version they were loaded at (optimistic locking)."""

    version = IntegerField(widget=HiddenInput(), validators=[Optional()])
