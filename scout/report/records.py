"""The records behind the report's figures, for the staff lists its links lead to: the same
conditions the figures count with (:mod:`.people`, :mod:`.outcomes`, :mod:`.programme`), so a
list holds exactly what its figure counts."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from scout.errors import BadRequest
from scout.models import Education, Employment, ParentRole, Person, ResourceKind
from scout.report import links
from scout.report.groups import GROUPS, in_group
from scout.report.outcomes import course_people, searches_alone_people
from scout.report.people import consented, in_scope
from scout.report.period import Scope


def _recorded(column: Any, enum: type, value: str, name: str) -> Any:
    if value == links.UNRECORDED:
        return column.is_(None)
    return column == links.choice(enum, value, name)


def _outcome(scope: Scope, outcome: str) -> Select:
    if outcome == "searches_alone":
        return searches_alone_people(scope)
    kinds = {"digital_course": True, "italian_course": False}
    if outcome not in kinds:
        raise BadRequest(_l("Choose a value from the list."), field="outcome")
    return course_people(scope, ResourceKind(outcome), completed=kinds[outcome])


def people_behind(
    scope: Scope,
    counted: bool = True,
    role: str | None = None,
    employment: str | None = None,
    education: str | None = None,
    group: str | None = None,
    outcome: str | None = None,
) -> Select:
    """The ids of the people whose plan was open in the scope (and, ``counted``, whom the
    report counts: consent to statistics), narrowed as a figure is: by role, employment or
    schooling (an enum value or ``unrecorded``), nationality group, or an outcome
    (``searches_alone``, ``digital_course`` completed, ``italian_course`` attended)."""
    conditions = in_scope(scope)
    if counted:
        conditions.append(consented(scope))
    if role is not None:
        conditions.append(Person.parent_role == links.choice(ParentRole, role, "role"))
    if employment is not None:
        conditions.append(_recorded(Person.employment, Employment, employment, "employment"))
    if education is not None:
        conditions.append(_recorded(Person.education, Education, education, "education"))
    if group is not None:
        if group not in GROUPS:
            raise BadRequest(_l("Choose a value from the list."), field="group")
        conditions.append(in_group(Person.nationality, group))
    if outcome is not None:
        conditions.append(Person.id.in_(_outcome(scope, outcome)))
    return select(Person.id).where(*conditions)
