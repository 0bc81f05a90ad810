"""``/api/v1/walk/*``: the origin POSTed, GeoJSON out, 400 naming the bad parameter, estimate
flag, no origin kept."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl

import pyogrio
import pytest

from bench.netgen import generate_grid
from scout.auth import issue_token
from scout.extensions import db
from scout.geo import metres_per_degree
from scout.models import OrgKind, Role
from scout.walking.osm_import import import_osm

ORIGIN = (9.2271, 45.4970)


def grid_point(col: float, row: float, spacing: float = 80) -> tuple[float, float]:
    m_lon, m_lat = metres_per_degree(ORIGIN[1])
    return ORIGIN[0] + col * spacing / float(m_lon), ORIGIN[1] + row * spacing / float(m_lat)


class Staff:
    """A tutor's API client: ``post("reach", lon=…, lat=…)`` sends the JSON body."""

    def __init__(self, client, token: str) -> None:
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def post(self, path: str, **body):
        return self.client.post(f"/api/v1/walk/{path}", json=body, headers=self.headers)

    def form(self, path: str, **fields):
        """The same as form fields (text, as a form sends them)."""
        return self.client.post(f"/api/v1/walk/{path}", data=fields, headers=self.headers)


@pytest.fixture
def staff(client, make_user):
    token = issue_token(make_user(Role.TUTOR), "walk")
    db.session.commit()
    return Staff(client, token)


@pytest.fixture
def grid(app, tmp_path):
    path = generate_grid(tmp_path / "grid.osm", 6, 4, origin=ORIGIN, jitter=0)
    report = import_osm(db.session, path)
    db.session.commit()
    return report


def test_reach_lists_places_nearest_first(staff, grid, make_place):
    near = make_place(name="Near", lon=grid_point(1, 0)[0], lat=grid_point(1, 0)[1])
    far = make_place(
        name="Far",
        lon=grid_point(5, 3)[0],
        lat=grid_point(5, 3)[1],
        org_kind=OrgKind.PARISH,
    )
    make_place(name="Draft", lon=grid_point(2, 0)[0], lat=grid_point(2, 0)[1], status="draft")
    lon, lat = grid_point(0, 0)
    body = staff.post("reach", lon=lon, lat=lat, minutes=15).get_json()
    assert body["type"] == "FeatureCollection"
    assert body["estimate"] is False
    assert body["network_date"].startswith("2026-11-01")
    assert [f["id"] for f in body["features"]] == [near.id, far.id]
    first = body["features"][0]["properties"]
    assert first["walk_metres"] == 80
    assert first["walk_minutes"] == 2
    assert body["features"][1]["properties"]["walk_metres"] == 640
    parish = staff.post("reach", lon=lon, lat=lat, kind="parish").get_json()
    assert [f["id"] for f in parish["features"]] == [far.id]
    short = staff.post("reach", lon=lon, lat=lat, minutes=2).get_json()
    assert [f["id"] for f in short["features"]] == [near.id]


def test_reach_minutes_and_metres_are_those_of_the_route_to_each_place(staff, grid, make_place):
    """The list and the route to a place show her the same walk (the list is written from
    arrays, the route from one walk: both round the same way, a walk of exactly 3 minutes
    included)."""
    # 75 m a minute at the standard profile's 4.5 km/h: 225 m is a walk of exactly 3 minutes.
    offsets = [0.5, 1, 1.5, 2.25, 225 / 80, 3.2, 4.75]
    places = [
        make_place(name=f"P{i}", lon=grid_point(c, 0)[0], lat=grid_point(c, 0)[1])
        for i, c in enumerate(offsets)
    ]
    lon, lat = grid_point(0, 0)
    features = staff.post("reach", lon=lon, lat=lat, minutes=15).get_json()["features"]
    assert {f["id"] for f in features} == {p.id for p in places}
    assert 3 in [f["properties"]["walk_minutes"] for f in features]
    for feature in features:
        route = staff.post("route", lon=lon, lat=lat, place_id=feature["id"]).get_json()
        shown = feature["properties"]
        assert shown["walk_minutes"] == route["properties"]["walk_minutes"]
        assert shown["walk_metres"] == route["properties"]["walk_metres"]


def test_reach_with_a_token(app, client, grid, make_user):
    token = issue_token(make_user(Role.TUTOR), "api")
    db.session.commit()
    lon, lat = grid_point(0, 0)
    response = client.post(
        "/api/v1/walk/reach",
        json={"lon": lon, "lat": lat},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "private, no-store"


def test_isochrones_one_polygon_per_band(staff, grid):
    lon, lat = grid_point(2, 2)
    body = staff.post("isochrones", lon=lon, lat=lat, minutes=[1, 3, 2]).get_json()
    assert [f["properties"]["minutes"] for f in body["features"]] == [1, 2, 3]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in body["features"])
    assert body["estimate"] is False


def test_route_is_a_line_with_minutes_and_metres(staff, grid, make_place):
    place = make_place(lon=grid_point(3, 2)[0], lat=grid_point(3, 2)[1])
    lon, lat = grid_point(0, 0)
    body = staff.post("route", lon=lon, lat=lat, place_id=place.id, profile="stroller").get_json()
    assert body["geometry"]["type"] == "LineString"
    assert body["properties"]["walk_metres"] == 400
    assert body["properties"]["walk_minutes"] == 7  # 400 m at 3.6 km/h = 6.7 min
    assert body["properties"]["profile"] == "stroller"


