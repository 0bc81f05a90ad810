"""Scouts' saves racing each other against a real database: each request runs in its own
thread, session and transaction (as under gunicorn), on a database of its own.

Races are made certain, not likely: the test holds a lock on the row (or table) the requests
are about to write, waits until both requests are blocked on it, then lets them go."""

from __future__ import annotations

import io
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import func, select, text

from scout import capture
from scout.auth import create_user
from scout.extensions import db
from scout.models import (
    ContractType,
    Offer,
    Organisation,
    OrgKind,
    PartTime,
    Photo,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    Visit,
)
from tests.capture.test_scout import offer_data, place_data, resource_data
from tests.factories import PASSWORD, VIA_PADOVA, milan_today
from tests.livedb import holding, migrated_app, wait_for_lock_waiters


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = migrated_app("_race", tmp_path_factory.mktemp("race-uploads"), WTF_CSRF_ENABLED=False)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def world(live: Flask) -> dict[str, Any]:
    """A scout and a published place with an offer and a course, committed."""
    with live.app_context():
        tag = uuid.uuid4().hex[:6]
        scout = create_user(f"scout-{tag}@example.org", PASSWORD, Role.SCOUT)
        org = Organisation(name=f"Bar {tag}", kind=OrgKind.EMPLOYER, sectors=["restaurant"])
        place = Place(
            name=f"Bar {tag}",
            organisation=org,
            location=f"SRID=4326;POINT({VIA_PADOVA[0]} {VIA_PADOVA[1]})",
            status=ReviewStatus.PUBLISHED,
        )
        offer = Offer(
            place=place,
            title="Lavapiatti",
            contract_type=ContractType.DETERMINATO,
            part_time=PartTime.ORIZZONTALE,
            status=ReviewStatus.PUBLISHED,
        )
        course = Resource(
            place=place,
            title="Italiano per il lavoro",
            kind=ResourceKind.ITALIAN_COURSE,
            status=ReviewStatus.PUBLISHED,
        )
        db.session.add_all([place, offer, course])
        db.session.commit()
        out = {
            "scout": scout.get_id(),
            "place": place.id,
            "offer": offer.id,
            "resource": course.id,
            "place_name": place.name,
        }
        db.session.remove()
    return out


def scout_client(app: Flask, user_id: str) -> Any:
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = user_id
        sess["_fresh"] = True
    return client


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


def at_once(requests: list[Any]) -> list[Any]:
    """Run each callable in its own thread; their answers, in order."""
    answers: list[Any] = [None] * len(requests)

    def run(n: int) -> None:
        answers[n] = requests[n]()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(requests))]
    for t in threads:
        t.start()
    return threads, answers


def join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(timeout=60)
        assert not t.is_alive(), "a request never finished"


def uploaded_files(app: Flask) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {p.name for p in folder.iterdir()} if folder.is_dir() else set()


def edit(kind: str, world: dict[str, Any], note: str) -> tuple[str, dict[str, Any]]:
    """The edit URL of the world's ``kind`` record and a form changing it to ``note``."""
    if kind == "place":
        data = place_data(
            name=world["place_name"],
            version="1",
            client_key=None,
            position_source="stored",
            accuracy_m=None,
            sectors="restaurant",
            website=None,
            email=None,
            phone=None,
            notes=note,
        )
        data["photos"] = (io.BytesIO(jpeg()), "shopfront.jpg")
        return f"/scout/places/{world['place']}/edit", data
    if kind == "offer":
        return f"/scout/offers/{world['offer']}/edit", offer_data(
            title=note, version="1", client_key=None
        )
    return f"/scout/resources/{world['resource']}/edit", resource_data(
        title=note, version="1", client_key=None
    )


TABLES = {"place": Place, "offer": Offer, "resource": Resource}


