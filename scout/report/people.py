"""The figures about the people served and the beneficiary profile.

Who counts: every person whose personal plan was open at some time in the period (recorded
before its end, not closed before its start), of the scope's hub (``Person.hub_id``) or
municipio, and who consented to inclusion in anonymous statistics (a consent given by the
end of the period and not withdrawn before it). Anonymised records keep the coarse fields read
here (parent role, birth year, nationality, education, employment, municipio), so they still
count. Ages are in years at the end of the period (its year minus the birth year).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from statistics import fmean
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from scout.models import (
    Consent,
    ConsentPurpose,
    Education,
    Employment,
    Organisation,
    OrgKind,
    ParentRole,
    Person,
)
from scout.report import links
from scout.report.groups import GROUPS, group_of
from scout.report.model import Figure, Link, Row, Table, share
from scout.report.period import Scope


@dataclass
class PeopleFigures:
    results: tuple[Figure, ...] = ()
    profile: tuple[Figure, ...] = ()
    map_figures: tuple[Figure, ...] = ()
    tables: list[Table] = field(default_factory=list)
    hub_name: str | None = None
    missing: list[str] = field(default_factory=list)
    not_consenting: int = 0


@dataclass(frozen=True)
class Profile:
    """The coarse fields of one counted person."""

    role: ParentRole | None
    birth_year: int | None
    nationality: str | None
    education: Education | None
    employment: Employment | None


def in_scope(scope: Scope) -> list:
    """Conditions on :class:`Person` for "her plan was open in the scope"."""
    conditions = [
        Person.created_at < scope.end,
        or_(Person.closed_at.is_(None), Person.closed_at >= scope.start),
    ]
    if scope.hub_id is not None:
        conditions.append(Person.hub_id == scope.hub_id)
    if scope.municipio is not None:
        conditions.append(Person.municipio == scope.municipio)
    return conditions


def consented(scope: Scope):
    """Her consent to anonymous statistics holds at the end of the period."""
    return exists().where(
        Consent.person_id == Person.id,
        Consent.purpose == ConsentPurpose.STATISTICS,
        Consent.given_on <= scope.date_to,
        or_(Consent.withdrawn_on.is_(None), Consent.withdrawn_on > scope.date_to),
    )


def counted_people(scope: Scope):
    """The select of the ids of the people the report counts."""
    return select(Person.id).where(and_(*in_scope(scope)), consented(scope))


def _profiles(session: Session, scope: Scope) -> list[Profile]:
    rows = session.execute(
        select(
            Person.parent_role,
            Person.birth_year,
            Person.nationality,
            Person.education,
            Person.employment,
        ).where(and_(*in_scope(scope)), consented(scope))
    ).all()
    return [Profile(*row) for row in rows]


def _not_consenting(session: Session, scope: Scope) -> int:
    query = select(Person.id).where(and_(*in_scope(scope)), ~consented(scope))
    return len(session.scalars(query).all())


def _mean_age(people: list[Profile], scope: Scope) -> tuple[float | None, int]:
    ages = [scope.date_to.year - p.birth_year for p in people if p.birth_year]
    return (fmean(ages) if ages else None), len(ages)


def _by_role_table(
    key: str,
    title: str,
    mothers: list[Profile],
    fathers: list[Profile],
    categories: list[tuple[Any, str]],
    attr,
    scope: Scope,
    filter_name: str,
) -> Table:
    """People by a category and role; each count links to its people (``filter_name``:
    the people list's filter for the category)."""
    m = Counter(attr(p) for p in mothers)
    f = Counter(attr(p) for p in fathers)

    def link(k: Any, role: ParentRole) -> Link:
        value = links.UNRECORDED if k is None else getattr(k, "value", k)
        return links.people(scope, role=role.value, **{filter_name: value})

    rows = tuple(
        Row(
            label,
            (m.get(k, 0), f.get(k, 0)),
            (link(k, ParentRole.MOTHER), link(k, ParentRole.FATHER)),
        )
        for k, label in categories
    )
    return Table(key, title, (_("Mothers"), _("Fathers")), rows)


def hub_name(session: Session, scope: Scope) -> str | None:
    if scope.hub_id is None:
        return None
    hub = session.get(Organisation, scope.hub_id)
    return hub.name if hub else None


def hub_of(session: Session, user: object) -> int | None:
    """The hub (an organisation of kind hub) a staff member works at, else ``None``."""
    org_id = getattr(user, "organisation_id", None)
    org = session.get(Organisation, org_id) if org_id is not None else None
    return org.id if org is not None and org.kind == OrgKind.HUB else None


def hubs(session: Session) -> list[tuple[int, str]]:
    """Every programme hub (id, name), for choosing a report's scope."""
    query = select(Organisation.id, Organisation.name).where(Organisation.kind == OrgKind.HUB)
    return [(i, n) for i, n in session.execute(query.order_by(Organisation.name))]


def _percent(
    key: str,
    label: str,
    part: int,
    whole: int,
    link: Link,
    group: str | None = None,
    excluded: int | None = None,
) -> Figure:
    return Figure(
        key,
        label,
        share(part, whole),
        kind="percent",
        people=part,
        link=link,
        group=group,
        excluded=excluded,
    )


def _role_figures(
    key: str, labels: dict[str, str], group: list[Profile], with_role: int, scope: Scope
) -> list[Figure]:
    """Share, mean age, unemployed and under-employed (of those whose status is recorded);
    each links to the people it rests on."""
    age, aged = _mean_age(group, scope)
    known = [p for p in group if p.employment is not None]
    count = Counter(p.employment for p in known)
    role = ParentRole.MOTHER.value if key == "mothers" else ParentRole.FATHER.value
    return [
        _percent(
            f"{key}_share",
            labels["share"],
            len(group),
            with_role,
            links.people(scope, role=role),
            group="roles",
        ),
        Figure(
            f"{key}_mean_age",
            labels["age"],
            age,
            kind="mean",
            people=aged,
            link=links.people(scope, role=role),
        ),
        *(
            _percent(
                f"{key}_{status.value}",
                labels[status.value],
                count[status],
                len(known),
                links.people(scope, role=role, employment=status.value),
                excluded=len(group) - len(known),
            )
            for status in (Employment.UNEMPLOYED, Employment.UNDER_EMPLOYED)
        ),
    ]


def compute(session: Session, scope: Scope) -> PeopleFigures:
    people = _profiles(session, scope)
    mothers = [p for p in people if p.role == ParentRole.MOTHER]
    fathers = [p for p in people if p.role == ParentRole.FATHER]
    with_role = len(mothers) + len(fathers)
    italian_mothers = sum(1 for p in mothers if group_of(p.nationality) == "italy")
    mother = ParentRole.MOTHER.value
    results = (
        Figure(
            "people_with_plan",
            _("People with a personal plan"),
            len(people),
            link=links.people(scope),
        ),
        _percent(
            "women_share",
            _("Women (mothers)"),
            len(mothers),
            with_role,
            links.people(scope, role=mother),
            group="roles",
        ),
    )
    m = _role_figures(
        "mothers",
        {
            "share": _("Mothers of minor children"),
            "age": _("Mothers: mean age"),
            "unemployed": _("Mothers: unemployed"),
            "under_employed": _("Mothers: under-employed"),
        },
        mothers,
        with_role,
        scope,
    )
    f = _role_figures(
        "fathers",
        {
            "share": _("Fathers"),
            "age": _("Fathers: mean age"),
            "unemployed": _("Fathers: unemployed"),
            "under_employed": _("Fathers: under-employed"),
        },
        fathers,
        with_role,
        scope,
    )
    italian = _percent(
        "italian_mothers_share",
        _("Italian mothers"),
        italian_mothers,
        len(mothers),
        links.people(scope, role=mother, group="italy"),
    )
    profile = (m[0], italian, *m[1:], *f)
    groups = [(k, str(label)) for k, label in GROUPS.items()]
    tables = [
        _by_role_table(
            "profile:nationality",
            _("People by nationality group"),
            mothers,
            fathers,
            groups,
            lambda p: group_of(p.nationality),
            scope,
            "group",
        ),
        _by_role_table(
            "profile:education",
            _("People by schooling"),
            mothers,
            fathers,
            [(e, str(e.label)) for e in Education] + [(None, _("Not recorded"))],
            lambda p: p.education,
            scope,
            "education",
        ),
        _by_role_table(
            "profile:employment",
            _("People by employment status"),
            mothers,
            fathers,
            [(e, str(e.label)) for e in Employment] + [(None, _("Not recorded"))],
            lambda p: p.employment,
            scope,
            "employment",
        ),
    ]
    return PeopleFigures(
        results=results,
        profile=profile,
        tables=tables,
        hub_name=hub_name(session, scope),
        not_consenting=_not_consenting(session, scope),
    )
