"""The public "how far on foot" answer: the point is POSTed as JSON, answered, and neither
stored nor logged; only public places are timed."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import func, select

from scout.extensions import db
from scout.models import AuditEvent, ReviewStatus
from tests.factories import CITTA_STUDI, VIA_PADOVA

# A distinctive point a few metres from VIA_PADOVA.
ORIGIN = {"lon": 9.227123, "lat": 45.497321}


@pytest.fixture
def places(make_place):
    near = make_place("Vicino", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1])
    far = make_place("Lontano", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    draft = make_place(
        "Bozza", lon=VIA_PADOVA[0] + 0.0005, lat=VIA_PADOVA[1], status=ReviewStatus.DRAFT
    )
    hidden = make_place(
        "Riservato", lon=VIA_PADOVA[0], lat=VIA_PADOVA[1] + 0.0005, org_public_consent=False
    )
    db.session.commit()
    return {"near": near, "far": far, "draft": draft, "hidden": hidden}


def test_walk_gives_minutes_to_public_places_and_two_isochrones(client, places):
    response = client.post("/walk", json=ORIGIN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    walks = {w["id"]: w for w in body["walks"]}
    assert places["near"].id in walks
    assert walks[places["near"].id]["minutes"] == 1
    assert places["draft"].id not in walks
    assert places["hidden"].id not in walks
    assert body["walks"] == sorted(body["walks"], key=lambda w: w["metres"])
    assert [f["properties"]["minutes"] for f in body["isochrones"]["features"]] == [10, 15]
    assert body["estimate"] is True  # no street network in the test database
    assert body["max_minutes"] == 30


def test_walk_needs_no_csrf_token_but_a_json_body(app, client, places, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    assert client.post("/walk", json=ORIGIN).status_code == 200
    form = client.post("/walk", data={"lon": "9.2271", "lat": "45.497"})
    assert form.status_code == 400


@pytest.mark.parametrize(
    "payload",
    [
        {"lon": "9.2271", "lat": "45.497"},
        {"lon": True, "lat": 45.497},
        {"lon": 9.2271},
        {"lon": 200, "lat": 45.497},
        {"lon": 9.2271, "lat": 45.497, "profile": "running"},
        [9.2271, 45.497],
    ],
)
def test_walk_refuses_malformed_points(client, payload):
    response = client.post("/walk", json=payload)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_walk_refuses_a_point_outside_the_area_served(client):
    response = client.post("/walk", json={"lon": 12.4964, "lat": 41.9028})  # Rome
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_walk_point_is_neither_logged_nor_stored(client, places, caplog):
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with caplog.at_level(logging.DEBUG):
        assert client.post("/walk", json=ORIGIN).status_code == 200
        client.post("/walk", json={"lon": 12.4964, "lat": 41.9028})
    logged = caplog.text + " ".join(str(r.args) for r in caplog.records)
    for value in ("9.227123", "45.497321", "12.4964", "41.9028"):
        assert value not in logged
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == audits
    assert "Set-Cookie" not in client.post("/walk", json=ORIGIN).headers
