"""`flask geo load`: idempotent, and all-or-nothing on bad or missing files."""

import json
import shutil

import pytest
from sqlalchemy import func, select

from scout.extensions import db
from scout.models import Municipio, Nil, Place, PlaceSource, School
from scout.paths import ROOT

TABLES = (Municipio, Nil, School, Place)


def _counts() -> dict[str, int]:
    return {t.__tablename__: db.session.scalar(select(func.count()).select_from(t)) for t in TABLES}


@pytest.fixture
def geodata_copy(tmp_path):
    folder = tmp_path / "geodata"
    shutil.copytree(ROOT / "geodata", folder)
    return folder


def test_loading_twice_gives_the_same_rows(runner):
    first = runner.invoke(args=["geo", "load"])
    assert first.exit_code == 0, first.output
    before = _counts()
    second = runner.invoke(args=["geo", "load"])
    assert second.exit_code == 0, second.output
    assert _counts() == before
    assert first.output == second.output
    assert before["municipio"] == 9
    assert before["nil"] == 88
    assert before["school"] == 410


def test_osm_places_are_drafts_to_visit_inside_municipi_2_and_3(app):
    rows = db.session.execute(
        select(Place.municipio, Place.status, func.count())
        .where(Place.source == PlaceSource.IMPORT)
        .group_by(Place.municipio, Place.status)
    ).all()
    assert rows, "the starter list of places to visit is loaded"
    assert {status.value for _m, status, _n in rows} == {"draft"}
    # Points on the edge may fall a few metres outside by the municipi polygons.
    inside = sum(n for m, _s, n in rows if m in (2, 3))
    assert inside / sum(n for *_x, n in rows) > 0.99
    assert not db.session.scalar(
        select(func.count())
        .select_from(Place)
        .where(Place.source == PlaceSource.IMPORT, Place.offers.any())
    )


def test_corrupt_file_leaves_database_unchanged(runner, geodata_copy):
    # A valid change to the schools file (loaded before the OSM file) must not survive
    # when a later file in the same run is corrupt.
    schools = json.loads((geodata_copy / "scuole_milano_wgs84.geojson").read_text())
    code = schools["features"][0]["properties"]["Codice"]
    schools["features"][0]["properties"]["Denominazione"] = "Renamed in a failed load"
    (geodata_copy / "scuole_milano_wgs84.geojson").write_text(json.dumps(schools))
    (geodata_copy / "osm_wheelchair_poi_milano.geojson").write_text('{"type": "FeatureColl')
    before = _counts()

    result = runner.invoke(args=["geo", "load", "--dir", str(geodata_copy)])

    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1
    assert "osm_wheelchair_poi_milano.geojson" in result.output
    assert _counts() == before
    name = db.session.scalar(select(School.name).where(School.code == code))
    assert name != "Renamed in a failed load"


def test_missing_file_is_named_and_nothing_is_loaded(runner, geodata_copy):
    (geodata_copy / "nil_wgs84.geojson").unlink()
    before = _counts()
    result = runner.invoke(args=["geo", "load", "--dir", str(geodata_copy)])
    assert result.exit_code == 1
    assert "nil_wgs84.geojson: file not found" in result.output
    assert _counts() == before


def test_file_with_wrong_columns_is_refused(runner, geodata_copy):
    (geodata_copy / "municipi_wgs84.geojson").write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    {
                        "type": "Feature",
                        "properties": {"NAME": "x"},
                        "geometry": {"type": "Point", "coordinates": [9.2, 45.5]},
                    }
                ],
            }
        )
    )
    result = runner.invoke(args=["geo", "load", "--dir", str(geodata_copy)])
    assert result.exit_code == 1
    assert "missing column(s) MUNICIPIO" in result.output
