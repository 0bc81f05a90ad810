"""The example cohort's outcomes (``make run``): a km-zero placement from a hired referral, one
not km zero, follow-ups due on the demo tutor's page, new matches; loading twice adds nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from scout.demo import load_demo
from scout.extensions import db
from scout.models import NewMatch, Placement, Referral, User
from scout.people import followups, records
from tests.factories import milan_today


def test_the_demo_cohort_has_referrals_placements_and_follow_ups_due(app):
    load_demo(db.session)
    load_demo(db.session)
    placements = db.session.scalars(select(Placement).order_by(Placement.id)).all()
    assert {p.km_zero for p in placements} == {False, True}  # one km zero, one not at least
    assert len(placements) >= 2
    assert db.session.scalar(select(func.count(NewMatch.id))) >= 1
    assert db.session.scalar(select(func.count(Referral.id))) >= 1
    tutor = db.session.scalar(select(User).where(User.email == "tutor@example.org"))
    ids = db.session.scalars(records.visible(tutor).with_only_columns(records.Person.id)).all()
    assert {f.due_days for f in followups.due(db.session, ids, milan_today())} >= {30, 90}
