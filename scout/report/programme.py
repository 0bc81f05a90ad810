"""The figures about the programme's own work, from the records every audience shares:
bulletins published, organisations joined, meetings, and what the map adds (offers and
resources mapped, visits made). None of them counts people."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import Select, exists, func, select
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
from scout.report import links
from scout.report.model import Figure
from scout.report.period import Scope


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def _period(scope: Scope) -> dict[str, str]:
    return {"from": scope.date_from.isoformat(), "to": scope.date_to.isoformat()}


def bulletins_behind(date_from: date | None, date_to: date | None) -> Select:
    """The bulletins published in the period (either end may be open)."""
    query = select(Bulletin).where(Bulletin.status == BulletinStatus.PUBLISHED)
    if date_from:
        query = query.where(Bulletin.published_on >= date_from)
    if date_to:
        query = query.where(Bulletin.published_on <= date_to)
    return query


def bulletins(session: Session, scope: Scope) -> Figure:
    """The bulletin is the whole city's (its open-market offers come from anywhere, its
    km-zero section from every hub): never narrowed to a hub or a municipio, and the figure
    says so when the scope is one."""
    narrowed = scope.municipio is not None or scope.hub_id is not None
    return Figure(
        "bulletins",
        _("Weekly bulletins published"),
        _count(session, bulletins_behind(scope.date_from, scope.date_to)),
        kind="count",
        link=links.coordinator("admin.bulletins", **_period(scope)),
        note=_("The whole programme's: one bulletin serves every hub and municipio.")
        if narrowed
        else None,
    )


def in_municipio(municipio: int | None) -> Any:
    """Organisations with a place in ``municipio`` (true without one)."""
    if municipio is None:
        return True
    return exists().where(Place.organisation_id == Organisation.id, Place.municipio == municipio)


def _in_municipio(scope: Scope) -> Any:
    return in_municipio(scope.municipio)


def meeting_in_municipio(municipio: int | None) -> Any:
    """Meetings with an organisation of the records that has a place in ``municipio``
    (true without one). A meeting with a body not in the records (only a name) has no
    place: it counts in the whole programme's report, not in a municipio's."""
    if municipio is None:
        return True
    return Meeting.organisation_id.in_(select(Organisation.id).where(in_municipio(municipio)))


def organisations_joined(session: Session, scope: Scope) -> Figure:
    query = select(Organisation.id).where(
        Organisation.joined_network_on >= scope.date_from,
        Organisation.joined_network_on <= scope.date_to,
        _in_municipio(scope),
    )
    args = {"joined_from": scope.date_from.isoformat(), "joined_to": scope.date_to.isoformat()}
    if scope.municipio is not None:
        args["municipio"] = str(scope.municipio)
    return Figure(
        "organisations_joined",
        _("Organisations (volunteer associations, parishes) that joined the network"),
        _count(session, query),
        kind="count",
        link=links.coordinator("admin.organisations", **args),
    )


def meetings(session: Session, scope: Scope, kind: MeetingKind) -> Figure:
    in_period = (
        Meeting.kind == kind,
        Meeting.held_on >= scope.date_from,
        Meeting.held_on <= scope.date_to,
    )
    query = select(Meeting.id).where(*in_period, meeting_in_municipio(scope.municipio))
    args = {"kind": kind.value, **_period(scope)}
    note = None
    if scope.municipio is not None:
        args["municipio"] = str(scope.municipio)
        unplaced = _count(session, select(Meeting.id).where(*in_period)) - _count(session, query)
        if unplaced:
            note = ngettext(
                "%(num)s more was held with a body that has no place in the records:"
                " it counts only in the whole programme's figures.",
                "%(num)s more were held with bodies that have no place in the records:"
                " they count only in the whole programme's figures.",
                unplaced,
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
        link=links.coordinator("admin.meetings", **args),
        note=note,
    )


MAPPED = {"offers": Offer, "resources": Resource}


def mapped_behind(scope: Scope, what: str) -> Select:
    """The offers or resources (``what``) published and recorded in the period, at a place
    of the scope's municipio if it has one."""
    model = MAPPED[what]
    query = (
        select(model)
        .join(model.place)
        .where(
            model.status == ReviewStatus.PUBLISHED,
            model.created_at >= scope.start,
            model.created_at < scope.end,
        )
    )
    if scope.municipio is not None:
        query = query.where(Place.municipio == scope.municipio)
    return query


def visits_behind(scope: Scope) -> Select:
    """The scouts' visits made in the period, to places of the scope's municipio if any."""
    query = select(Visit).where(
        Visit.visited_on >= scope.date_from, Visit.visited_on <= scope.date_to
    )
    if scope.municipio is not None:
        query = query.join(Visit.place).where(Place.municipio == scope.municipio)
    return query


def map_figures(session: Session, scope: Scope) -> list[Figure]:
    """Offers and resources mapped (published, recorded in the period) and visits made."""
    args = {
        **_period(scope),
        **({"municipio": str(scope.municipio)} if scope.municipio is not None else {}),
    }
    labels = {"offers": _("Job offers mapped"), "resources": _("Courses and services mapped")}
    return [
        *(
            Figure(
                f"{what}_mapped",
                label,
                _count(session, mapped_behind(scope, what)),
                kind="count",
                link=links.coordinator("admin.mapped", what=what, **args),
            )
            for what, label in labels.items()
        ),
        Figure(
            "visits",
            _("Scouting visits made"),
            _count(session, visits_behind(scope)),
            kind="count",
            link=links.coordinator("admin.visits", **args),
        ),
        *funnel(scope),
    ]


def funnel(scope: Scope) -> list[Figure]:
    """The scouting funnel's totals (scout.coverage.funnel): places visited, interested, and
    those that yielded a partner, an offer or a course; linked to the coverage page."""
    stages = coverage.period_totals(scope.date_from, scope.date_to, scope.municipio)
    # The coverage page's funnel is the whole area's: linked only from the whole programme's.
    whole = scope.municipio is None and scope.hub_id is None
    link = (
        links.coordinator(
            "admin.coverage_map",
            since=scope.date_from.isoformat(),
            until=scope.date_to.isoformat(),
        )
        if whole
        else None
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
