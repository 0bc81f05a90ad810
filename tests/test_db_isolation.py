"""The per-test transaction really isolates tests, including app-level commits."""

from sqlalchemy import func, select

from scout.extensions import db
from scout.models import Organisation, OrgKind

NAME = "Isolation check organisation"


def _count() -> int:
    return db.session.scalar(select(func.count()).where(Organisation.name == NAME))


def test_a_commit_inside_a_test(app):
    assert _count() == 0
    db.session.add(Organisation(name=NAME, kind=OrgKind.EMPLOYER))
    db.session.commit()
    assert _count() == 1


def test_b_commit_from_previous_test_is_not_visible(app):
    assert _count() == 0
