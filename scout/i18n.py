"""Locale choice: an explicit switch (remembered in a cookie), then the browser's language,
then Italian. Staff pages are offered in Italian and English only."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from flask import Blueprint, current_app, has_request_context, redirect, request, url_for
from flask_babel import format_date, format_decimal, get_locale, ngettext
from markupsafe import Markup

from scout.auth import safe_next

bp = Blueprint("i18n", __name__)

COOKIE = "lang"
STAFF_BLUEPRINTS = {"scout", "tutor", "admin", "auth"}
LANGUAGE_NAMES = {
    "it": "Italiano",
    "en": "English",
    "ar": "العربية",
    "es": "Español",
    "fr": "Français",
}


def _offered() -> list[str]:
    cfg = current_app.config
    if request.blueprint in STAFF_BLUEPRINTS:
        return cfg["STAFF_LANGUAGES"]
    return cfg["LANGUAGES"]


def select_locale() -> str:
    if not has_request_context():
        # CLI commands and background work: messages in the default language.
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    offered = _offered()
    explicit = request.args.get("lang") or request.cookies.get(COOKIE)
    if explicit in offered:
        return explicit
    return (
        request.accept_languages.best_match(offered) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def text_direction() -> str:
    return "rtl" if str(get_locale()) in current_app.config["RTL_LANGUAGES"] else "ltr"


# Unicode isolates: left-to-right (LRI), first strong (FSI), and their end (PDI).
LRI, FSI, PDI = "\u2066", "\u2068", "\u2069"


def ltr(value: Any) -> Markup:
    """A phone number, time, house number or address kept left to right inside any text,
    Arabic included: ``dir="ltr"`` isolates it in browsers, and the LRI…PDI marks do the same
    in WeasyPrint's PDFs, which ignore ``<bdi>`` and ``dir`` on inline elements."""
    if value is None or value == "":
        return Markup("")
    return Markup('<span dir="ltr">{}{}{}</span>').format(LRI, value, PDI)


def isolate(value: Any) -> Markup:
    """User text of unknown direction (a name, a title, free-text hours) set apart from the
    sentence around it, so that an Italian name in Arabic keeps its parentheses and order."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>{}{}{}</bdi>").format(FSI, value, PDI)


def iso_day(value: str | date | datetime | None) -> str:
    """A day (an ISO 8601 string, a date or a datetime) in the current locale's long form
    ("1 dicembre 2026"); datetimes in the app's time zone."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return format_date(value, format="long")


def offered_languages() -> list[tuple[str, str]]:
    return [(code, LANGUAGE_NAMES[code]) for code in _offered()]


@bp.route("/lang/<code>")
def switch(code: str) -> Any:
    """Remember the chosen language and go back where the visitor was."""
    response = redirect(safe_next(request.args.get("next")) or url_for("public.index"))
    if code in current_app.config["LANGUAGES"]:
        response.set_cookie(
            COOKIE,
            code,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
            httponly=True,
        )
    return response


def format_number(value: float | int | None) -> str:
    """A number in the current locale ("3.173,5" in Italian); whole numbers without decimals."""
    if value is None:
        return "—"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return format_decimal(value, format="#,##0.#")


def plural_forms(singular: str, plural: str) -> dict[str, str]:
    """``ngettext(singular, plural, n)`` for each CLDR plural category of the current locale,
    keyed by category ("one", "few", "other"...), for the browser to choose with
    ``Intl.PluralRules`` (static/js/lib/plural.js). ``{n}`` stays a placeholder."""
    samples = _plural_samples(str(get_locale()))
    return {category: ngettext(singular, plural, n) for category, n in samples}


@lru_cache(maxsize=16)
def _plural_samples(locale: str) -> tuple[tuple[str, int], ...]:
    """One number for each plural category of ``locale`` (the first that falls in it)."""
    rules = Locale.parse(locale)
    found: dict[str, int] = {}
    for n in (*range(0, 111), 1000, 1_000_000):
        found.setdefault(rules.plural_form(n), n)
    return tuple(found.items())
