"""The basemap's vector tiles: what they hold, where there are none, and their version."""

from __future__ import annotations

import itertools
import math

import mapbox_vector_tile
from sqlalchemy import func, select

from scout.basemap import tiles
from scout.extensions import db
from scout.models import WalkEdge
from scout.paths import ROOT
from scout.walking.osm_import import import_osm

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"
PIAZZA_LORETO = (9.2163, 45.4857)  # Municipio 2/3, on Viale Monza and Corso Buenos Aires
GUASTALLA = (9.1984, 45.4616)  # on Via della Guastalla, in the sample


def _tile_at(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    ((x, y),) = tiles.tiles_of((lon, lat, lon, lat), z)
    return z, x, y


def _get(client, z, x, y, **params):
    return client.get(f"/tiles/{z}/{x}/{y}.mvt", query_string=params)


def _layers(response) -> dict:
    return mapbox_vector_tile.decode(response.data) if response.data else {}


def _sample_centre() -> tuple[float, float]:
    _id, box = tiles.current_network(db.session)
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def test_a_tile_of_the_imported_sample_holds_its_streets(app, client, with_municipio_1):
    import_osm(db.session, SAMPLE)
    response = _get(client, *_tile_at(*_sample_centre(), 16))
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.mapbox-vector-tile"
    streets = _layers(response)["streets"]["features"]
    classes = {f["properties"]["class"] for f in streets}
    assert {"street", "footway"} <= classes
    assert all(f["geometry"]["type"] in ("LineString", "MultiLineString") for f in streets)
    named = {f["properties"].get("name") for f in streets} - {None}
    assert {"Via della Guastalla", "Via San Barnaba", "Via Francesco Sforza"} <= named
    assert all(isinstance(n, str) and n.strip() for n in named)
    # One feature per street and class, its edges merged (a name fits along the whole street).
    keys = [(f["properties"]["class"], f["properties"].get("name")) for f in streets]
    assert len(keys) == len(set(keys))
    # Steps are told apart from the other footways (the sample has a few).
    steps = db.session.scalars(select(WalkEdge).where(WalkEdge.steps)).first()
    lon, lat = db.session.execute(
        select(WalkEdge.geom.ST_StartPoint().ST_X(), WalkEdge.geom.ST_StartPoint().ST_Y()).where(
            WalkEdge.network_id == steps.network_id, WalkEdge.id == steps.id
        )
    ).one()
    classes = {
        f["properties"]["class"]
        for f in _layers(_get(client, *_tile_at(lon, lat, 16)))["streets"]["features"]
    }
    assert "steps" in classes


def test_a_street_of_many_edges_is_drawn_as_a_few_long_lines(app, client, with_municipio_1):
    """The renderer writes a name only along a straight run longer than the name: a street
    comes whole (its edges merged, straight runs one segment), not one piece per edge."""
    import_osm(db.session, SAMPLE)
    network_id, _box = tiles.current_network(db.session)
    edges = db.session.scalar(
        select(func.count()).where(
            WalkEdge.network_id == network_id, WalkEdge.name == "Via della Guastalla"
        )
    )
    streets = _layers(_get(client, *_tile_at(*GUASTALLA, 16)))["streets"]["features"]
    (street,) = [f for f in streets if f["properties"].get("name") == "Via della Guastalla"]
    geometry = street["geometry"]
    lines = geometry["coordinates"]
    if geometry["type"] == "LineString":
        lines = [lines]
    assert edges >= 4
    assert len(lines) < edges / 2
    longest = max(
        math.dist(a, b) for line in lines for a, b in itertools.pairwise(line)
    )  # in tile units: 4096 for the tile's 256 pixels
    # 80 pixels at zoom 16, 160 at zoom 17: room for the name (about 100 pixels long)
    assert longest > 4096 / 256 * 80


def test_before_any_network_the_main_roads_metro_and_outlines_are_there(client):
    layers = _layers(_get(client, *_tile_at(*PIAZZA_LORETO, 15)))
    assert "streets" not in layers
    names = {f["properties"].get("name") for f in layers["roads"]["features"]}
    assert {"Viale Monza", "Corso Buenos Aires"} <= names
    landmarks = {
        (f["properties"]["kind"], f["properties"]["name"]) for f in layers["landmarks"]["features"]
    }
    assert ("metro", "Loreto M1") in landmarks
    assert {f["properties"]["kind"] for f in layers["admin"]["features"]} == {"municipio", "nil"}
    nil = _layers(_get(client, *_tile_at(*PIAZZA_LORETO, 13)))["admin_labels"]["features"]
    assert "BUENOS AIRES - PORTA VENEZIA - PORTA MONFORTE" in {f["properties"]["name"] for f in nil}
    # The municipi's names at the zooms of the whole area.
    low = _layers(_get(client, *_tile_at(*PIAZZA_LORETO, 11)))
    assert any(f["properties"]["kind"] == "municipio" for f in low["admin_labels"]["features"])


def test_an_empty_tile_is_empty(client):
    # In the served box but past the Comune's edge (Sesto San Giovanni): no road, no outline.
    box = tiles.area_box(db.session)
    response = _get(client, *_tile_at(box[2] - 0.001, box[3] - 0.001, 18))
    assert response.status_code == 200
    assert response.data == b""


def test_outside_the_area_or_the_zooms_nothing_is_computed(client):
    for z, x, y in [
        (16, 0, 0),
        (16, 34500, 23000),
        (9, 268, 182),
        (19, 275000, 187000),
        (3, 99, 99),
    ]:
        response = _get(client, z, x, y)
        assert response.status_code == 204, (z, x, y)
        assert response.data == b""


def test_a_network_reimport_changes_the_version(app, client, with_municipio_1):
    before = tiles.version(db.session)
    import_osm(db.session, SAMPLE)
    first = tiles.version(db.session)
    import_osm(db.session, SAMPLE)
    second = tiles.version(db.session)
    assert len({before, first, second}) == 3
    z, x, y = _tile_at(*_sample_centre(), 16)
    current = _get(client, z, x, y, v=second)
    assert current.headers["ETag"] == f'"{second}"'
    assert "immutable" in current.headers["Cache-Control"]
    stale = _get(client, z, x, y, v=first)  # an old URL: revalidate, never keep
    assert stale.headers["Cache-Control"] == "public, no-cache"
    assert _get(client, z, x, y, v=first).headers["ETag"] == f'"{second}"'
    again = client.get(f"/tiles/{z}/{x}/{y}.mvt", headers={"If-None-Match": f'"{second}"'})
    assert again.status_code == 304
    # The pages' tile URL names the new version.
    assert f"v={second}" in client.get("/").get_data(as_text=True)


def test_the_offline_list_covers_the_service_area_at_walking_zooms(client):
    body = client.get("/tiles/offline.json").get_json()
    version = tiles.version(db.session)
    assert body["version"] == version
    zooms = {int(url.split("/")[2]) for url in body["tiles"]}
    assert zooms == set(tiles.OFFLINE_ZOOMS)
    assert all(url.endswith(f"?v={version}") for url in body["tiles"])
    z, x, y = _tile_at(*PIAZZA_LORETO, 16)
    assert f"/tiles/{z}/{x}/{y}.mvt?v={version}" in body["tiles"]


def test_a_kept_tile_is_never_served_for_another_version(app, client, with_municipio_1):
    z, x, y = _tile_at(*GUASTALLA, 16)
    before = _layers(_get(client, z, x, y))
    assert "streets" not in before
    assert _layers(_get(client, z, x, y)) == before  # kept: the same bytes
    import_osm(db.session, SAMPLE)  # a new version: the tile is computed again
    assert "streets" in _layers(_get(client, z, x, y))


def test_the_tile_cache_drops_the_least_recently_used_past_its_size():
    cache = tiles.TileCache()
    for key in "abc":
        cache.put(key, b"x" * 1000, max_bytes=2300)
    assert cache.get("a") == (False, None)
    assert cache.get("b") == (True, b"x" * 1000)
    cache.put("d", None, max_bytes=2300)  # an empty answer (204) is kept too
    assert cache.get("d") == (True, None)
    cache.put("e", b"y" * 1000, max_bytes=2300)
    assert cache.get("c") == (False, None)  # b was read after c: c goes first
    assert cache.get("b") == (True, b"x" * 1000)
