"""The data model on real PostGIS: constraints, geography points, optimistic locking, audit."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm.exc import StaleDataError

from scout.extensions import db
from scout.models import AuditEvent, Offer, Organisation, OrgKind, Place, ReviewStatus
from tests.factories import CITTA_STUDI, VIA_PADOVA


def test_place_point_is_geography_with_gist_index(app):
    typ, srid = db.session.execute(
        db.text("SELECT type, srid FROM geography_columns WHERE f_table_name = 'place'")
    ).one()
    assert (typ, srid) == ("Point", 4326)
    indexes = db.session.scalars(
        db.text("SELECT indexdef FROM pg_indexes WHERE tablename = 'place'")
    ).all()
    assert any("USING gist (location)" in ix for ix in indexes)


def test_place_gets_municipio_and_nil_by_point_in_polygon(make_place):
    padova = make_place(lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    studi = make_place(lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    assert padova.municipio == 2
    assert studi.municipio == 3
    assert padova.nil_id is not None
    assert padova.nil_id != studi.nil_id


def test_distance_between_places_in_metres(make_place):
    a = make_place(lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    b = make_place(lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    metres = db.session.scalar(
        select(
            func.ST_Distance(
                Place.location, select(Place.location).where(Place.id == b.id).scalar_subquery()
            )
        ).where(Place.id == a.id)
    )
    # Via Padova 45.4970 → Città Studi 45.4777 is about 2.15 km north-south.
    assert 2100 < metres < 2200


def test_unknown_contract_type_is_refused(make_place):
    place = make_place()
    db.session.add(Offer(place=place, title="x", contract_type="schiavitù", part_time="full_time"))
    with pytest.raises((StatementError, LookupError)):
        db.session.flush()


def test_check_constraint_refuses_bad_status_written_in_sql(make_place):
    place = make_place()
    with pytest.raises(IntegrityError):
        db.session.execute(
            db.text("UPDATE place SET status = 'whatever' WHERE id = :id"), {"id": place.id}
        )


def test_stale_edit_raises_instead_of_overwriting(app, make_place):
    place = make_place(name="Forno")
    db.session.commit()
    assert place.version == 1  # loaded: this session holds version 1
    # Someone else saves first: the row's version moves on.
    db.session.execute(
        db.text("UPDATE place SET name = 'Forno Nuovo', version = version + 1 WHERE id = :id"),
        {"id": place.id},
    )
    place.name = "Forno Vecchio"
    # The UPDATE ... WHERE version = 1 matches no row: nothing is overwritten.
    with pytest.raises(StaleDataError, match="0 were matched"):
        db.session.flush()


def test_writes_through_a_request_are_audited_with_changed_fields(app, make_user):
    from flask_login import login_user

    coordinator = make_user("coordinator")
    org = Organisation(name="Audit me", kind=OrgKind.ASSOCIATION)
    db.session.add(org)
    db.session.commit()

    with app.test_request_context("/"):
        login_user(coordinator)
        org = db.session.get(Organisation, org.id)
        org.name = "Audited"
        db.session.commit()
    event = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "organisation", AuditEvent.entity_id == org.id
        )
    ).one()
    assert event.action.value == "update"
    assert event.user_id == coordinator.id
    assert event.changes["name"] == ["Audit me", "Audited"]


def test_user_password_is_never_copied_into_the_audit(app, make_user):
    with app.test_request_context("/"):
        user = make_user("scout")
        db.session.commit()
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.entity == "user", AuditEvent.entity_id == user.id)
    ).one()
    assert event.changes.get("password_hash") is None
    assert "argon2" not in str(event.changes)


def test_review_status_defaults_to_draft(make_org):
    place = Place(name="x", organisation=make_org(), location="SRID=4326;POINT(9.22 45.49)")
    db.session.add(place)
    db.session.flush()
    assert place.status is ReviewStatus.DRAFT
    assert place.version == 1


def test_the_migrations_have_one_head():
    """Every migration descends from the one before: ``flask db upgrade`` has one way to go
    (two helpers' migrations landing side by side make two heads)."""
    from alembic.script import ScriptDirectory

    from scout.paths import ROOT

    heads = ScriptDirectory(str(ROOT / "migrations")).get_heads()
    assert len(heads) == 1, heads
