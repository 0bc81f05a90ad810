"""Web security: CSRF on every state-changing route, cookie flags, CSP and the usual headers on
every page, login rate limiting, Argon2id, session expiry and ending, token revocation, and
redirects that stay on the site."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from argon2 import Type, extract_parameters
from itsdangerous import TimestampSigner
from sqlalchemy import func, select, text

from scout import create_app
from scout.auth import check_password, issue_token
from scout.extensions import db, limiter
from scout.models import ApiToken, Base, Role, User
from tests.factories import PASSWORD
from tests.web import test_permissions
from tests.web.crawl import crawl, csp_directives, get_urls, parse
from tests.web.test_permissions import routes

sample_args = test_permissions.sample_args  # the fixture, shared
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
ROLES = {"scout": Role.SCOUT, "tutor": Role.TUTOR, "coordinator": Role.COORDINATOR}


def fingerprint() -> dict[str, str]:
    """A digest of every table's rows (the big reference tables by count only)."""
    out = {}
    for table in Base.metadata.sorted_tables:
        name = db.session.connection().dialect.identifier_preparer.quote(table.name)
        count = db.session.scalar(text(f"SELECT count(*) FROM {name}"))  # noqa: S608
        if count > 5000:
            out[table.name] = str(count)
            continue
        digest = (
            f"SELECT md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM {name} t"  # noqa: S608
        )
        out[table.name] = db.session.scalar(text(digest))  # table names from our metadata
    return out


def real_login(client, user: User, password: str = PASSWORD):
    """Log in through the login form (CSRF token taken from the form)."""
    page = client.get("/login")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    token = token or re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    data = {"email": user.email, "password": password}
    if token:
        data["csrf_token"] = token.group(1)
    return client.post("/login", data=data)


def is_login_redirect(response) -> bool:
    return response.status_code in (302, 303) and "/login" in (response.location or "")


# ---------------------------------------------------------------- CSRF


def write_routes(app, values):
    return [r for r in routes(app, values) if r.method in WRITE_METHODS]


@pytest.mark.parametrize("caller", ["anonymous", "coordinator"])
def test_every_form_route_refuses_a_write_without_csrf_token(
    app, client, login, make_user, sample_args, caller
):
    assert app.config.get("WTF_CSRF_ENABLED", True), "CSRF must be on in the test app"
    if caller == "coordinator":
        login(make_user(Role.COORDINATOR))
    db.session.commit()
    pages = [r for r in write_routes(app, sample_args) if not r.is_api]
    assert pages, "no state-changing page routes found"
    before = fingerprint()
    wrong = []
    for route in pages:
        response = client.open(route.url, method=route.method, data={"name": "x", "email": "x"})
        if response.status_code != 400:
            wrong.append(f"  {route}: {response.status_code}")
    assert not wrong, "writes accepted without a CSRF token:\n" + "\n".join(wrong)
    db.session.expire_all()
    after = fingerprint()
    changed = [t for t in before if before[t] != after[t]]
    assert not changed, f"a refused write changed tables: {changed}"


def test_api_writes_need_the_csrf_header_from_a_session_but_not_from_a_token(
    app, client, login, make_user, sample_args
):
    tutor = make_user(Role.COORDINATOR)
    token = issue_token(tutor, "csrf")
    db.session.commit()
    api_writes = [r for r in write_routes(app, sample_args) if r.is_api]
    if not api_writes:
        pytest.skip("no state-changing API route yet")
    login(tutor)
    before = fingerprint()
    for route in api_writes:
        response = client.open(route.url, method=route.method, json={})
        assert response.status_code == 400, f"{route}: {response.status_code} without X-CSRFToken"
        assert response.is_json
    db.session.expire_all()
    assert fingerprint() == before
    with client.session_transaction() as sess:
        sess.clear()
    for route in api_writes:
        response = client.open(
            route.url, method=route.method, json={}, headers={"Authorization": f"Bearer {token}"}
        )
        body = response.get_json(silent=True) or {}
        message = str(body.get("error", {}).get("message", ""))
        assert "CSRF" not in message, f"{route}: a bearer token caller was asked for CSRF"


