"""scout: lavoro a km zero. The application factory."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from typing import Any

from flask import Flask

from scout.paths import INSTANCE, MIGRATIONS, STATIC, TEMPLATES, TRANSLATIONS


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app: defaults from :mod:`scout.config`, then ``SCOUT_*`` environment
    variables, then ``test_config``."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES),
        static_folder=str(STATIC),
        instance_path=str(INSTANCE),
    )
    app.config.from_object("scout.config")
    app.config.from_prefixed_env("SCOUT")
    if test_config is not None:
        app.config.update(test_config)
    _finish_config(app)

    from scout import (
        audit,  # noqa: F401  (registers the audit listeners)
        ratelimit,  # noqa: F401  (registers the database storage of the limits)
    )
    from scout.extensions import babel, csrf, db, limiter, login_manager, migrate
    from scout.i18n import select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS))
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS),
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    limiter.init_app(app)

    from scout import assets, errors

    assets.init_app(app)

    errors.init_app(app)
    from scout import logs

    logs.init_app(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    from scout import security

    security.init_app(app)

    from scout.cli import register as register_cli

    register_cli(app)
    return app


def _finish_config(app: Flask) -> None:
    cfg = app.config
    if cfg.get("DATABASE_URL") and not cfg.get("SQLALCHEMY_DATABASE_URI"):
        url = cfg["DATABASE_URL"]
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://") :]
        cfg["SQLALCHEMY_DATABASE_URI"] = url
    if not cfg.get("SQLALCHEMY_DATABASE_URI"):
        raise RuntimeError(
            "No database configured: set SCOUT_DATABASE_URL "
            "(e.g. postgresql://user@host:5432/scout), or use `make run`."
        )
    if not cfg.get("SECRET_KEY"):
        if cfg.get("DEBUG") or cfg.get("TESTING"):
            cfg["SECRET_KEY"] = secrets.token_hex(32)
        else:
            raise RuntimeError("SCOUT_SECRET_KEY is not set; refusing to start without it.")
    if not cfg.get("RATELIMIT_STORAGE_URI"):
        cfg["RATELIMIT_STORAGE_URI"] = cfg["SQLALCHEMY_DATABASE_URI"]  # scout/ratelimit.py
    if not cfg.get("UPLOAD_FOLDER"):
        cfg["UPLOAD_FOLDER"] = os.path.join(app.instance_path, "uploads")
    if not cfg.get("WALK_GRAPH_FOLDER"):
        cfg["WALK_GRAPH_FOLDER"] = os.path.join(app.instance_path, "walkgraph")


def _register_blueprints(app: Flask) -> None:
    from scout.auth import bp as auth_bp
    from scout.extensions import csrf
    from scout.i18n import bp as i18n_bp
    from scout.views.admin import bp as admin_bp
    from scout.views.api import bp as api_bp
    from scout.views.basemap import bp as basemap_bp
    from scout.views.bulletin import bp as bulletin_bp
    from scout.views.ogc import bp as ogc_bp
    from scout.views.ops import bp as ops_bp
    from scout.views.ops import close_session
    from scout.views.outcomes import bp as outcomes_bp
    from scout.views.people import bp as people_bp
    from scout.views.public import bp as public_bp
    from scout.views.report import bp as report_bp
    from scout.views.scout import bp as scout_bp
    from scout.views.tutor import bp as tutor_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(ops_bp)
    # Runs before Flask-SQLAlchemy's teardown (teardowns run last registered first).
    app.teardown_appcontext(close_session)
    app.register_blueprint(basemap_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(i18n_bp)
    app.register_blueprint(scout_bp, url_prefix="/scout")
    app.register_blueprint(tutor_bp, url_prefix="/tutor")
    app.register_blueprint(people_bp, url_prefix="/people")
    app.register_blueprint(outcomes_bp, url_prefix="/people")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(ogc_bp, url_prefix="/ogc")
    app.register_blueprint(bulletin_bp, url_prefix="/bollettino")
    app.register_blueprint(report_bp, url_prefix="/report")
    # The API checks CSRF itself for cookie sessions; bearer-token callers need none.
    csrf.exempt(api_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from scout.i18n import format_number, iso_day, isolate, ltr, offered_languages, text_direction
    from scout.schedule import hours_text
    from scout.views.basemap import basemap_settings

    app.jinja_env.filters["number"] = format_number
    app.jinja_env.filters.update(ltr=ltr, isolate=isolate, iso_day=iso_day)
    app.jinja_env.globals.update(
        text_direction=text_direction,
        basemap_settings=basemap_settings,
        offered_languages=offered_languages,
        current_locale=lambda: str(get_locale()),
        # A place's opening hours in the page's language (the free text only if no windows).
        place_hours=lambda windows, note=None: hours_text(windows, note, str(get_locale())),
    )
