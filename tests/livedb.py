"""Apps on databases of their own, next to the test database, for tests that need what the
per-test rolled-back transaction cannot give: other processes (``pg_dump``) or concurrent
requests, each in its own session and transaction, that see each other's commits."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import flask_migrate
from flask import Flask
from sqlalchemy import text

from scout import create_app
from scout.extensions import db
from scout.paths import ROOT
from tests.conftest import TEST_CONFIG, IsolatedClient, _test_database_url


def sibling_url(suffix: str) -> str:
    parts = urlsplit(_test_database_url())
    return urlunsplit(parts._replace(path=parts.path + suffix))


def fresh_app(suffix: str, uploads: Path, **config: Any) -> Flask:
    """An app on a new, empty database ``<test database><suffix>``."""
    url = sibling_url(suffix)
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_db.py"), url, "--recreate"], check=True
    )
    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": url,
            "SQLALCHEMY_DATABASE_URI": None,
            "UPLOAD_FOLDER": str(uploads),
            **config,
        }
    )
    app.test_client_class = IsolatedClient
    return app


def migrated_app(suffix: str, uploads: Path, **config: Any) -> Flask:
    """:func:`fresh_app`, migrated, with the reference geodata loaded."""
    from scout.geodata import load_all

    app = fresh_app(suffix, uploads, **config)
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        load_all(db.session, ROOT / "geodata", app.config["SERVICE_MUNICIPI"])
        db.session.commit()
        db.session.remove()
    return app


def lock_waiters(app: Flask) -> list[int]:
    """Process ids of this database's backends waiting for a lock."""
    with app.app_context(), db.engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' ORDER BY pid"
            )
        ).all()
    return [pid for (pid,) in rows]


def wait_for_lock_waiters(app: Flask, count: int, timeout: float = 30) -> list[int]:
    """Wait until ``count`` backends wait for a lock (the requests reached the blocked row)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pids = lock_waiters(app)
        if len(pids) >= count:
            return pids
        time.sleep(0.05)
    raise AssertionError(f"{count} requests never reached the locked row ({lock_waiters(app)})")


@contextmanager
def holding(app: Flask, sql: str, **params: Any) -> Iterator[Any]:
    """Run ``sql`` (a ``SELECT ... FOR UPDATE``, a ``LOCK TABLE``) in a transaction of its
    own and keep its locks until the block ends; yields the connection."""
    with app.app_context(), db.engine.connect() as conn:
        conn.execute(text(sql), params)
        try:
            yield conn
        finally:
            conn.rollback()
