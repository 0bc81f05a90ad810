"""The funder's 2021–22 report as records: a fixture cohort that reproduces its figures, with
records outside the period (or outside the scope) that must not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from scout.extensions import db
from scout.models import (
    Bulletin,
    BulletinStatus,
    Meeting,
    MeetingKind,
    Organisation,
    OrgKind,
    Place,
    Role,
    User,
    Visit,
    VisitOutcome,
)

START, END = date(2021, 9, 1), date(2022, 12, 31)
BEFORE, AFTER = date(2021, 8, 20), date(2023, 1, 10)


@dataclass
class Cohort:
    hub_a: Place  # Municipio 2
    hub_b: Place
    tutor_a: User
    coordinator: User
    scout: User


def _bulletins() -> None:
    """50 published in the period (weekly from 6 September 2021), one before, one after,
    and a draft inside it (drafts are not published)."""
    monday = date(2021, 9, 6)
    days = [monday + timedelta(weeks=i) for i in range(50)] + [date(2021, 8, 23), date(2023, 1, 2)]
    for n, day in enumerate(days, start=1):
        db.session.add(
            Bulletin(week_start=day, status=BulletinStatus.PUBLISHED, number=n, published_on=day)
        )
    db.session.add(Bulletin(week_start=date(2022, 3, 7), status=BulletinStatus.DRAFT))


def _network(make_org, make_place) -> None:
    """20 organisations joined in the period (associations and parishes, all with a place in
    Municipio 2 but 5 in Municipio 3), 2 before it, 1 after it, 1 that never joined."""
    for i in range(20):
        kind = OrgKind.PARISH if i % 2 else OrgKind.ASSOCIATION
        org = make_org(name=f"Rete {i}", kind=kind, joined_network_on=START + timedelta(days=20 * i))
        lon, lat = (9.2260, 45.4990) if i < 15 else (9.2450, 45.4790)  # NoLo, or Città Studi
        make_place(name=f"Sede rete {i}", organisation=org, lon=lon, lat=lat)
    for day in (BEFORE, date(2021, 8, 31), AFTER):
        make_org(name=f"Rete fuori {day}", joined_network_on=day)
    make_org(name="Mai entrata", is_partner=False)


def _meetings(coordinator: User, tutor: User, make_org) -> None:
    """8 meetings with institutions in the period (both ends included), 2 outside; network
    meetings and trainings count apart."""
    municipio = make_org(name="Municipio 2 (ufficio)", kind=OrgKind.INSTITUTION)
    days = [START, date(2021, 11, 3), date(2022, 1, 20), date(2022, 3, 2), date(2022, 5, 18),
            date(2022, 7, 6), date(2022, 10, 12), END]
    for i, day in enumerate(days):
        db.session.add(
            Meeting(held_on=day, kind=MeetingKind.INSTITUTION, topic=f"Tavolo {i}",
                    organisation=municipio if i % 2 else None,
                    counterpart=None if i % 2 else "Servizi sociali",
                    attendees=[coordinator, tutor])
        )
    for day in (BEFORE, AFTER):
        db.session.add(Meeting(held_on=day, kind=MeetingKind.INSTITUTION, topic="Fuori",
                               counterpart="Comune"))
    for day in (date(2021, 10, 5), date(2022, 6, 7)):
        db.session.add(Meeting(held_on=day, kind=MeetingKind.NETWORK, topic="Rete",
                               counterpart="Rete Qubì"))
    db.session.add(Meeting(held_on=date(2022, 2, 2), kind=MeetingKind.TRAINING, topic="SPID",
                           counterpart="Formazione"))


def _map(make_place, make_offer, make_resource, scout: User) -> None:
    """What the map adds: offers and resources recorded in the period, visits made."""
    from datetime import UTC, datetime

    inside = datetime(2022, 4, 1, 10, tzinfo=UTC)
    outside = datetime(2023, 2, 1, 10, tzinfo=UTC)
    bar = make_place(name="Bar Padova", lon=9.2260, lat=45.4990)
    for _i in range(6):
        make_offer(bar, created_at=inside)
    make_offer(bar, created_at=outside)
    for _i in range(4):
        make_resource(bar, created_at=inside)
    for day in (date(2021, 9, 10), date(2022, 5, 5), date(2022, 12, 31), AFTER):
        db.session.add(Visit(place=bar, user=scout, visited_on=day,
                             outcome=VisitOutcome.INTERESTED))


@pytest.fixture
def cohort(make_user, make_org, make_place, make_offer, make_resource) -> Cohort:
    hub_a = make_place(name="Hub Padova", org_kind=OrgKind.HUB, lon=9.2270, lat=45.4980)
    hub_b = make_place(name="Hub Lambrate", org_kind=OrgKind.HUB, lon=9.2400, lat=45.4840)
    tutor_a = make_user(Role.TUTOR, name="Tina", organisation_id=hub_a.organisation_id)
    coordinator = make_user(Role.COORDINATOR, name="Cora")
    scout = make_user(Role.SCOUT, name="Sami")
    _bulletins()
    _network(make_org, make_place)
    _meetings(coordinator, tutor_a, make_org)
    _map(make_place, make_offer, make_resource, scout)
    db.session.flush()
    return Cohort(hub_a, hub_b, tutor_a, coordinator, scout)


def org_count(kind: OrgKind | None = None) -> int:
    query = db.select(db.func.count()).select_from(Organisation)
    if kind:
        query = query.where(Organisation.kind == kind)
    return db.session.scalar(query)
