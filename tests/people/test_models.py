"""The people tables on real PostGIS: enums checked by the database, children, plan steps and
consents cascade with her record, and no clear column can hold her home."""

from datetime import date, time

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from scout.extensions import db
from scout.models import (
    Child,
    Consent,
    ConsentPurpose,
    Education,
    Person,
    PlanStep,
    School,
)


def _person(**kw):
    person = Person(code=kw.pop("code", "P-2027-9001"), **kw)
    db.session.add(person)
    db.session.flush()
    return person


def test_person_with_children_steps_and_consents(app, make_user, make_org):
    tutor = make_user()
    hub = make_org()
    school = db.session.scalars(select(School).limit(1)).first()
    person = _person(
        first_name="Amina",
        education=Education.FOREIGN_UNRECOGNISED,
        hub_id=hub.id,
        tutor_id=tutor.id,
        availability=[{"day": 0, "start": "09:00", "end": "13:00"}],
        contract_types=["determinato"],
    )
    person.children.append(
        Child(school_id=school.id if school else None, days=[0, 1, 2], drop_off=time(8, 15))
    )
    person.steps.append(PlanStep(text="CV", due_on=date(2027, 1, 10)))
    person.consents.append(Consent(purpose=ConsentPurpose.TUTORING, given_on=date(2026, 12, 1)))
    person.consents.append(
        Consent(
            purpose=ConsentPurpose.EMPLOYER_SHARING,
            given_on=date(2026, 12, 1),
            withdrawn_on=date(2026, 12, 5),
        )
    )
    db.session.flush()
    db.session.expire_all()
    again = db.session.get(Person, person.id)
    assert again.tutor == tutor
    assert again.hub == hub
    assert again.children[0].days == [0, 1, 2]
    assert again.has_consent(ConsentPurpose.TUTORING, date(2026, 12, 10))
    assert again.has_consent(ConsentPurpose.EMPLOYER_SHARING, date(2026, 12, 3))
    assert not again.has_consent(ConsentPurpose.EMPLOYER_SHARING, date(2026, 12, 5))
    assert not again.has_consent(ConsentPurpose.STATISTICS, date(2026, 12, 10))
    db.session.delete(again)
    db.session.flush()
    for model in (Child, PlanStep, Consent):
        assert db.session.scalar(select(db.func.count()).select_from(model)) == 0


def test_unknown_enum_value_is_refused_by_the_database(app):
    person = _person()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            text("UPDATE person SET education = 'phd' WHERE id = :id"), {"id": person.id}
        )


def test_person_code_is_unique(app):
    _person(code="P-2027-0001")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        _person(code="P-2027-0001")


def test_no_geography_or_clear_address_column_for_the_home(app):
    columns = db.session.execute(
        text(
            "SELECT column_name, udt_name FROM information_schema.columns"
            " WHERE table_name = 'person'"
        )
    ).all()
    names = {name for name, _ in columns}
    assert not {udt for _, udt in columns} & {"geography", "geometry"}
    assert "home_encrypted" in names
    assert not names & {"address", "street", "location", "lon", "lat", "home"}


def test_demo_cohort_is_marked_with_homes_encrypted_inside_municipio_2_or_3(app):
    from scout.demo import load_demo
    from scout.people import records

    load_demo(db.session)
    load_demo(db.session)  # safe to re-run: the cohort is added once
    people = db.session.scalars(select(Person).where(Person.is_example.is_(True))).all()
    assert len(people) >= 5
    assert all(p.first_name.endswith("(esempio)") for p in people)
    assert {p.municipio for p in people} <= {2, 3}
    assert all(records.home_of(p) is not None for p in people)
