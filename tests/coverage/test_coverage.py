"""The coverage map's numbers: per NIL and per 250 m square, with the scout and period
filters, and the same counts in the CSV and the GeoPackage."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import geopandas
import pytest
import shapely
import shapely.geometry

from scout import coverage
from scout.extensions import db
from scout.models import PlaceSource, ReviewStatus, Role, Visit, VisitOutcome
from tests.factories import VIA_PADOVA

LON, LAT = VIA_PADOVA
TODAY = datetime.now(ZoneInfo("Europe/Rome")).date()  # the app's clock


def by_key(kind: str = "nil", **kw) -> dict[str, coverage.Cell]:
    return {c.key: c for c in coverage.cells(coverage.Filters(kind=kind, **kw))}


def diff(before: dict, after: dict) -> dict[str, dict[str, int]]:
    out = {}
    for key, cell in after.items():
        delta = {m: cell.counts[m] - before[key].counts[m] for m in coverage.METRICS}
        if any(delta.values()):
            out[key] = delta
    return out


@pytest.fixture
def seeded(make_place, make_offer, make_resource, make_user, make_org):
    """In one spot of Via Padova: what each number counts, and what it must not."""
    samira = make_user(Role.SCOUT, name="Samira")
    luca = make_user(Role.SCOUT, name="Luca")
    at = {"lon": LON + 0.0001, "lat": LAT + 0.0001}
    mapped = make_place("Mappato", **at, created_by_id=samira.id, org_is_partner=False)
    partner = make_place("Partner", **at, created_by_id=luca.id, org_is_partner=True)
    osm_new = make_place("OSM da visitare", **at, source=PlaceSource.IMPORT, org_is_partner=False)
    osm_seen = make_place("OSM visitato", **at, source=PlaceSource.IMPORT, org_is_partner=False)
    make_place("Archiviato", **at, status=ReviewStatus.ARCHIVED, org_is_partner=False)
    make_offer(partner, "Aperta", expires_on=TODAY + timedelta(days=5))
    make_offer(partner, "Scaduta", expires_on=TODAY - timedelta(days=1))
    make_offer(partner, "Bozza", status=ReviewStatus.DRAFT)
    make_resource(partner, "Corso in corso", starts_on=TODAY - timedelta(days=3))
    make_resource(partner, "Corso finito", ends_on=TODAY - timedelta(days=3))
    db.session.add_all(
        [
            Visit(place=osm_seen, user_id=samira.id, visited_on=TODAY - timedelta(days=2),
                  outcome=VisitOutcome.INTERESTED),
            Visit(place=mapped, user_id=samira.id, visited_on=TODAY - timedelta(days=10),
                  outcome=VisitOutcome.FIRST_CONTACT),
            Visit(place=partner, user_id=luca.id, visited_on=TODAY - timedelta(days=200),
                  outcome=VisitOutcome.JOINED),
        ]
    )  # fmt: skip
    db.session.flush()
    return {"samira": samira, "luca": luca, "nil": str(mapped.nil_id), "osm_new": osm_new}


@pytest.fixture
def before(app):
    return {"nil": by_key("nil"), "grid": by_key("grid")}


def test_a_nil_counts_the_records_in_it(before, seeded):
    changed = diff(before["nil"], by_key("nil"))
    assert changed == {
        seeded["nil"]: {
            "places": 3,  # mapped, partner, the visited OSM place (not the archived one)
            "partners": 1,
            "offers": 1,  # not the expired one, not the draft
            "courses": 1,
            "visits": 2,  # the visit of 200 days ago is outside the 90 days
            "to_visit": 1,
        }
    }
    assert by_key("nil")[seeded["nil"]].last_visit == TODAY - timedelta(days=2)


def test_a_250_m_square_counts_the_same_records(before, seeded):
    changed = diff(before["grid"], by_key("grid"))
    assert list(changed.values()) == [
        {"places": 3, "partners": 1, "offers": 1, "courses": 1, "visits": 2, "to_visit": 1}
    ]
    cell = by_key("grid")[next(iter(changed))]
    square = shapely.geometry.shape(cell.geometry)
    assert square.contains(shapely.Point(LON + 0.0001, LAT + 0.0001))
    # A square of about 250 m: its lon/lat outline spans ~250 m each way in Milan.
    ring = cell.geometry["coordinates"][0]
    lons = [p[0] for p in ring]
    assert 0.0030 < max(lons) - min(lons) < 0.0034  # 250 m at 45.5° N ≈ 0.0032°


def test_the_scout_and_period_filters_narrow_visits_and_places(before, app, seeded):
    samira = seeded["samira"]
    nil = seeded["nil"]
    hers = by_key("nil", scout_id=samira.id)[nil]
    assert hers.counts["places"] == 3 - 1  # her own place and the one she visited
    assert hers.counts["visits"] == 2
    luca = by_key("nil", scout_id=seeded["luca"].id)[nil]
    assert luca.counts["visits"] == 0  # his only visit is 200 days old
    assert luca.last_visit == TODAY - timedelta(days=200)
    year = by_key("nil", since=TODAY - timedelta(days=365))[nil]
    assert year.counts["visits"] - before["nil"][nil].counts["visits"] == 3


def test_csv_and_geopackage_hold_the_same_counts(login, make_user, seeded, tmp_path):
    coordinator = login(make_user(Role.COORDINATOR))
    expected = by_key("nil")[seeded["nil"]].record()
    response = coordinator.get("/admin/coverage.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = {r["key"]: r for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    for metric in coverage.METRICS:
        assert int(rows[seeded["nil"]][metric]) == expected[metric]

    response = coordinator.get("/admin/coverage.gpkg?kind=nil")
    assert response.status_code == 200
    path = tmp_path / "coverage.gpkg"
    path.write_bytes(response.data)
    frame = geopandas.read_file(path, engine="pyogrio")
    assert frame.crs.to_epsg() == 4326
    row = frame[frame["key"] == seeded["nil"]].iloc[0]
    for metric in coverage.METRICS:
        assert int(row[metric]) == expected[metric]
    assert row.geometry.contains(geopandas.points_from_xy([LON], [LAT])[0])
    assert len(frame) == len(rows)


def test_the_page_shows_the_table_and_refuses_bad_filters(login, make_user, seeded):
    coordinator = login(make_user(Role.COORDINATOR))
    html = coordinator.get("/admin/coverage").get_data(as_text=True)
    assert f'<tr data-cell="{seeded["nil"]}">' in html
    bad = coordinator.get("/admin/coverage?since=2026-05-01&until=2026-04-01")
    assert bad.status_code == 400
    assert "La data di fine è precedente alla data di inizio." in bad.get_data(as_text=True)
    assert coordinator.get("/admin/coverage?kind=hexagons").status_code == 400
