"""What an attacker tries at the HTTP level (issue 19, security 4-8): open redirects through
``next``, locking staff out of the login, sessions that outlive logout or a revoked token,
origins in URLs and logs, crafted bodies, methods and Host headers."""

from __future__ import annotations

import contextlib
import io
import logging
import re
import subprocess
import sys
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from sqlalchemy import select

from scout import create_app
from scout.auth import issue_token, revoke_tokens
from scout.extensions import db, limiter
from scout.models import RateLimitCounter, Role
from scout.paths import ROOT
from tests.conftest import TEST_CONFIG
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _restore_limiter():
    """Building another app re-initialises the shared Limiter; put it back afterwards."""
    saved = dict(vars(limiter))
    yield
    vars(limiter).clear()
    vars(limiter).update(saved)


def hardened_app(database_url: str, tmp_path, **config):
    """Another app, on the test database, with ``config`` over the test configuration."""
    return create_app(
        {**TEST_CONFIG, "DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path), **config}
    )


def dispose(other) -> None:
    with other.app_context():
        db.engine.dispose()


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', page.text)
    return match.group(1) if match else ""


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"


def log_in(client, email: str, password: str = PASSWORD, query_string=None, **kw):
    """Log in through the form, as a browser does (CSRF token from the page)."""
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, query_string=query_string, **kw)


def lands_on(page: str, location: str) -> str:
    """The host a browser goes to for ``Location: location`` (it drops tabs and newlines and
    reads a backslash as a slash)."""
    cleaned = re.sub(r"[\t\n\r]", "", location).replace("\\", "/")
    return urlsplit(urljoin(f"http://localhost{page}", cleaned)).netloc


# ---------------------------------------------------------------- 4. open redirects

# Raw query strings, exactly as an attacker's link carries them.
EVIL_NEXT = [
    "/%09/evil.example/x",
    "/%0a/evil.example/x",
    "%09//evil.example/x",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%5c/evil.example",
    "/%5C%5Cevil.example",
    "%20//evil.example",
    "https:evil.example",
    "https://evil.example/",
    "java%0ascript:alert(1)",
    "//evil.example",
]