def test_unknown_place_is_404(staff):
    lon, lat = ORIGIN
    response = staff.post("route", lon=lon, lat=lat, place_id=999999)
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("lat=45.49", "lon"),
        ("lon=abc&lat=45.49", "lon"),
        ("lon=9.22&lat=nan", "lat"),
        ("lon=9.22&lat=95", "lat"),
        ("lon=9.2271&lat=45.497&minutes=31", "minutes"),
        ("lon=9.2271&lat=45.497&minutes=0", "minutes"),
        ("lon=9.2271&lat=45.497&minutes=ten", "minutes"),
        ("lon=9.2271&lat=45.497&profile=car", "profile"),
        ("lon=9.2271&lat=45.497&kind=zoo", "kind"),
        ("lon=9.1240&lat=45.4780", "lon,lat"),  # San Siro: outside the area
    ],
)
def test_bad_reach_parameters_are_400_naming_the_parameter(staff, query, field):
    response = staff.form("reach", **dict(parse_qsl(query)))
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_reach_and_isochrones_read_as_geojson_by_gdal(staff, grid, make_place, tmp_path):
    """GDAL (through pyogrio) reads both answers as GeoJSON: the places as points with their
    walk minutes and metres, nearest first; the bands as valid polygons, one per band."""
    for i, c in enumerate([0.5, 1.5, 3]):
        make_place(name=f"G{i}", lon=grid_point(c, 1)[0], lat=grid_point(c, 1)[1])
    lon, lat = grid_point(0, 0)
    reach = tmp_path / "reach.geojson"
    reach.write_bytes(staff.post("reach", lon=lon, lat=lat, minutes=15).data)
    places = pyogrio.read_dataframe(reach)
    assert list(places.geometry.geom_type) == ["Point"] * 3
    assert list(places["walk_minutes"]) == sorted(places["walk_minutes"])
    assert (places["walk_metres"] > 0).all()
    bands = tmp_path / "bands.geojson"
    bands.write_bytes(staff.post("isochrones", lon=lon, lat=lat, minutes=[5, 10]).data)
    shapes = pyogrio.read_dataframe(bands)
    assert list(shapes["minutes"]) == [5, 10]
    assert set(shapes.geometry.geom_type) <= {"Polygon", "MultiPolygon"}
    assert shapes.geometry.is_valid.all()
    assert shapes.geometry.iloc[0].area < shapes.geometry.iloc[1].area


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("isochrones?lon=9.2271&lat=45.497&minutes=5,x", "minutes"),
        ("isochrones?lon=9.2271&lat=45.497&minutes=5,45", "minutes"),
        ("isochrones?lon=9.2271&lat=45.497&minutes=1,2,3,4,5,6,7", "minutes"),
        ("route?lon=9.2271&lat=45.497&place_id=x", "place_id"),
        ("route?lon=9.2271&lat=45.497", "place_id"),
    ],
)
def test_bad_isochrone_and_route_parameters(staff, path, field):
    name, query = path.split("?")
    response = staff.form(name, **dict(parse_qsl(query)))
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_far_from_any_street_is_400(staff, grid):
    lon, lat = grid_point(2, 8)  # 320 m north of the grid
    response = staff.post("reach", lon=lon, lat=lat)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == "lon,lat"


def test_estimate_mode_is_flagged(staff, make_place):
    place = make_place(lon=9.2280, lat=45.4975)
    body = staff.post("reach", lon=9.2271, lat=45.4970).get_json()
    assert body["estimate"] is True
    assert body["network_date"] is None
    assert [f["id"] for f in body["features"]] == [place.id]
    route = staff.post("route", lon=9.2271, lat=45.4970, place_id=place.id)
    assert route.get_json()["properties"]["estimate"] is True


def test_origin_is_not_logged(staff, grid, caplog):
    caplog.set_level(logging.DEBUG)
    lon, lat = grid_point(1.2345, 0.5)
    for kind in ("reach", "isochrones"):
        assert staff.post(kind, lon=lon, lat=lat).status_code == 200
    text = caplog.text
    assert f"{lon}"[:8] not in text
    assert f"{lat}"[:8] not in text


def test_the_origin_is_refused_in_a_url(staff, client, make_user, login):
    bearer = staff.headers
    for path in ("reach", "isochrones", "route?place_id=1"):
        sep = "&" if "?" in path else "?"
        response = client.get(f"/api/v1/walk/{path}{sep}lon=9.2271&lat=45.497", headers=bearer)
        assert response.status_code == 405
        assert "POST" in response.headers["Allow"]


def test_a_form_body_works_too_and_a_session_needs_the_csrf_header(client, login, make_user):
    login(make_user(Role.TUTOR))
    form = {"lon": "9.2271", "lat": "45.4970", "minutes": "10"}
    assert client.post("/api/v1/walk/reach", data=form).status_code == 400  # no X-CSRFToken
    page = client.get("/tutor/")
    token = page.text.split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post("/api/v1/walk/reach", data=form, headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.get_json()["minutes"] == 10
