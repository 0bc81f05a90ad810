"""Staff pages speak the coordinator's language: the audit log names record types and fields
as the forms do, shows dates and times in her locale and no technical keys; the users and
network pages write dates and numbers the Italian way; a refused upload says why in Italian,
next to the file field."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest

from scout import audit
from scout.extensions import db
from scout.models import AuditAction, Role


@pytest.fixture
def coordinator(app, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    user = make_user(Role.COORDINATOR, name="Coord")
    db.session.commit()
    login(user)
    return user


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_audit_log_reads_in_italian(client, coordinator, make_place):
    place = make_place()
    audit.record(
        db.session,
        AuditAction.UPDATE,
        "place",
        place.id,
        {
            "name": ["Bar Uno", "Bar Due"],
            "verified_at": [None, "2026-11-30T09:15:00+00:00"],
            "client_key": [None, "0f3c2a8e-6d8b-4e0a-9a55-0c4f3b2d9e11"],
            "is_partner": [False, True],
        },
        coordinator.id,
    )
    db.session.commit()
    text = _text(client.get("/admin/audit").get_data(as_text=True))
    assert "Luogo" in text  # the record type, not the table name "place"
    assert "Bar Uno" in text
    assert "Bar Due" in text
    assert "Verificato il" in text  # the field's label, not "verified_at"
    assert "verified_at" not in text
    assert "is_partner" not in text
    assert "0f3c2a8e" not in text  # the offline client key is no one's business here
    assert "2026-11-30T" not in text  # no ISO time: the Italian short date and local time
    assert re.search(r"30/11/26,? 10:15", text), text[:2000]
    assert " sì" in text.lower()


def test_users_and_network_pages_write_dates_and_numbers_in_italian(client, coordinator):
    coordinator.last_login_at = dt.datetime(2026, 11, 30, 9, 15, tzinfo=dt.UTC)
    db.session.commit()
    text = _text(client.get("/admin/users").get_data(as_text=True))
    assert "2026-11-30" not in text
    assert re.search(r"30/11/26,? 10:15", text)


def test_refused_network_upload_says_why_in_italian_next_to_the_field(client, coordinator):
    response = client.post(
        "/admin/network",
        data={"file": (io.BytesIO(b"garbage"), "bad.osm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    feedback = re.search(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', html, re.S)
    assert feedback, "no message next to the file field"
    assert "bad.osm non è un file OpenStreetMap leggibile" in feedback.group(1)
    assert "RuntimeError" not in html
    assert "ValueError" not in html


def test_number_filter_follows_the_locale(app):
    from flask_babel import force_locale

    from scout.i18n import format_number

    with app.test_request_context(), force_locale("it"):
        assert format_number(3173.0) == "3.173"
        assert format_number(12.5) == "12,5"
    with app.test_request_context(), force_locale("en"):
        assert format_number(3173.0) == "3,173"


def test_a_search_reads_in_words_in_the_audit_log(client, coordinator):
    audit.record(
        db.session,
        AuditAction.SEARCH,
        "search",
        changes={
            "origin": "hub",
            "kinds": ["course", "offer"],
            "max_minutes": 15,
            "profile": "stroller",
            "with_school": False,
        },
        user_id=coordinator.id,
    )
    db.session.commit()
    text = _text(client.get("/admin/audit").get_data(as_text=True))
    assert re.search(r"Partenza da\s*:\s*Sede del progetto", text)
    assert "max minutes" not in text
    assert "origin" not in text
    assert "Con il passeggino" in text
    assert "stroller" not in text


def test_the_people_records_read_in_words_in_the_audit_log(client, coordinator):
    """A read of a person's record, a referral's step and forgetting her: the record types
    and fields by their names, the view read in words (never a table name or a code)."""
    for action, entity, changes in (
        (AuditAction.READ, "person", {"viewed": "her data (JSON)"}),
        (AuditAction.UPDATE, "referral", {"status": ["proposed", "sent"]}),
        (AuditAction.CREATE, "placement", {"employer_name": "Bar Uno"}),
        (AuditAction.ANONYMISE, "person", {"reason": "sua richiesta", "forgotten": True}),
        (AuditAction.CREATE, "autonomy_assessment", {"searches_alone": True}),
    ):
        audit.record(db.session, action, entity, 7, changes, coordinator.id)
    db.session.commit()
    text = html.unescape(_text(client.get("/admin/audit").get_data(as_text=True)))
    for words in (
        "Scheda della persona",
        "Candidatura",
        "Inserimento lavorativo",
        "Valutazione dell'autonomia",
        "Cosa è stato consultato",
        "Tutto ciò che conserviamo su di lei (JSON)",
        "Su sua richiesta",
        "Datore di lavoro",
    ):
        assert words in text, words
    for code in ("autonomy_assessment", "her data (JSON)", "viewed", "employer_name", "forgotten"):
        assert code not in text, code
