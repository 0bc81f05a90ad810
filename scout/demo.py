"""Example data for ``make run``: fictional hubs, partners, employers, offers and courses.

Every organisation here is invented and flagged ``is_example``; names end in "(esempio)" so
nobody mistakes them for real businesses. All points lie inside Municipio 2 or 3.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import clock
from scout.auth import create_user
from scout.models import (
    ContractType,
    ItalianLevel,
    Offer,
    Organisation,
    OrgKind,
    PartTime,
    Place,
    PlaceSource,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    User,
)
from scout.people.demo import load_people
from scout.people.demo_outcomes import load_outcomes
from scout.schedule import opening_hours_fields
from scout.spatial import assign_admin_units

DEMO_USERS = [
    ("scout@example.org", "scout-demo-2026", Role.SCOUT, "Samira (scout, esempio)"),
    ("tutor@example.org", "tutor-demo-2026", Role.TUTOR, "Teresa (tutor, esempio)"),
    (
        "coordinator@example.org",
        "coord-demo-2026",
        Role.COORDINATOR,
        "Carlo (coordinatore, esempio)",
    ),
]


def _weekdays(start: str, end: str, days: range = range(5)) -> list[dict[str, Any]]:
    return [{"day": d, "start": start, "end": end} for d in days]


# (organisation name, kind, partner, public, lon, lat, street, civic, cap, hours)
ORGS: list[tuple[Any, ...]] = [
    (
        "Hub Padova (esempio)",
        OrgKind.HUB,
        True,
        True,
        9.22705,
        45.49695,
        "Via Padova",
        "92",
        "20127",
        "lun-ven 9:00-13:00, 14:00-17:00",
    ),
    (
        "Hub Città Studi (esempio)",
        OrgKind.HUB,
        True,
        True,
        9.22590,
        45.47765,
        "Via Pascal",
        "7",
        "20133",
        "lun-ven 9:00-16:00",
    ),
    (
        "Hub Precotto (esempio)",
        OrgKind.HUB,
        True,
        True,
        9.22940,
        45.51240,
        "Via Rucellai",
        "12",
        "20126",
        "mar e gio 9:00-12:30",
    ),
    (
        "Associazione Vicini di Casa (esempio)",
        OrgKind.ASSOCIATION,
        True,
        True,
        9.21855,
        45.49120,
        "Via Cavezzali",
        "5",
        "20127",
        "lun-ven 15:00-19:00",
    ),
    (
        "Parrocchia San Fedele di Turro (esempio)",
        OrgKind.PARISH,
        True,
        True,
        9.22300,
        45.50020,
        "Via Carnovali",
        "4",
        "20127",
        "lun, mer, ven 9:00-12:00",
    ),
    (
        "Parrocchia Santa Maria di Lambrate (esempio)",
        OrgKind.PARISH,
        True,
        True,
        9.23780,
        45.48420,
        "Via Conte Rosso",
        "10",
        "20134",
        "mar e gio 14:30-17:30",
    ),
    (
        "Centro Formazione Nord-Est (esempio)",
        OrgKind.TRAINING_CENTRE,
        True,
        True,
        9.23240,
        45.48940,
        "Via Porpora",
        "60",
        "20131",
        "lun-ven 8:30-18:00",
    ),
    (
        "Cooperativa Pulito Sereno (esempio)",
        OrgKind.COOPERATIVE,
        True,
        True,
        9.21510,
        45.48470,
        "Viale Monza",
        "18",
        "20127",
        "lun-ven 8:00-17:00",
    ),
    (
        "Trattoria La Martesana (esempio)",
        OrgKind.EMPLOYER,
        True,
        True,
        9.22410,
        45.50690,
        "Via Gorla",
        "3",
        "20125",
        "mar-dom 11:30-15:00, 18:30-23:00",
    ),
    (
        "Forno del Quartiere (esempio)",
        OrgKind.EMPLOYER,
        True,
        False,
        9.21700,
        45.49440,
        "Via Pontano",
        "21",
        "20127",
        "lun-sab 7:00-13:30",
    ),
    (
        "Casa di Cura Giardino (esempio)",
        OrgKind.EMPLOYER,
        True,
        True,
        9.24380,
        45.50410,
        "Via Berra",
        "8",
        "20128",
        "tutti i giorni",
    ),
    (
        "Portineria Condominiale Ortica (esempio)",
        OrgKind.EMPLOYER,
        False,
        False,
        9.25010,
        45.47640,
        "Via San Faustino",
        "40",
        "20134",
        None,
    ),
]


def _offers() -> dict[str, list[dict[str, Any]]]:
    today = clock.today()
    return {
        "Cooperativa Pulito Sereno (esempio)": [
            dict(
                title="Addetta alle pulizie uffici",
                sector="pulizie",
                contract_type=ContractType.DETERMINATO,
                part_time=PartTime.ORIZZONTALE,
                hours_per_week=20,
                schedule=_weekdays("09:00", "13:00"),
                italian_level=ItalianLevel.A2,
                positions=2,
                expires_on=today + timedelta(days=30),
                how_to_apply="Tramite gli hub del programma",
            ),
            dict(
                title="Pulizie serali scale condominiali",
                sector="pulizie",
                contract_type=ContractType.OCCASIONALE,
                part_time=PartTime.VERTICALE,
                hours_per_week=9,
                schedule=_weekdays("18:00", "21:00", range(0, 5, 2)),
                italian_level=ItalianLevel.A1,
                expires_on=today + timedelta(days=20),
            ),
        ],
        "Trattoria La Martesana (esempio)": [
            dict(
                title="Aiuto cucina (pranzo)",
                sector="ristorazione",
                contract_type=ContractType.APPRENDISTATO,
                part_time=PartTime.ORIZZONTALE,
                hours_per_week=18,
                schedule=_weekdays("10:30", "14:30", range(1, 6)),
                italian_level=ItalianLevel.A2,
                expires_on=today + timedelta(days=45),
            ),
            dict(
                title="Cameriera weekend",
                sector="ristorazione",
                contract_type=ContractType.VOUCHER,
                part_time=PartTime.VERTICALE,
                hours_per_week=10,
                schedule=_weekdays("18:30", "23:00", range(5, 7)),
                italian_level=ItalianLevel.B1,
                expires_on=today + timedelta(days=15),
            ),
        ],
        "Forno del Quartiere (esempio)": [
            dict(
                title="Commessa panetteria",
                sector="commercio",
                contract_type=ContractType.TIROCINIO,
                part_time=PartTime.ORIZZONTALE,
                hours_per_week=25,
                schedule=[],
                italian_level=ItalianLevel.A2,
                expires_on=today + timedelta(days=25),
            ),
        ],
        "Casa di Cura Giardino (esempio)": [
            dict(
                title="Assistente familiare / ASA",
                sector="cura",
                contract_type=ContractType.INDETERMINATO,
                part_time=PartTime.MISTO,
                hours_per_week=24,
                schedule=_weekdays("08:45", "12:45")
                + [{"day": 2, "start": "14:00", "end": "16:00"}],
                italian_level=ItalianLevel.B1,
                documents_required="Attestato ASA o OSS",
                expires_on=today + timedelta(days=60),
            ),
            dict(
                title="Ausiliaria mensa (scaduta)",
                sector="cura",
                contract_type=ContractType.DETERMINATO,
                part_time=PartTime.ORIZZONTALE,
                hours_per_week=15,
                schedule=_weekdays("11:00", "14:00"),
                italian_level=ItalianLevel.A1,
                expires_on=today - timedelta(days=3),
            ),
        ],
    }


def _resources() -> dict[str, list[dict[str, Any]]]:
    today = clock.today()
    return {
        "Associazione Vicini di Casa (esempio)": [
            dict(
                title="Italiano per il lavoro A1-A2",
                kind=ResourceKind.ITALIAN_COURSE,
                schedule=_weekdays("09:00", "11:00", range(0, 4, 2)),
                languages=["it", "ar", "en"],
                target_groups=["donne", "genitori"],
                childcare=True,
                starts_on=today - timedelta(days=30),
                ends_on=today + timedelta(days=120),
                how_to_enrol="Presentarsi in sede il lunedì mattina",
            ),
            dict(
                title="Sportello casa e bonus",
                kind=ResourceKind.HOUSING_SUPPORT,
                schedule=_weekdays("15:00", "18:00", range(1, 2)),
                languages=["it", "ar", "fr"],
                how_to_enrol="Su appuntamento",
            ),
        ],
        "Parrocchia San Fedele di Turro (esempio)": [
            dict(
                title="Corso SPID ed e-mail",
                kind=ResourceKind.DIGITAL_COURSE,
                schedule=[{"day": 2, "start": "09:30", "end": "11:30"}],
                languages=["it", "es"],
                starts_on=today,
                ends_on=today + timedelta(days=60),
                how_to_enrol="Iscrizione in segreteria parrocchiale",
            ),
            dict(
                title="Spazio bimbi 0-3 anni",
                kind=ResourceKind.CHILDCARE,
                schedule=_weekdays("09:00", "12:00"),
                languages=["it"],
                childcare=True,
            ),
        ],
        "Parrocchia Santa Maria di Lambrate (esempio)": [
            dict(
                title="Italiano di base per mamme",
                kind=ResourceKind.ITALIAN_COURSE,
                schedule=[
                    {"day": 1, "start": "14:30", "end": "16:00"},
                    {"day": 3, "start": "14:30", "end": "16:00"},
                ],
                languages=["it", "ar", "ta"],
                childcare=True,
                target_groups=["mamme"],
            ),
        ],
        "Centro Formazione Nord-Est (esempio)": [
            dict(
                title="Corso ASA (ausiliario socio-assistenziale)",
                kind=ResourceKind.PROFESSIONAL_COURSE,
                schedule=_weekdays("09:00", "13:00"),
                languages=["it"],
                is_free=False,
                cost="Gratuito con Dote Unica Lavoro",
                starts_on=today + timedelta(days=10),
                ends_on=today + timedelta(days=180),
                how_to_enrol="Colloquio con il tutor",
            ),
            dict(
                title="Dote Unica Lavoro: orientamento",
                kind=ResourceKind.LABOUR_POLICY,
                schedule=_weekdays("14:00", "17:00", range(0, 5, 2)),
                languages=["it", "en"],
            ),
        ],
        "Hub Padova (esempio)": [
            dict(
                title="Sportello reddito e assegno unico",
                kind=ResourceKind.INCOME_SUPPORT,
                schedule=_weekdays("09:00", "12:00"),
                languages=["it", "ar", "es", "fr"],
                how_to_enrol="Senza appuntamento",
            ),
        ],
    }


def load_demo(session: Session) -> int:
    """Insert the example data unless it is already there. Returns organisations added."""
    added = 0
    for email, password, role, name in DEMO_USERS:
        if session.scalar(select(User).where(User.email == email)) is None:
            create_user(email, password, role, name=name)
    offers, resources = _offers(), _resources()
    for name, kind, partner, public, lon, lat, street, civic, cap, hours in ORGS:
        if session.scalar(select(Organisation).where(Organisation.name == name)) is not None:
            continue
        org = Organisation(
            name=name,
            kind=kind,
            is_partner=partner,
            public_consent=public,
            is_example=True,
            description="Organizzazione di esempio (dati demo).",
            email="info@example.org",
            phone="+39 02 0000 0000",
            contact_person="Referente di esempio",
            contacts_public=kind in (OrgKind.HUB, OrgKind.ASSOCIATION),
        )
        place = Place(
            organisation=org,
            name=name,
            location=f"SRID=4326;POINT({lon} {lat})",
            street=street,
            civic_number=civic,
            postcode=cap,
            **opening_hours_fields(hours),
            status=ReviewStatus.PUBLISHED,
            source=PlaceSource.DEMO,
            source_dataset="demo",
            notes="Nota interna di esempio (solo staff).",
        )
        for spec in offers.get(name, []):
            place.offers.append(Offer(status=ReviewStatus.PUBLISHED, **spec))
        for spec in resources.get(name, []):
            place.resources.append(Resource(status=ReviewStatus.PUBLISHED, **spec))
        session.add(place)
        added += 1
    session.flush()
    assign_admin_units(session)
    _tutor_at_a_hub(session)
    load_people(session)
    load_outcomes(session)
    return added


def _tutor_at_a_hub(session: Session) -> None:
    """The demo tutor works at the first example hub (her figures report is that hub's)."""
    tutor = session.scalar(select(User).where(User.email == DEMO_USERS[1][0]))
    hub = session.scalar(
        select(Organisation)
        .where(Organisation.kind == OrgKind.HUB, Organisation.is_example.is_(True))
        .order_by(Organisation.id)
        .limit(1)
    )
    if tutor is not None and hub is not None and tutor.organisation_id is None:
        tutor.organisation_id = hub.id
        session.flush()
