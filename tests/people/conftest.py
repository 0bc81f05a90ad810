"""Fixtures of the people tests: a hub with its tutor, a gazetteer of Via Padova, a record."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from scout.extensions import db
from scout.models import Organisation, OrgKind, Person, Role, User
from scout.people import records
from scout.people.crypto import Home
from tests.factories import add_addresses

# Via Padova 34 in the test gazetteer: typed with a typo, chosen from the candidates.
HOME_STREET, HOME_NUMBER, HOME_LON, HOME_LAT = "Via Padova", "34", 9.2204317, 45.4884129


@pytest.fixture
def gazetteer(app):
    add_addresses(
        [
            ("Via Padova", "30", 9.2200, 45.4880),
            (HOME_STREET, HOME_NUMBER, HOME_LON, HOME_LAT),
            ("Via Padova", "40", 9.2210, 45.4890),
            ("Via Russo", "27", 9.2267, 45.4975),
        ]
    )


@pytest.fixture
def hub(make_org) -> Organisation:
    return make_org(name="Hub Padova (test)", kind=OrgKind.HUB)


@pytest.fixture
def tutor(make_user, hub) -> User:
    return make_user(Role.TUTOR, organisation_id=hub.id)


@pytest.fixture
def make_person(app, hub, tutor) -> Callable[..., Person]:
    def _make(home: Home | None = None, **kw: Any) -> Person:
        person = Person(code=records.next_code(db.session), **{"hub_id": hub.id, **kw})
        if "tutor_id" not in kw:
            person.tutor_id = tutor.id
        db.session.add(person)
        if home is not None:
            records.set_home(db.session, person, home)
        db.session.flush()
        return person

    return _make


@pytest.fixture(autouse=True)
def _no_csrf(app, monkeypatch):
    """The forms' CSRF check is tested in tests/web; here the posts are the tutor's own."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
