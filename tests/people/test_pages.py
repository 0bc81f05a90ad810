"""The tutor's pages on real PostGIS: a record created with a typo'd address (candidates shown,
one picked), a child's school, steps and consents; scoping by hub; every read audited."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from scout.errors import Conflict
from scout.extensions import db
from scout.models import AuditAction, AuditEvent, Person, Role, School
from scout.people import records
from scout.people.crypto import Home
from tests.people.conftest import HOME_LAT, HOME_LON


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    return match[1] if match else ""


def _new_form(**extra):
    return {
        "language": "ar",
        "parent_role": "mother",
        "birth_year": "1990",
        "nationality": "MA",
        "education": "lower_secondary",
        "employment": "unemployed",
        "referred_by": "qubi_base",
        "walking_profile": "stroller",
        "status": "active",
        "max_walk_minutes": "20",
        "italian_level": "",
        "contract_types": ["determinato", "tirocinio"],
        "availability-present": "1",
        "availability-0-0-start": "09:00",
        "availability-0-0-end": "12:30",
        **extra,
    }


def test_tutor_creates_a_record_with_a_typod_address_and_picks_a_candidate(
    client, login, tutor, hub, gazetteer
):
    db.session.commit()
    login(tutor)
    answer = client.post("/people/new", data=_new_form(home_address="via padva 34"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 400  # nothing saved until she picks one
    assert db.session.scalar(select(db.func.count()).select_from(Person)) == 0
    assert "Via Padova 34" in html
    assert 'id="home-candidates"' in html
    assert "checked" not in html.split('id="home-candidates"')[1].split("</fieldset>")[0]

    answer = client.post("/people/new", data=_new_form(home_address="via padva 34", home_pick="0"))
    assert answer.status_code == 302
    person = db.session.scalars(select(Person)).one()
    assert answer.location.endswith(f"/people/{person.code}")
    assert re.match(r"^P-\d{4}-0001$", person.code)
    assert (person.hub_id, person.tutor_id) == (hub.id, tutor.id)
    assert person.municipio == 2
    assert person.nil_id is not None
    home = records.home_of(person)
    assert (home.address, home.lon, home.lat) == ("Via Padova 34", HOME_LON, HOME_LAT)
    assert person.availability == [{"day": 0, "start": "09:00", "end": "12:30"}]
    assert person.contract_types == ["determinato", "tirocinio"]

    page = client.get(f"/people/{person.code}").get_data(as_text=True)
    assert f"<title>{person.code}" in page
    assert "Padova 34" not in page
    assert str(HOME_LAT)[:6] not in page


def test_weak_candidate_is_never_chosen_and_unknown_address_says_so(
    client, login, tutor, gazetteer
):
    db.session.commit()
    login(tutor)
    html = client.post("/people/new", data=_new_form(home_address="via inesistente 9999"))
    assert html.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(Person)) == 0


def test_child_school_step_and_consent_on_her_page(client, login, tutor, make_person):
    person = make_person()
    school = db.session.scalars(select(School).order_by(School.id).limit(1)).one()
    db.session.commit()
    login(tutor)
    page = client.get(f"/people/{person.code}").get_data(as_text=True)
    token = _csrf(page)
    assert (
        client.post(
            f"/people/{person.code}/children",
            data={
                "csrf_token": token,
                "school_id": str(school.id),
                "days": ["0", "2"],
                "drop_off": "08:15",
                "pick_up": "16:15",
            },
        ).status_code
        == 302
    )
    bad = client.post(
        f"/people/{person.code}/children",
        data={
            "csrf_token": token,
            "school_id": str(school.id),
            "drop_off": "16:00",
            "pick_up": "08:00",
        },
    )
    assert bad.status_code == 400
    # next to the field, in Italian
    assert "uscita deve essere dopo l" in bad.get_data(as_text=True)
    client.post(
        f"/people/{person.code}/steps",
        data={"csrf_token": token, "text": "CV", "due_on": "2027-01-15"},
    )
    client.post(
        f"/people/{person.code}/consents",
        data={
            "csrf_token": token,
            "purpose": "tutoring",
            "given_on": "2026-11-30",
            "paper_ref": "F-12",
        },
    )
    db.session.expire_all()
    person = db.session.get(Person, person.id)
    assert [c.school_id for c in person.children] == [school.id]
    assert person.children[0].days == [0, 2]
    assert [s.text for s in person.steps] == ["CV"]
    assert person.has_consent(person.consents[0].purpose)
    client.post(
        f"/people/{person.code}/consents/{person.consents[0].id}/withdraw",
        data={"csrf_token": token},
    )
    db.session.expire_all()
    assert db.session.get(Person, person.id).consents[0].withdrawn_on is not None


def test_every_read_is_audited_and_the_audit_holds_no_personal_value(
    client, login, tutor, make_person
):
    person = make_person(home=Home("Via Padova 34", HOME_LON, HOME_LAT), first_name="Amina")
    db.session.commit()
    login(tutor)
    for url in ("", "/edit", "/data.json"):
        assert client.get(f"/people/{person.code}{url}").status_code == 200
    reads = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.READ, AuditEvent.entity_id == person.id)
        .order_by(AuditEvent.id)
    ).all()
    assert [(r.user_id, r.entity) for r in reads] == [(tutor.id, "person")] * 3
    assert [r.changes["viewed"] for r in reads] == ["record", "edit form", "her data (JSON)"]
    token = _csrf(client.get(f"/people/{person.code}/edit").get_data(as_text=True))
    saved = client.post(
        f"/people/{person.code}/edit",
        data=_new_form(
            csrf_token=token,
            loaded_version=str(person.version),
            first_name="Amina B",
            home_lon="9.2210",
            home_lat="45.4890",
        ),
    )
    assert saved.status_code == 302, re.findall(
        r"invalid-feedback[^<]*<?[^<]*", saved.get_data(as_text=True)
    )
    db.session.expire_all()
    assert db.session.get(Person, person.id).first_name == "Amina B"
    dumped = str([e.changes for e in db.session.scalars(select(AuditEvent)).all()])
    for secret in ("Amina", "Padova", "9.221", "45.489", "gAAAA"):
        assert secret not in dumped


def test_other_hub_tutor_and_scope_own(app, client, login, make_user, make_org, make_person, tutor):
    person = make_person()
    other = make_user(Role.TUTOR, organisation_id=make_org(kind="hub").id)
    colleague = make_user(Role.TUTOR, organisation_id=tutor.organisation_id)
    db.session.commit()
    login(other)
    assert client.get(f"/people/{person.code}").status_code == 404
    assert person.code not in client.get("/people/").get_data(as_text=True)
    login(colleague)
    assert client.get(f"/people/{person.code}").status_code == 200
    app.config["PEOPLE_SCOPE"] = "own"
    try:
        assert client.get(f"/people/{person.code}").status_code == 404
    finally:
        app.config["PEOPLE_SCOPE"] = "hub"


def test_scouts_and_visitors_see_nothing(client, login, make_user, make_person):
    person = make_person()
    scout = make_user(Role.SCOUT)
    db.session.commit()
    urls = [
        "/people/",
        "/people/new",
        f"/people/{person.code}",
        f"/people/{person.code}/edit",
        f"/people/{person.code}/data.json",
        f"/people/{person.code}/consent-form.pdf",
    ]
    for url in urls:
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert "/login" in answer.location, url
    assert client.get("/api/v1/people").status_code == 401
    login(scout)
    for url in urls:
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/people").status_code == 403
    assert client.get(f"/api/v1/people/{person.code}").status_code == 403


def test_api_lists_her_scope_without_name_or_home(client, login, tutor, make_person):
    person = make_person(home=Home("Via Padova 34", HOME_LON, HOME_LAT), first_name="Amina")
    db.session.commit()
    login(tutor)
    listing = client.get("/api/v1/people").get_json()
    assert [p["code"] for p in listing["people"]] == [person.code]
    one = client.get(f"/api/v1/people/{person.code}")
    body = one.get_data(as_text=True)
    assert one.status_code == 200
    assert one.get_json()["has_home"] is True
    assert "Amina" not in body
    assert "Padova" not in body
    assert "9.2204" not in body
    assert client.get("/api/v1/people/not-a-code").status_code == 400


def test_her_address_shows_only_in_the_edit_field_after_a_post(client, login, tutor, make_person):
    person = make_person(home=Home("Via Padova 34", HOME_LON, HOME_LAT))
    db.session.commit()
    login(tutor)
    edit = client.get(f"/people/{person.code}/edit").get_data(as_text=True)
    assert "Padova 34" not in edit
    assert 'id="home-show"' in edit
    shown = client.post(f"/people/{person.code}/home").get_data(as_text=True)
    assert 'value="Via Padova 34"' in shown
    assert str(HOME_LON) not in shown
    read = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.READ, AuditEvent.entity_id == person.id)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert read.changes == {"viewed": "home"}


def _loaded_version(html: str) -> str:
    return re.search(r'name="loaded_version" type="hidden" value="(\d*)"', html)[1]


def test_a_save_on_an_older_version_is_refused_next_to_the_form_keeping_her_input(
    client, login, tutor, make_user, make_person
):
    person = make_person(first_name="Amina")
    colleague = make_user(Role.TUTOR, organisation_id=tutor.organisation_id)
    db.session.commit()
    login(tutor)
    mine = _loaded_version(client.get(f"/people/{person.code}/edit").get_data(as_text=True))
    login(colleague)
    theirs = _loaded_version(client.get(f"/people/{person.code}/edit").get_data(as_text=True))
    assert mine == theirs == "1"
    first = client.post(
        f"/people/{person.code}/edit", data=_new_form(loaded_version=theirs, first_name="Amina C")
    )
    assert first.status_code == 302
    login(tutor)
    second = client.post(
        f"/people/{person.code}/edit",
        data=_new_form(loaded_version=mine, first_name="Amina T", notes="lavora il sabato"),
    )
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert 'id="person-conflict"' in html
    assert "Un altro utente ha salvato questa scheda nel frattempo" in html
    assert 'value="Amina T"' in html  # her input kept
    assert "lavora il sabato" in html
    db.session.expire_all()
    stored = db.session.get(Person, person.id)
    assert (stored.first_name, stored.notes, stored.version) == ("Amina C", None, 2)
    # Saving again (the form now carries the stored version) replaces it knowingly.
    again = client.post(
        f"/people/{person.code}/edit",
        data=_new_form(loaded_version=_loaded_version(html), first_name="Amina T"),
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, person.id).first_name == "Amina T"
    # A save that says nothing of the version it was loaded at never overwrites.
    blind = client.post(f"/people/{person.code}/edit", data=_new_form(first_name="Nessuno"))
    assert blind.status_code == 409
    db.session.expire_all()
    assert db.session.get(Person, person.id).first_name == "Amina T"


def test_a_code_taken_meanwhile_is_retried_with_the_next_one(monkeypatch, hub, make_person):
    taken = make_person().code
    real = records.next_code
    calls = []

    def racing(session, year=None):  # the first answer was taken by a concurrent creation
        calls.append(1)
        return taken if len(calls) == 1 else real(session, year)

    monkeypatch.setattr(records, "next_code", racing)
    person = records.add_person(db.session, Person(hub_id=hub.id, first_name="Fatou"))
    assert len(calls) == 2
    assert person.code != taken
    assert records.CODE_RE.match(person.code)
    assert int(person.code.rsplit("-", 1)[1]) == int(taken.rsplit("-", 1)[1]) + 1
    assert db.session.get(Person, person.id).first_name == "Fatou"
    monkeypatch.setattr(records, "next_code", lambda session, year=None: taken)
    with pytest.raises(Conflict):
        records.add_person(db.session, Person(hub_id=hub.id))


def test_codes_follow_by_number_past_9999(hub, make_person):
    year = records.next_code(db.session).split("-")[1]
    make_person().code = f"P-{year}-9999"
    db.session.flush()
    assert records.next_code(db.session) == f"P-{year}-10000"
