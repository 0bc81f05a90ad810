"""Permission matrix: every route of the URL map, called as every kind of caller, against one
declared table of who may do what. A route missing from the table fails the test."""

from __future__ import annotations

import pytest
from flask import Flask

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role

ANON, SCOUT, TUTOR, COORD, TOKEN = "anonymous", "scout", "tutor", "coordinator", "token"
CALLERS = (ANON, SCOUT, TUTOR, COORD, TOKEN)
EVERYONE = {ANON, SCOUT, TUTOR, COORD, TOKEN}
STAFF = {SCOUT, TUTOR, COORD}
STAFF_API = {SCOUT, TUTOR, COORD, TOKEN}  # a token belongs to a tutor here

# endpoint → callers allowed. Keep sorted; add a row with every new route.
ACCESS: dict[str, set[str]] = {
    "admin.index": {COORD},
    "api.places": STAFF_API,
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "i18n.switch": EVERYONE,
    "public.index": EVERYONE,
    "scout.index": {SCOUT, COORD},
    "tutor.index": {TUTOR, COORD},
}

# Sample values for URL arguments (ids that may not exist: a 404 still proves access).
ARGS = {
    "code": "en",
    "place_id": 1,
    "offer_id": 1,
    "resource_id": 1,
    "visit_id": 1,
    "photo_id": 1,
    "bulletin_id": 1,
    "user_id": 1,
    "token_id": 1,
    "number": 1,
    "collection_id": "partners",
    "item_id": "1",
    "filename": "x.png",
    "fmt": "json",
    "lang": "it",
    "organisation_id": 1,
}


def _routes(app: Flask) -> list[tuple[str, str, str]]:
    out = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        args = {a: ARGS.get(a, 1) for a in rule.arguments}
        url = rule.build(args)[1] if rule.arguments else rule.rule
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append((rule.endpoint, method, url))
    return out


def test_every_route_is_declared(app):
    missing = sorted({e for e, _m, _u in _routes(app)} - set(ACCESS))
    assert not missing, f"routes without a row in ACCESS: {missing}"


@pytest.fixture
def callers(app, make_user):
    users = {role: make_user(role) for role in (Role.SCOUT, Role.TUTOR, Role.COORDINATOR)}
    token = issue_token(users[Role.TUTOR], "matrix")
    db.session.commit()
    return users, token


def _refused(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return response.status_code in (301, 302, 303) and "/login" in response.location


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(app, client, login, callers, caller, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    users, token = callers
    headers = {"Authorization": f"Bearer {token}"} if caller == TOKEN else {}
    wrong = []
    for endpoint, method, url in _routes(app):
        if caller in (SCOUT, TUTOR, COORD):
            login(users[Role(caller)])  # again each time: a logout route ends the session
        response = client.open(url, method=method, headers=headers)
        allowed = caller in ACCESS.get(endpoint, set())
        if allowed == _refused(response):
            wrong.append(f"{method} {url} ({endpoint}) → {response.status_code}")
        assert response.status_code != 500, f"{method} {url} gave 500"
    assert not wrong, f"{caller}: " + "; ".join(wrong)
