"""OGC API – Features at /ogc/: conformance, collections, items with bbox and paging, errors,
HTML, the API definition (openapi-spec-validator), and real clients (OWSLib, GDAL's OAPIF
driver) loading the collections over HTTP."""

from __future__ import annotations

import json
import re
import subprocess

import pytest

from scout.extensions import db
from scout.views.ogc import CONFORMANCE
from tests.factories import CITTA_STUDI, VIA_PADOVA

CORE = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
GEOJSON = "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson"
# A box around Via Padova that leaves out Città Studi (~2 km south).
NORTH_BOX = "9.215,45.490,9.240,45.510"


@pytest.fixture
def partners(make_place, make_resource):
    north = [
        make_place(f"Nord {i}", lon=VIA_PADOVA[0] + i / 2000, lat=VIA_PADOVA[1]) for i in range(5)
    ]
    south = [
        make_place(f"Sud {i}", lon=CITTA_STUDI[0] + i / 2000, lat=CITTA_STUDI[1]) for i in range(3)
    ]
    make_resource(north[0], "Italiano A1")
    db.session.commit()
    return {"north": north, "south": south}


def _ids(body) -> list[int]:
    return [f["id"] for f in body["features"]]


def _link(body, rel: str) -> str | None:
    return next((link["href"] for link in body["links"] if link["rel"] == rel), None)


def test_landing_page_links_to_conformance_collections_and_api_definition(client):
    body = client.get("/ogc/").get_json()
    rels = {link["rel"] for link in body["links"]}
    assert {"self", "conformance", "data", "service-desc"} <= rels
    assert client.get("/ogc").status_code in (301, 308)  # clients join paths to ".../ogc/"
    api = client.get(_link(body, "service-desc"))
    assert api.status_code == 200
    assert "/collections/{collectionId}/items" in api.get_json()["paths"]


def test_conformance_declares_core_and_geojson(client):
    body = client.get("/ogc/conformance").get_json()
    assert {CORE, GEOJSON} <= set(body["conformsTo"])
    assert body["conformsTo"] == CONFORMANCE


def test_collections_are_partners_and_resources(client):
    body = client.get("/ogc/collections").get_json()
    collections = {c["id"]: c for c in body["collections"]}
    assert set(collections) == {"partners", "resources"}
    partners = collections["partners"]
    assert partners["itemType"] == "feature"
    assert any(link["rel"] == "items" for link in partners["links"])
    assert len(partners["extent"]["spatial"]["bbox"][0]) == 4
    assert client.get("/ogc/collections/partners").get_json()["id"] == "partners"


def test_items_are_geojson_with_counts(client, partners):
    response = client.get("/ogc/collections/partners/items")
    assert response.mimetype == "application/geo+json"
    body = response.get_json()
    assert body["type"] == "FeatureCollection"
    assert body["numberMatched"] == body["numberReturned"] == 8
    assert _ids(body) == sorted(p.id for p in partners["north"] + partners["south"])


def test_bbox_keeps_only_features_inside(client, partners):
    body = client.get(f"/ogc/collections/partners/items?bbox={NORTH_BOX}").get_json()
    assert _ids(body) == [p.id for p in partners["north"]]
    assert body["numberMatched"] == 5
    for f in body["features"]:
        lon, lat = f["geometry"]["coordinates"]
        assert 9.215 <= lon <= 9.240
        assert 45.490 <= lat <= 45.510
    resources = client.get(f"/ogc/collections/resources/items?bbox={NORTH_BOX}").get_json()
    assert resources["numberMatched"] == 1
    empty = client.get("/ogc/collections/resources/items?bbox=9.0,45.0,9.1,45.1").get_json()
    assert empty["features"] == []
    assert empty["numberMatched"] == 0


def test_bbox_with_six_numbers_uses_the_horizontal_box(client, partners):
    body = client.get("/ogc/collections/partners/items?bbox=9.215,45.490,0,9.240,45.510,10")
    assert body.get_json()["numberMatched"] == 5


