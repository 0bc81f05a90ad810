"""The outcomes of the people the report counts (:func:`scout.report.people.counted_people`):
placements by contract and sector, km zero, internships, autonomy in the job search, the
digital-autonomy and Italian-for-work courses, and the placements' walking minutes.

Dates: a placement counts in the period it starts in; a course completion in the period it
ended in; an Italian course in the period she enrolled in; "searches for work on her own" by
her latest assessment in the period. Internships (tirocinio extracurricolare) are counted
apart from job placements, as in the funder's report.
"""

from __future__ import annotations

from collections import Counter
from statistics import median

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from scout.errors import BadRequest
from scout.models import (
    AutonomyAssessment,
    Enrolment,
    EnrolmentStatus,
    ParentRole,
    Person,
    Placement,
    PlacementContract,
    Resource,
    ResourceKind,
)
from scout.report import links
from scout.report.model import Figure, Row, Table, share
from scout.report.people import counted_people, in_scope
from scout.report.period import Scope

JOB_CONTRACTS = (
    PlacementContract.INDETERMINATO,
    PlacementContract.DETERMINATO,
    PlacementContract.OCCASIONALE,
    PlacementContract.VOUCHER,
    PlacementContract.APPRENDISTATO,
)


def placements_behind(
    scope: Scope,
    counted: bool = True,
    contract: str | None = None,
    sector: str | None = None,
    km_zero: str | None = None,
) -> Select:
    """The placements starting in the period of the people in scope (those the report
    counts, ``counted``), narrowed by contract (a :class:`PlacementContract` value or ``jobs``,
    every job contract), sector (as the report groups it, or ``unrecorded``) and km zero
    (``yes``, ``no`` or ``unrecorded``: the walk not measured)."""
    people = counted_people(scope) if counted else select(Person.id).where(*in_scope(scope))
    query = select(Placement).where(
        Placement.starts_on >= scope.date_from,
        Placement.starts_on <= scope.date_to,
        Placement.person_id.in_(people),
    )
    if contract == links.JOBS:
        query = query.where(Placement.contract_type.in_(JOB_CONTRACTS))
    elif contract is not None:
        query = query.where(
            Placement.contract_type == links.choice(PlacementContract, contract, "contract")
        )
    if sector is not None:
        words = func.lower(func.trim(func.coalesce(Placement.sector, "")))
        query = query.where(words == ("" if sector == links.UNRECORDED else sector.strip().lower()))
    if km_zero is not None:
        value = {"yes": True, "no": False, links.UNRECORDED: None}
        if km_zero not in value:
            raise BadRequest(_l("Choose yes, no or not measured."), field="km_zero")
        query = query.where(Placement.km_zero.is_(value[km_zero]))
    return query


def _placements(session: Session, scope: Scope) -> list[Placement]:
    return list(session.scalars(placements_behind(scope)))


def searches_alone_people(scope: Scope) -> Select:
    """The people whose latest assessment in the period says she searches on her own."""
    latest = (
        select(
            AutonomyAssessment.person_id,
            AutonomyAssessment.searches_alone,
            func.row_number()
            .over(
                partition_by=AutonomyAssessment.person_id,
                order_by=(AutonomyAssessment.assessed_on.desc(), AutonomyAssessment.id.desc()),
            )
            .label("n"),
        )
        .where(
            AutonomyAssessment.assessed_on >= scope.date_from,
            AutonomyAssessment.assessed_on <= scope.date_to,
            AutonomyAssessment.person_id.in_(counted_people(scope)),
        )
        .subquery()
    )
    return select(latest.c.person_id).where(latest.c.n == 1, latest.c.searches_alone.is_(True))


def _searches_alone(session: Session, scope: Scope) -> int:
    query = select(func.count()).select_from(searches_alone_people(scope).subquery())
    return int(session.scalar(query) or 0)


def _course_conditions(scope: Scope, kind: ResourceKind, completed: bool) -> list:
    """An enrolment in a course of ``kind``: completed and ended in the period
    (``completed``), or enrolled in the period (attended)."""
    conditions = [Resource.kind == kind, Enrolment.person_id.in_(counted_people(scope))]
    if completed:
        day = func.coalesce(Enrolment.ended_on, Enrolment.enrolled_on)
        conditions += [
            Enrolment.status == EnrolmentStatus.COMPLETED,
            day >= scope.date_from,
            day <= scope.date_to,
        ]
    else:
        conditions += [
            Enrolment.enrolled_on >= scope.date_from,
            Enrolment.enrolled_on <= scope.date_to,
        ]
    return conditions


def course_people(scope: Scope, kind: ResourceKind, completed: bool) -> Select:
    """The people with such an enrolment (:func:`_course_conditions`)."""
    return (
        select(Enrolment.person_id)
        .join(Resource, Resource.id == Enrolment.resource_id)
        .where(*_course_conditions(scope, kind, completed))
    )


def _course_people(session: Session, scope: Scope, kind: ResourceKind, completed: bool):
    """(person, course, her role) of each such enrolment."""
    return session.execute(
        select(Enrolment.person_id, Enrolment.resource_id, Person.parent_role)
        .join(Resource, Resource.id == Enrolment.resource_id)
        .join(Person, Person.id == Enrolment.person_id)
        .where(and_(*_course_conditions(scope, kind, completed)))
    ).all()


