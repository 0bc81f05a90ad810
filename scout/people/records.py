"""A person's record: her pseudonymous code, who may see her, her home (encrypted, with the
NIL and municipio computed from the point) and every read of her record in the audit."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import Integer, Select, cast, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from scout import audit, clock, spatial
from scout.errors import Conflict
from scout.geo import LonLat
from scout.models import Organisation, OrgKind, Person, Role, User
from scout.people.crypto import Home, decrypt_home, encrypt_home

CODE_RE = re.compile(r"^P-\d{4}-\d{4,6}$")
CODE_CONSTRAINT = "uq_person_code"
CODE_ATTEMPTS = 5


def next_code(session: Session, year: int | None = None) -> str:
    """The next free pseudonymous code of the year: ``P-2027-0042`` (by number, so that
    ``P-2027-10000`` follows ``P-2027-9999``)."""
    year = year or clock.today().year
    prefix = f"P-{year}-"
    number = cast(func.split_part(Person.code, "-", 3), Integer)
    last = session.scalar(select(func.max(number)).where(Person.code.like(f"{prefix}%")))
    return f"{prefix}{(last or 0) + 1:04d}"


def add_person(session: Session, person: Person) -> Person:
    """Store a new record under the next free code.

    Two tutors creating records at once both read the same next code; the second INSERT
    waits for the first to commit and then breaks the code's unique constraint. That
    INSERT runs in a savepoint, so the loser takes the next code and tries again (up to
    ``CODE_ATTEMPTS`` times, then :class:`Conflict`): no 500, nothing half-written.
    """
    for _attempt in range(CODE_ATTEMPTS):
        person.code = next_code(session)
        try:
            with session.begin_nested():
                session.add(person)
                session.flush()
        except IntegrityError as exc:
            if CODE_CONSTRAINT not in str(exc.orig):
                raise
            audit.discard_pending(session)
            continue
        return person
    raise Conflict()


def visible(user: User) -> Select:
    """The people ``user`` may see: coordinators everyone; a tutor those of her hub
    (``PEOPLE_SCOPE = "hub"``, her organisation) and those she follows, or only the latter
    (``"own"``). Anybody else: nobody."""
    query = select(Person)
    if user.role == Role.COORDINATOR:
        return query
    if user.role != Role.TUTOR:
        return query.where(False)
    mine = Person.tutor_id == user.id
    if current_app.config["PEOPLE_SCOPE"] == "hub" and user.organisation_id is not None:
        return query.where(mine | (Person.hub_id == user.organisation_id))
    return query.where(mine)


def find(session: Session, user: User, code: str) -> Person | None:
    """Her record by code, if ``user`` may see it (children, steps and consents loaded)."""
    if not CODE_RE.match(code or ""):
        return None
    return session.scalars(
        visible(user)
        .where(Person.code == code)
        .options(
            selectinload(Person.children),
            selectinload(Person.steps),
            selectinload(Person.consents),
        )
    ).first()


def audit_read(session: Session, person: Person, what: str = "record") -> None:
    """Every read of her record is audited: who, when, which record (and which view of it)."""
    audit.read(session, "person", person.id, what)


def hubs(session: Session) -> list[Organisation]:
    return list(
        session.scalars(
            select(Organisation).where(Organisation.kind == OrgKind.HUB).order_by(Organisation.name)
        )
    )


def tutors(session: Session) -> list[User]:
    return list(
        session.scalars(
            select(User)
            .where(User.role.in_([Role.TUTOR, Role.COORDINATOR]), User.active.is_(True))
            .order_by(User.name, User.email)
        )
    )


def set_home(session: Session, person: Person, home: Home | None) -> None:
    """Store her home encrypted and, in clear, only the NIL and municipio of its point."""
    if home is None:
        person.home_encrypted = None
        person.municipio = person.nil_id = None
        return
    person.home_encrypted = encrypt_home(home)
    person.municipio, person.nil_id = spatial.admin_units(session, LonLat(home.lon, home.lat))


def home_of(person: Person) -> Home | None:
    """Her home, decrypted here on the server (for a walk or the edit form), never stored."""
    return decrypt_home(person.home_encrypted)


def close(person: Person, reason: str) -> None:
    person.closed_reason = reason
    person.closed_at = datetime.now(UTC)
