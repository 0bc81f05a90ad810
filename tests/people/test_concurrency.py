"""Two tutors at the same instant, against a real database (each request in its own thread,
session and transaction, as under gunicorn): two new records get two codes, and two saves of
one record never overwrite each other unseen.

The races are made certain: the test holds a lock the requests need, waits until both are
blocked on it, then lets them go (as tests/capture/test_concurrency.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from scout.auth import create_user
from scout.extensions import db
from scout.models import AuditAction, AuditEvent, Organisation, OrgKind, Person, Role
from tests.capture.test_concurrency import at_once, join, scout_client
from tests.factories import PASSWORD
from tests.livedb import holding, migrated_app, wait_for_lock_waiters

FORM = {"language": "it", "walking_profile": "standard", "status": "active", "italian_level": ""}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = migrated_app("_codes", tmp_path_factory.mktemp("codes"), WTF_CSRF_ENABLED=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def tutors(live: Flask) -> list[str]:
    with live.app_context():
        hub = Organisation(name="Hub (concorrenza)", kind=OrgKind.HUB)
        db.session.add(hub)
        db.session.flush()
        ids = [
            create_user(
                f"tutor-race-{n}@example.org", PASSWORD, Role.TUTOR, organisation_id=hub.id
            ).get_id()
            for n in range(2)
        ]
        db.session.commit()
        db.session.remove()
    return ids


def _codes(live: Flask) -> list[str]:
    with live.app_context():
        codes = list(db.session.scalars(select(Person.code).order_by(Person.code)))
        db.session.remove()
    return codes


def test_two_records_created_at_once_get_two_codes(live: Flask, tutors: list[str]) -> None:
    before = _codes(live)
    clients = [scout_client(live, uid) for uid in tutors]
    # Readers pass, writers wait: both requests read the same next code, then both INSERT.
    with holding(live, "LOCK TABLE person IN EXCLUSIVE MODE"):
        threads, answers = at_once(
            [
                lambda c=c, n=n: c.post("/people/new", data={**FORM, "first_name": f"N{n}"})
                for n, c in enumerate(clients)
            ]
        )
        wait_for_lock_waiters(live, 2)
    join(threads)
    assert [a.status_code for a in answers] == [302, 302], [
        a.get_data(as_text=True)[:300] for a in answers
    ]
    new = sorted(set(_codes(live)) - set(before))
    assert len(new) == 2
    assert {a.location.rsplit("/", 1)[1] for a in answers} == set(new)
    with live.app_context():
        people = db.session.scalars(select(Person).where(Person.code.in_(new))).all()
        assert sorted(p.first_name for p in people) == ["N0", "N1"]
        created = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == "person",
                AuditEvent.action == AuditAction.CREATE,
                AuditEvent.entity_id.in_([p.id for p in people]),
            )
        ).all()
        assert len(created) == 2  # the retried INSERT is audited once
        db.session.remove()


def test_two_saves_of_one_record_at_once_one_wins_the_other_is_told(
    live: Flask, tutors: list[str]
) -> None:
    client = scout_client(live, tutors[0])
    code = client.post("/people/new", data={**FORM, "first_name": "Amina"}).location
    code = code.rsplit("/", 1)[1]
    with live.app_context():
        person_id, version, hub_id, tutor_id = db.session.execute(
            select(Person.id, Person.version, Person.hub_id, Person.tutor_id).where(
                Person.code == code
            )
        ).one()
        db.session.remove()
    clients = [scout_client(live, uid) for uid in tutors]
    # Every field the page's form sends (a select left out would not be a valid choice).
    blank = dict.fromkeys(
        ("parent_role", "nationality", "education", "employment", "referred_by"), ""
    )
    forms: list[dict[str, Any]] = [
        {
            **FORM,
            **blank,
            "hub_id": str(hub_id),
            "tutor_id": str(tutor_id),
            "loaded_version": str(version),
            "first_name": name,
        }
        for name in ("Sara", "Luca")
    ]
    # Both load version 1 and pass the form's check, then both UPDATE the row.
    with holding(live, "SELECT 1 FROM person WHERE id = :id FOR UPDATE", id=person_id):
        threads, answers = at_once(
            [
                lambda c=c, f=f: c.post(f"/people/{code}/edit", data=f)
                for c, f in zip(clients, forms, strict=True)
            ]
        )
        wait_for_lock_waiters(live, 2)
    join(threads)
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302, 409], [a.get_data(as_text=True)[:300] for a in answers]
    loser = next(a for a in answers if a.status_code == 409).get_data(as_text=True)
    winner = forms[[a.status_code for a in answers].index(302)]["first_name"]
    assert 'id="person-conflict"' in loser
    with live.app_context():
        stored = db.session.get(Person, person_id)
        assert (stored.first_name, stored.version) == (winner, version + 1)
        db.session.remove()
    lost = "Luca" if winner == "Sara" else "Sara"
    assert f'value="{lost}"' in loser  # her input kept
