"""The report's scope: a period (both ends included), optionally one hub or one municipio."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import lazy_gettext as _l

from scout.errors import BadRequest

# The funder's round the programme reports on (16 months).
DEFAULT_FROM, DEFAULT_TO = date(2021, 9, 1), date(2022, 12, 31)
MAX_DAYS = 366 * 10


@dataclass(frozen=True)
class Scope:
    date_from: date
    date_to: date
    hub_id: int | None = None  # a hub's place id: people of that hub and their outcomes
    municipio: int | None = None

    @property
    def start(self) -> datetime:
        """The first instant of the period (UTC), for timestamp columns."""
        return datetime.combine(self.date_from, time.min, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first instant after the period (UTC): timestamps are ``< end``."""
        return datetime.combine(self.date_to + timedelta(days=1), time.min, tzinfo=UTC)

    def as_args(self) -> dict[str, str]:
        """The scope as query arguments (``from``, ``to``, ``hub``, ``municipio``)."""
        args = {"from": self.date_from.isoformat(), "to": self.date_to.isoformat()}
        if self.hub_id is not None:
            args["hub"] = str(self.hub_id)
        if self.municipio is not None:
            args["municipio"] = str(self.municipio)
        return args


def make_scope(
    date_from: date, date_to: date, hub_id: int | None = None, municipio: int | None = None
) -> Scope:
    """A checked scope: ``from`` not after ``to``, at most ten years."""
    if date_from > date_to:
        raise BadRequest(_l("The start must not be after the end."), field="to")
    if (date_to - date_from).days > MAX_DAYS:
        raise BadRequest(_l("The period may be at most ten years long."), field="to")
    return Scope(date_from, date_to, hub_id, municipio)


def open_scope(
    date_from: date | None,
    date_to: date | None,
    hub_id: int | None = None,
    municipio: int | None = None,
) -> Scope:
    """A scope whose period may be open at either end (the staff lists behind a figure)."""
    if date_from and date_to and date_from > date_to:
        raise BadRequest(_l("The start must not be after the end."), field="to")
    last = date.max - timedelta(days=1)  # Scope.end is the day after
    return Scope(date_from or date.min, date_to or last, hub_id, municipio)
