"""The OpenAPI description at /api/v1/openapi.json: served, valid, and complete (every API route of
the URL map is described; a new one without a description fails here)."""

from __future__ import annotations

import schemathesis
from schemathesis.core.result import Ok

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
from scout.views.api.openapi import OPERATIONS, PREFIX


def _spec(client, make_user):
    user = make_user(Role.TUTOR)
    token = issue_token(user, "openapi")
    db.session.commit()
    response = client.get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.is_json
    return response.get_json()


def test_openapi_is_served_to_staff_only(app, client, make_user):
    assert client.get("/api/v1/openapi.json").status_code == 401
    spec = _spec(client, make_user)
    assert spec["openapi"].startswith("3.")
    assert spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_every_api_route_is_described(app, client, make_user):
    spec = _spec(client, make_user)
    undocumented = [
        f"{method.upper()} {path}"
        for path, ops in spec["paths"].items()
        for method, op in ops.items()
        if op.get("x-undocumented")
    ]
    assert not undocumented, (
        "API routes without a description in scout/views/api/openapi.py OPERATIONS: "
        + ", ".join(undocumented)
    )
    rules = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX + "/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert len(rules) == sum(len(ops) for ops in spec["paths"].values())


def test_served_spec_lists_only_routes_that_exist(app, client, make_user):
    spec = _spec(client, make_user)
    built = {(p[len(PREFIX) :], m) for p, ops in spec["paths"].items() for m in ops}
    assert built <= set(OPERATIONS)
    assert ("/openapi.json", "get") in built


def test_spec_loads_as_valid_openapi(app, client, make_user):
    spec = _spec(client, make_user)
    # Describe the routes still being built too, so their descriptions are checked as well.
    full = dict(spec)
    full["paths"] = {**spec["paths"]}
    for (path, method), op in OPERATIONS.items():
        full["paths"].setdefault(PREFIX + path, {}).setdefault(method, op)
    schema = schemathesis.openapi.from_dict(full)
    results = list(schema.get_all_operations())
    errors = [r.err() for r in results if not isinstance(r, Ok)]
    assert not errors, errors
    assert len(results) == len(OPERATIONS)
    for ops in full["paths"].values():
        for op in ops.values():
            assert op["responses"], op
            assert op.get("summary"), op


def test_every_parameter_error_is_documented_as_400(app):
    for (path, method), op in OPERATIONS.items():
        takes_input = op.get("parameters") or op.get("requestBody")
        if takes_input:
            assert "400" in op["responses"], f"{method.upper()} {path} takes input: document 400"
