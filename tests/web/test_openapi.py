"""The OpenAPI description at /api/v1/openapi.json: served, valid by openapi-spec-validator, and
complete (every API route of the URL map is described; a new one without a description fails
here). Its request schemas are the models the server parses with."""

from __future__ import annotations

import schemathesis
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError
from schemathesis.core.result import Ok

from scout.auth import issue_token
from scout.extensions import db
from scout.models import Role
from scout.validation import FALLBACK_MESSAGE, Say
from scout.views.api.openapi import OPERATIONS, PREFIX, build_spec, request_schemas


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
    assert spec["openapi"] == "3.1.0"
    assert spec["paths"]
    assert "bearerAuth" in spec["components"]["securitySchemes"]


def test_served_document_passes_openapi_spec_validator(app, client, make_user):
    validate(_spec(client, make_user))  # raises on any violation of OpenAPI 3.1


def test_the_validator_refuses_a_3_0_document_with_3_1_syntax(app, client, make_user):
    """The check above can fail: the 3.0-era mistake of ``{"type": "null"}`` is caught."""
    spec = _spec(client, make_user)
    spec["openapi"] = "3.0.3"
    try:
        validate(spec)
    except OpenAPIValidationError:
        return
    raise AssertionError("openapi-spec-validator accepted 3.1 schemas in a 3.0.3 document")


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
    api_ops = sum(len(ops) for path, ops in spec["paths"].items() if path.startswith(PREFIX))
    assert len(rules) == api_ops


def test_public_walk_and_scout_lookups_are_described(app, client, make_user):
    paths = _spec(client, make_user)["paths"]
    assert paths["/walk"]["post"]["security"] == []
    assert "requestBody" in paths["/walk"]["post"]
    lookups = paths["/scout/organisations.json"]["get"]
    assert lookups["security"] == [{"sessionCookie": []}]
    assert {p["name"] for p in lookups["parameters"]} == {"q"}
    addresses = paths["/scout/addresses.json"]["post"]
    assert addresses["security"] == [{"sessionCookie": []}]
    assert list(addresses["requestBody"]["content"]) == ["application/x-www-form-urlencoded"]


def test_served_spec_lists_only_routes_that_exist(app, client, make_user):
    spec = _spec(client, make_user)
    built = {(p, m) for p, ops in spec["paths"].items() for m in ops}
    assert built <= set(OPERATIONS)
    assert (PREFIX + "/openapi.json", "get") in built


def test_spec_loads_in_schemathesis(app, client, make_user):
    spec = _spec(client, make_user)
    schema = schemathesis.openapi.from_dict(spec)
    results = list(schema.get_all_operations())
    errors = [r.err() for r in results if not isinstance(r, Ok)]
    assert not errors, errors
    assert len(results) == sum(len(ops) for ops in spec["paths"].values())
    for ops in spec["paths"].values():
        for op in ops.values():
            assert op["responses"], op
            assert op.get("summary"), op


def test_every_parameter_error_is_documented_as_400(app):
    with app.test_request_context():
        spec = build_spec()
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if op.get("parameters") or op.get("requestBody"):
                assert "400" in op["responses"], f"{method.upper()} {path} takes input"


def test_every_request_field_has_its_own_message(app):
    """A refused field shows a message written for it, never the generic fallback."""
    with app.test_request_context():
        refs, _defs = request_schemas()
    for model in refs:
        for name, info in model.model_fields.items():
            says = [m for m in info.metadata if isinstance(m, Say)]
            assert says, f"{model.__name__}.{name} has no Say(...) message"
            assert says[0].message is not FALLBACK_MESSAGE


def test_origin_bounds_are_the_box_of_the_area_served(app, client, make_user):
    """Points the document allows lie in the box around the served area, not anywhere."""
    point = _spec(client, make_user)["components"]["schemas"]["PointOrigin"]["properties"]
    assert 9.0 < point["lon"]["minimum"] < point["lon"]["maximum"] < 9.4
    assert 45.3 < point["lat"]["minimum"] < point["lat"]["maximum"] < 45.6
