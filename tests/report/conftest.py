"""The funder's 2021–22 report as records: a fixture cohort that reproduces its figures, with
records outside the period (or outside the scope) that must not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import pytest

from scout.extensions import db
from scout.models import (
    Bulletin,
    BulletinStatus,
    Meeting,
    MeetingKind,
    Organisation,
    OrgKind,
    Role,
    User,
    Visit,
    VisitOutcome,
)

START, END = date(2021, 9, 1), date(2022, 12, 31)
BEFORE, AFTER = date(2021, 8, 20), date(2023, 1, 10)


@dataclass
class Cohort:
    hub_a: Organisation  # Municipio 2
    hub_b: Organisation  # Municipio 3
    tutor_a: User
    coordinator: User
    scout: User
    people: object = None


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
        org = make_org(
            name=f"Rete {i}", kind=kind, joined_network_on=START + timedelta(days=20 * i)
        )
        lon, lat = (9.2260, 45.4990) if i < 15 else (9.2450, 45.4790)  # NoLo, or Città Studi
        make_place(name=f"Sede rete {i}", organisation=org, lon=lon, lat=lat)
    for day in (BEFORE, date(2021, 8, 31), AFTER):
        make_org(name=f"Rete fuori {day}", joined_network_on=day)
    make_org(name="Mai entrata", is_partner=False)


def _meetings(coordinator: User, tutor: User, make_org, make_place) -> None:
    """8 meetings with institutions in the period (both ends included), 2 outside; network
    meetings and trainings count apart. The 4 held with the Municipio 2 office (a place in
    Municipio 2) count in that municipio; the 4 with a body only named, in no municipio."""
    municipio = make_org(name="Municipio 2 (ufficio)", kind=OrgKind.INSTITUTION)
    make_place(name="Ufficio Municipio 2", organisation=municipio, lon=9.2265, lat=45.4985)
    days = [
        START,
        date(2021, 11, 3),
        date(2022, 1, 20),
        date(2022, 3, 2),
        date(2022, 5, 18),
        date(2022, 7, 6),
        date(2022, 10, 12),
        END,
    ]
    for i, day in enumerate(days):
        db.session.add(
            Meeting(
                held_on=day,
                kind=MeetingKind.INSTITUTION,
                topic=f"Tavolo {i}",
                organisation=municipio if i % 2 else None,
                counterpart=None if i % 2 else "Servizi sociali",
                attendees=[coordinator, tutor],
            )
        )
    for day in (BEFORE, AFTER):
        db.session.add(
            Meeting(held_on=day, kind=MeetingKind.INSTITUTION, topic="Fuori", counterpart="Comune")
        )
    for day in (date(2021, 10, 5), date(2022, 6, 7)):
        db.session.add(
            Meeting(held_on=day, kind=MeetingKind.NETWORK, topic="Rete", counterpart="Rete Qubì")
        )
    db.session.add(
        Meeting(
            held_on=date(2022, 2, 2),
            kind=MeetingKind.TRAINING,
            topic="SPID",
            counterpart="Formazione",
        )
    )


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
        db.session.add(
            Visit(place=bar, user=scout, visited_on=day, outcome=VisitOutcome.INTERESTED)
        )


@pytest.fixture
def cohort(make_user, make_org, make_place, make_offer, make_resource) -> Cohort:
    hub_a = make_place(name="Hub Padova", org_kind=OrgKind.HUB, lon=9.2270, lat=45.4980)
    hub_b = make_place(name="Hub Lambrate", org_kind=OrgKind.HUB, lon=9.2400, lat=45.4840)
    hub_a, hub_b = hub_a.organisation, hub_b.organisation
    tutor_a = make_user(Role.TUTOR, name="Tina", organisation_id=hub_a.id)
    coordinator = make_user(Role.COORDINATOR, name="Cora")
    scout = make_user(Role.SCOUT, name="Sami")
    _bulletins()
    _network(make_org, make_place)
    _meetings(coordinator, tutor_a, make_org, make_place)
    _map(make_place, make_offer, make_resource, scout)
    people = build_people(hub_a.id, hub_b.id)  # flushed: ids known
    school = make_place(name="Centro corsi", lon=9.2300, lat=45.4950)
    old = datetime(2021, 1, 4, 10, tzinfo=UTC)  # mapped before the period
    courses = {
        "digital": [make_resource(school, kind="digital_course", created_at=old) for _i in "ab"],
        "italian": [make_resource(school, kind="italian_course", created_at=old)],
    }
    build_outcomes(people.counted, courses)
    db.session.flush()
    return Cohort(hub_a, hub_b, tutor_a, coordinator, scout, people)


def org_count(kind: OrgKind | None = None) -> int:
    query = db.select(db.func.count()).select_from(Organisation)
    if kind:
        query = query.where(Organisation.kind == kind)
    return db.session.scalar(query)


# The funder's profile, person by person: (count, role, nationality, employment, education,
# birth year). 80 mothers (75 %), 27 fathers (25 %).
MOTHERS = (
    [("IT", None)] * 11
    + [("EG", None)] * 25
    + [("MA", None)] * 15
    + [("TN", None)] * 4
    + [("LK", None)] * 12
    + [("PE", None)] * 8
    + [("EC", None)] * 5
)
FATHERS = (
    [("EG", None)] * 10
    + [("MA", None)] * 6
    + [("LK", None)] * 5
    + [("BO", None)] * 4
    + [("IT", None)] * 2
)


def _mothers() -> list[dict]:
    """80 mothers: 48 unemployed, 20 under-employed, 12 employed (60 %, 25 %); 38 lower and
    26 upper secondary; half born in 1981 and half in 1980 (mean age 41.5 at the end of 2022)."""
    from scout.models import Education as E
    from scout.models import Employment as W

    employment = [W.UNEMPLOYED] * 48 + [W.UNDER_EMPLOYED] * 20 + [W.EMPLOYED] * 12
    education = (
        [E.LOWER_SECONDARY] * 38
        + [E.UPPER_SECONDARY] * 26
        + [E.PRIMARY] * 8
        + [E.DEGREE] * 4
        + [E.FOREIGN_UNRECOGNISED] * 4
    )
    return [
        {
            "parent_role": "mother",
            "nationality": nat,
            "employment": employment[i],
            "education": education[i],
            "birth_year": 1981 if i % 2 else 1980,
        }
        for i, (nat, _x) in enumerate(MOTHERS)
    ]


def _fathers() -> list[dict]:
    """27 fathers: 20 unemployed and 5 under-employed of the 25 whose status is recorded
    (80 %, 20 %); born 1977, 1979 (13 each) and 1978: mean age 44."""
    from scout.models import Education as E
    from scout.models import Employment as W

    employment = [W.UNEMPLOYED] * 20 + [W.UNDER_EMPLOYED] * 5 + [None] * 2
    education = [E.LOWER_SECONDARY] * 14 + [E.UPPER_SECONDARY] * 9 + [E.PRIMARY] * 4
    years = [1977] * 13 + [1979] * 13 + [1978]
    return [
        {
            "parent_role": "father",
            "nationality": nat,
            "employment": employment[i],
            "education": education[i],
            "birth_year": years[i],
        }
        for i, (nat, _x) in enumerate(FATHERS)
    ]


def add_person(
    n: int, hub_id: int | None, created: date, consent: date | None = START, **kw
) -> object:
    from datetime import UTC, datetime

    from scout.models import Consent, ConsentPurpose, Person

    person = Person(
        code=f"P-2021-{n:04d}",
        hub_id=hub_id,
        created_at=datetime(created.year, created.month, created.day, 10, tzinfo=UTC),
        **kw,
    )
    if consent is not None:
        person.consents.append(
            Consent(purpose=ConsentPurpose.STATISTICS, given_on=min(consent, created))
        )
    db.session.add(person)
    return person


@dataclass
class People:
    counted: list
    hub_a_mothers: int = 50
    hub_a_fathers: int = 17


def build_people(hub_a: int, hub_b: int) -> People:
    """107 people counted (hub A: 50 mothers and 17 fathers in Municipio 2; hub B the rest in
    Municipio 3), 5 of them with a plan opened before the period and still open, 10 of them
    anonymised; and 7 who must not count (after, closed before, no consent, consent
    withdrawn)."""
    from datetime import UTC, datetime

    counted = []
    n = 0
    for group, split in ((_mothers(), 50), (_fathers(), 17)):
        for i, fields in enumerate(group):
            n += 1
            hub, municipio = (hub_a, 2) if i < split else (hub_b, 3)
            created = date(2021, 6, 1) if n <= 5 else START + timedelta(days=(n * 4) % 480)
            person = add_person(n, hub, created, municipio=municipio, **fields)
            if n % 11 == 0:  # anonymised: personal fields gone, coarse ones kept
                person.anonymised_at = datetime(2023, 6, 1, tzinfo=UTC)
                person.status = "closed"
                person.closed_at = datetime(2022, 11, 30, tzinfo=UTC)
            counted.append(person)
    extra = dict(parent_role="mother", nationality="EG", birth_year=1985, municipio=2)
    for _i in range(3):
        n += 1
        add_person(n, hub_a, date(2023, 2, 1), **extra)
    for _i in range(2):
        n += 1
        p = add_person(n, hub_a, date(2021, 3, 1), **extra)
        p.status, p.closed_at = "closed", datetime(2021, 7, 31, tzinfo=UTC)
    n += 1
    add_person(n, hub_a, date(2022, 2, 1), consent=None, **extra)
    n += 1
    p = add_person(n, hub_a, date(2022, 2, 1), **extra)
    p.consents[0].withdrawn_on = date(2022, 6, 1)
    db.session.flush()
    return People(counted)


def build_outcomes(counted: list, courses: dict[str, list]) -> None:
    """35 job placements in the period (4 permanent, 26 fixed-term, 3 occasional, 2 voucher;
    catering, family care, cleaning, porterage; 8 at km zero, median walk 27 minutes), 3
    internships, 26 people searching on their own, 15 mothers who completed one of 2 digital
    courses, 20 people at Italian courses; and outcomes outside the period that do not count."""
    from scout.models import AutonomyAssessment, Enrolment, Placement

    contracts = ["indeterminato"] * 4 + ["determinato"] * 26 + ["occasionale"] * 3 + ["voucher"] * 2
    sectors = (
        ["Ristorazione"] * 14 + ["Assistenza familiare"] * 9 + ["Pulizie"] * 8 + ["Portierato"] * 4
    )
    minutes = [6, 8, 9, 10, 11, 12, 14, 15] + list(range(18, 45))
    for i in range(35):
        db.session.add(
            Placement(
                person_id=counted[i].id,
                employer_name=f"Datore {i}",
                contract_type=contracts[i],
                sector=sectors[i],
                starts_on=START + timedelta(days=10 * i),
                walk_minutes=minutes[i],
                km_zero=minutes[i] <= 15,
            )
        )
    for i in range(3):
        db.session.add(
            Placement(
                person_id=counted[40 + i].id,
                employer_name="Cooperativa",
                contract_type="tirocinio_extracurricolare",
                starts_on=date(2022, 5, 2),
            )
        )
    for day in (date(2021, 8, 1), date(2023, 1, 15), date(2023, 2, 1)):
        db.session.add(
            Placement(
                person_id=counted[50].id,
                employer_name="Fuori periodo",
                contract_type="determinato",
                starts_on=day,
            )
        )
    for i in range(26):
        db.session.add(
            AutonomyAssessment(
                person_id=counted[i + 10].id, assessed_on=date(2022, 9, 1), searches_alone=True
            )
        )
    for i in (60, 61):  # said yes, then no: her latest answer counts
        db.session.add(
            AutonomyAssessment(
                person_id=counted[i].id, assessed_on=date(2022, 3, 1), searches_alone=True
            )
        )
        db.session.add(
            AutonomyAssessment(
                person_id=counted[i].id, assessed_on=date(2022, 10, 1), searches_alone=False
            )
        )
    db.session.add(
        AutonomyAssessment(person_id=counted[62].id, assessed_on=AFTER, searches_alone=True)
    )
    digital_a, digital_b = courses["digital"]
    for i in range(15):  # mothers are counted[0:80]
        db.session.add(
            Enrolment(
                person_id=counted[i].id,
                resource_id=(digital_a if i < 8 else digital_b).id,
                status="completed",
                enrolled_on=date(2022, 1, 10),
                ended_on=date(2022, 3, 10),
            )
        )
    db.session.add(
        Enrolment(
            person_id=counted[90].id,
            resource_id=(digital_a).id,
            status="completed",
            enrolled_on=date(2022, 1, 10),
            ended_on=date(2022, 3, 10),
        )
    )
    for i in (20, 21):
        db.session.add(
            Enrolment(
                person_id=counted[i].id,
                resource_id=(digital_a).id,
                status="dropped",
                enrolled_on=date(2022, 1, 10),
                ended_on=date(2022, 2, 1),
            )
        )
    db.session.add(
        Enrolment(
            person_id=counted[22].id,
            resource_id=(digital_b).id,
            status="completed",
            enrolled_on=date(2022, 11, 10),
            ended_on=AFTER,
        )
    )
    (italian,) = courses["italian"]
    for i in range(20):
        db.session.add(
            Enrolment(
                person_id=counted[30 + i].id,
                resource_id=(italian).id,
                status="completed" if i % 2 else "enrolled",
                enrolled_on=date(2021, 10, 4),
            )
        )
    for i in (70, 71):
        db.session.add(
            Enrolment(
                person_id=counted[i].id,
                resource_id=(italian).id,
                status="completed",
                enrolled_on=date(2021, 5, 3),
            )
        )
    db.session.flush()
