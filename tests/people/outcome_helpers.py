"""Shared by the matching and outcomes tests: a grid of streets around Via Padova (imported as the
walking network in "network" mode), a person's record with a child's school, and places."""

from __future__ import annotations

import itertools
from datetime import date, time

from bench.netgen import generate_grid
from scout.extensions import db
from scout.geo import LonLat, metres_per_degree
from scout.models import ContractType, ItalianLevel, Organisation, OrgKind, PartTime, School
from scout.models.people import Child, Consent, ConsentPurpose, Person
from scout.people.crypto import Home, encrypt_home
from scout.walking.osm_import import import_osm

GRID_ORIGIN = (9.2271, 45.4970)  # Via Padova, Municipio 2
SPACING = 80
_seq = itertools.count(1)


def grid_point(col: float, row: float) -> LonLat:
    m_lon, m_lat = metres_per_degree(GRID_ORIGIN[1])
    return LonLat(
        round(GRID_ORIGIN[0] + col * SPACING / float(m_lon), 7),
        round(GRID_ORIGIN[1] + row * SPACING / float(m_lat), 7),
    )


# Her home, with distinctive decimals, between grid junctions.
HOME = grid_point(1.3, 1.2)


def import_grid(tmp_path) -> None:
    path = generate_grid(tmp_path / "grid.osm", 22, 16, spacing_m=SPACING, origin=GRID_ORIGIN)
    import_osm(db.session, path)


def weekdays(start: str, end: str, days=range(5)) -> list[dict]:
    return [{"day": d, "start": start, "end": end} for d in days]


def make_hub(name: str) -> Organisation:
    hub = Organisation(name=name, kind=OrgKind.HUB, is_partner=True)
    db.session.add(hub)
    db.session.flush()
    return hub


def make_school(col: float = 4, row: float = 2) -> School:
    school = School(
        code=f"MIPM{next(_seq):05d}",
        name="Primaria di prova",
        school_type="Primaria",
        street="Via Russo",
        civic_number="27",
        location=grid_point(col, row).wkt,
    )
    db.session.add(school)
    db.session.flush()
    return school


def make_person(
    hub: Organisation,
    tutor=None,
    home: LonLat | None = HOME,
    school: School | None = None,
    sharing: bool = False,
    **kw,
) -> Person:
    kw.setdefault("availability", weekdays("08:30", "14:00"))
    kw.setdefault("italian_level", ItalianLevel.A2)
    kw.setdefault("sectors", ["pulizie"])
    kw.setdefault("contract_types", [ContractType.DETERMINATO.value])
    kw.setdefault("part_time_types", [PartTime.ORIZZONTALE.value])
    kw.setdefault("max_walk_minutes", 15)
    person = Person(
        code=f"P-2027-{next(_seq):04d}",
        hub_id=hub.id,
        tutor_id=tutor.id if tutor else None,
        home_encrypted=encrypt_home(Home("Via Padova 36", home.lon, home.lat)) if home else None,
        **kw,
    )
    if school is not None:
        person.children = [
            Child(
                school_id=school.id,
                days=[0, 1, 2, 3, 4],
                drop_off=time(8, 15),
                pick_up=time(16, 30),
            )
        ]
    if sharing:
        person.consents = [
            Consent(purpose=ConsentPurpose.EMPLOYER_SHARING, given_on=date(2026, 1, 10))
        ]
    db.session.add(person)
    db.session.flush()
    return person
