"""`flask geo load`: idempotent, and all-or-nothing on bad or missing files."""

import json
import shutil

import pytest
from sqlalchemy import func, select

from scout.capture import place_point
from scout.extensions import db
from scout.geodata import OSM_DATASET
from scout.models import AuditAction, AuditEvent, Municipio, Nil, Place, PlaceSource, Role, School
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


def _starter_versions() -> dict[int, int]:
    db.session.expire_all()
    rows = db.session.execute(
        select(Place.id, Place.version).where(Place.source_dataset == OSM_DATASET)
    ).all()
    return dict(rows)


def _edit_form(place: Place, **changes: str) -> dict[str, str]:
    point = place_point(place)
    data = {
        "name": place.name,
        "kind": place.organisation.kind.value,
        "lon": str(point.lon),
        "lat": str(point.lat),
        "position_source": "stored",
        "version": str(place.version),
        "street": place.street or "",
        "civic_number": place.civic_number or "",
        "postcode": place.postcode or "",
        "opening_hours": place.opening_hours or "",
        "accessibility_notes": place.accessibility_notes or "",
    }
    data.update(changes)
    return data


def _set_osm_hours(folder, refs: dict[str, str]) -> None:
    """Change the opening hours of the features ``refs`` (OSM ref → hours) in the copy."""
    path = folder / "osm_wheelchair_poi_milano.geojson"
    data = json.loads(path.read_text())
    for feature in data["features"]:
        props = feature["properties"]
        ref = f"{props['osm_type']}/{props['osm_id']}"
        if ref in refs:
            props["opening_hours"] = refs[ref]
    path.write_text(json.dumps(data))


def test_reload_keeps_what_a_scout_corrected_and_updates_only_places_still_as_imported(
    app, login, make_user, runner, geodata_copy, monkeypatch
):
    edited, untouched = db.session.scalars(
        select(Place)
        .where(Place.source_dataset == OSM_DATASET, Place.municipio == 2)
        .order_by(Place.id)
        .limit(2)
    ).all()
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    scout = make_user(Role.SCOUT)
    db.session.commit()
    # A scout corrects a starter place's name and hours on the tablet.
    response = login(scout).post(
        f"/scout/places/{edited.id}/edit",
        data=_edit_form(edited, name="Bar Corretto dallo Scout", opening_hours="Mo-Fr 07:00-15:00"),
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200, response.json
    versions = _starter_versions()
    # Meanwhile OpenStreetMap changed the hours of both places.
    _set_osm_hours(
        geodata_copy,
        {edited.source_ref: "Mo-Su 10:00-22:00", untouched.source_ref: "Mo-Sa 09:00-19:00"},
    )

    result = runner.invoke(args=["geo", "load", "--dir", str(geodata_copy)])

    assert result.exit_code == 0, result.output
    assert "1 updated, 1 edited since the import and kept as edited" in result.output
    assert (
        f"kept: place {edited.id} ({edited.source_ref}) Bar Corretto dallo Scout" in result.output
    )
    db.session.expire_all()
    kept = db.session.get(Place, edited.id)
    assert (kept.name, kept.opening_hours) == ("Bar Corretto dallo Scout", "Mo-Fr 07:00-15:00")
    updated = db.session.get(Place, untouched.id)
    # OpenStreetMap's hours parse: weekly windows, no free-text note.
    saturday_too = [{"day": d, "start": "09:00", "end": "19:00"} for d in range(6)]
    assert (updated.opening_schedule, updated.opening_hours) == (saturday_too, None)
    after = _starter_versions()
    # Only the updated place has a new version: tablets see no conflict on the others.
    assert {pid for pid, v in after.items() if v != versions[pid]} == {untouched.id}
    (event,) = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "place",
            AuditEvent.entity_id == untouched.id,
            AuditEvent.action == AuditAction.UPDATE,
        )
    ).all()
    assert event.changes["opening_schedule"][1] == saturday_too
    assert not db.session.scalar(
        select(func.count()).where(
            AuditEvent.entity == "place",
            AuditEvent.entity_id == edited.id,
            AuditEvent.user_id.is_(None),
        )
    )

    # Loading the same files again changes nothing at all.
    again = runner.invoke(args=["geo", "load", "--dir", str(geodata_copy)])
    assert again.exit_code == 0, again.output
    assert "0 new, 0 updated, 1 edited since the import and kept as edited" in again.output
    assert _starter_versions() == after
