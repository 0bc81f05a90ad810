"""One parser each for the walking profile and the minutes, on every route that takes them: a
refused value answers 400 naming the field, with a message in the user's language (Italian by
default), never pydantic's English."""

from __future__ import annotations

import json

import pytest

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
from tests.factories import VIA_PADOVA

ORIGIN = {"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]}


@pytest.fixture
def bearer(make_user):
    token = issue_token(make_user(Role.TUTOR), "messages")
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


def _error(response) -> dict:
    assert response.status_code == 400, response.get_data(as_text=True)
    return response.get_json()["error"]


# Every route that takes walking minutes, with a value it must refuse.
MINUTES_ROUTES = [
    ("post", "/api/v1/search", {"origin": ORIGIN, "max_minutes": 99}, "max_minutes", (5, 30)),
    (
        "post",
        "/api/v1/search/isochrones",
        {"origin": ORIGIN, "max_minutes": 99},
        "max_minutes",
        (5, 30),
    ),
    ("post", "/api/v1/walk/reach", {**ORIGIN, "minutes": 99}, "minutes", (1, 30)),
]


@pytest.mark.parametrize(("method", "url", "body", "field", "bounds"), MINUTES_ROUTES)
def test_bad_minutes_say_so_in_italian_next_to_the_field(
    client, bearer, method, url, body, field, bounds
):
    error = _error(client.open(url, method=method.upper(), json=body, headers=bearer))
    assert error["field"] == field
    low, high = bounds
    assert error["message"] == f"Scegli un tempo a piedi tra {low} e {high} minuti."


def test_search_isochrones_refuse_minutes_out_of_range_instead_of_clamping(client, bearer):
    for minutes in (4, 31, "15"):
        body = {"origin": ORIGIN, "max_minutes": minutes}
        error = _error(client.post("/api/v1/search/isochrones", json=body, headers=bearer))
        assert error["field"] == "max_minutes"
    ok = client.post(
        "/api/v1/search/isochrones", json={"origin": ORIGIN, "max_minutes": 10}, headers=bearer
    )
    assert ok.status_code == 200
    assert [f["properties"]["minutes"] for f in ok.get_json()["features"]] == [5, 10]


def test_bad_bands_say_so_in_italian(client, bearer):
    for minutes in ("5,99", [5, 99], "a,b", [], list(range(1, 9))):
        body = {**ORIGIN, "minutes": minutes}
        error = _error(client.post("/api/v1/walk/isochrones", json=body, headers=bearer))
        assert error["field"] == "minutes"
        assert error["message"].startswith("Indica da 1 a 6 tempi a piedi tra 1 e 30 minuti")


def test_walk_api_takes_form_fields_as_well_as_json(client, bearer):
    form = {**{k: str(v) for k, v in ORIGIN.items()}, "minutes": "5, 10"}
    answer = client.post("/api/v1/walk/isochrones", data=form, headers=bearer)
    assert answer.status_code == 200
    assert [f["properties"]["minutes"] for f in answer.get_json()["features"]] == [5, 10]
    error = _error(
        client.post("/api/v1/walk/reach", data={**form, "minutes": "99"}, headers=bearer)
    )
    assert error["message"] == "Scegli un tempo a piedi tra 1 e 30 minuti."


PROFILE_MESSAGE = "Scegli come cammina: normale o con il passeggino."


def test_one_profile_message_on_every_route(client, bearer):
    answers = [
        client.post("/api/v1/search", json={"origin": ORIGIN, "profile": "x"}, headers=bearer),
        client.post(
            "/api/v1/search/isochrones", json={"origin": ORIGIN, "profile": "x"}, headers=bearer
        ),
        client.post(
            "/api/v1/search/route",
            json={"origin": ORIGIN, "place_id": 1, "profile": "x"},
            headers=bearer,
        ),
        client.post("/api/v1/walk/reach", json={**ORIGIN, "profile": "x"}, headers=bearer),
        client.post(
            "/api/v1/walk/route", json={**ORIGIN, "place_id": 1, "profile": "x"}, headers=bearer
        ),
        client.post("/walk", json={**ORIGIN, "profile": "x"}),
    ]
    for response in answers:
        assert _error(response) == {"status": 400, "field": "profile", "message": PROFILE_MESSAGE}


def test_messages_follow_the_user_language(client, bearer):
    body = {"origin": ORIGIN, "max_minutes": 99}
    for lang, text in [
        ("en", "Choose a walking time between 5 and 30 minutes."),
        ("fr", "Choisissez un temps de marche entre 5 et 30 minutes."),
    ]:
        client.get(f"/lang/{lang}")
        error = _error(client.post("/api/v1/search", json=body, headers=bearer))
        assert error["message"] == text


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (
            {"origin": ORIGIN, "school_hours": {"drop_off": "16:30", "pick_up": "08:30"}},
            "school_hours",
            "Indica l'orario di entrata e di uscita da scuola, prima l'entrata, "
            "e almeno un giorno di scuola.",
        ),
        (
            {"origin": {}},
            "origin",
            "Scegli da dove parte: un indirizzo, un punto sulla mappa o una sede.",
        ),
        ({"origin": {"hub_id": 999999}}, "origin", "Scegli una delle sedi del programma."),
        ({"origin": ORIGIN, "kinds": []}, "kinds", "Scegli almeno un tipo di risultato."),
        (
            {"origin": {"lon": 12.49, "lat": 41.89}},
            "origin",
            "Questo punto è fuori dall'area servita (Municipi 2 e 3).",
        ),
    ],
)
def test_search_errors_are_people_words_not_developer_text(client, bearer, body, field, message):
    error = _error(client.post("/api/v1/search", json=body, headers=bearer))
    assert (error["field"], error["message"]) == (field, message)
    assert "Input should" not in error["message"]  # pydantic's own text never shows


def test_public_walk_refuses_deep_json_without_a_server_error(client):
    response = client.post("/walk", data="[" * 5000, headers={"Content-Type": "application/json"})
    assert _error(response)["field"] == "body"


def test_tutor_sheet_parses_with_the_same_schema(app, client, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    login(make_user(Role.TUTOR))
    search = json.dumps({"origin": ORIGIN, "max_minutes": 99})
    response = client.post(
        "/tutor/sheet",
        data={"search": search, "lang": "it", "items": ["offer:1"]},
        headers={"Accept": "application/json"},
    )
    error = _error(response)
    assert error == {
        "status": 400,
        "field": "max_minutes",
        "message": "Scegli un tempo a piedi tra 5 e 30 minuti.",
    }
