"""The programme's clock: today's date in its time zone (``BABEL_DEFAULT_TIMEZONE``).

Every surface that decides whether an offer is still open asks this one function, so an
offer past its expiry date leaves the tutors' search, the bulletin and the coverage map at
the same instant, local midnight in Milan, whatever the server's own time zone.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app


def now() -> datetime:
    """The current instant in the programme's time zone."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def today() -> date:
    """Today in the programme's time zone."""
    return now().date()
