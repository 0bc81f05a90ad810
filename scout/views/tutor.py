"""Tutor pages (``/tutor``): find offers and resources a person can walk to."""

from __future__ import annotations

from flask import Blueprint, render_template

from scout.auth import role_required
from scout.models import Role

bp = Blueprint("tutor", __name__)
bp.before_request(role_required(Role.TUTOR))


@bp.route("/")
def index() -> str:
    return render_template("tutor/index.html")
