"""Flask extensions, created unbound and bound in :func:`scout.create_app`."""

import hashlib
import hmac

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from geoalchemy2 import alembic_helpers

from scout.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(
    include_object=alembic_helpers.include_object,
    process_revision_directives=alembic_helpers.writer,
    render_item=alembic_helpers.render_item,
    compare_type=True,
)
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()


def limit_key(*parts: str) -> str:
    """A keyed digest of the client's address (behind a proxy: the one it forwarded) and
    ``parts``: rate-limit counters, and the limiter's log, hold no address or e-mail."""
    secret = str(current_app.config["SECRET_KEY"]).encode()
    message = "\0".join((request.remote_addr or "", *parts)).encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


limiter = Limiter(key_func=limit_key, default_limits=[])
