"""The figures about the programme's own work, from the records every audience shares:
bulletins published, organisations joined, meetings, and what the map adds (offers and
resources mapped, visits made). None of them counts people."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from scout import coverage
from scout.models import (
    Bulletin,
    BulletinStatus,
    Meeting,
    MeetingKind,
    Offer,
    Organisation,
    Place,
    Resource,
    ReviewStatus,
    Visit,
)
from scout.report.model import Figure, Link
from scout.report.period import Scope


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def bulletins(session: Session, scope: Scope) -> Figure:
    query = select(Bulletin.id).where(
        Bulletin.status == BulletinStatus.PUBLISHED,
        Bulletin.published_on >= scope.date_from,
        Bulletin.published_on <= scope.date_to,
    )
    return Figure(
        "bulletins",
        _("Weekly bulletins published"),
        _count(session, query),
        kind="count",
        link=Link("admin.bulletins"),
    )


def _in_municipio(scope: Scope) -> Any:
    """Organisations with a place in the scope's municipio (true without one)."""
    if scope.municipio is None:
        return True
    return exists().where(
        Place.organisation_id == Organisation.id, Place.municipio == scope.municipio
    )


def organisations_joined(session: Session, scope: Scope) -> Figure:
    query = select(Organisation.id).where(
        Organisation.joined_network_on >= scope.date_from,
        Organisation.joined_network_on <= scope.date_to,
        _in_municipio(scope),
    )
    return Figure(
        "organisations_joined",
        _("Organisations (volunteer associations, parishes) that joined the network"),
        _count(session, query),
        kind="count",
        link=Link(
            "admin.organisations",
            {"joined_from": scope.date_from.isoformat(), "joined_to": scope.date_to.isoformat()},
        ),
    )


def meetings(session: Session, scope: Scope, kind: MeetingKind) -> Figure:
    query = select(Meeting.id).where(
        Meeting.kind == kind, Meeting.held_on >= scope.date_from, Meeting.held_on <= scope.date_to
    )
    label = {
        MeetingKind.INSTITUTION: _("Meetings with institutions"),
        MeetingKind.NETWORK: _("Network meetings"),
        MeetingKind.TRAINING: _("Trainings"),
    }[kind]
    return Figure(
        f"meetings_{kind.value}",
        label,
        _count(session, query),
        kind="count",
        link=Link(
            "admin.meetings",
            {
                "kind": kind.value,
                "from": scope.date_from.isoformat(),
                "to": scope.date_to.isoformat(),
            },
        ),
    )


def _mapped(session: Session, scope: Scope, model: type[Offer] | type[Resource]) -> int:
    query = (
        select(model.id)
        .join(model.place)
        .where(
            model.status == ReviewStatus.PUBLISHED,
            model.created_at >= scope.start,
            model.created_at < scope.end,
        )
    )
    if scope.municipio is not None:
        query = query.where(Place.municipio == scope.municipio)
    return _count(session, query)


def map_figures(session: Session, scope: Scope) -> list[Figure]:
    """Offers and resources mapped (published, recorded in the period) and visits made."""
    visits = select(Visit.id).where(
        Visit.visited_on >= scope.date_from, Visit.visited_on <= scope.date_to
    )
    if scope.municipio is not None:
        visits = visits.join(Visit.place).where(Place.municipio == scope.municipio)
    return [
        Figure(
            "offers_mapped", _("Job offers mapped"), _mapped(session, scope, Offer), kind="count"
        ),
        Figure(
            "resources_mapped",
            _("Courses and services mapped"),
            _mapped(session, scope, Resource),
            kind="count",
        ),
        Figure("visits", _("Scouting visits made"), _count(session, visits), kind="count"),
        *funnel(scope),
    ]


def funnel(scope: Scope) -> list[Figure]:
    """The scouting funnel's totals (scout.coverage.funnel): places visited, interested, and
    those that yielded a partner, an offer or a course; linked to the coverage page."""
    stages = coverage.period_totals(scope.date_from, scope.date_to, scope.municipio)
    link = Link(
        "admin.coverage_map",
        {"since": scope.date_from.isoformat(), "until": scope.date_to.isoformat()},
    )
    labels = {
        "visited": _("Places visited by the scouts"),
        "interested": _("Places interested after a visit"),
        "yielded": _("Visited places that became a partner or have an offer or a course"),
    }
    return [
        Figure(f"funnel_{key}", label, getattr(stages, key), kind="count", link=link)
        for key, label in labels.items()
    ]
