"""Nationality groups of the funder's report, from ISO 3166-1 alpha-2 country codes.

The one table that says which country falls in which group; a country not listed counts as
"other". Maghreb is the five countries of the Arab Maghreb Union (Egypt has its own group, as
in the programme's reports).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_

GROUPS: dict[str, object] = {
    "egypt": _l("Egyptian"),
    "maghreb": _l("Maghreb"),
    "sri_lanka": _l("Sri Lankan"),
    "south_america": _l("South American"),
    "italy": _l("Italian"),
    "other_europe": _l("Other European"),
    "other_asia": _l("Other Asian"),
    "other_africa": _l("Other African"),
    "other": _l("Other or not recorded"),
}

COUNTRIES: dict[str, str] = {
    "EG": "egypt",
    **dict.fromkeys(("MA", "DZ", "TN", "LY", "MR"), "maghreb"),
    "LK": "sri_lanka",
    **dict.fromkeys(
        ("AR", "BO", "BR", "CL", "CO", "EC", "GY", "PY", "PE", "SR", "UY", "VE"), "south_america"
    ),
    "IT": "italy",
    **dict.fromkeys(
        ("AL", "BA", "BG", "GR", "HR", "MD", "ME", "MK", "PL", "RO", "RS", "UA", "XK"),
        "other_europe",
    ),
    **dict.fromkeys(("BD", "CN", "IN", "PH", "PK", "NP", "AF", "SY", "IQ"), "other_asia"),
    **dict.fromkeys(
        ("SN", "NG", "GH", "CI", "ML", "BF", "ER", "ET", "SO", "SD", "CM", "GN", "GM"),
        "other_africa",
    ),
}


def group_of(country: str | None) -> str:
    """The group key of an ISO alpha-2 code (any case; ``None`` or unknown: ``"other"``)."""
    return COUNTRIES.get((country or "").strip().upper(), "other")


def in_group(column: Any, group: str) -> Any:
    """SQL: the nationality in ``column`` falls in ``group`` (as :func:`group_of` says)."""
    code = func.upper(func.trim(column))
    if group == "other":
        return or_(column.is_(None), code.not_in(list(COUNTRIES)))
    return code.in_([c for c, g in COUNTRIES.items() if g == group])