def test_a_session_csrf_header_is_accepted_by_the_api(app, client, login, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    login(user)
    with client.session_transaction() as sess:
        sess["csrf_token"] = "a" * 40
    with app.test_request_context():
        from flask import session
        from flask_wtf.csrf import generate_csrf

        session["csrf_token"] = "a" * 40
        header = generate_csrf()
    # Any API write; an unknown path under the API still runs the guard first.
    response = client.post("/api/v1/search", json={}, headers={"X-CSRFToken": header})
    body = response.get_json(silent=True) or {}
    assert "CSRF" not in str(body.get("error", {}).get("message", ""))


# ---------------------------------------------------------------- cookies


@pytest.fixture
def restore_limiter():
    """Building another app re-initialises the shared Limiter; put it back afterwards."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


@pytest.fixture
def default_app(database_url, restore_limiter):
    """An app with the shipped configuration (no test overrides)."""
    other = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "s" * 32})
    yield other
    with other.app_context():
        db.engine.dispose()


def test_default_config_session_cookie_is_secure_httponly_samesite(default_app):
    cfg = default_app.config
    assert cfg["SESSION_COOKIE_SECURE"] is True
    assert cfg["SESSION_COOKIE_HTTPONLY"] is True
    assert cfg["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert cfg["REMEMBER_COOKIE_SECURE"] is True
    assert cfg["PERMANENT_SESSION_LIFETIME"] <= timedelta(hours=12)
    response = default_app.test_client().get("/login", base_url="https://localhost")
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert cookies, "GET /login should start a session (it holds the CSRF token)"
    flags = [p.strip().lower() for p in cookies[0].split(";")]
    assert "secure" in flags
    assert "httponly" in flags
    assert any(f.startswith("samesite=") and f != "samesite=none" for f in flags)


def test_default_config_refuses_to_start_without_a_secret(database_url, restore_limiter):
    with pytest.raises(RuntimeError):
        create_app({"DATABASE_URL": database_url, "SECRET_KEY": None})


# ---------------------------------------------------------------- CSP and headers


def check_headers(endpoint_frameable: bool, response) -> list[str]:
    problems = []
    h = response.headers
    if h.get("X-Content-Type-Options") != "nosniff":
        problems.append("X-Content-Type-Options is not nosniff")
    if h.get("Referrer-Policy") not in (
        "same-origin",
        "no-referrer",
        "strict-origin",
        "strict-origin-when-cross-origin",
    ):
        problems.append(f"Referrer-Policy is {h.get('Referrer-Policy')!r}")
    csp = h.get("Content-Security-Policy")
    if not csp:
        return [*problems, "no Content-Security-Policy"]
    d = csp_directives(csp)
    script = d.get("script-src", d.get("default-src", []))
    if "'unsafe-inline'" in script or "'unsafe-eval'" in script or "*" in script:
        problems.append(f"script-src too open: {script}")
    if any(s in ("data:", "http:", "https:") for s in script):
        problems.append(f"script-src allows a scheme: {script}")
    if d.get("object-src") != ["'none'"]:
        problems.append("object-src is not 'none'")
    if "base-uri" not in d:
        problems.append("no base-uri")
    if not endpoint_frameable:
        if d.get("frame-ancestors") not in (["'self'"], ["'none'"]):
            problems.append(f"frame-ancestors is {d.get('frame-ancestors')}")
        if h.get("X-Frame-Options") not in ("SAMEORIGIN", "DENY"):
            problems.append("no X-Frame-Options")
    return problems


def check_inline_scripts(response) -> list[str]:
    """Every inline <script> carries this response's nonce; no inline handlers or js: URLs."""
    csp = csp_directives(response.headers.get("Content-Security-Policy", ""))
    nonces = {s[len("'nonce-") : -1] for s in csp.get("script-src", []) if s.startswith("'nonce-")}
    page = parse(response.get_data(as_text=True))
    problems = []
    for attrs, body in page.scripts:
        if attrs.get("src"):
            src = attrs["src"] or ""
            if src.startswith(("http:", "https:", "//")):
                problems.append(f"script from another site: {src}")
            continue
        if (attrs.get("type") or "").lower() in ("application/json", "application/ld+json"):
            continue
        if attrs.get("nonce") not in nonces:
            problems.append(f"inline script without the nonce: {body.strip()[:60]!r}")
    problems += [f"inline event handler {h}" for h in page.event_handlers[:3]]
    problems += [f"javascript: URL {u}" for u in page.js_urls[:3]]
    return problems


@pytest.mark.parametrize("caller", ["anonymous", "scout", "tutor", "coordinator"])
def test_every_page_has_a_strict_csp_and_the_usual_headers(
    app, client, login, make_user, sample_args, caller
):
    from scout.security import FRAMEABLE

    user = make_user(ROLES[caller]) if caller in ROLES else None
    db.session.commit()
    relogin = (lambda: login(user)) if user else None
    seen_html = 0
    wrong = []
    for item in crawl(app, client, get_urls(app, sample_args), login=relogin):
        endpoint = app.url_map.bind("localhost").match(item.url.split("?")[0])[0]
        problems = check_headers(endpoint in FRAMEABLE, item.response)
        if item.is_html and item.response.status_code == 200:
            seen_html += 1
            problems += check_inline_scripts(item.response)
        wrong += [f"  {item.url}: {p}" for p in problems]
    assert seen_html, "no HTML page was crawled"
    assert not wrong, f"as {caller}:\n" + "\n".join(dict.fromkeys(wrong))


def test_frameable_pages_allow_framing_and_no_others(app):
    from scout.security import FRAMEABLE

    endpoints = {r.endpoint for r in app.url_map.iter_rules()}
    assert endpoints | {"public.embed"} >= FRAMEABLE
    assert all(e.startswith("public.") for e in FRAMEABLE), "only public pages may be framed"


def test_embed_page_may_be_framed(app, client):
    if "public.embed" not in {r.endpoint for r in app.url_map.iter_rules()}:
        pytest.skip("no embed page yet")
    url = next(r.url for r in routes(app) if r.endpoint == "public.embed")
    response = client.get(url)
    csp = csp_directives(response.headers["Content-Security-Policy"])
    assert "X-Frame-Options" not in response.headers
    assert csp["frame-ancestors"] != ["'self'"]


def test_nonce_changes_on_every_response(client):
    first = client.get("/login").headers["Content-Security-Policy"]
    second = client.get("/login").headers["Content-Security-Policy"]
    n1 = re.findall(r"'nonce-([^']+)'", first)
    n2 = re.findall(r"'nonce-([^']+)'", second)
    assert not n1 or n1 != n2


# ---------------------------------------------------------------- login rate limit


def test_eleventh_failed_login_in_a_minute_is_refused_with_a_message(
    database_url, restore_limiter, tmp_path
):
    from tests.conftest import TEST_CONFIG

    limited = create_app(
        {
            **TEST_CONFIG,
            "DATABASE_URL": database_url,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "WTF_CSRF_ENABLED": False,
            "UPLOAD_FOLDER": str(tmp_path),
        }
    )
    assert limited.config["LOGIN_RATE_LIMIT"] == "10 per minute"
    try:
        client = limited.test_client()
        data = {"email": "nobody@example.org", "password": "wrong password"}
        statuses = [client.post("/login", data=data).status_code for _ in range(10)]
        assert statuses == [200] * 10
        refused = client.post("/login", data=data)
        assert refused.status_code == 429
        assert refused.headers.get("Retry-After")
        assert parse_lead(refused.get_data(as_text=True))
        as_json = client.post("/login", data=data, headers={"Accept": "application/json"})
        assert as_json.status_code == 429
        assert as_json.get_json()["error"]["message"]
        # Other pages are not limited.
        assert client.get("/login").status_code == 200
    finally:
        with limited.app_context():
            db.engine.dispose()


def parse_lead(html: str) -> str:
    match = re.search(r'<p class="lead">([^<]+)</p>', html)
    return match.group(1).strip() if match else ""


# ---------------------------------------------------------------- passwords


def test_passwords_are_hashed_with_argon2id(app, make_user):
    user = make_user(Role.TUTOR)
    assert user.password_hash.startswith("$argon2id$")
    params = extract_parameters(user.password_hash)
    assert params.type is Type.ID
    assert params.memory_cost >= 19 * 1024  # OWASP's minimum for Argon2id
    assert PASSWORD not in user.password_hash
    assert check_password(user, PASSWORD)
    assert not check_password(user, PASSWORD + "x")
    assert not check_password(None, PASSWORD)


def test_login_form_logs_in_and_wrong_password_does_not(app, client, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    bad = real_login(client, user, "not the password")
    assert bad.status_code == 200
    assert is_login_redirect(client.get("/tutor/"))
    good = real_login(client, user)
    assert good.status_code == 302
    assert client.get("/tutor/").status_code == 200


# ---------------------------------------------------------------- sessions


def test_login_session_lasts_permanent_session_lifetime(app, client, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    response = real_login(client, user)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("session="))
    expires = re.search(r"Expires=([^;]+)", cookie)
    assert expires, "the login session should be permanent (with an expiry)"
    from email.utils import parsedate_to_datetime

    left = parsedate_to_datetime(expires.group(1)).timestamp() - time.time()
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert lifetime - 120 < left <= lifetime + 5


def test_an_expired_session_is_refused(app, client, make_user, monkeypatch):
    user = make_user(Role.TUTOR)
    db.session.commit()
    real_login(client, user)
    assert client.get("/tutor/").status_code == 200
    lifetime = int(app.permanent_session_lifetime.total_seconds())
    real_now = TimestampSigner.get_timestamp

    # Idle for just under the lifetime: still in (and the cookie is renewed).
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time()) + lifetime - 60
    )
    assert client.get("/tutor/").status_code == 200
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real_now)
    # Idle for longer than the lifetime since the last request: refused.
    monkeypatch.setattr(
        TimestampSigner, "get_timestamp", lambda self: int(time.time()) + 2 * lifetime + 60
    )
    assert is_login_redirect(client.get("/tutor/"))


