"""The whole Comune di Milano served (issue 18, part 3): ``SCOUT_SERVICE_MUNICIPI`` set to all
nine works end to end, with no code change, on a small generated network spanning them: import,
the engine, the tutors' search, the public map and walk, the bulletin's km zero."""

from __future__ import annotations

import json
from datetime import date

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import func, select

from bench import netgen
from scout import bulletin, create_app, walking
from scout.auth import issue_token
from scout.extensions import db
from scout.geo import LonLat
from scout.models import Municipio, OrgKind
from scout.paths import ROOT
from scout.walking import import_osm

CITY = list(range(1, 10))


def outlines() -> dict[int, object]:
    data = json.loads((ROOT / "geodata" / "municipi_wgs84.geojson").read_text())
    return {f["properties"]["MUNICIPIO"]: shape(f["geometry"]) for f in data["features"]}


def inside(geom: object) -> LonLat:
    p = geom.representative_point()
    return LonLat(p.x, p.y)


@pytest.fixture
def whole_city(app, monkeypatch, tmp_path):
    """All nine municipi served, and a network of ~3,000 junctions over them and the buffer."""
    monkeypatch.setitem(app.config, "SERVICE_MUNICIPI", CITY)
    area = netgen.service_polygon(app.config["SERVICE_BUFFER_M"], tuple(CITY))
    stats = netgen.generate(tmp_path / "city.osm", nodes=3000, area=area)
    return import_osm(db.session, stats.path)


def test_the_setting_takes_all_nine_from_the_environment(database_url, monkeypatch):
    monkeypatch.setenv("SCOUT_SERVICE_MUNICIPI", json.dumps(CITY))
    app = create_app(
        {"DATABASE_URL": database_url, "SQLALCHEMY_DATABASE_URI": None, "TESTING": True}
    )
    assert app.config["SERVICE_MUNICIPI"] == CITY


def test_geodata_holds_the_nine_municipi_outlines(app):
    shapes = outlines()
    assert sorted(shapes) == CITY
    assert all(s.is_valid and s.area > 0 for s in shapes.values())
    # The nine tile the Comune: ~181.8 km², no overlaps.
    loaded = db.session.execute(
        select(func.count(), func.sum(func.ST_Area(func.Geography(Municipio.geom)))).where(
            Municipio.id.in_(CITY)
        )
    ).one()
    assert loaded[0] == 9
    assert 180e6 < loaded[1] < 184e6
    union = shapely.union_all(list(shapes.values()))
    assert union.area == pytest.approx(sum(s.area for s in shapes.values()), rel=1e-3)


def test_all_nine_municipi_end_to_end(whole_city, app, client, make_place, make_offer, make_user):
    report = whole_city
    assert report.edges > 5000
    graph = walking.network()
    lonlat = graph._unproject_xy(graph.node_xy)
    shapes = outlines()
    for number, geom in shapes.items():  # the network covers every municipio
        assert shapely.contains_xy(geom, lonlat[:, 0], lonlat[:, 1]).sum() > 50, number

    # A place beside a point of each municipio; the engine reaches it from there.
    points = {number: inside(geom) for number, geom in shapes.items()}
    places = {}
    for number, p in points.items():
        places[number] = make_place(f"Posto {number}", lon=p.lon + 0.0008, lat=p.lat)
        assert places[number].municipio == number
    for number, p in points.items():
        answer = walking.reach(p, 15)
        assert answer.estimate is False
        assert places[number].id in answer.walks, number

    # The tutors' search, from the far north (9) and the far south-west (6).
    token = issue_token(make_user("tutor"), "tests")
    for number in (9, 6):
        body = {"origin": {"lon": points[number].lon, "lat": points[number].lat}}
        response = client.post(
            "/api/v1/search", json=body, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200, response.get_json()
        result = response.get_json()
        assert result["estimate"] is False
        assert places[number].id in {f["properties"]["place_id"] for f in result["features"]}

    # The public map outlines the nine; its walk answers on the network from any of them.
    page = client.get("/").get_data(as_text=True)
    drawn = json.loads(page.split('id="municipi-outlines">')[1].split("</script>")[0])
    assert sorted(f["properties"]["municipio"] for f in drawn["features"]) == CITY
    walk = client.post("/walk", json={"lon": points[8].lon, "lat": points[8].lat}).get_json()
    assert walk["estimate"] is False
    assert places[8].id in {w["id"] for w in walk["walks"]}

    # The bulletin: an offer beside a hub in Municipio 7 is km zero (walked on the network),
    # one in Municipio 2 is open market; its map outlines the nine.
    hub_at = points[7]
    make_place("Hub Baggio", lon=hub_at.lon - 0.0008, lat=hub_at.lat, org_kind=OrgKind.HUB)
    make_offer(places[7], "Commessa vicino")
    make_offer(places[2], "Magazziniere lontano")
    draft = bulletin.create_draft(date.today(), None)
    sections = {i.subject.title: (i.section, i.walk_minutes) for i in draft.items}
    assert sections["Commessa vicino"][0] == "km_zero"
    assert 0 < sections["Commessa vicino"][1] <= 15
    assert sections["Magazziniere lontano"][0] == "market"
    bulletin.publish(draft)
    db.session.flush()
    assert len(bulletin.km_zero_map(draft.snapshot)["outlines"]) == 9
