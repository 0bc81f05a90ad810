"""Operations: the health endpoint and structured logs without personal data."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest

from scout import create_app
from scout.auth import issue_token
from scout.extensions import db
from scout.logs import JsonFormatter
from scout.models import Role
from tests.conftest import TEST_CONFIG
from tests.factories import VIA_PADOVA


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_when_the_database_does_not(tmp_path):
    # Port 1 on loopback: nothing listens there, so every connection is refused.
    app = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:1/scout",
            "SQLALCHEMY_DATABASE_URI": None,
            "UPLOAD_FOLDER": str(tmp_path),
        }
    )
    try:
        client = app.test_client()
        response = client.get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["database"] == "unavailable"
        # Any other request answers 503 too (retry later), not a 500.
        assert client.get("/").status_code == 503
        api = client.get("/api/v1/places", headers={"Authorization": "Bearer x"})
        assert api.status_code == 503
        assert api.get_json()["error"]["status"] == 503
    finally:
        with app.app_context():
            db.engine.dispose()


def test_an_answer_made_before_the_database_went_away_is_still_sent(database_url, tmp_path):
    """The database restarts between a page's last query and the end of its request: the
    closing rollback fails on the dead connection, and the page she asked for is still the
    answer, not a 500. The next request reconnects by itself."""
    import psycopg
    from sqlalchemy import text

    app = create_app({**TEST_CONFIG, "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path)})

    def answered_then_cut() -> str:
        pid = db.session.execute(text("SELECT pg_backend_pid()")).scalar_one()
        dsn = database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(dsn, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s, 5000)", (pid,))
        return "the page"

    app.add_url_rule("/answered-then-cut", view_func=answered_then_cut)
    try:
        client = app.test_client()
        response = client.get("/answered-then-cut")
        assert response.status_code == 200
        assert response.get_data(as_text=True) == "the page"
        assert client.get("/healthz").status_code == 200
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """Everything the ``scout`` loggers write, formatted as in production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("scout")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def _records(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


def test_access_log_is_json_with_request_id_and_no_coordinates(app, client, make_user, log_lines):
    lon, lat = VIA_PADOVA
    tutor = make_user(Role.TUTOR, email="privacy.tutor@example.org")
    token = issue_token(tutor, "logs")
    db.session.commit()
    auth = {"Authorization": f"Bearer {token}"}

    client.get(f"/?lon={lon}&lat={lat}&q=Via+Padova+10")
    client.get(f"/api/v1/places?lon={lon}&lat={lat}", headers=auth)
    client.post("/api/v1/search", json={"origin": {"lon": lon, "lat": lat}}, headers=auth)
    client.post("/api/v1/walk/reach", json={"lon": lon, "lat": lat}, headers=auth)
    client.get(f"/no/such/page?lon={lon}&lat={lat}")
    response = client.get("/healthz", headers={"X-Request-ID": "abcdef0123456789"})
    assert response.headers["X-Request-ID"] == "abcdef0123456789"

    text = log_lines.getvalue()
    for secret in (str(lon), str(lat), "9.227", "45.49", "lon=", "lat=", "Padova"):
        assert secret not in text, f"{secret!r} leaked into the log"
    assert "privacy.tutor" not in text
    assert token not in text

    access = [r for r in _records(log_lines) if r["logger"] == "scout.access"]
    assert len(access) == 6
    for record in access:
        assert set(record) >= {"ts", "request_id", "method", "endpoint", "status", "duration_ms"}
    assert access[0]["endpoint"] == "public.index"
    assert access[0]["status"] == 200
    assert access[4]["endpoint"] == "(unmatched)"
    assert access[4]["status"] == 404
    assert access[5]["request_id"] == "abcdef0123456789"
    assert len({r["request_id"] for r in access}) == 6


def test_a_made_up_request_id_is_replaced(client):
    response = client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert response.headers["X-Request-ID"] != "<script>"
    assert len(response.headers["X-Request-ID"]) == 32


def test_sql_errors_do_not_log_bound_parameters(app):
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["hide_parameters"] is True
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_pre_ping"] is True