def test_changing_ones_password_ends_the_other_sessions_only(app, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    here, elsewhere = app.test_client(), app.test_client()
    real_login(here, user)
    real_login(elsewhere, user)
    assert elsewhere.get("/tutor/").status_code == 200
    page = here.get("/account/password")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    new = "another long password"
    response = here.post(
        "/account/password",
        data={"csrf_token": token, "current": PASSWORD, "password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert here.get("/tutor/").status_code == 200
    assert is_login_redirect(elsewhere.get("/tutor/"))
    db.session.expire_all()
    assert check_password(db.session.get(User, user.id), new)


def test_wrong_current_password_changes_nothing(app, client, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    user = make_user(Role.TUTOR)
    db.session.commit()
    login(user)
    response = client.post(
        "/account/password",
        data={"current": "wrong", "password": "x" * 12, "confirm": "x" * 12},
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert check_password(db.session.get(User, user.id), PASSWORD)


def test_coordinator_password_reset_and_deactivation_end_sessions_and_tokens(
    app, make_user, login, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    coordinator = make_user(Role.COORDINATOR)
    tutor = make_user(Role.TUTOR)
    token = issue_token(tutor, "t")
    db.session.commit()
    admin, victim = app.test_client(), app.test_client()
    with admin.session_transaction() as sess:
        sess["_user_id"] = coordinator.get_id()
    real_login(victim, tutor)
    assert victim.get("/tutor/").status_code == 200

    new = "reset by the coordinator"
    r = admin.post(f"/admin/users/{tutor.id}/password", data={"password": new, "confirm": new})
    assert r.status_code == 302
    assert is_login_redirect(victim.get("/tutor/"))
    bearer = {"Authorization": f"Bearer {token}"}
    assert victim.get("/api/v1/places", headers=bearer).status_code == 200  # tokens survive

    real_login(victim, tutor, new)
    assert victim.get("/tutor/").status_code == 200
    r = admin.post(f"/admin/users/{tutor.id}/deactivate")
    assert r.status_code == 302
    assert is_login_redirect(victim.get("/tutor/"))
    assert victim.get("/api/v1/places", headers=bearer).status_code == 401
    assert real_login(victim, tutor, new).status_code == 200  # form again: refused
    assert is_login_redirect(victim.get("/tutor/"))


def test_coordinator_cannot_deactivate_themselves(app, client, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    login(coordinator)
    client.post(f"/admin/users/{coordinator.id}/deactivate")
    db.session.expire_all()
    assert db.session.get(User, coordinator.id).active
    assert client.get("/admin/").status_code == 200


def test_coordinator_creates_a_user_with_a_hashed_password(
    app, client, login, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    login(make_user(Role.COORDINATOR))
    db.session.commit()
    data = {"email": "New.Scout@Example.org", "name": "N", "role": "scout", "password": "x" * 12}
    assert client.post("/admin/users/new", data=data).status_code == 302
    user = db.session.scalar(select(User).where(User.email == "new.scout@example.org"))
    assert user.role is Role.SCOUT
    assert user.password_hash.startswith("$argon2id$")
    again = client.post("/admin/users/new", data=data)
    assert again.status_code == 200  # the form again, with the error on the e-mail field
    short = client.post(
        "/admin/users/new", data={**data, "email": "b@example.org", "password": "x"}
    )
    assert short.status_code == 200
    assert db.session.scalar(select(func.count()).where(User.email == "b@example.org")) == 0


# ---------------------------------------------------------------- tokens


def test_coordinator_page_lists_and_revokes_a_token(app, client, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    tutor = make_user(Role.TUTOR)
    keep, drop = issue_token(tutor, "keep"), issue_token(tutor, "drop")
    login(make_user(Role.COORDINATOR))
    db.session.commit()
    ids = {t.name: t.id for t in tutor.tokens}
    page = client.get(f"/admin/users/{tutor.id}")
    assert page.status_code == 200
    for token_id in ids.values():
        assert f'data-token-id="{token_id}"' in page.text
        assert f"/tokens/{token_id}/revoke" in page.text
    assert drop not in page.text  # only hashes are stored
    assert keep not in page.text
    r = client.post(f"/admin/users/{tutor.id}/tokens/{ids['drop']}/revoke")
    assert r.status_code == 302
    with client.session_transaction() as sess:
        sess.clear()  # a session would be used before the token
    assert (
        client.get("/api/v1/places", headers={"Authorization": f"Bearer {drop}"}).status_code == 401
    )
    assert (
        client.get("/api/v1/places", headers={"Authorization": f"Bearer {keep}"}).status_code == 200
    )


def test_a_token_of_another_user_cannot_be_revoked_through_this_user(
    app, client, login, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    a, b = make_user(Role.TUTOR), make_user(Role.TUTOR)
    issue_token(b, "b")
    login(make_user(Role.COORDINATOR))
    db.session.commit()
    token_id = b.tokens[0].id
    assert client.post(f"/admin/users/{a.id}/tokens/{token_id}/revoke").status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is None


def test_cli_revokes_one_token_or_all(app, runner, make_user):
    user = make_user(Role.TUTOR)
    first, second, third = (issue_token(user, n) for n in ("a", "b", "c"))
    db.session.commit()
    token_ids = sorted(t.id for t in user.tokens)
    client = app.test_client()

    def status(tok: str) -> int:
        return client.get("/api/v1/places", headers={"Authorization": f"Bearer {tok}"}).status_code

    assert status(first) == 200
    result = runner.invoke(
        args=["users", "revoke-token", user.email, "--token-id", str(token_ids[0])]
    )
    assert result.exit_code == 0, result.output
    assert "revoked 1" in result.output
    assert status(first) == 401
    assert status(second) == 200
    result = runner.invoke(args=["users", "revoke-token", user.email.upper(), "--all"])
    assert result.exit_code == 0, result.output
    assert "revoked 2" in result.output
    assert status(second) == 401
    assert status(third) == 401
    again = runner.invoke(args=["users", "revoke-token", user.email, "--all"])
    assert again.exit_code == 0
    assert "revoked 0" in again.output


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["--all", "--token-id", "1"],
    ],
)
def test_cli_revoke_needs_exactly_one_choice(app, runner, make_user, args):
    user = make_user(Role.TUTOR)
    db.session.commit()
    result = runner.invoke(args=["users", "revoke-token", user.email, *args])
    assert result.exit_code != 0


def test_cli_revoke_refuses_unknown_user_and_foreign_token(app, runner, make_user):
    a, b = make_user(Role.TUTOR), make_user(Role.TUTOR)
    issue_token(b, "b")
    db.session.commit()
    assert runner.invoke(args=["users", "revoke-token", "no@example.org", "--all"]).exit_code != 0
    result = runner.invoke(
        args=["users", "revoke-token", a.email, "--token-id", str(b.tokens[0].id)]
    )
    assert result.exit_code != 0
    db.session.expire_all()
    assert b.tokens[0].revoked_at is None


# ---------------------------------------------------------------- redirects


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"],
)
def test_login_and_language_switch_never_redirect_off_site(app, client, make_user, target):
    user = make_user(Role.TUTOR)
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = False
    try:
        response = client.post(
            "/login",
            query_string={"next": target},
            data={"email": user.email, "password": PASSWORD},
        )
    finally:
        app.config["WTF_CSRF_ENABLED"] = True
    assert response.status_code == 302
    assert response.location.startswith("/")
    assert not response.location.startswith("//")
    switched = client.get("/lang/en", query_string={"next": target})
    assert switched.location.startswith("/")
    assert not switched.location.startswith("//")
    assert "\\" not in switched.location
