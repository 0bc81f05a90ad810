"""Structured logs: one JSON object a line, with no personal data.

Each request gets an id (the caller's ``X-Request-ID`` when it looks like one, else a new
one), echoed in the response and in every log line written while it runs. The access line
holds the method, the endpoint *name* (never the URL: query strings carry a person's home
coordinates), the status and the duration. Bodies, query strings, coordinates, e-mail
addresses and IP addresses are never logged; SQL errors are logged without their
parameters (``hide_parameters`` on the engine).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import sys
import time
import uuid
from typing import Any

from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

ACCESS_LOGGER = "scout.access"
REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Attributes every LogRecord has; anything else was passed in ``extra=`` and is kept.
_RECORD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """``{"ts", "level", "logger", "msg", "request_id", ...extra}`` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = getattr(record, "request_id", None) or request_id()
        if rid:
            out["request_id"] = rid
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRS and key not in out:
                out[key] = value
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def configure(app: Flask) -> None:
    """Send the ``scout`` loggers (the app's own included) to stderr as JSON lines."""
    logger = logging.getLogger("scout")
    logger.setLevel(app.config["LOG_LEVEL"])
    logger.removeHandler(default_handler)  # Flask's plain-text handler
    if not any(h.get_name() == "scout-json" for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler.set_name("scout-json")
        logger.addHandler(handler)
    logger.propagate = False


class DropServerRequestLines(logging.Filter):
    """Drops the development server's per-request lines (werkzeug's ``127.0.0.1 - - [date]
    "GET /path?query" 200``): they hold the client's address and the whole URL. The app's
    own access line, above, says what is worth saying about each request."""

    _LINE = re.compile(r"^\S+ - - \[")

    def filter(self, record: logging.LogRecord) -> bool:
        return not (isinstance(record.msg, str) and self._LINE.match(record.msg))


def init_app(app: Flask) -> None:
    if app.config["LOG_JSON"] and not app.testing:
        configure(app)
    server = logging.getLogger("werkzeug")
    if not any(isinstance(f, DropServerRequestLines) for f in server.filters):
        server.addFilter(DropServerRequestLines())
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def start() -> None:
        given = request.headers.get(REQUEST_ID_HEADER, "")
        g.request_id = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        g.request_started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        rid = g.get("request_id")
        if rid:
            response.headers[REQUEST_ID_HEADER] = rid
        started = g.get("request_started")
        access.info(
            "request",
            extra={
                "method": request.method,
                "endpoint": request.endpoint or "(unmatched)",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1)
                if started
                else None,
            },
        )
        return response
