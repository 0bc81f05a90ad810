"""Backup and restore: everything in the database and every photo file comes back.

These tests use two databases of their own next to the test database (``<name>_bksrc`` and
``<name>_bkdst``), because ``pg_dump`` runs in another process and sees only committed data.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import flask_migrate
import pytest
from flask import Flask
from sqlalchemy import func, select, text

from scout.backup import table_counts, user_tables
from scout.extensions import db
from scout.models import Photo, Place, Role, User, Visit, VisitOutcome
from scout.paths import ROOT
from tests.livedb import fresh_app


def _fresh_app(suffix: str, uploads: Path) -> Flask:
    return fresh_app(suffix, uploads)


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Flask]:
    """A migrated database with the demo data, a visit, an audit event, a bulletin subscriber
    and two photos."""
    app = _fresh_app("_bksrc", tmp_path / "src-uploads")
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        from scout import audit
        from scout.demo import load_demo
        from scout.models import AuditAction

        load_demo(db.session)
        place = db.session.scalars(select(Place).order_by(Place.id)).first()
        scout = db.session.scalar(select(User).where(User.role == Role.SCOUT))
        db.session.add(
            Visit(place=place, user=scout, visited_on=date(2026, 3, 2), outcome=VisitOutcome.JOINED)
        )
        uploads = Path(app.config["UPLOAD_FOLDER"])
        (uploads / "2026").mkdir(parents=True)
        for n, name in enumerate(["a1b2.jpg", "2026/c3d4.webp"]):
            data = bytes([n]) * (1000 + n)
            (uploads / name).write_bytes(data)
            db.session.add(
                Photo(
                    place=place,
                    filename=name,
                    content_type="image/jpeg",
                    width=10,
                    height=10,
                    size_bytes=len(data),
                    created_by_id=scout.id,
                )
            )
        audit.record(db.session, AuditAction.UPDATE, "place", place.id, {"name": ["a", "b"]})
        from scout.models import Subscriber, SubscriberStatus

        db.session.add(  # a bulletin subscriber: personal data the backup must keep too
            Subscriber(
                email="iscritta@example.org",
                token="t" * 43,
                language="ar",
                status=SubscriberStatus.CONFIRMED,
            )
        )
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def target(tmp_path: Path) -> Iterator[Flask]:
    app = _fresh_app("_bkdst", tmp_path / "dst-uploads")
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _fingerprints(app: Flask) -> dict[str, str]:
    """An md5 of every row of every data table, by table."""
    with app.app_context():
        out = {}
        for schema, table in user_tables():
            # Names come from the catalogue, quoted.
            rows = "string_agg(t::text, '|' ORDER BY t::text)"
            query = text(f'SELECT md5(coalesce({rows}, \'\')) FROM "{schema}"."{table}" t')  # noqa: S608
            out[f"{schema}.{table}"] = db.session.scalar(query)
        db.session.remove()
        return out


def _photos(app: Flask) -> dict[str, bytes]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_backup_then_restore_into_a_fresh_database_finds_every_record_and_photo(
    source, target, tmp_path
):
    archive = tmp_path / "scout.backup.tar"
    result = source.test_cli_runner().invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert archive.is_file()

    result = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert result.exit_code == 0, result.output

    before, after = _fingerprints(source), _fingerprints(target)
    assert "public.place" in after
    assert "public.photo" in after
    assert "public.audit_event" in after
    assert after == before
    with source.app_context():
        counts = table_counts()
        db.session.remove()
    assert counts["public.photo"] == 2
    assert counts["public.visit"] == 1
    assert counts["public.bulletin_subscriber"] == 1
    assert counts["public.place"] > 0
    assert counts["public.user"] >= 3
    assert _photos(target) == _photos(source)
    assert set(_photos(target)) == {"a1b2.jpg", "2026/c3d4.webp"}

    # The restored app works: its models read the restored rows.
    with target.app_context():
        names = {p.filename for p in db.session.scalars(select(Photo))}
        db.session.remove()
    assert names == {"a1b2.jpg", "2026/c3d4.webp"}


def test_restore_refuses_a_database_that_has_tables_unless_forced(source, target, tmp_path):
    archive = tmp_path / "scout.backup.tar"
    assert source.test_cli_runner().invoke(args=["backup", str(archive)]).exit_code == 0
    runner = target.test_cli_runner()
    assert runner.invoke(args=["restore", str(archive)]).exit_code == 0

    refused = runner.invoke(args=["restore", str(archive)])
    assert refused.exit_code != 0
    assert "--force" in refused.output

    # Change the target, then force: it becomes the backup again, old photos kept aside.
    with target.app_context():
        db.session.execute(text('DELETE FROM "photo"'))
        db.session.commit()
        db.session.remove()
    forced = runner.invoke(args=["restore", "--force", str(archive)])
    assert forced.exit_code == 0, forced.output
    assert _fingerprints(target) == _fingerprints(source)
    assert _photos(target) == _photos(source)
    aside = list(tmp_path.glob("dst-uploads.before-restore-*"))
    assert len(aside) == 1


def test_restore_refuses_a_file_that_is_not_a_backup(target, tmp_path):
    bogus = tmp_path / "bogus.tar"
    bogus.write_text("hello")
    result = target.test_cli_runner().invoke(args=["restore", str(bogus)])
    assert result.exit_code != 0
    assert "not a tar archive" in result.output


def test_a_backup_taken_while_scouts_save_restores_with_every_photo(source, target, tmp_path):
    """Visits and photos keep arriving, committed one by one, during the whole backup; the
    archive is one consistent state: the restore checks out and no photo row lacks its file."""
    stop = threading.Event()
    written: list[str] = []

    def scouts_at_work() -> None:
        with source.app_context():
            place_id = db.session.scalars(select(Place.id).order_by(Place.id)).first()
            scout_id = db.session.scalar(select(User.id).where(User.role == Role.SCOUT))
            uploads = Path(source.config["UPLOAD_FOLDER"])
            while not stop.is_set():
                name = f"{uuid.uuid4().hex}.jpg"
                (uploads / name).write_bytes(b"\xff\xd8" + name.encode())  # file first
                db.session.add_all(
                    [
                        Visit(
                            place_id=place_id,
                            user_id=scout_id,
                            visited_on=date(2026, 3, 3),
                            outcome=VisitOutcome.INTERESTED,
                        ),
                        Photo(
                            place_id=place_id,
                            filename=name,
                            content_type="image/jpeg",
                            width=1,
                            height=1,
                            size_bytes=10,
                            created_by_id=scout_id,
                        ),
                    ]
                )
                db.session.commit()
                written.append(name)
            db.session.remove()

    writer = threading.Thread(target=scouts_at_work)
    writer.start()
    try:
        while len(written) < 5:  # the scouts are at work before the backup starts
            threading.Event().wait(0.01)
        archive = tmp_path / "live.tar"
        before = len(written)
        result = source.test_cli_runner().invoke(args=["backup", str(archive)])
        during = len(written) - before
    finally:
        stop.set()
        writer.join(timeout=60)
    assert result.exit_code == 0, result.output
    assert during > 0  # saves were committed while the backup ran

    restored = target.test_cli_runner().invoke(args=["restore", str(archive)])
    assert restored.exit_code == 0, restored.output  # row counts as in the manifest
    with target.app_context():
        names = set(db.session.scalars(select(Photo.filename)))
        visits = db.session.scalar(select(func.count()).select_from(Visit))
        db.session.remove()
    assert set(_photos(target)) == names  # every photo row has its file, and no stray file
    assert visits - 1 == len(names) - 2  # each visit came with its photo, as committed