def test_limit_and_offset_page_through_with_next_and_prev_links(client, partners):
    everything = sorted(p.id for p in partners["north"] + partners["south"])
    first = client.get("/ogc/collections/partners/items?limit=3").get_json()
    assert _ids(first) == everything[:3]
    assert (first["numberMatched"], first["numberReturned"]) == (8, 3)
    assert _link(first, "prev") is None
    seen, body, pages = [], first, 0
    while body:
        seen += _ids(body)
        pages += 1
        nxt = _link(body, "next")
        body = client.get(nxt).get_json() if nxt else None
    assert seen == everything
    assert pages == 3
    second = client.get("/ogc/collections/partners/items?limit=3&offset=3").get_json()
    assert _ids(second) == everything[3:6]
    assert "offset=0" in _link(second, "prev")
    past = client.get("/ogc/collections/partners/items?offset=50").get_json()
    assert past["features"] == []
    assert past["numberMatched"] == 8


@pytest.mark.parametrize(
    "value",
    [
        "2026-02-12T23:20:50Z",
        "2026-02-12T23:20:50.52+01:00",
        "2026-02-12",
        "2026-01-01T00:00:00Z/2026-12-31T23:59:59Z",
        "2026-01-01/..",
        "../2026-01-01T00:00:00Z",
    ],
)
def test_a_valid_datetime_filters_nothing_since_no_feature_has_a_time(client, partners, value):
    response = client.get("/ogc/collections/partners/items", query_string={"datetime": value})
    assert response.status_code == 200
    assert response.get_json()["numberMatched"] == 8


def test_limit_above_the_maximum_is_cut_to_it(client, partners):
    assert client.get("/ogc/collections/partners/items?limit=100000").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "bbox=1,2,3",
        "bbox=a,b,c,d",
        "bbox=9.3,45.5,9.2,45.4",  # min > max
        "bbox=9.2,45.4,9.3,95",  # latitude out of range
        "bbox=9.2,45.4,9.3,nan",
        "limit=0",
        "limit=-5",
        "limit=ten",
        "offset=-1",
        "offset=1.5",
        "f=xml",
        "colour=red",  # unknown parameters are refused, as the standard asks
        "datetime=garbage",
        "datetime=2026-13-01T00:00:00Z",  # no 13th month
        "datetime=2026-02-12T25:00:00Z",
        "datetime=2026-02-12T10:00:00",  # a date-time needs its offset (RFC 3339)
        "datetime=2026-03-01/2026-02-01",  # ends before it starts
        "datetime=2026-01-01/2026-02-01/2026-03-01",
        "datetime=../..",
        "datetime=",
    ],
)
def test_invalid_parameters_give_400_with_a_message(client, query):
    response = client.get(f"/ogc/collections/partners/items?{query}")
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "InvalidParameterValue"
    assert body["description"]


def test_item_by_id_and_not_found(client, partners):
    place = partners["north"][0]
    body = client.get(f"/ogc/collections/partners/items/{place.id}").get_json()
    assert body["type"] == "Feature"
    assert body["id"] == place.id
    assert body["properties"]["name"] == place.name
    assert client.get("/ogc/collections/partners/items/999999").status_code == 404
    assert client.get("/ogc/collections/partners/items/abc").status_code == 404
    assert client.get("/ogc/collections/nothing/items").status_code == 404
    assert client.get("/ogc/collections/nothing").get_json()["code"] == "NotFound"


def test_html_is_served_with_f_html_or_to_browsers(client, partners):
    for url in (
        "/ogc/?f=html",
        "/ogc/collections?f=html",
        "/ogc/collections/partners/items?f=html",
    ):
        response = client.get(url)
        assert response.mimetype == "text/html", url
    browser = client.get(
        "/ogc/collections/partners/items", headers={"Accept": "text/html,*/*;q=0.8"}
    )
    assert browser.mimetype == "text/html"
    assert client.get("/ogc/collections", headers={"Accept": "*/*"}).mimetype == "application/json"


