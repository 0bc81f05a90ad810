"""Property-based fuzz of the JSON API from its OpenAPI description (schemathesis generates the
requests, Hypothesis drives them) against the app in-process, with a tutor's bearer token.

For every described operation, valid and invalid input alike:
- no 5xx but 503 (the walking engine may say it is unavailable);
- every 4xx is JSON ``{"error": {"status", "message"}}``, and a 400 names the ``field``;
- a 2xx answer is JSON.

Operations described from their issue contract but not built yet are skipped, and run as soon as
the route exists.
"""

from __future__ import annotations

import contextvars
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation.modes import GenerationMode

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
from scout.views.api.openapi import OPERATIONS, PREFIX, build_spec
from tests.factories import CITTA_STUDI, VIA_PADOVA
from tests.web.test_permissions import rolled_back, server_errors

EXAMPLES = 40


def _exists(app, path: str, method: str) -> bool:
    with app.test_request_context():
        return method in build_spec()["paths"].get(PREFIX + path, {})


@pytest.fixture
def seeded(app, make_user, make_place, make_offer, make_resource):
    """A tutor's token and a few published places around the origins the fuzz may pick."""
    token = issue_token(make_user(Role.TUTOR), "fuzz")
    for lon, lat in (VIA_PADOVA, CITTA_STUDI):
        place = make_place(lon=lon, lat=lat)
        make_offer(place, schedule=[{"day": 0, "start": "09:00", "end": "13:00"}])
        make_resource(place)
    db.session.commit()
    return token


def problems(response) -> list[str]:
    status = response.status_code
    out = []
    if status >= 500 and status != 503:
        out.append(f"{status} server error")
    try:
        data = response.get_data() if hasattr(response, "get_data") else response.content
        body = json.loads(data or b"null")
    except ValueError:
        body = None
        out.append(f"{status}: the body is not JSON ({response.headers.get('Content-Type')})")
    if 400 <= status < 500:
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict) or not error.get("message"):
            out.append(f"{status}: no error.message in {str(body)[:120]}")
        elif status == 400 and not error.get("field"):
            out.append(f"400 without error.field: {error.get('message')!r}")
    return out


def _ids() -> list[str]:
    return [f"{m.upper()} {p}" for p, m in sorted(OPERATIONS)]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(("path", "method"), sorted(OPERATIONS), ids=_ids())
def test_fuzz_finds_no_server_error(app, seeded, path, method, mode):
    if not _exists(app, path, method):
        pytest.skip(f"{method.upper()} {PREFIX}{path} is not built yet")
    with app.test_request_context():
        schema = schemathesis.openapi.from_dict(build_spec())
    operation = schema[PREFIX + path][method.upper()]
    headers = {"Authorization": f"Bearer {seeded}"}
    failures: dict[str, str] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        with server_errors(app) as errors:
            response = contextvars.Context().run(case.call, app=app, headers=headers)
        for problem in problems(response):
            if errors:
                problem += f" [{type(errors[0]).__name__}: {str(errors[0]).splitlines()[0]}]"
            failures.setdefault(problem, case.as_curl_command(headers=headers))

    try:
        with rolled_back():
            run()
    except ValueError as exc:  # schemathesis could not build a negative case for this one
        if mode is GenerationMode.NEGATIVE and "negative" in str(exc).lower():
            pytest.skip(str(exc))
        raise
    assert not failures, "\n".join(f"{p}\n    e.g. {c}" for p, c in failures.items())


def test_bad_parameters_name_the_field(app, client, seeded):
    """Hand-picked bad input on the routes that exist: 400, JSON, the field named."""
    bearer = {"Authorization": f"Bearer {seeded}"}
    cases = [
        ("post", "/search", {"origin": {"lon": "x", "lat": 45.5}}, "origin"),
        (
            "post",
            "/search",
            {"origin": {"lon": 9.22, "lat": 45.49}, "max_minutes": 99},
            "max_minutes",
        ),
        ("post", "/search", {"origin": {"lon": 9.22, "lat": 45.49}, "kinds": ["x"]}, "kinds"),
        ("post", "/search", {"origin": {"lon": 9.22, "lat": 45.49}, "profile": "x"}, "profile"),
        ("post", "/search/route", {"origin": {"lon": 9.22, "lat": 45.49}}, "place_id"),
        ("post", "/walk/reach", {"lon": "x", "lat": 45.49}, "lon"),
        ("post", "/walk/reach", {"lon": 9.22, "lat": 45.49, "minutes": 99}, "minutes"),
        ("post", "/walk/isochrones", {"lon": 9.22, "lat": 45.49, "minutes": "a,b"}, "minutes"),
        ("post", "/walk/route", {"lon": 9.22, "lat": 45.49, "place_id": "x"}, "place_id"),
        ("post", "/walk/route", {"lon": 9.22, "lat": 45.49, "place_id": 10**20}, "place_id"),
        ("post", "/walk/route", {"lon": 9.22, "lat": 45.49, "place_id": "\u00b2"}, "place_id"),
        (
            "post",
            "/search/route",
            {"origin": {"lon": 9.22, "lat": 45.49}, "place_id": 1e30},
            "place_id",
        ),
        (
            "post",
            "/search",
            {"origin": {"lon": 9.22, "lat": 45.49}, "school_id": 2**40},
            "school_id",
        ),
        (
            "post",
            "/search",
            {"origin": {"lon": 9.22, "lat": 45.49}, "max_italian_level": "Z"},
            "max_italian_level",
        ),
    ]
    ran = 0
    for method, url, body, field in cases:
        if not _exists(app, url.split("?")[0], method):
            continue
        ran += 1
        response = client.open(PREFIX + url, method=method.upper(), json=body, headers=bearer)
        assert response.status_code == 400, f"{method} {url}: {response.status_code}"
        assert response.get_json()["error"]["field"] == field, f"{method} {url}"
    assert ran, "none of the API routes with parameters exists"


@pytest.mark.parametrize("body", [b"", b"not json", b"[]", b"null", b'{"origin": 1}'])
def test_malformed_json_bodies_are_400_naming_a_field(app, client, seeded, body):
    bearer = {"Authorization": f"Bearer {seeded}", "Content-Type": "application/json"}
    for (path, method), op in sorted(OPERATIONS.items()):
        if "requestBody" not in op or not _exists(app, path, method):
            continue
        response = client.open(PREFIX + path, method=method.upper(), data=body, headers=bearer)
        assert response.status_code == 400, f"{method.upper()} {path} {body!r}"
        assert not problems(response), problems(response)
