"""Scout pages (``/scout``): touch-first capture of places, visits, offers and resources."""

from __future__ import annotations

from flask import Blueprint, render_template

from scout.auth import role_required
from scout.models import Role

bp = Blueprint("scout", __name__)
bp.before_request(role_required(Role.SCOUT))


@bp.route("/")
def index() -> str:
    return render_template("scout/index.html")
