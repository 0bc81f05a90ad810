"""Typed errors with a user-safe message, and one handler that answers HTML or JSON.

Modelled on pygeoapi's ``GenericError`` (status + message) and microblog's errors blueprint
(HTML or JSON by ``Accept``, rollback on 500).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, make_response, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException, SecurityError

from scout.extensions import db

logger = logging.getLogger(__name__)


class ScoutError(Exception):
    """An error whose ``message`` can be shown to the user as is."""

    status_code = 400
    default_message: Any = _l("The request could not be processed.")

    def __init__(self, message: Any = None, *, field: str | None = None) -> None:
        self.message = str(message if message is not None else self.default_message)
        self.field = field
        super().__init__(self.message)


class BadRequest(ScoutError):
    status_code = 400


class NotFound(ScoutError):
    status_code = 404
    default_message = _l("Not found.")


class Conflict(ScoutError):
    status_code = 409
    default_message = _l("Someone else saved this record first.")


class OutOfArea(ScoutError):
    status_code = 400
    default_message = _l("This point is outside the area served (Municipio 2 and 3).")


class RoutingUnavailable(ScoutError):
    status_code = 503
    default_message = _l("Walking times are not available right now.")


class ImportFailed(ScoutError):
    """An import command's input was unusable; nothing was written."""


def wants_json() -> bool:
    json_path = request.path.startswith(("/api/", "/ogc")) or request.path.endswith(".json")
    if json_path or request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def _respond(status: int, message: str, field: str | None = None) -> tuple[Any, int]:
    if wants_json():
        body: dict[str, Any] = {"error": {"status": status, "message": message}}
        if field:
            body["error"]["field"] = field
        return body, status
    return render_template("errors/error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ScoutError)
    def handle_scout_error(err: ScoutError) -> tuple[Any, int]:
        db.session.rollback()
        return _respond(err.status_code, err.message, err.field)

    @app.errorhandler(HTTPException)
    def handle_http(err: HTTPException) -> Response | tuple[Any, int]:
        if err.code is not None and err.code < 400:
            return err.get_response()
        messages = {
            400: _("The request was not valid."),
            401: _("Please log in to see this page."),
            403: _("You do not have permission to see this page."),
            404: _("Page not found."),
            405: _("This method is not allowed here."),
            413: _("The file is too large."),
            429: _("Too many attempts. Please wait a minute and try again."),
        }
        message = messages.get(err.code or 500, err.description or "")
        if err.code == 400 and err.description and "CSRF" in err.description:
            message = _("The form has expired. Please reload the page and try again.")
        if isinstance(err, SecurityError):
            # A Host outside TRUSTED_HOSTS: no URL can be built, so no page with links.
            return Response(message, err.code, mimetype="text/plain")
        response = make_response(_respond(err.code or 500, message))
        # What the error says besides its page: Allow on a 405, Retry-After, WWW-Authenticate.
        for name, value in err.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(500)
    def handle_500(err: Exception) -> tuple[Any, int]:
        db.session.rollback()
        return _respond(500, _("Something went wrong on our side. Nothing was saved."))
