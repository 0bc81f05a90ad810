"""Test fixtures: a real PostgreSQL + PostGIS database, migrated once per session, and a
per-test transaction that is rolled back (app commits become savepoints).

Set ``SCOUT_TEST_DATABASE_URL`` (``make test`` does) to a database the tests may drop and
re-create. Browser tests drive Debian's chromium through Playwright against a live server
that shares the test's transaction.
"""

from __future__ import annotations

import contextvars
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import flask_migrate
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server

from scout import create_app
from scout.extensions import db
from scout.models import Organisation, OrgKind, Place, ReviewStatus, Role, User
from scout.paths import ROOT

pytest_plugins = ["tests.factories", "tests.browser.fixtures"]

TEST_CONFIG = {
    "TESTING": True,
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_SECURE": False,
    "RATELIMIT_ENABLED": False,
    # A fixed test key for people's homes (scout/people/crypto.py).
    "PEOPLE_KEY": "lGj3dX2H3rZ8Qe0aJ1d0iVHn3Yp9mJwz7xg3kqYc0qQ=",
}


class IsolatedClient(FlaskClient):
    """Runs each request in an empty ``contextvars`` context, so it gets its own app context
    (its own ``g`` and database session) like a real request, instead of reusing the test's."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = contextvars.Context().run(super().open, *args, **kwargs)
        # Werkzeug spools a multipart body over 500 kB to a temporary file and never closes
        # it; close it here rather than leave it to the garbage collector.
        for r in (*getattr(response, "history", ()), response):
            stream = getattr(r, "request", None) and r.request.environ.get("wsgi.input")
            if stream is not None and not stream.closed:
                stream.close()
        return response


def _test_database_url() -> str:
    url = os.environ.get("SCOUT_TEST_DATABASE_URL")
    if not url:
        pytest.exit("SCOUT_TEST_DATABASE_URL is not set; run the tests with `make test`.", 2)
    return url


@pytest.fixture(scope="session")
def database_url() -> str:
    url = _test_database_url()
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_db.py"), url, "--recreate"], check=True
    )
    return url


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": database_url,
            "SQLALCHEMY_DATABASE_URI": None,
            "UPLOAD_FOLDER": str(tmp_path_factory.mktemp("uploads")),
            "WALK_GRAPH_FOLDER": str(tmp_path_factory.mktemp("walkgraph")),
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        from scout.geodata import load_all

        load_all(db.session, ROOT / "geodata", app.config["SERVICE_MUNICIPI"])
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _transaction(request: pytest.FixtureRequest) -> Iterator[None]:
    """Run each test inside a transaction that is rolled back at the end."""
    if "app" not in request.fixturenames:
        yield
        return
    app: Flask = request.getfixturevalue("app")
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection  # type: ignore[index]
        factory = db.session.session_factory
        factory.kw["join_transaction_mode"] = "create_savepoint"
        db.session.remove()
        try:
            yield
        finally:
            db.session.remove()
            factory.kw.pop("join_transaction_mode", None)
            engines[None] = engine  # type: ignore[index]
            outer.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def login(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Log ``user`` into the test client (the session Flask-Login would create)."""

    def _login(user: User) -> FlaskClient:
        with client.session_transaction() as sess:
            sess["_user_id"] = user.get_id()
            sess["_fresh"] = True
        return client

    return _login


class LiveServer:
    def __init__(self, app: Flask) -> None:
        # Single-threaded: requests share the test's database connection one at a time.
        self.active = 0
        self.last_seen = time.monotonic()
        # Held while the app answers: whoever else uses the connection (the tests' own tile
        # answers, tests/browser/fixtures.py) takes it too.
        self.lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._track(app), threaded=False)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _track(self, app: Any) -> Any:
        def wsgi(environ: Any, start_response: Any) -> Any:
            self.active += 1
            try:
                with self.lock:
                    result = app(environ, start_response)
                    try:
                        return list(result)
                    finally:
                        if hasattr(result, "close"):
                            result.close()
            finally:
                self.active -= 1
                self.last_seen = time.monotonic()

        return wsgi

    def wait_idle(self, quiet: float = 0.3, timeout: float = 15) -> None:
        """Wait until no request has run for ``quiet`` seconds, so that a page's late request
        never touches the next test's transaction (they share one connection)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.active and time.monotonic() - self.last_seen >= quiet:
                return
            time.sleep(0.05)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[LiveServer]:
    server = LiveServer(app)
    server.start()
    yield server
    server.stop()


__all__ = ["LiveServer", "Organisation", "OrgKind", "Path", "Place", "ReviewStatus", "Role"]
