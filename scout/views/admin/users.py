"""Coordinator pages for staff users: list, create, deactivate, reset a password, and see and
revoke a user's API tokens.

Every change that should end a user's sessions bumps ``session_version`` (see
:func:`scout.auth.end_sessions`); revoking a token sets ``revoked_at``, after which the token
gets 401 at once.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    ValidationError,
)

from scout.auth import MIN_PASSWORD_LENGTH, create_user, end_sessions, revoke_tokens, set_password
from scout.extensions import db
from scout.models import ApiToken, Role, User
from scout.views.admin import bp


class NewUserForm(FlaskForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Email(), Length(max=200)])
    name = StringField(_l("Name"), validators=[Optional(), Length(max=200)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice(r.value, r.label) for r in Role],
        validators=[DataRequired()],
    )
    password = PasswordField(
        _l("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )

    def validate_email(self, field: Any) -> None:
        email = field.data.strip().lower()
        if db.session.scalar(select(User.id).where(func.lower(User.email) == email)):
            raise ValidationError(_("A user with this e-mail already exists."))


class PasswordResetForm(FlaskForm):
    password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH, max=200)]
    )
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


def _user_or_404(user_id: int) -> User:
    return db.get_or_404(User, user_id)


@bp.route("/users")
def users() -> str:
    """Every staff user, active first."""
    rows = db.session.scalars(select(User).order_by(User.active.desc(), User.email)).all()
    return render_template("admin/users.html", users=rows)


@bp.route("/users/new", methods=["GET", "POST"])
def user_new() -> Any:
    form = NewUserForm()
    if form.validate_on_submit():
        user = create_user(
            form.email.data, form.password.data, Role(form.role.data), name=form.name.data or ""
        )
        db.session.commit()
        flash(_("User %(email)s created.", email=user.email), "success")
        return redirect(url_for("admin.user", user_id=user.id))
    return render_template("admin/users_new.html", form=form)


def _detail(target: User, password_form: PasswordResetForm | None = None) -> str:
    tokens = db.session.scalars(
        select(ApiToken).where(ApiToken.user_id == target.id).order_by(ApiToken.id.desc())
    ).all()
    return render_template(
        "admin/users_detail.html",
        user=target,
        tokens=tokens,
        password_form=password_form or PasswordResetForm(),
    )


@bp.route("/users/<int:user_id>")
def user(user_id: int) -> str:
    """A user's details, tokens (newest first) and the actions on them."""
    return _detail(_user_or_404(user_id))


@bp.post("/users/<int:user_id>/password")
def user_password(user_id: int) -> Any:
    """Set a new password; every session of the user ends."""
    target = _user_or_404(user_id)
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return _detail(target, form), 400
    set_password(target, form.password.data)
    db.session.commit()
    flash(_("Password changed; the user's sessions have ended."), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<int:user_id>/deactivate")
def user_deactivate(user_id: int) -> Any:
    """Deactivate a user: sessions end and tokens are revoked. Not oneself."""
    target = _user_or_404(user_id)
    if target.id == current_user.id:
        flash(_("You cannot deactivate yourself."), "danger")
        return redirect(url_for("admin.user", user_id=target.id))
    target.active = False
    end_sessions(target)
    revoke_tokens(target)
    db.session.commit()
    flash(_("User deactivated."), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<int:user_id>/activate")
def user_activate(user_id: int) -> Any:
    target = _user_or_404(user_id)
    target.active = True
    db.session.commit()
    flash(_("User reactivated."), "success")
    return redirect(url_for("admin.user", user_id=target.id))


@bp.post("/users/<int:user_id>/tokens/<int:token_id>/revoke")
def token_revoke(user_id: int, token_id: int) -> Any:
    """Revoke one of the user's tokens (a token of another user is a 404)."""
    target = _user_or_404(user_id)
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == target.id)
    )
    if token is None:
        abort(404)
    revoke_tokens(target, token_id=token.id)
    db.session.commit()
    flash(_("Token revoked."), "success")
    return redirect(url_for("admin.user", user_id=target.id))
