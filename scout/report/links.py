"""The staff lists behind the report's figures: which page, with which filters, and who may
follow the link (tutors the people and placements of their hub, coordinators everything).

The lists select their records with :mod:`scout.report.records`, the same conditions the
figures count with, so a list holds exactly the records its figure counts.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from scout.errors import BadRequest
from scout.models import Role
from scout.report.model import Link
from scout.report.period import Scope

# Filters of the people list (``people.index``) that pick a figure's people; each value is a
# column's enum value, or UNRECORDED for "not recorded".
PEOPLE_FILTERS = ("role", "employment", "education", "group", "outcome")
PLACEMENT_FILTERS = ("contract", "sector", "km_zero")
UNRECORDED = "unrecorded"
JOBS = "jobs"  # the contract filter's "every job contract" (internships apart)
OUTCOMES = ("searches_alone", "digital_course", "italian_course")


def _scope_args(scope: Scope) -> dict[str, str]:
    return {**scope.as_args(), "counted": "1"}


def people(scope: Scope, **filters: str) -> Link:
    """The people list narrowed to the people a figure counts."""
    return Link("people.index", {**_scope_args(scope), **filters}, Role.TUTOR)


def placements(scope: Scope, **filters: str) -> Link:
    """The placements list narrowed to the placements a figure counts."""
    return Link("outcomes.placements_list", {**_scope_args(scope), **filters}, Role.TUTOR)


def coordinator(endpoint: str, **args: str) -> Link:
    """A coordinator's list (bulletins, organisations, meetings, visits, the map's records)."""
    return Link(endpoint, args, Role.COORDINATOR)


def choice(enum: type, value: str, name: str) -> Any:
    """A filter's value as its enum member; a value not in it is a 400 on field ``name``."""
    try:
        return enum(value)
    except ValueError:
        raise BadRequest(_l("Choose a value from the list."), field=name) from None
