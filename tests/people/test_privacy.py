"""Where she lives is in no dump and no log: after tutors create records (one typed with a typo
and picked from the gazetteer's candidates, one given as a point) and run her outcomes through
the pages (a new match, a referral sent and hired, a placement whose km zero is computed from
her home, a follow-up, a course enrolment completed, an autonomy assessment), a plain
``pg_dump`` of the whole database and every log line of the requests hold neither the typed
address nor the coordinates, as text or as the point's WKB hex.

The gazetteer (table ``address``) is the public OSM address list: the picked address's own
point is in it, as every address of the city is; what must not exist is anything that ties a
person to it. So the check covers the whole dump except that table's rows, and the point given
by hand (a point in no public table) is checked across the whole dump, gazetteer included.
"""

from __future__ import annotations

import logging
import subprocess
from datetime import timedelta

import pytest
import shapely
from sqlalchemy import select

from scout.auth import create_user
from scout.backup import _libpq, pg_tool
from scout.extensions import db
from scout.models import (
    AutonomyAssessment,
    ContractType,
    Enrolment,
    FollowUp,
    NewMatch,
    Offer,
    Organisation,
    OrgKind,
    PartTime,
    Person,
    Place,
    Placement,
    Referral,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    School,
)
from scout.people import matching
from tests.factories import PASSWORD, add_addresses, milan_today
from tests.livedb import migrated_app

TYPED = "via padva 34"
PICKED = ("Via Padova", "34", 9.2204317, 45.4884129)
POINT = (9.2231457, 45.4912683)  # her home given as a point: in no table at all


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    app = migrated_app("_privacy", tmp_path_factory.mktemp("privacy"), WTF_CSRF_ENABLED=False)
    with app.app_context():
        add_addresses([PICKED, ("Via Padova", "30", 9.2200, 45.4880)])
        hub = Organisation(name="Hub (privacy test)", kind=OrgKind.HUB)
        db.session.add(hub)
        db.session.flush()
        create_user("tutor-privacy@example.org", PASSWORD, Role.TUTOR, organisation_id=hub.id)
        place = Place(  # an employer a few streets from her, with an offer and a course
            name="Bar Vicino (privacy)",
            location="SRID=4326;POINT(9.2161 45.4862)",
            status=ReviewStatus.PUBLISHED,
        )
        db.session.add_all(
            [
                place,
                Offer(
                    place=place,
                    title="Aiuto cucina",
                    contract_type=ContractType.DETERMINATO,
                    part_time=PartTime.ORIZZONTALE,
                    status=ReviewStatus.PUBLISHED,
                ),
                Resource(
                    place=place,
                    title="Italiano per il lavoro",
                    kind=ResourceKind.ITALIAN_COURSE,
                    status=ReviewStatus.PUBLISHED,
                ),
            ]
        )
        db.session.commit()
    yield app
    with app.app_context():
        db.engine.dispose()


def _needles() -> list[str]:
    out = [TYPED, "Padova 34", "padva"]
    for lon, lat in (PICKED[2:], POINT):
        out += [f"{lon}", f"{lat}", f"{lon:.5f}", f"{lat:.5f}"]
        point = shapely.Point(lon, lat)
        for srid in (None, 4326):
            geom = shapely.set_srid(point, srid) if srid else point
            for hex_wkb in (
                shapely.to_wkb(geom, hex=True, include_srid=bool(srid)),
                shapely.to_wkb(geom, hex=True, include_srid=bool(srid), byte_order=0),
            ):
                out += [hex_wkb.upper(), hex_wkb.lower()]
    return out


def _without_gazetteer_rows(dump: str) -> str:
    start = dump.index("COPY public.address ")
    end = dump.index("\n\\.\n", start)
    return dump[:start] + dump[end:]


