"""What every part of the bulletin shares: its sections, languages and dates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l

from scout import clock
from scout.models import ResourceKind

# Sections in the order they are printed.
SECTIONS: dict[str, Any] = {
    "market": _l("Job offers on the open market"),
    "km_zero": _l("Km-zero job offers"),
    "professional": _l("Professional courses"),
    "labour_policy": _l("Active labour policies"),
    "italian": _l("Italian-language courses"),
    "services": _l("Useful services"),
    "local_training": _l("Local training activities"),
}
RESOURCE_SECTION = {
    ResourceKind.PROFESSIONAL_COURSE: "professional",
    ResourceKind.LABOUR_POLICY: "labour_policy",
    ResourceKind.ITALIAN_COURSE: "italian",
    ResourceKind.INCOME_SUPPORT: "services",
    ResourceKind.HOUSING_SUPPORT: "services",
    ResourceKind.CHILDCARE: "services",
    ResourceKind.HELP_DESK: "services",
    ResourceKind.DIGITAL_COURSE: "local_training",
    ResourceKind.OTHER: "local_training",
}
LANGUAGES = ("it", "en", "ar", "es", "fr")  # Italian first; the public pages' languages
SNAPSHOT_VERSION = 1


def today() -> date:
    """Today in the programme's time zone (a bulletin's date is a local date)."""
    return clock.today()


def week_of(day: date) -> date:
    """The Monday of ``day``'s week."""
    return day - timedelta(days=day.weekday())
