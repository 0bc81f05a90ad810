"""Login, logout, roles and API tokens.

Passwords are hashed with Argon2id. Browser sessions use Flask-Login; the JSON API also
accepts ``Authorization: Bearer <token>``, of which only the SHA-256 is stored.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import Select, bindparam, func, select
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from scout import audit
from scout.extensions import db, limit_key, limiter, login_manager
from scout.models import ApiToken, AuditAction, Role, User, utcnow

bp = Blueprint("auth", __name__)
F = TypeVar("F", bound=Callable[..., Any])

_hasher = PasswordHasher()
# A real hash to verify against when the e-mail is unknown, so timing does not tell.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(user: User | None, password: str) -> bool:
    try:
        return _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and bool(user)
    except (VerificationError, InvalidHashError):
        return False


def create_user(email: str, password: str, role: Role, name: str = "", **kw: Any) -> User:
    """Add a user to the session (flushes, does not commit)."""
    user = User(
        email=email.strip().lower(),
        password_hash=hash_password(password),
        role=role,
        name=name,
        **kw,
    )
    db.session.add(user)
    db.session.flush()
    return user


MIN_PASSWORD_LENGTH = 10


def end_sessions(user: User) -> None:
    """End every browser session of ``user`` (the session id carries ``session_version``)."""
    user.session_version = (user.session_version or 1) + 1


def set_password(user: User, password: str) -> None:
    """Store a new Argon2id hash and end the user's other sessions."""
    user.password_hash = hash_password(password)
    end_sessions(user)


def revoke_tokens(user: User, token_id: int | None = None) -> int:
    """Revoke one of ``user``'s API tokens, or all of them; returns how many were revoked."""
    query = select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    tokens = db.session.scalars(query).all()
    now = utcnow()
    for token in tokens:
        token.revoked_at = now
    db.session.flush()
    return len(tokens)


def issue_token(user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return it; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    db.session.add(ApiToken(user=user, name=name, token_hash=_token_hash(token)))
    db.session.flush()
    return token


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _bearer(req: Any) -> str | None:
    """The API token the request carries, if any (only the API accepts tokens)."""
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not req.path.startswith("/api/"):
        return None
    return header[7:].strip()


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    if _bearer(request) is not None:
        # A request that names its caller with a token is that token's, or nobody's: a
        # session cookie beside a revoked token must not go on answering for it.
        return None
    try:
        uid, version = (int(x) for x in user_id.split(":"))
    except ValueError:
        return None
    user = db.session.get(User, uid)
    if user is None or user.session_version != version or not user.active:
        return None
    return user


@functools.cache
def _token_user() -> Select:
    """One indexed query (the token's unique hash) straight to its active user; built once,
    as every API call asks it."""
    return (
        select(User)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(
            ApiToken.token_hash == bindparam("token_hash"),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    )


@login_manager.request_loader
def load_user_from_token(req: Any) -> User | None:
    token = _bearer(req)
    if token is None:
        return None
    user = db.session.scalar(_token_user(), {"token_hash": _token_hash(token)})
    if user is None:
        return None
    g.token_auth = True
    return user


def role_required(*roles: Role) -> Callable[[], Any]:
    """A ``before_request`` guard for a whole blueprint: login, then role."""

    def guard() -> Any:
        if not current_user.is_authenticated:
            if request.path.startswith("/api/") or request.is_json:
                abort(401)
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        if not current_user.has_role(*roles):
            abort(403)
        return None

    return guard


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to, or ``None``.

    Browsers drop tabs and newlines anywhere in a URL and read a backslash as ``/``, so
    ``/%09/evil.example`` would take the visitor to another site (and CR/LF cannot go in a
    header): control characters are stripped first, then anything with a scheme, a host or
    a second leading slash is refused.
    """
    if not target:
        return None
    cleaned = _CONTROL.sub("", target).replace("\\", "/")
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith("//"):
        return None
    return cleaned


HOME_BY_ROLE = {
    Role.SCOUT: "scout.index",
    # A tutor lands on what is new for her people since her last visit (issue 14): the
    # offers and courses published since that fit them, and the follow-ups due.
    Role.TUTOR: "outcomes.whats_new",
    Role.COORDINATOR: "admin.index",
}


def _account_key() -> str:
    """This client and the account it tries (both as a digest)."""
    return limit_key("account", (request.form.get("email") or "").strip().lower())


def _failed(response: Any) -> bool:
    """A login attempt that did not log anyone in (success is a redirect)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["LOGIN_RATE_LIMIT"],
    methods=["POST"],
    key_func=_account_key,
    deduct_when=_failed,
    scope="account",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_CLIENT_RATE_LIMIT"],
    methods=["POST"],
    key_func=limit_key,
    deduct_when=_failed,
    scope="client",
)
def login() -> Any:
    """Log a staff user in. Unknown e-mail and wrong password give the same message."""
    form = LoginForm()
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        user = db.session.scalar(select(User).where(func.lower(User.email) == email))
        if check_password(user, form.password.data) and user is not None and user.active:
            session.clear()
            login_user(user)
            session.permanent = True
            user.last_login_at = utcnow()
            audit.record(db.session, AuditAction.LOGIN, "user", user.id, user_id=user.id)
            db.session.commit()
            return redirect(safe_next(request.args.get("next")) or url_for(HOME_BY_ROLE[user.role]))
        flash(_("E-mail or password is not correct."), "danger")
    return render_template("auth/login.html", form=form)


class PasswordChangeForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


@bp.route("/account/password", methods=["GET", "POST"])
def change_password() -> Any:
    """Change one's own password. Every other session of the user ends; this one goes on."""
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.path))
    form = PasswordChangeForm()
    if form.validate_on_submit():
        if not check_password(current_user, form.current.data):
            form.current.errors.append(_("The current password is not correct."))
        else:
            user = current_user._get_current_object()
            set_password(user, form.password.data)
            db.session.commit()
            login_user(user)  # this session, with the new session_version
            flash(_("Password changed. Your other sessions have ended."), "success")
            return redirect(url_for(HOME_BY_ROLE[user.role]))
    return render_template("auth/password.html", form=form), 400 if form.errors else 200


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    """Log out, on the server too: the user's sessions end (``session_version``), so a copy
    of the session cookie taken before opens nothing afterwards. Like a password change, this
    ends the user's sessions on other devices as well."""
    if current_user.is_authenticated:
        end_sessions(current_user._get_current_object())
        audit.record(db.session, AuditAction.LOGOUT, "user", current_user.id)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("public.index"))
