"""Retention and forgetting, the consent form PDF in her language, key rotation."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from scout.extensions import db
from scout.models import AuditAction, AuditEvent, Nil, Person, PlanStatus, PlanStep, Role
from scout.people import crypto, records, retention
from scout.people.crypto import Home
from tests.pdfs import assert_reads, tagged_pdf
from tests.people.conftest import HOME_LAT, HOME_LON

HOME = Home("Via Padova 34", HOME_LON, HOME_LAT)
COARSE = ("parent_role", "birth_year", "nationality", "education", "nil_id", "municipio", "hub_id")


def _closed(make_person, days_ago: int, **kw) -> Person:
    person = make_person(
        home=HOME,
        first_name="Amina",
        phone="+39 333 1234567",
        notes="parla bene",
        goal_professional="cuoca",
        parent_role="mother",
        birth_year=1990,
        nationality="MA",
        education="primary",
        status=PlanStatus.CLOSED,
        closed_reason="trasferita",
        closed_at=datetime.now(UTC) - timedelta(days=days_ago),
        **kw,
    )
    person.steps.append(PlanStep(text="CV"))
    db.session.flush()
    return person


def _personal(person: Person) -> tuple:
    return (
        person.first_name,
        person.phone,
        person.notes,
        person.goal_professional,
        person.home_encrypted,
        person.closed_reason,
    )


def test_purge_anonymises_only_records_closed_past_the_retention(app, runner, make_person):
    old = _closed(make_person, days_ago=800)
    recent = _closed(make_person, days_ago=30)
    active = make_person(home=HOME, first_name="Sara")
    coarse_before = [getattr(old, f) for f in COARSE]
    counts = db.session.scalar(select(func.count()).select_from(Person))
    db.session.commit()
    result = runner.invoke(args=["people", "purge"])
    assert "1 record(s) anonymised" in result.output, result.output
    db.session.expire_all()
    old, recent, active = (db.session.get(Person, p.id) for p in (old, recent, active))
    assert _personal(old) == (None,) * 6
    assert [s.text for s in old.steps] == [retention.WIPED]
    assert old.anonymised_at is not None
    assert [getattr(old, f) for f in COARSE] == coarse_before
    assert recent.first_name == "Amina"
    assert recent.home_encrypted is not None
    assert active.first_name == "Sara"
    assert db.session.scalar(select(func.count()).select_from(Person)) == counts
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.ANONYMISE)
    ).one()
    assert event.entity_id == old.id
    assert "Amina" not in json.dumps(event.changes)


def test_forget_her_needs_a_coordinator_and_a_reason(client, login, make_user, make_person, tutor):
    person = make_person(home=HOME, first_name="Amina", notes="x")
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(tutor)
    assert (
        client.post(f"/people/{person.code}/forget", data={"reason": "her request"}).status_code
        == 403
    )
    login(coordinator)
    empty = client.post(f"/people/{person.code}/forget", data={"reason": ""})
    assert empty.status_code == 400
    db.session.expire_all()
    assert db.session.get(Person, person.id).first_name == "Amina"
    done = client.post(f"/people/{person.code}/forget", data={"reason": "asked in person, 1 Dec"})
    assert done.status_code == 302
    db.session.expire_all()
    forgotten = db.session.get(Person, person.id)
    assert _personal(forgotten) == (None,) * 6
    assert forgotten.status == PlanStatus.CLOSED
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == AuditAction.ANONYMISE)
    ).one()
    assert event.user_id == coordinator.id
    assert event.changes == {"reason": "asked in person, 1 Dec", "forgotten": True}


def test_consent_form_in_arabic_is_right_to_left_with_latin_names_isolated(
    client, login, tutor, make_person
):
    person = make_person(first_name="Amina", language="ar")
    db.session.commit()
    login(tutor)
    answer = client.get(f"/people/{person.code}/consent-form.pdf")
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    _reader, _tags, text = tagged_pdf(answer.data, "ar")
    assert_reads(text, ["استمارة الموافقة", "أوافق", person.code, "Amina"])
    with client.application.test_request_context():
        from flask import render_template
        from flask_babel import force_locale

        from scout.models import ConsentPurpose

        with force_locale("ar"):
            html = render_template(
                "people/consent_form.html",
                person=person,
                lang="ar",
                direction="rtl",
                purposes=list(ConsentPurpose),
                today=datetime.now(UTC).date(),
            )
    assert '<html lang="ar" dir="rtl">' in html
    assert "<bdi>\u2068Amina\u2069</bdi>" in html
    italian = client.get(f"/people/{person.code}/consent-form.pdf?lang=it")
    assert_reads(tagged_pdf(italian.data, "it")[2], ["Modulo di consenso", "Acconsento"])


def test_her_data_holds_everything_and_rotation_keeps_it_readable(
    app, runner, client, login, tutor, make_person
):
    person = make_person(home=HOME, first_name="Amina")
    db.session.commit()
    login(tutor)
    answer = client.get(f"/people/{person.code}/data.json")
    data = answer.get_json()
    assert data["person"]["first_name"] == "Amina"
    # Her home is never in an export: whether one is held, its NIL and municipio, a sentence.
    nil = db.session.get(Nil, person.nil_id)
    assert data["home"]["held"] is True
    assert (data["home"]["nil"], data["home"]["municipio"]) == (nil.name, 2)
    assert "cifrato" in data["home"]["note"]  # in her language (Italian here)
    body = answer.get_data(as_text=True)
    for secret in ("Padova 34", str(HOME_LON)[:6], str(HOME_LAT)[:6]):
        assert secret not in body
    pdf = client.get(f"/people/{person.code}/data.pdf")
    assert pdf.status_code == 200
    text = " ".join(tagged_pdf(pdf.data, "it")[2].split())
    assert "cifrato" in text
    assert nil.name in text
    for secret in ("Padova 34", str(HOME_LON)[:6], str(HOME_LAT)[:6]):
        assert secret not in text
    old_key = app.config["PEOPLE_KEY"]
    new_key = crypto.new_key()
    app.config["PEOPLE_KEY"] = f"{new_key},{old_key}"
    try:
        before = bytes(person.home_encrypted)
        result = runner.invoke(args=["people", "rotate-key"])
        assert "1 home(s) re-encrypted" in result.output
        db.session.expire_all()
        rotated = db.session.get(Person, person.id)
        assert bytes(rotated.home_encrypted) != before
        assert crypto.decrypt_home(rotated.home_encrypted, keys=new_key) == HOME
    finally:
        app.config["PEOPLE_KEY"] = old_key
    assert records.CODE_RE.match(person.code)