def compute(session: Session, scope: Scope) -> tuple[dict[str, Figure], list[Figure], list[Table]]:
    """The outcome figures by key (placed in the results by :mod:`scout.report.figures`),
    the map's figures on placements, and the tables."""
    placements = _placements(session, scope)
    jobs = [p for p in placements if p.contract_type in JOB_CONTRACTS]
    internships = [
        p for p in placements if p.contract_type == PlacementContract.TIROCINIO_EXTRACURRICOLARE
    ]
    by_contract = Counter(p.contract_type for p in jobs)
    km_zero = sum(1 for p in jobs if p.km_zero)
    measured = [p for p in jobs if p.km_zero is not None]
    minutes = [p.walk_minutes for p in jobs if p.walk_minutes is not None]
    digital = _course_people(session, scope, ResourceKind.DIGITAL_COURSE, completed=True)
    digital_mothers = {pid for pid, _r, role in digital if role == ParentRole.MOTHER}
    italian = _course_people(session, scope, ResourceKind.ITALIAN_COURSE, completed=False)
    contract_labels = {
        PlacementContract.INDETERMINATO: _("of which permanent (indeterminato)"),
        PlacementContract.DETERMINATO: _("of which fixed-term (determinato)"),
        PlacementContract.OCCASIONALE: _("of which occasional (prestazione occasionale)"),
        PlacementContract.VOUCHER: _("of which voucher"),
        PlacementContract.APPRENDISTATO: _("of which apprenticeship (apprendistato)"),
    }

    def placed(**filters: str):
        return links.placements(scope, **filters)

    def person(key: str, label: str, value: int, **filters: str) -> Figure:
        return Figure(key, label, value, link=links.people(scope, **filters))

    figures = {
        "placements": Figure(
            "placements", _("Job placements"), len(jobs), link=placed(contract=links.JOBS)
        ),
        **{
            f"placements_{c.value}": Figure(
                f"placements_{c.value}",
                label,
                by_contract[c],
                link=placed(contract=c.value),
                group="contracts",
            )
            for c, label in contract_labels.items()
        },
        "km_zero": Figure(
            "km_zero",
            _("of which at km zero"),
            km_zero,
            link=placed(contract=links.JOBS, km_zero="yes"),
        ),
        "internships": Figure(
            "internships",
            _("Extracurricular internships"),
            len(internships),
            link=placed(contract=PlacementContract.TIROCINIO_EXTRACURRICOLARE.value),
        ),
        "searches_alone": person(
            "searches_alone",
            _("People able to search for work on their own"),
            _searches_alone(session, scope),
            outcome="searches_alone",
        ),
        "digital_mothers": person(
            "digital_mothers",
            _("Mothers who completed the digital-autonomy course"),
            len(digital_mothers),
            role=ParentRole.MOTHER.value,
            outcome="digital_course",
        ),
        "digital_courses": Figure(
            "digital_courses",
            _("Digital-autonomy courses"),
            len({r for _p, r, _role in digital}),
            kind="count",
        ),
        "italian": person(
            "italian",
            _("People who attended Italian-for-work courses"),
            len({pid for pid, _r, _role in italian}),
            outcome="italian_course",
        ),
    }
    map_figures = [
        Figure(
            "placements_median_minutes",
            _("Placements: median walking minutes from home"),
            median(minutes) if minutes else None,
            kind="minutes",
            people=len(minutes),
        ),
        Figure(
            "km_zero_share",
            _("Placements at km zero"),
            share(km_zero, len(measured)),
            kind="percent",
            people=km_zero,
            link=placed(contract=links.JOBS, km_zero="yes"),
        ),
    ]
    sectors = Counter((p.sector or "").strip().lower() for p in jobs)

    def row(label: str, n: int, **filters: str) -> Row:
        return Row(label, (n,), (placed(**filters),))

    tables = [
        Table(
            "results:contracts",
            _("Job placements by contract"),
            (_("Placements"),),
            tuple(row(str(c.label), by_contract[c], contract=c.value) for c in JOB_CONTRACTS)
            + (
                row(
                    str(PlacementContract.TIROCINIO_EXTRACURRICOLARE.label),
                    len(internships),
                    contract=PlacementContract.TIROCINIO_EXTRACURRICOLARE.value,
                ),
            ),
        ),
        Table(
            "results:sectors",
            _("Job placements by sector"),
            (_("Placements"),),
            tuple(
                row(
                    s.capitalize() if s else _("Not recorded"),
                    n,
                    contract=links.JOBS,
                    sector=s or links.UNRECORDED,
                )
                for s, n in sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        ),
        Table(
            "map:km_zero",
            _("Job placements at km zero"),
            (_("Placements"),),
            (
                row(_("At km zero"), km_zero, contract=links.JOBS, km_zero="yes"),
                row(_("Farther"), len(measured) - km_zero, contract=links.JOBS, km_zero="no"),
                row(
                    _("Walk not measured"),
                    len(jobs) - len(measured),
                    contract=links.JOBS,
                    km_zero=links.UNRECORDED,
                ),
            ),
        ),
    ]
    return figures, map_figures, tables