@pytest.mark.parametrize("kind", ["place", "offer", "resource"])
def test_two_saves_at_the_same_instant_one_wins_the_other_gets_the_conflict_page(live, world, kind):
    before = uploaded_files(live)
    clients = [scout_client(live, world["scout"]) for _ in range(2)]
    forms = [edit(kind, world, note) for note in ("Versione di Samira", "Versione di Luca")]
    table = TABLES[kind].__tablename__
    lock = f"SELECT 1 FROM {table} WHERE id = :id FOR UPDATE"  # noqa: S608 (a model's table)
    with holding(live, lock, id=world[kind]):
        threads, answers = at_once(
            [lambda c=c, f=f: c.post(f[0], data=f[1]) for c, f in zip(clients, forms, strict=True)]
        )
        wait_for_lock_waiters(live, 2)  # both loaded version 1 and are writing it now
    join(threads)

    statuses = sorted(a.status_code for a in answers)
    assert statuses == [302, 409], [a.get_data(as_text=True)[:300] for a in answers]
    loser = next(a for a in answers if a.status_code == 409)
    page = loser.get_data(as_text=True)
    assert 'id="conflict"' in page
    winner_note, loser_note = (
        ("Versione di Samira", "Versione di Luca")
        if answers[0].status_code == 302
        else ("Versione di Luca", "Versione di Samira")
    )
    assert winner_note in page  # theirs...
    assert loser_note in page  # ...beside mine
    with live.app_context():
        record = db.session.get(TABLES[kind], world[kind])
        # What the scout saved: written, or (on a published record) its pending change.
        stored = capture.proposed_values(record)["notes" if kind == "place" else "title"]
        assert stored == winner_note
        assert record.version == 2
        if kind == "place":
            # Only the winner's photo: the loser's save left no row and no file behind.
            (photo,) = db.session.scalars(select(Photo).where(Photo.place_id == world["place"]))
            assert uploaded_files(live) - before == {photo.filename}
        db.session.remove()


def test_a_save_whose_database_connection_dies_leaves_no_photo_file(live, world):
    before = uploaded_files(live)
    client = scout_client(live, world["scout"])
    name = f"Forno {uuid.uuid4().hex[:6]}"
    data = place_data(name=name)
    data["photos"] = (io.BytesIO(jpeg()), "forno.jpg")
    # The photo rows cannot be inserted while the table is locked: the request has written
    # its file and waits; then its database connection is killed (a PostgreSQL crash).
    with holding(live, "LOCK TABLE photo IN SHARE MODE") as lock:
        threads, answers = at_once([lambda: client.post("/scout/places/new", data=data)])
        (pid,) = wait_for_lock_waiters(live, 1)
        assert lock.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    join(threads)

    assert answers[0].status_code >= 500  # not acknowledged: the tablet keeps it
    assert uploaded_files(live) == before
    with live.app_context():
        assert not db.session.scalar(select(func.count()).where(Place.name == name))
        db.session.remove()


def _log_position(conn: Any) -> tuple[str, int]:
    """The test cluster's server log (``scripts/pg.sh`` layout, or the logging collector's
    file) and its current size."""
    path = conn.execute(
        text(
            "SELECT coalesce(pg_current_logfile(), "
            "regexp_replace(current_setting('data_directory'), '/data$', '/server.log'))"
        )
    ).scalar()
    size = conn.execute(text("SELECT (pg_stat_file(:p)).size"), {"p": path}).scalar()
    return path, size


def _log_since(conn: Any, path: str, offset: int) -> str:
    size = conn.execute(text("SELECT (pg_stat_file(:p)).size"), {"p": path}).scalar()
    return conn.execute(
        text("SELECT pg_read_file(:p, :o, :n)"), {"p": path, "o": offset, "n": size - offset}
    ).scalar()


def test_the_same_visit_delivered_twice_at_once_is_stored_once_without_an_error_in_the_log(
    live, world
):
    key = str(uuid.uuid4())
    form = {
        "visited_on": milan_today().isoformat(),
        "outcome": "interested",
        "notes": "Ripassare lunedì",
        "client_key": key,
        "queued": "1",
    }
    url = f"/scout/places/{world['place']}/visits/new"
    clients = [scout_client(live, world["scout"]) for _ in range(2)]
    with live.app_context(), db.engine.connect() as conn:
        path, offset = _log_position(conn)
        # Both deliveries are held before they can insert, then go at the same instant.
        with holding(live, "SELECT 1 FROM place WHERE id = :id FOR UPDATE", id=world["place"]):
            threads, answers = at_once(
                [
                    lambda c=c: c.post(url, data=form, headers={"Accept": "application/json"})
                    for c in clients
                ]
            )
            wait_for_lock_waiters(live, 2)
        join(threads)
        log = _log_since(conn, path, offset)

    assert sorted(a.status_code for a in answers) == [200, 201], [a.json for a in answers]
    assert len({a.json["id"] for a in answers}) == 1
    with live.app_context():
        stored = db.session.scalar(select(func.count()).where(Visit.client_key == uuid.UUID(key)))
        db.session.remove()
    assert stored == 1
    assert key not in log, log  # no "duplicate key ... (client_key)=(key) already exists"