@pytest.mark.parametrize("raw", EVIL_NEXT)
def test_language_switch_never_leaves_the_site_nor_fails(client, raw):
    response = client.get(f"/lang/it?next={raw}")
    assert response.status_code == 302
    assert lands_on("/lang/it", response.location) == "localhost"
    assert "\n" not in response.location
    assert "\r" not in response.location
    assert "Set-Cookie" not in str(response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("raw", EVIL_NEXT)
def test_login_never_sends_the_user_off_site_nor_fails(app, client, make_user, raw):
    user = make_user(Role.TUTOR)
    db.session.commit()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post(f"/login?next={raw}", data=data)
    assert response.status_code == 302
    assert lands_on("/login", response.location) == "localhost"


def test_an_off_site_next_falls_back_to_the_home_page(app, client, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    assert client.get("/lang/it?next=/%09/evil.example/x").location == "/"
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login?next=/%09/evil.example/x", data=data)
    assert response.location == "/people/whats-new"  # the role's home page


def test_a_same_site_next_is_kept(app, client, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    switched = client.get("/lang/en?next=/data%3Fkind%3Dparish")
    assert switched.location == "/data?kind=parish"
    logged = log_in(client, user.email, query_string={"next": "/account/password"})
    assert logged.location == "/account/password"


# ---------------------------------------------------------------- 8. crafted input


def test_deeply_nested_json_to_the_public_walk_is_a_clear_400(client):
    for depth in (100_000, 2_000):  # 200 kB, and one small enough to reach the parser
        body = "[" * depth + "]" * depth
        response = client.post("/walk", data=body, content_type="application/json")
        assert response.status_code in (400, 413), depth
        assert response.get_json()["error"]["message"]
    small = client.post("/walk", data="[" * 2000 + "]" * 2000, content_type="application/json")
    assert small.status_code == 400


def test_request_bodies_are_limited_per_route(app, client, login, make_user):
    big_json = '{"lon": 9.2271, "lat": 45.497, "pad": "' + "x" * 50_000 + '"}'
    response = client.post("/walk", data=big_json, content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["message"]
    big_form = client.post("/login", data={"email": "a@example.org", "password": "x" * 400_000})
    assert big_form.status_code == 413
    # Where photos go, a few megabytes still reach the form (and its own checks).
    user = make_user(Role.SCOUT)
    db.session.commit()
    login(user)
    photo = (io.BytesIO(b"\xff\xd8\xff" + b"0" * 3_000_000), "photo.jpg")
    upload = client.post(
        "/scout/places/new",
        data={"csrf_token": csrf_token(client, "/scout/places/new"), "photos": photo},
        content_type="multipart/form-data",
    )
    assert upload.status_code != 413
    assert upload.status_code < 500


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("GET", "/walk", {"POST"}),
        ("DELETE", "/login", {"GET", "POST"}),
        ("PUT", "/data/places.geojson", {"GET"}),
        ("GET", "/api/v1/search", {"POST"}),
    ],
)
def test_method_not_allowed_says_which_are(client, method, url, allowed):
    response = client.open(url, method=method)
    assert response.status_code == 405
    assert allowed <= {m.strip() for m in response.headers.get("Allow", "").split(",")}


@pytest.mark.parametrize("url", ["/bollettino/feed.atom", "/ogc/", "/ogc/collections"])
def test_a_forged_host_cannot_rewrite_links_and_ids(client, url):
    good = client.get(url)
    assert good.status_code == 200
    assert "evil.example" not in good.text
    forged = client.get(url, headers={"Host": "evil.example"})
    assert forged.status_code == 400
    assert "evil.example" not in forged.text
    behind = client.get(url, headers={"X-Forwarded-Host": "evil.example"})
    assert "evil.example" not in behind.text  # no proxy is trusted by default


def test_the_trusted_hosts_are_configurable(database_url, tmp_path):
    other = hardened_app(database_url, tmp_path, TRUSTED_HOSTS=["scout.example.org"])
    try:
        client = other.test_client()
        feed = client.get("/bollettino/feed.atom", headers={"Host": "scout.example.org"})
        assert feed.status_code == 200
        assert "http://scout.example.org/" in feed.text
        assert client.get("/bollettino/feed.atom").status_code == 400  # localhost is not
    finally:
        dispose(other)


# ---------------------------------------------------------------- 5. the login limiter


@contextlib.contextmanager
def limited_app(database_url, tmp_path, **config):
    """An app with the login limiter on (shipped storage: the database) whose requests run in
    the test's transaction, so they see the test's users."""
    other = hardened_app(database_url, tmp_path, RATELIMIT_ENABLED=True, **config)
    connection = db.engines[None]  # the test's, under the test's app context
    with other.app_context():
        engine = db.engines[None]
        db.engines[None] = connection
        limiter.reset()
    try:
        yield other
    finally:
        with other.app_context():
            limiter.reset()
            limiter.storage.close()
            db.engines[None] = engine
            engine.dispose()


WRONG = "not the password"


def attempt(client, email, password=WRONG, address=None):
    headers = {"X-Forwarded-For": address} if address else {}
    data = {"email": email, "password": password, "csrf_token": csrf_token(client)}
    return client.post("/login", data=data, headers=headers).status_code


def test_ten_wrong_logins_from_one_client_do_not_lock_out_another(
    database_url, tmp_path, make_user
):
    coordinator = make_user(Role.COORDINATOR)
    db.session.commit()
    with limited_app(database_url, tmp_path, PROXY_COUNT=1) as other:
        assert other.config["RATELIMIT_STORAGE_URI"].startswith("postgresql")
        attacker, staff = other.test_client(), other.test_client()
        wrong = [attempt(attacker, coordinator.email, address="203.0.113.9") for _ in range(10)]
        assert wrong == [200] * 10
        assert attempt(attacker, coordinator.email, address="203.0.113.9") == 429
        assert attempt(attacker, coordinator.email, PASSWORD, "203.0.113.9") == 429
        # The coordinator, at her desk behind the same proxy: her own ten tries, then in.
        mine = [attempt(staff, coordinator.email, address="198.51.100.20") for _ in range(3)]
        assert mine == [200] * 3
        assert attempt(staff, coordinator.email, PASSWORD, "198.51.100.20") == 302
        assert staff.get("/admin/").status_code == 200


def test_only_failed_logins_count(app, database_url, tmp_path, make_user):
    tutor = make_user(Role.TUTOR)
    db.session.commit()
    with limited_app(database_url, tmp_path, LOGIN_RATE_LIMIT="3 per minute") as other:
        client = other.test_client()
        assert [attempt(client, tutor.email, PASSWORD) for _ in range(6)] == [302] * 6
        assert [attempt(client, tutor.email) for _ in range(3)] == [200] * 3
        assert attempt(client, tutor.email, PASSWORD) == 429


def test_without_a_proxy_a_forged_forwarded_for_changes_nothing(app, database_url, tmp_path):
    with limited_app(database_url, tmp_path, LOGIN_RATE_LIMIT="3 per minute") as other:
        assert other.config["PROXY_COUNT"] == 0
        client = other.test_client()
        forged = [attempt(client, "a@example.org", address=f"192.0.2.{n}") for n in range(3)]
        assert forged == [200] * 3
        assert attempt(client, "a@example.org", address="192.0.2.99") == 429


def test_one_client_trying_many_accounts_is_limited_too(app, database_url, tmp_path):
    config = {"LOGIN_RATE_LIMIT": "3 per minute", "LOGIN_CLIENT_RATE_LIMIT": "5 per minute"}
    with limited_app(database_url, tmp_path, **config) as other:
        client = other.test_client()
        tries = [attempt(client, f"user{n}@example.org") for n in range(5)]
        assert tries == [200] * 5
        assert attempt(client, "user99@example.org") == 429


WORKER = """
import sys
from scout import create_app
app = create_app({"TESTING": True, "DATABASE_URL": sys.argv[1], "RATELIMIT_ENABLED": True,
                  "WTF_CSRF_ENABLED": False, "SESSION_COOKIE_SECURE": False,
                  "SECRET_KEY": "one secret for every worker"})
client = app.test_client()
data = {"email": "shared@example.org", "password": "wrong"}
print([client.post("/login", data=data).status_code for _ in range(int(sys.argv[2]))])
"""


def test_every_worker_counts_in_the_same_storage(app, database_url, tmp_path):
    """Two processes (as two gunicorn workers) share one count: 5 + 5, then refused."""
    config = {"WTF_CSRF_ENABLED": False, "SECRET_KEY": "one secret for every worker"}
    with limited_app(database_url, tmp_path, **config) as other:
        for _ in range(2):
            worker = subprocess.run(
                [sys.executable, "-c", WORKER, database_url, "5"],
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            assert worker.stdout.strip() == str([200] * 5)
        data = {"email": "shared@example.org", "password": "wrong"}
        assert other.test_client().post("/login", data=data).status_code == 429
        with other.app_context():
            keys = db.session.scalars(select(RateLimitCounter.key)).all()
        assert keys
        assert not any("shared" in k or "127.0.0.1" in k for k in keys)


# ---------------------------------------------------------------- 6. sessions end on the server


def test_a_session_cookie_copied_before_logout_opens_nothing_after_it(app, make_user):
    user = make_user(Role.TUTOR)
    db.session.commit()
    browser, thief = app.test_client(), app.test_client()
    assert log_in(browser, user.email).status_code == 302
    thief.set_cookie("session", browser.get_cookie("session").value)
    assert thief.get("/tutor/").status_code == 200
    out = browser.post("/logout", data={"csrf_token": csrf_token(browser, "/tutor/")})
    assert out.status_code == 302
    assert is_login_redirect(browser.get("/tutor/"))
    assert is_login_redirect(thief.get("/tutor/"))
    # Logging in again works, with a new session.
    assert log_in(browser, user.email).status_code == 302
    assert browser.get("/tutor/").status_code == 200
    assert is_login_redirect(thief.get("/tutor/"))


def test_a_session_beside_a_revoked_token_does_not_answer_for_it(app, make_user):
    tutor, other = make_user(Role.TUTOR), make_user(Role.TUTOR)
    token = issue_token(tutor, "script")
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    for owner in (tutor, other):  # her own session, or someone else's, beside the token
        client = app.test_client()
        assert log_in(client, owner.email).status_code == 302
        assert client.get("/api/v1/places", headers=bearer).status_code == 200
    script = app.test_client()
    first = script.get("/api/v1/places", headers=bearer)
    assert first.status_code == 200
    assert not first.headers.getlist("Set-Cookie"), "a token caller was given a session"
    revoke_tokens(tutor)
    db.session.commit()
    for owner in (tutor, other):
        client = app.test_client()
        log_in(client, owner.email)
        refused = client.get("/api/v1/places", headers=bearer)
        assert refused.status_code == 401, owner.email
        assert client.get("/api/v1/places").status_code == 200  # the session alone still works
    assert script.get("/api/v1/places", headers=bearer).status_code == 401


# ---------------------------------------------------------------- 7. origins in bodies only

LON, LAT = 9.22713, 45.49704  # a home in Via Padova: these digits must appear nowhere


def test_an_origin_in_a_url_is_refused(client, login, make_user):
    token = issue_token(make_user(Role.TUTOR), "url")
    scout = make_user(Role.SCOUT)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    for path in ("reach", "isochrones", "route"):
        url = f"/api/v1/walk/{path}?lon={LON}&lat={LAT}&place_id=1"
        response = client.get(url, headers=bearer)
        assert response.status_code == 405, path
        assert response.headers["Allow"].startswith("POST") or "POST" in response.headers["Allow"]
    login(scout)
    assert client.get(f"/scout/nearby?lon={LON}&lat={LAT}").status_code == 400
    assert client.get("/scout/nearby").status_code == 200  # the page itself


def test_no_log_line_holds_an_origin_or_an_address(app, live_server, make_user, caplog):
    """Through a real server (the development server `make run` uses): the public walk, the
    staff walk API and the scout's "to visit near me", as their pages send them."""
    caplog.set_level(logging.DEBUG)
    token = issue_token(make_user(Role.TUTOR), "logs")
    scout = make_user(Role.SCOUT, email="logged.scout@example.org")
    db.session.commit()
    base = live_server.url
    origin = {"lon": LON, "lat": LAT}
    with requests.Session() as browser:
        assert browser.post(f"{base}/walk", json=origin, timeout=30).status_code == 200
        bearer = {"Authorization": f"Bearer {token}"}
        for path in ("reach", "isochrones"):
            answer = browser.post(f"{base}/api/v1/walk/{path}", json=origin, headers=bearer)
            assert answer.status_code == 200, path
        page = browser.get(f"{base}/login", timeout=30).text
        csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = {"email": scout.email, "password": PASSWORD, "csrf_token": csrf}
        assert browser.post(f"{base}/login", data=data, timeout=30).url.endswith("/scout/")
        page = browser.get(f"{base}/scout/nearby", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        nearby = browser.post(f"{base}/scout/nearby", data={**origin, "csrf_token": csrf})
        assert nearby.status_code == 200
        assert nearby.url == f"{base}/scout/nearby"
    live_server.wait_idle()
    assert caplog.records, "nothing was logged at all"
    server_side = [r for r in caplog.records if not r.name.startswith("urllib3")]  # the client's
    assert any(r.name == "scout.access" for r in server_side)
    lines = [f"{r.name}: {r.getMessage()} {vars(r)}" for r in server_side]
    for line in lines:
        for secret in ("9.2271", "45.497", "lon=", "lat=", "127.0.0.1", "logged.scout"):
            assert secret not in line, f"{secret!r} in the log line {line[:200]!r}"
