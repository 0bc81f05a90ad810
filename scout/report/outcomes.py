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
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

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
from scout.report.model import Figure, Row, Table, share
from scout.report.people import counted_people
from scout.report.period import Scope

JOB_CONTRACTS = (
    PlacementContract.INDETERMINATO,
    PlacementContract.DETERMINATO,
    PlacementContract.OCCASIONALE,
    PlacementContract.VOUCHER,
    PlacementContract.APPRENDISTATO,
)


def _placements(session: Session, scope: Scope) -> list[Placement]:
    return list(
        session.scalars(
            select(Placement).where(
                Placement.starts_on >= scope.date_from,
                Placement.starts_on <= scope.date_to,
                Placement.person_id.in_(counted_people(scope)),
            )
        )
    )


def _searches_alone(session: Session, scope: Scope) -> int:
    """People whose latest assessment in the period says she searches on her own."""
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
    query = select(func.count()).where(latest.c.n == 1, latest.c.searches_alone.is_(True))
    return int(session.scalar(query.select_from(latest)) or 0)


def _course_people(session: Session, scope: Scope, kind: ResourceKind, completed: bool):
    """(people, courses) with an enrolment in a course of ``kind``: completed and ended in
    the period (``completed``), or enrolled in the period (attended)."""
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
    rows = session.execute(
        select(Enrolment.person_id, Enrolment.resource_id, Person.parent_role)
        .join(Resource, Resource.id == Enrolment.resource_id)
        .join(Person, Person.id == Enrolment.person_id)
        .where(and_(*conditions))
    ).all()
    return rows


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
    figures = {
        "placements": Figure("placements", _("Job placements"), len(jobs)),
        **{
            f"placements_{c.value}": Figure(f"placements_{c.value}", label, by_contract[c])
            for c, label in contract_labels.items()
        },
        "km_zero": Figure("km_zero", _("of which at km zero"), km_zero),
        "internships": Figure("internships", _("Extracurricular internships"), len(internships)),
        "searches_alone": Figure(
            "searches_alone",
            _("People able to search for work on their own"),
            _searches_alone(session, scope),
        ),
        "digital_mothers": Figure(
            "digital_mothers",
            _("Mothers who completed the digital-autonomy course"),
            len(digital_mothers),
        ),
        "digital_courses": Figure(
            "digital_courses",
            _("Digital-autonomy courses"),
            len({r for _p, r, _role in digital}),
            kind="count",
        ),
        "italian": Figure(
            "italian",
            _("People who attended Italian-for-work courses"),
            len({pid for pid, _r, _role in italian}),
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
        ),
    ]
    sectors = Counter((p.sector or "").strip().lower() for p in jobs)
    tables = [
        Table(
            "results:contracts",
            _("Job placements by contract"),
            (_("Placements"),),
            tuple(Row(str(c.label), (by_contract[c],)) for c in JOB_CONTRACTS)
            + (Row(str(PlacementContract.TIROCINIO_EXTRACURRICOLARE.label), (len(internships),)),),
        ),
        Table(
            "results:sectors",
            _("Job placements by sector"),
            (_("Placements"),),
            tuple(
                Row(s.capitalize() if s else _("Not recorded"), (n,))
                for s, n in sorted(sectors.items(), key=lambda kv: (-kv[1], kv[0]))
            ),
        ),
        Table(
            "map:km_zero",
            _("Job placements at km zero"),
            (_("Placements"),),
            (
                Row(_("At km zero"), (km_zero,)),
                Row(_("Farther"), (len(measured) - km_zero,)),
                Row(_("Walk not measured"), (len(jobs) - len(measured),)),
            ),
        ),
    ]
    return figures, map_figures, tables
