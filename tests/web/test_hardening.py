"""What an attacker tries at the HTTP level (issue 19, security 4-8): open redirects through
``next``, locking staff out of the login, sessions that outlive logout or a revoked token,
origins in URLs and logs, crafted bodies, methods and Host headers."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import pytest

from scout.models import Role
from tests.factories import PASSWORD


def csrf_token(client, path: str = "/login") -> str:
    page = client.get(path)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    return match.group(1) if match else ""


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
    from scout.extensions import db

    user = make_user(Role.TUTOR)
    db.session.commit()
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post(f"/login?next={raw}", data=data)
    assert response.status_code == 302
    assert lands_on("/login", response.location) == "localhost"


def test_an_off_site_next_falls_back_to_the_home_page(app, client, make_user):
    from scout.extensions import db

    user = make_user(Role.TUTOR)
    db.session.commit()
    assert client.get("/lang/it?next=/%09/evil.example/x").location == "/"
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    response = client.post("/login?next=/%09/evil.example/x", data=data)
    assert response.location == "/tutor/"  # the role's home page


def test_a_same_site_next_is_kept(app, client, make_user):
    from scout.extensions import db

    user = make_user(Role.TUTOR)
    db.session.commit()
    switched = client.get("/lang/en?next=/data%3Fkind%3Dparish")
    assert switched.location == "/data?kind=parish"
    logged = log_in(client, user.email, query_string={"next": "/account/password"})
    assert logged.location == "/account/password"
