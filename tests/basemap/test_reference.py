"""The basemap's reference layers and the civic libraries, loaded by `flask geo load`."""

from __future__ import annotations

from sqlalchemy import func, select

from scout.extensions import db
from scout.geodata import LIBRARIES_DATASET
from scout.models import MainRoad, MetroStation, OrgKind, Place, ReviewStatus
from scout.schedule import italian_hours


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_main_roads_and_metro_stations_are_loaded_once(runner):
    before = (_count(MainRoad), _count(MetroStation))
    result = runner.invoke(args=["geo", "load"])
    assert result.exit_code == 0, result.output
    assert (_count(MainRoad), _count(MetroStation)) == before
    assert before[0] > 3000
    assert before[1] == 110
    assert "main roads, 110 metro stations" in result.output
    names = set(db.session.scalars(select(MainRoad.name)))
    assert {"Viale Monza", "Corso Buenos Aires", "Viale Abruzzi"} <= names
    assert set(db.session.scalars(select(MainRoad.highway).distinct())) == {"primary", "secondary"}
    assert db.session.get(MetroStation, 889).name == "Tre Torri"


def test_the_civic_libraries_of_the_served_municipi_are_places_to_visit_with_their_hours(app):
    libraries = {
        p.name: p
        for p in db.session.scalars(select(Place).where(Place.source_dataset == LIBRARIES_DATASET))
    }
    # Crescenzago (M2), Valvassori Peroni and Venezia (M3); Zara (M2) is listed as closed.
    assert set(libraries) == {
        "Biblioteca Crescenzago (sede provv. P.le Governo Provvisorio 9)",
        "Biblioteca Valvassori Peroni",
        "Biblioteca Venezia",
    }
    venezia = libraries["Biblioteca Venezia"]
    assert (venezia.street, venezia.civic_number, venezia.postcode) == ("Via Frisi", "2/4", "20129")
    assert venezia.status == ReviewStatus.DRAFT
    assert venezia.organisation.kind == OrgKind.PUBLIC_SERVICE
    assert venezia.municipio == 3
    assert {"day": 1, "start": "09:30", "end": "14:30"} in venezia.opening_schedule
    assert not any(w["day"] == 0 for w in venezia.opening_schedule)  # closed on Mondays
    assert venezia.opening_hours is None


def test_italian_opening_hours_read_as_weekly_rules():
    assert (
        italian_hours("lunedi:chiuso, dal martedi al venerdi:10.30-19.00, sabato: 9.30-14.00")
        == "Mo off; Tu,We,Th,Fr 10:30-19:00; Sa 09:30-14:00"
    )
    assert italian_hours("martedi e mercoledÃ¬:14.00-19.00") == "Tu,We 14:00-19:00"
    assert italian_hours("n.d.") == "n.d."
