"""Where she lives is in no dump and no log: after tutors create records (one typed with a typo
and picked from the gazetteer's candidates, one given as a point), a plain ``pg_dump`` of the
whole database and every log line of the requests hold neither the typed address nor the
coordinates, as text or as the point's WKB hex.

The gazetteer (table ``address``) is the public OSM address list: the picked address's own
point is in it, as every address of the city is; what must not exist is anything that ties a
person to it. So the check covers the whole dump except that table's rows, and the point given
by hand (a point in no public table) is checked across the whole dump, gazetteer included.
"""

from __future__ import annotations

import logging
import subprocess

import pytest
import shapely
from sqlalchemy import select

from scout.auth import create_user
from scout.backup import _libpq, pg_tool
from scout.extensions import db
from scout.models import Organisation, OrgKind, Person, Role, School
from tests.factories import PASSWORD, add_addresses
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
    with live.app_context():
        people = db.session.scalars(select(Person)).all()
        assert len(people) == 2
        assert all(p.home_encrypted for p in people)
        assert {p.municipio for p in people} == {2}
        url, env = _libpq()
        dump = subprocess.run(
            [pg_tool("pg_dump"), "--no-owner", "--dbname", url],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    assert "COPY public.person " in dump
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
