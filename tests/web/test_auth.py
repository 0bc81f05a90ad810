"""Login, logout, roles, CSRF on the login form, CLI users and API tokens."""

import re

import pytest
from sqlalchemy import select

from scout.extensions import db
from scout.models import ApiToken, AuditEvent, Role, User
from tests.factories import PASSWORD


def csrf_from(response) -> str:
    tag = re.search(r'<input[^>]*name="csrf_token"[^>]*>', response.text)
    assert tag, "the form carries a CSRF token"
    return re.search(r'value="([^"]+)"', tag.group(0)).group(1)


def post_login(client, email, password, **kw):
    token = csrf_from(client.get("/login"))
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, **kw
    )


@pytest.mark.parametrize(
    ("role", "home"),
    [("scout", "/scout/"), ("tutor", "/people/whats-new"), ("coordinator", "/admin/")],
)
def test_each_role_logs_in_and_lands_on_its_page(client, make_user, role, home):
    user = make_user(role)
    db.session.commit()
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 302
    assert response.location == home
    assert client.get(home).status_code == 200


def test_wrong_password_and_unknown_email_give_the_same_message(client, make_user):
    user = make_user("tutor")
    db.session.commit()
    wrong = post_login(client, user.email, "not the password")
    unknown = post_login(client, "nobody@example.org", "not the password")
    assert wrong.status_code == unknown.status_code == 200
    assert 'class="alert alert-danger"' in wrong.text
    alert = re.compile(r'<div class="alert alert-danger"[^>]*>([^<]+)</div>')
    assert alert.search(wrong.text).group(1) == alert.search(unknown.text).group(1)
    assert client.get("/tutor/").status_code == 302


def test_login_without_csrf_token_is_refused(client, make_user):
    user = make_user("tutor")
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/tutor/").status_code == 302


def test_login_is_audited_and_logout_ends_the_session(client, make_user):
    user = make_user("scout")
    db.session.commit()
    post_login(client, user.email, PASSWORD)
    page = client.get("/scout/")
    assert page.status_code == 200
    response = client.post("/logout", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert client.get("/scout/").status_code == 302
    actions = db.session.scalars(
        select(AuditEvent.action).where(
            AuditEvent.entity == "user", AuditEvent.entity_id == user.id
        )
    ).all()
    assert {"login", "logout"} <= {a.value for a in actions}


def test_open_redirect_after_login_is_ignored(client, make_user):
    user = make_user("tutor")
    db.session.commit()
    token = csrf_from(client.get("/login"))
    response = client.post(
        "/login?next=//evil.example/x",
        data={"email": user.email, "password": PASSWORD, "csrf_token": token},
    )
    assert response.location == "/people/whats-new"


def test_staff_pages_refuse_anonymous_and_wrong_roles(client, login, make_user):
    assert client.get("/admin/").status_code == 302
    assert "/login" in client.get("/admin/").location
    login(make_user("tutor"))
    assert client.get("/admin/").status_code == 403
    assert client.get("/scout/").status_code == 403


def test_coordinator_may_open_every_staff_area(client, login, make_user):
    login(make_user("coordinator"))
    for url in ("/admin/", "/scout/", "/tutor/"):
        assert client.get(url).status_code == 200


def test_deactivated_user_is_logged_out(client, login, make_user):
    user = make_user("tutor")
    login(user)
    assert client.get("/tutor/").status_code == 200
    user.active = False
    db.session.commit()
    assert client.get("/tutor/").status_code == 302


def test_cli_creates_a_user_with_a_hashed_password(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "New.Tutor@Example.org",
            "--role",
            "tutor",
            "--password",
            "a long enough password",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.tutor@example.org"))
    assert user.role is Role.TUTOR
    assert user.password_hash.startswith("$argon2id$")
    again = runner.invoke(
        args=[
            "users",
            "create",
            "new.tutor@example.org",
            "--role",
            "tutor",
            "--password",
            "a long enough password",
        ]
    )
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_cli_refuses_a_short_password(runner):
    result = runner.invoke(
        args=["users", "create", "x@example.org", "--role", "scout", "--password", "short"]
    )
    assert result.exit_code == 1
    assert db.session.scalar(select(User).where(User.email == "x@example.org")) is None


def test_cli_token_opens_the_api_and_only_its_hash_is_stored(runner, client, make_user):
    user = make_user("tutor")
    db.session.commit()
    result = runner.invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert client.get("/api/v1/places").status_code == 401
    ok = client.get("/api/v1/places", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    assert ok.json["type"] == "FeatureCollection"
    stored = db.session.scalars(select(ApiToken.token_hash)).all()
    assert token not in stored
    assert len(stored[0]) == 64
    bad = client.get("/api/v1/places", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json["error"]["status"] == 401


def test_a_token_does_not_open_html_pages(client, make_user):
    from scout.auth import issue_token

    token = issue_token(make_user("coordinator"))
    db.session.commit()
    response = client.get("/admin/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 302


def test_errors_raised_outside_a_request_carry_a_default_language_message(app):
    from scout.errors import OutOfArea

    with app.app_context():
        err = OutOfArea()
    assert err.message
    assert err.status_code == 400