def test_owslib_loads_the_partners_collection(live_server, partners):
    from owslib.ogcapi.features import Features

    api = Features(f"{live_server.url}/ogc/")
    assert CORE in api.conformance()["conformsTo"]
    assert set(api.feature_collections()) == {"partners", "resources"}
    assert api.collection("partners")["itemType"] == "feature"
    items = api.collection_items("partners", bbox=[9.215, 45.490, 9.240, 45.510], limit=2)
    assert items["numberMatched"] == 5
    assert len(items["features"]) == 2
    names = {f["properties"]["name"] for f in api.collection_items("partners")["features"]}
    assert names == {p.name for p in partners["north"] + partners["south"]}


def test_every_collection_links_to_its_html_page(client, partners):
    listed = client.get("/ogc/collections").get_json()["collections"]
    alone = [client.get(f"/ogc/collections/{c['id']}").get_json() for c in listed]
    for info in listed + alone:
        html = [
            link
            for link in info["links"]
            if link["rel"] == "alternate" and link["type"] == "text/html"
        ]
        assert len(html) == 1, info["id"]
        page = client.get(html[0]["href"])
        assert page.status_code == 200
        assert page.mimetype == "text/html"
        assert str(info["title"]) in page.get_data(as_text=True)


def test_api_definition_is_valid_openapi_and_documents_the_errors_given(client, partners):
    from openapi_spec_validator import validate

    spec = client.get("/ogc/api").get_json()
    validate(spec)  # raises on any violation of OpenAPI 3.0
    paths = spec["paths"]
    answers = [
        ("/collections/{collectionId}/items", "/ogc/collections/partners/items?datetime=x"),
        ("/collections/{collectionId}/items", "/ogc/collections/partners/items?bbox=1,2"),
        ("/collections/{collectionId}/items", "/ogc/collections/nothing/items"),
        ("/collections/{collectionId}", "/ogc/collections/nothing"),
        ("/collections/{collectionId}/items/{featureId}", "/ogc/collections/partners/items/0"),
        ("/collections", "/ogc/collections?f=xml"),
        ("/", "/ogc/?f=xml"),
    ]
    for path, url in answers:
        response = client.get(url)
        documented = paths[path]["get"]["responses"]
        assert str(response.status_code) in documented, (url, response.status_code)
        answer = documented[str(response.status_code)]
        name = answer["$ref"].rsplit("/", 1)[-1]
        schema = spec["components"]["responses"][name]["content"]["application/json"]["schema"]
        body = response.get_json()
        exception = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
        assert set(exception["required"]) <= set(body)


def _gdal(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_gdal_reads_the_collections_over_http(live_server, partners, tmp_path):
    """GDAL's OAPIF driver (what QGIS uses) lists the layers and copies the partners inside a
    box into a GeoJSON file, paging through the service."""
    source = f"OAPIF:{live_server.url}/ogc/"
    listing = _gdal("ogrinfo", "-ro", "-q", source)
    assert re.findall(r"^\d+: (\w+)", listing, re.M) == ["partners", "resources"]
    summary = _gdal("ogrinfo", "-ro", "-so", source, "partners")
    assert "Geometry: Point" in summary
    assert "Feature Count: 8" in summary
    out = tmp_path / "north.geojson"
    _gdal(
        "ogr2ogr",
        "-f",
        "GeoJSON",
        str(out),
        source,
        "partners",
        "-spat",
        "9.215",
        "45.490",
        "9.240",
        "45.510",
        "-oo",
        "PAGE_SIZE=2",
    )
    copied = json.loads(out.read_text(encoding="utf-8"))
    names = sorted(f["properties"]["name"] for f in copied["features"])
    assert names == sorted(p.name for p in partners["north"])
    courses = _gdal("ogrinfo", "-ro", "-al", "-q", source, "resources")
    assert "title (String) = Italiano A1" in courses
