"""Opening hours as weekly windows: the OpenStreetMap and Italian free-text forms parse, garbage
does not, and the migration turns the free text already stored into windows."""

from __future__ import annotations

import flask_migrate
import pytest
from sqlalchemy import text

from scout.extensions import db
from scout.paths import ROOT
from scout.schedule import format_schedule, parse_opening_hours
from tests.livedb import fresh_app


def week(days, start, end):
    return [{"day": d, "start": start, "end": end} for d in days]


@pytest.mark.parametrize(
    ("value", "windows"),
    [
        ("Mo-Fr 08:30-18:00", week(range(5), "08:30", "18:00")),
        (
            "Mo-Sa 09:00-12:30,15:30-19:30; Su off",
            sorted(
                week(range(6), "09:00", "12:30") + week(range(6), "15:30", "19:30"),
                key=lambda w: (w["day"], w["start"]),
            ),
        ),
        ("Mo,We 10:00-12:00", week([0, 2], "10:00", "12:00")),
        ("24/7", week(range(7), "00:00", "23:59")),
        ("Mo-Fr 09:00-18:00; PH off", week(range(5), "09:00", "18:00")),
        (
            "Mo-Fr 08:00-12:00; We 14:00-18:00",
            sorted(
                week([0, 1, 3, 4], "08:00", "12:00") + week([2], "14:00", "18:00"),
                key=lambda w: (w["day"], w["start"]),
            ),
        ),
        ("lun-ven 8:30-18:00", week(range(5), "08:30", "18:00")),
        (
            "lun-ven 9-12, mer 15-18",
            sorted(
                week(range(5), "09:00", "12:00") + week([2], "15:00", "18:00"),
                key=lambda w: (w["day"], w["start"]),
            ),
        ),
    ],
)
def test_common_forms_parse(value: str, windows: list[dict]) -> None:
    assert sorted(parse_opening_hours(value), key=lambda w: (w["day"], w["start"])) == windows


@pytest.mark.parametrize(
    "value",
    [
        "",
        None,
        "su appuntamento",
        "Mo-Fr",
        "Mo-Fr 18:00-09:00",
        "Mo-Fr 25:00-26:00",
        "Apr-Oct Mo-Fr 09:00-18:00",
        "Mo-Fr 08:00-10:00,10:30-12:00,14:00-18:00",
        "Mo-Fr 09:00-12:00,11:00-13:00",
        "PH 10:00-12:00",
        "Mo-Fr 09:00-18:00 <script>",
    ],
)
def test_garbage_is_refused(value: str | None) -> None:
    assert parse_opening_hours(value) is None


def test_parsed_hours_read_in_each_language() -> None:
    windows = parse_opening_hours("lun-ven 8:30-18:00")
    assert format_schedule(windows, "en") == "Mon–Fri 08:30–18:00"
    arabic = format_schedule(windows, "ar")
    assert "lun" not in arabic
    assert "الاثنين" in arabic


def test_migration_parses_the_free_text_already_stored(tmp_path) -> None:
    app = fresh_app("_hours", tmp_path)
    migrations = str(ROOT / "migrations")
    with app.app_context():
        flask_migrate.upgrade(directory=migrations, revision="0e43057925d5")
        for name, hours in (("Forno", "lun-ven 8:30-18:00"), ("CAF", "su appuntamento")):
            db.session.execute(
                text(
                    "INSERT INTO place (name, location, opening_hours, status, version, source,"
                    " created_at, updated_at) VALUES (:n,"
                    " 'SRID=4326;POINT(9.2 45.48)', :h, 'draft', 1, 'scouting', now(), now())"
                ),
                {"n": name, "h": hours},
            )
        db.session.commit()
        flask_migrate.upgrade(directory=migrations, revision="heads")
        rows = dict(
            (name, (windows, note))
            for name, windows, note in db.session.execute(
                text("SELECT name, opening_schedule, opening_hours FROM place")
            )
        )
        db.session.remove()
        db.engine.dispose()
    assert rows["Forno"] == (week(range(5), "08:30", "18:00"), None)
    assert rows["CAF"] == ([], "su appuntamento")
