"""How the audit log reads to a coordinator: record types and fields by their names in the UI
language (the labels of the forms that edit them), values as dates, times and words in her
locale; technical fields (ids, client keys, versions) left out."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from flask_babel import format_date, format_datetime, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms.fields.core import UnboundField

from scout.capture.forms import OfferForm, PlaceForm, ResourceForm, VisitForm
from scout.people.forms import PersonForm
from scout.people.outcome_forms import PlacementForm
from scout.views.admin import bp

ENTITY_LABELS = {
    "place": lazy_pgettext("record type", "Place"),
    "organisation": lazy_pgettext("record type", "Organisation"),
    "offer": lazy_pgettext("record type", "Job offer"),
    "resource": lazy_pgettext("record type", "Course or service"),
    "visit": lazy_pgettext("record type", "Visit"),
    "photo": lazy_pgettext("record type", "Photo"),
    "user": lazy_pgettext("record type", "User"),
    "api_token": lazy_pgettext("record type", "API token"),
    "bulletin": lazy_pgettext("record type", "Bulletin"),
    "bulletin_item": lazy_pgettext("record type", "Bulletin item"),
    "walk_network": lazy_pgettext("record type", "Walking network"),
    "search": lazy_pgettext("record type", "Search"),
    # The people the programme serves (issue 14): her record and what comes of it.
    "person": lazy_pgettext("record type", "Person's record"),
    "person_child": lazy_pgettext("record type", "Child's school"),
    "plan_step": lazy_pgettext("record type", "Plan step"),
    "consent": lazy_pgettext("record type", "Consent"),
    "new_match": lazy_pgettext("record type", "New match"),
    "matches_seen": lazy_pgettext("record type", "New matches seen"),
    "referral": lazy_pgettext("record type", "Referral"),
    "placement": lazy_pgettext("record type", "Placement"),
    "follow_up": lazy_pgettext("record type", "Follow-up"),
    "enrolment": lazy_pgettext("record type", "Course enrolment"),
    "autonomy_assessment": lazy_pgettext("record type", "Autonomy assessment"),
}
# Fields no coordinator reads: keys, counters, hashes. Never shown.
HIDDEN = frozenset(
    {
        "id",
        "client_key",
        "version",
        "session_version",
        "token_hash",
        "password_hash",
        "created_at",
        "updated_at",
        "created_by_id",
        "street_key",
    }
)
EXTRA_FIELDS = {
    "status": lazy_pgettext("record field", "Review status"),
    "review_comment": lazy_pgettext("record field", "Coordinator's comment"),
    "verified_at": lazy_pgettext("record field", "Verified on"),
    "verified_by_id": lazy_pgettext("record field", "Verified by"),
    "location": lazy_pgettext("record field", "Position"),
    "municipio": lazy_pgettext("record field", "Municipio"),
    "nil_id": lazy_pgettext("record field", "Neighbourhood (NIL)"),
    "organisation_id": lazy_pgettext("record field", "Organisation"),
    "place_id": lazy_pgettext("record field", "Place"),
    "user_id": lazy_pgettext("record field", "User"),
    "role": lazy_pgettext("record field", "Role"),
    "active": lazy_pgettext("record field", "Active"),
    "is_partner": lazy_pgettext("record field", "Network partner"),
    "public_consent": lazy_pgettext("record field", "Agreed to appear publicly"),
    "contacts_public": lazy_pgettext("record field", "Contacts public"),
    "results": lazy_pgettext("record field", "Results"),
    "source": lazy_pgettext("record field", "Source"),
    "last_login_at": lazy_pgettext("record field", "Last login"),
    "kinds": lazy_pgettext("record field", "Looked for"),
    "max_minutes": lazy_pgettext("record field", "Minutes on foot at most"),
    "origin": lazy_pgettext("record field", "Starting from"),
    "profile": lazy_pgettext("record field", "Walking pace"),
    "school_hours": lazy_pgettext("record field", "School hours given"),
    "with_school": lazy_pgettext("record field", "From a school"),
    "language": lazy_pgettext("record field", "Language"),
    "items": lazy_pgettext("record field", "Results printed"),
    "viewed": lazy_pgettext("record field", "What was viewed"),
    "reason": lazy_pgettext("record field", "Reason"),
    "forgotten": lazy_pgettext("record field", "At her request"),
}
# Words the search's audit rows store as codes: shown as the search page names them.
VALUE_LABELS = {
    "kinds": {
        "offer": _l("Job offer"),
        "course": _l("Course"),
        "service": _l("Service"),
        "organisation": _l("Partner organisation"),
    },
    "origin": {
        "hub": _l("Programme hub"),
        "map": _l("Point chosen on the map"),
        "address": _l("Address"),
        "point": lazy_pgettext("record field", "Position"),
    },
    "profile": {"standard": _l("Standard"), "stroller": _l("With a stroller")},
    # What of a person's record was read (scout.people.records.audit_read's ``what``).
    "viewed": {
        "record": _l("Her record"),
        "edit form": _l("Her record's form"),
        "home": _l("Her home address"),
        "consent form": _l("Consent form (PDF)"),
        "her data (JSON)": _l("Everything held about her (JSON)"),
        "her data (PDF)": _l("Everything held about her (PDF)"),
        "api": _l("Her record over the API"),
        "matches": _l("Search for her"),
        "referrals": _l("Referrals"),
        "outcomes": _l("Referrals and placements"),
        "placement": _l("New placement"),
    },
}
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _form_labels() -> dict[str, Any]:
    labels: dict[str, Any] = {}
    for form in (PlaceForm, OfferForm, ResourceForm, VisitForm, PersonForm, PlacementForm):
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField) and unbound.args:
                labels.setdefault(name, unbound.args[0])
            elif isinstance(unbound, UnboundField) and "label" in unbound.kwargs:
                labels.setdefault(name, unbound.kwargs["label"])
    return labels


_FIELD_LABELS = {**_form_labels(), **EXTRA_FIELDS}


@bp.app_template_filter("entity_label")
def entity_label(entity: str) -> str:
    """A record type in words ("place" → "Luogo"); unknown types as they are."""
    label = ENTITY_LABELS.get(entity)
    return str(label) if label is not None else entity


@bp.app_template_global("audit_fields")
def audit_fields(changes: dict[str, Any] | None) -> list[tuple[str, Any]]:
    """The shown ``(label, value)`` pairs of an event's changes, hidden fields left out."""
    out = []
    for key, value in sorted((changes or {}).items()):
        if key in HIDDEN:
            continue
        label = _FIELD_LABELS.get(key)
        words = VALUE_LABELS.get(key)
        if words:
            value = (
                [str(words.get(v, v)) for v in value]
                if isinstance(value, list)
                else (str(words.get(value, value)) if isinstance(value, str) else value)
            )
        out.append((str(label) if label is not None else key.replace("_", " "), value))
    return out


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str:
    """One stored value in the reader's locale: dates and times, yes/no, lists; "—" for none."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return ", ".join(audit_value(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {audit_value(v)}" for k, v in value.items())
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            return format_datetime(dt.datetime.fromisoformat(value), "short")
        except ValueError:
            return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return format_date(dt.date.fromisoformat(value), "medium")
        except ValueError:
            return value
    return str(value)
