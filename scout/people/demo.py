"""The example cohort of ``make run`` (``scout.demo`` loads it after the hubs): fictional
people, first names ending in "(esempio)", homes inside Municipio 2 or 3, encrypted like any
other (no home without ``SCOUT_PEOPLE_KEY``)."""

from __future__ import annotations

import contextlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import clock
from scout.models import Consent, ConsentPurpose, Organisation, Person, User
from scout.people import records
from scout.people.crypto import Home, KeyMissing

# A fictional cohort (names end in "(esempio)"): (first name, language, nationality, birth
# year, education, Italian, hub, home lon/lat inside Municipio 2 or 3, professional goal).
PEOPLE: list[tuple[Any, ...]] = [
    (
        "Amina (esempio)",
        "ar",
        "MA",
        1989,
        "lower_secondary",
        "A2",
        0,
        9.2245,
        45.4990,
        "Aiuto cuoca",
    ),
    ("Fatou (esempio)", "fr", "SN", 1993, "primary", "A1", 0, 9.2290, 45.5010, "Pulizie"),
    ("Rosa (esempio)", "es", "PE", 1985, "upper_secondary", "B1", 0, 9.2180, 45.4930, "Commessa"),
    ("Mei (esempio)", "en", "CN", 1991, "degree", "A2", 1, 9.2270, 45.4790, "Contabile"),
    (
        "Leila (esempio)",
        "ar",
        "EG",
        1995,
        "foreign_unrecognised",
        "A1",
        1,
        9.2320,
        45.4760,
        "Assistente all'infanzia",
    ),
    (
        "Giulia (esempio)",
        "it",
        "IT",
        1987,
        "upper_secondary",
        "C2",
        1,
        9.2230,
        45.4820,
        "Segreteria",
    ),
]


def load_people(session: Session) -> None:
    """The example cohort, with homes encrypted (none without SCOUT_PEOPLE_KEY)."""
    if session.scalar(select(Person.id).where(Person.is_example.is_(True)).limit(1)):
        return
    hubs = [
        session.scalar(select(Organisation).where(Organisation.name == name))
        for name in ("Hub Padova (esempio)", "Hub Città Studi (esempio)")
    ]
    tutor = session.scalar(select(User).where(User.email == "tutor@example.org"))
    if tutor is not None and tutor.organisation_id is None:
        tutor.organisation_id = hubs[0].id
    for name, lang, country, year, education, italian, hub, lon, lat, goal in PEOPLE:
        person = Person(
            code=records.next_code(session),
            first_name=name,
            language=lang,
            parent_role="mother",
            birth_year=year,
            nationality=country,
            education=education,
            employment="unemployed",
            referred_by="qubi_base",
            hub_id=hubs[hub].id,
            tutor_id=tutor.id if tutor is not None and hub == 0 else None,
            children_count=2,
            availability=[{"day": d, "start": "09:00", "end": "13:00"} for d in range(5)],
            italian_level=italian,
            digital_smartphone=True,
            contract_types=["determinato", "indeterminato"],
            part_time_types=["orizzontale"],
            max_walk_minutes=20,
            goal_professional=goal,
            notes="Persona di esempio (dati demo).",
            is_example=True,
        )
        person.consents.append(
            Consent(purpose=ConsentPurpose.TUTORING, given_on=clock.today(), paper_ref="DEMO")
        )
        session.add(person)
        with contextlib.suppress(KeyMissing):  # no key: the example has no home
            records.set_home(session, person, Home("Indirizzo di esempio", lon, lat))
        session.flush()
