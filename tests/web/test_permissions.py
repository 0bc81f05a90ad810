"""Permission matrix: every rule and method of the URL map, called as every kind of caller, against
one declared table of who may do what. A route missing from the table fails the test.

How a refusal must look:
- JSON API (``/api/...``): never a redirect; 401 JSON for a caller that is not logged in,
  403 JSON for a logged-in caller (or token) with the wrong role;
- pages: a redirect to the login page for an anonymous caller (a bearer token counts as
  anonymous outside the API), 403 for a logged-in caller with the wrong role.

Each request runs in its own savepoint that is rolled back, so a POST that deletes or
deactivates something does not change what the next request sees.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from flask import Flask, got_request_exception
from werkzeug.routing import Rule

from scout.auth import issue_token
from scout.extensions import db
from scout.models import ApiToken, OrgKind, Role, Visit, VisitOutcome
from tests.factories import milan_today

ANON, SCOUT, TUTOR, COORD, TOKEN = "anonymous", "scout", "tutor", "coordinator", "token"
CALLERS = (ANON, SCOUT, TUTOR, COORD, TOKEN)

# Who may call. TOKEN is a bearer token of a tutor: it only counts on /api/.
EVERYONE = frozenset({ANON, SCOUT, TUTOR, COORD, TOKEN})
STAFF = frozenset({SCOUT, TUTOR, COORD})
STAFF_API = frozenset({SCOUT, TUTOR, COORD, TOKEN})
SCOUTS = frozenset({SCOUT, COORD})  # coordinators may do what scouts and tutors may
TUTORS = frozenset({TUTOR, COORD})
TUTORS_API = frozenset({TUTOR, COORD, TOKEN})
SCOUTS_API = frozenset({SCOUT, COORD})  # the token here is a tutor's
COORDINATORS = frozenset({COORD})

# endpoint → callers allowed, for every method of the rule. For a method that differs, add a
# row "endpoint METHOD" (e.g. "scout.place POST"); it wins over the plain row.
# Keep it sorted; add a row with every new route.
ACCESS: dict[str, frozenset[str]] = {
    "admin.audit_log": COORDINATORS,
    "admin.coverage_csv": COORDINATORS,
    "admin.coverage_funnel_csv": COORDINATORS,
    "admin.coverage_gpkg": COORDINATORS,
    "admin.coverage_map": COORDINATORS,
    "admin.scout_areas": COORDINATORS,
    "admin.scout_areas_save": COORDINATORS,
    "admin.bulletin_compose": COORDINATORS,
    "admin.bulletin_delete": COORDINATORS,
    "admin.bulletin_new": COORDINATORS,
    "admin.bulletin_preview": COORDINATORS,
    "admin.bulletin_retry_mail": COORDINATORS,
    "admin.bulletins": COORDINATORS,
    "admin.import_places_page": COORDINATORS,
    "admin.index": COORDINATORS,
    "admin.market_offer_edit": COORDINATORS,
    "admin.market_offer_withdraw": COORDINATORS,
    "admin.mapped": COORDINATORS,
    "admin.market_offers": COORDINATORS,
    "admin.meeting_edit": COORDINATORS,
    "admin.meeting_new": COORDINATORS,
    "admin.meetings": COORDINATORS,
    "admin.network": COORDINATORS,
    "admin.organisation_detail": COORDINATORS,
    "admin.organisation_unpublish": COORDINATORS,
    "admin.organisations": COORDINATORS,
    "admin.place_detail": COORDINATORS,
    "admin.visits": COORDINATORS,
    "admin.review_item": COORDINATORS,
    "admin.review_queue": COORDINATORS,
    "admin.token_revoke": COORDINATORS,
    "admin.user": COORDINATORS,
    "admin.user_activate": COORDINATORS,
    "admin.user_deactivate": COORDINATORS,
    "admin.user_new": COORDINATORS,
    "admin.user_password": COORDINATORS,
    "admin.users": COORDINATORS,
    "api.enrolment_end_api": TUTORS_API,
    "api.follow_up_api": TUTORS_API,
    "api.openapi": STAFF_API,
    "api.people_detail": TUTORS_API,
    "api.people_list": TUTORS_API,
    "api.person_autonomy": TUTORS_API,
    "api.person_autonomy_new": TUTORS_API,
    "api.person_enrolment_new": TUTORS_API,
    "api.person_enrolments": TUTORS_API,
    "api.person_placement_new": TUTORS_API,
    "api.person_placements": TUTORS_API,
    "api.person_referral_new": TUTORS_API,
    "api.person_referrals": TUTORS_API,
    "api.places": STAFF_API,
    "api.referral_step_api": TUTORS_API,
    "api.report": TUTORS_API,
    "api.search_address": STAFF_API,
    "api.search_isochrones": STAFF_API,
    "api.search_route": STAFF_API,
    "api.search_run": STAFF_API,
    "api.walk_isochrones": STAFF_API,
    "api.walk_reach": STAFF_API,
    "api.walk_route": STAFF_API,
    "auth.change_password": STAFF,
    "basemap.offline": EVERYONE,  # the public tiles a tablet keeps
    "basemap.tile": EVERYONE,
    "auth.login": EVERYONE,
    "auth.logout": EVERYONE,
    "bulletin.archive": EVERYONE,
    "bulletin.confirm": EVERYONE,
    "bulletin.feed": EVERYONE,
    "bulletin.pdf": EVERYONE,
    "bulletin.show": EVERYONE,
    "bulletin.subscribe": EVERYONE,
    "bulletin.text": EVERYONE,
    "bulletin.unsubscribe": EVERYONE,
    "i18n.switch": EVERYONE,
    "ogc.collection": EVERYONE,
    "ogc.collections": EVERYONE,
    "ogc.conformance": EVERYONE,
    "ogc.item": EVERYONE,
    "ogc.items": EVERYONE,
    "ogc.landing": EVERYONE,
    "ogc.openapi": EVERYONE,
    "ops.healthz": EVERYONE,
    "outcomes.autonomy": TUTORS,
    "outcomes.course_referrals": TUTORS,
    "outcomes.enrolment_end": TUTORS,
    "outcomes.enrolment_new": TUTORS,
    "outcomes.follow_up": TUTORS,
    "outcomes.matches": TUTORS,
    "outcomes.offer_referrals": TUTORS,
    "outcomes.outcomes": TUTORS,
    "outcomes.placement_new": TUTORS,
    "outcomes.placements_list": TUTORS,
    "outcomes.referral_new": TUTORS,
    "outcomes.referral_step": TUTORS,
    "outcomes.whats_new": TUTORS,
    "people.child_add": TUTORS,
    "people.child_delete": TUTORS,
    "people.consent_add": TUTORS,
    "people.consent_form": TUTORS,
    "people.consent_withdraw": TUTORS,
    "people.create": TUTORS,
    "people.data_json": TUTORS,
    "people.data_pdf": TUTORS,
    "people.edit": TUTORS,
    "people.forget": COORDINATORS,
    "people.home": TUTORS,
    "people.index": TUTORS,
    "people.show": TUTORS,
    "people.step_add": TUTORS,
    "people.step_delete": TUTORS,
    "people.step_done": TUTORS,
    "public.embed": EVERYONE,
    "public.hsds": EVERYONE,
    "public.index": EVERYONE,
    "public.opendata_page": EVERYONE,
    "public.places_csv": EVERYONE,
    "public.places_geojson": EVERYONE,
    "public.resources_csv": EVERYONE,
    "public.resources_geojson": EVERYONE,
    "public.share": EVERYONE,
    "public.walk": EVERYONE,
    "public.walk_route": EVERYONE,
    "report.csv": TUTORS,
    "report.page": TUTORS,
    "report.pdf": TUTORS,
    "report.xlsx": TUTORS,
    "scout.addresses_json": SCOUTS,
    "scout.coverage_map": SCOUTS,
    "scout.index": SCOUTS,
    "scout.nearby": SCOUTS,
    "scout.offer_edit": SCOUTS,
    "scout.offer_new": SCOUTS,
    "scout.organisations_json": SCOUTS,
    "scout.photo": SCOUTS,
    "scout.place": SCOUTS,
    "scout.place_edit": SCOUTS,
    "scout.place_new": SCOUTS,
    "scout.resource_edit": SCOUTS,
    "scout.resource_new": SCOUTS,
    "scout.service_worker": SCOUTS,
    "scout.manifest": SCOUTS,
    "scout.visit_new": SCOUTS,
    "tutor.index": TUTORS,
    "tutor.sheet_html": TUTORS,
    "tutor.sheet_pdf": TUTORS,
}

# Values for URL arguments not filled from the sample rows below (a 404 still proves access).
ARGS: dict[str, object] = {
    "code": "en",
    "kind": "place",
    "number": 1,
    "collection_id": "partners",
    "item_id": "1",
    "filename": "x.png",
    "fmt": "json",
    "lang": "it",
    "year": 2026,
    "week": 1,
    "token": "no-such-token",
    "what": "offers",
}


@dataclass(frozen=True)
class Route:
    endpoint: str
    method: str
    url: str
    rule: str

    @property
    def is_api(self) -> bool:
        return self.rule.startswith("/api/")

    def allowed(self) -> frozenset[str] | None:
        return ACCESS.get(f"{self.endpoint} {self.method}", ACCESS.get(self.endpoint))

    def __str__(self) -> str:
        return f"{self.method} {self.url} ({self.endpoint})"


def routes(app: Flask, values: dict[str, object] | None = None) -> list[Route]:
    """Every (rule, method) of the URL map but static files, with URL arguments filled in."""
    values = {**ARGS, **(values or {})}
    out = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (r.rule, r.endpoint)):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        url = _build(rule, values)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            out.append(Route(rule.endpoint, method, url, rule.rule))
    return out


def _build(rule: Rule, values: dict[str, object]) -> str:
    if not rule.arguments:
        return rule.rule
    args = {a: values.get(a, 1) for a in rule.arguments}
    return rule.build(args, append_unknown=False)[1]


def test_every_route_is_declared(app):
    declared = {key.split(" ")[0] for key in ACCESS}
    present = {r.endpoint for r in routes(app)}
    missing = sorted(present - declared)
    assert not missing, (
        "routes without a row in ACCESS (tests/web/test_permissions.py): "
        + ", ".join(missing)
        + "\nadd one per endpoint: who may call it"
    )
    stale = sorted(declared - present)
    assert not stale, f"rows in ACCESS for endpoints that no longer exist: {stale}"


def test_access_rows_name_known_callers():
    for key, allowed in ACCESS.items():
        assert allowed <= set(CALLERS), f"{key}: unknown caller in {sorted(allowed)}"


@pytest.fixture
def callers(app, make_user, make_org):
    hub = make_org(kind=OrgKind.HUB)  # the tutor works at a hub (the figures report is hers)
    users = {role: make_user(role) for role in (Role.SCOUT, Role.COORDINATOR)}
    users[Role.TUTOR] = make_user(Role.TUTOR, organisation_id=hub.id)
    token = issue_token(users[Role.TUTOR], "matrix")
    db.session.commit()
    return users, token


@pytest.fixture
def sample_args(app, make_user, make_place, make_offer, make_resource) -> dict[str, object]:
    """Real rows for the ids in URLs, so allowed callers reach the view's real work.
    The target user is nobody who calls: deactivating it changes no caller."""
    target = make_user(Role.SCOUT, name="Target")
    issue_token(target, "target")
    place = make_place()
    offer = make_offer(place)
    resource = make_resource(place)
    visit = Visit(
        place=place, user=target, visited_on=milan_today(), outcome=VisitOutcome.INTERESTED
    )
    db.session.add(visit)
    db.session.flush()
    token = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == target.id)).one()
    db.session.commit()
    return {
        "user_id": target.id,
        "token_id": token.id,
        "place_id": place.id,
        "offer_id": offer.id,
        "resource_id": resource.id,
        "visit_id": visit.id,
        "organisation_id": place.organisation_id,
        "item_id": str(place.id),
    }


@contextlib.contextmanager
def rolled_back() -> Iterator[None]:
    """A savepoint around one request, rolled back afterwards."""
    connection = db.engines[None]  # the test's connection (tests/conftest.py)
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            savepoint.rollback()


def _is_login_redirect(response) -> bool:
    return response.status_code in (301, 302, 303, 307) and "/login" in (response.location or "")


def _is_json(response) -> bool:
    return response.is_json and isinstance(response.get_json(silent=True), dict)


def check(route: Route, caller: str, response) -> str | None:
    """What is wrong with ``response`` for ``caller`` on ``route`` (None if nothing)."""
    status = response.status_code
    if status >= 500 and status != 503:
        return f"{status} server error"
    if route.is_api and 300 <= status < 400:
        return f"{status} redirect to {response.location} (the API never redirects)"
    allowed = caller in (route.allowed() or ())
    logged_in = caller in STAFF or (caller == TOKEN and route.is_api)
    refused = status in (401, 403) or _is_login_redirect(response)
    if allowed:
        return f"{status}: refused, but ACCESS allows {caller}" if refused else None
    if route.is_api:
        want = 403 if logged_in else 401
        if status != want or not _is_json(response):
            return f"{status} {response.mimetype}: should be {want} JSON"
        return None
    if not logged_in:
        if not _is_login_redirect(response):
            return f"{status}: should redirect to the login page"
        return None
    if status != 403:
        return f"{status}: should be 403 for a logged-in {caller}"
    return None


@contextlib.contextmanager
def server_errors(app: Flask) -> Iterator[list[BaseException]]:
    """Turn unhandled exceptions into 500 responses (as in production) and collect them, so
    one broken view shows up as a line of the report instead of stopping the test."""
    errors: list[BaseException] = []

    def record(_sender: object, exception: BaseException, **_kw: object) -> None:
        errors.append(exception)

    old = app.config["PROPAGATE_EXCEPTIONS"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    got_request_exception.connect(record, app)
    try:
        yield errors
    finally:
        got_request_exception.disconnect(record, app)
        app.config["PROPAGATE_EXCEPTIONS"] = old


@pytest.mark.parametrize("caller", CALLERS)
def test_matrix(app, client, login, callers, sample_args, caller, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    users, token = callers
    headers = {"Authorization": f"Bearer {token}"} if caller == TOKEN else {}
    wrong = []
    for route in routes(app, sample_args):
        if route.allowed() is None:
            continue  # test_every_route_is_declared reports it
        if caller in STAFF:
            login(users[Role(caller)])  # again each time: logout and password routes end it
        with server_errors(app) as errors, rolled_back():
            response = client.open(route.url, method=route.method, headers=headers)
        problem = check(route, caller, response)
        if problem and errors:
            problem += f" [{type(errors[0]).__name__}: {errors[0]}]"
        if problem:
            wrong.append(f"  {route}: {problem}")
    assert not wrong, f"as {caller}, {len(wrong)} route(s) disagree with ACCESS:\n" + "\n".join(
        wrong
    )


def test_deactivated_user_and_bad_token_are_anonymous(app, client, login, make_user, callers):
    users, token = callers
    tutor = users[Role.TUTOR]
    tutor.active = False
    db.session.commit()
    login(tutor)
    assert _is_login_redirect(client.get("/tutor/"))
    response = client.get("/api/v1/places", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert _is_json(response)
    wrong = client.get("/api/v1/places", headers={"Authorization": "Bearer not-a-token"})
    assert wrong.status_code == 401


def test_token_is_not_accepted_outside_the_api(app, client, callers):
    _users, token = callers
    response = client.get("/tutor/", headers={"Authorization": f"Bearer {token}"})
    assert _is_login_redirect(response)