def _outcomes(live, client, code: str) -> None:
    """Her outcomes through the tutor's pages: what a real caseload writes about her."""
    today = milan_today()
    with live.app_context():
        offer = db.session.scalars(select(Offer)).one()
        course = db.session.scalars(select(Resource)).one()
        # Published now: the people it fits become her tutor's new matches (from her home).
        assert matching.note_published(db.session, [offer, course]) >= 1
        db.session.commit()
        offer_id, course_id = offer.id, course.id
    client.post(
        f"/people/{code}/consents",
        data={"purpose": "employer_sharing", "given_on": (today - timedelta(days=30)).isoformat()},
    )
    on = (today - timedelta(days=20)).isoformat()
    made = client.post(f"/people/{code}/referrals", data={"target": f"offer-{offer_id}", "on": on})
    assert made.status_code == 302
    with live.app_context():
        referral_id = db.session.scalar(select(Referral.id))
    for status in ("sent", "hired"):
        step = client.post(
            f"/people/referrals/{referral_id}/step",
            data={f"r{referral_id}-status": status, f"r{referral_id}-on": on},
        )
        assert step.status_code == 302, status
    start = (today - timedelta(days=35)).isoformat()
    placed = client.post(
        f"/people/{code}/placements/new?referral={referral_id}",
        data={
            "referral_id": str(referral_id),
            "employer_name": "Bar Vicino (privacy)",
            "contract_type": "determinato",
            "starts_on": start,
            "evidence": "contract_seen",
        },
    )
    assert placed.status_code == 302, placed.get_data(as_text=True)[-500:]
    with live.app_context():
        follow_up_id = db.session.scalar(select(FollowUp.id).order_by(FollowUp.due_days))
    answered = client.post(
        f"/people/follow-ups/{follow_up_id}",
        data={f"f{follow_up_id}-still_working": "yes", f"f{follow_up_id}-on": today.isoformat()},
    )
    assert answered.status_code == 302
    enrolled = client.post(
        f"/people/{code}/enrolments", data={"resource": str(course_id), "on": start}
    )
    assert enrolled.status_code == 302
    with live.app_context():
        enrolment_id = db.session.scalar(select(Enrolment.id))
    ended = client.post(
        f"/people/enrolments/{enrolment_id}",
        data={f"e{enrolment_id}-status": "completed", f"e{enrolment_id}-on": on},
    )
    assert ended.status_code == 302
    assessed = client.post(
        f"/people/{code}/autonomy", data={"searches_alone": "yes", "on": today.isoformat()}
    )
    assert assessed.status_code == 302
    for page in ("outcomes", "matches", "data.json"):
        assert client.get(f"/people/{code}/{page}").status_code == 200
    assert client.get("/people/whats-new").status_code == 200


def test_no_dump_and_no_log_line_holds_her_home(live, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    client = live.test_client()
    with live.app_context():
        tutor_id = db.session.scalar(select(db.text("id FROM \"user\" WHERE role = 'tutor'")))
        school_id = db.session.scalar(select(School.id).limit(1))
    with client.session_transaction() as sess:
        sess["_user_id"] = f"{tutor_id}:1"
        sess["_fresh"] = True
    base = {"language": "it", "walking_profile": "standard", "status": "active"}
    first = client.post("/people/new", data={**base, "home_address": TYPED})
    assert first.status_code == 400
    assert "Via Padova 34" in first.get_data(as_text=True)
    saved = client.post("/people/new", data={**base, "home_address": TYPED, "home_pick": "0"})
    assert saved.status_code == 302
    code = saved.location.rsplit("/", 1)[1]
    client.post(f"/people/{code}/children", data={"school_id": str(school_id), "days": ["0"]})
    client.get(f"/people/{code}")
    client.get(f"/people/{code}/edit")
    client.get(f"/api/v1/people/{code}")
    other = client.post(
        "/people/new", data={**base, "home_lon": str(POINT[0]), "home_lat": str(POINT[1])}
    )
    assert other.status_code == 302
    _outcomes(live, client, code)
    with live.app_context():
        people = db.session.scalars(select(Person)).all()
        assert len(people) == 2
        assert all(p.home_encrypted for p in people)
        assert {p.municipio for p in people} == {2}
        # Her outcomes are in the database, for the dump to be searched.
        for model in (NewMatch, Referral, Placement, FollowUp, Enrolment, AutonomyAssessment):
            assert db.session.scalar(select(db.func.count()).select_from(model)), model
        placement = db.session.scalars(select(Placement)).one()
        assert placement.walk_minutes is not None  # measured from her home, which stays out
        url, env = _libpq()
        dump = subprocess.run(
            [pg_tool("pg_dump"), "--no-owner", "--dbname", url],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    assert "COPY public.person " in dump
    for table in ("new_match", "referral", "placement", "follow_up", "enrolment"):
        assert f"COPY public.{table} " in dump
    # The needles are what a dump shows: the gazetteer's own row of the picked address is found.
    gazetteer_rows = dump[dump.index("COPY public.address ") :]
    assert any(n in gazetteer_rows for n in _needles() if n.upper().startswith("0101000020"))
    outside = _without_gazetteer_rows(dump)
    found = [n for n in _needles() if n in outside]
    assert not found, f"in the dump: {found}"
    point_needles = [n for n in _needles() if str(POINT[0])[:6] in n or str(POINT[1])[:6] in n]
    assert not [n for n in point_needles if n in dump]
    logged = "\n".join(r.getMessage() for r in caplog.records) + capfd.readouterr().err
    assert logged.strip(), "no log line captured: the check would prove nothing"
    assert not [n for n in _needles() if n in logged]
