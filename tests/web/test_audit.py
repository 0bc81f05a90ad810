"""Audit log browsing, record history, and removing an organisation from the public map."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from flask import render_template_string
from sqlalchemy import select

from scout import audit
from scout.auth import issue_token
from scout.extensions import db
from scout.models import AuditAction, AuditEvent, Organisation, Role
from scout.views.admin.audit import PER_PAGE


@pytest.fixture
def coordinator(app, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    user = make_user(Role.COORDINATOR, name="Coord")
    db.session.commit()
    login(user)
    return user


def _events(**where) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    for key, value in where.items():
        query = query.where(getattr(AuditEvent, key) == value)
    return list(db.session.scalars(query))


def _rows(html: str) -> int:
    return html.count('class="audit-event"')


def test_flag_change_is_audited_with_user_and_fields(app, client, coordinator, make_org):
    org = make_org(is_partner=True, public_consent=False)
    db.session.commit()
    response = client.post(
        f"/admin/organisations/{org.id}",
        data={"is_partner": "y", "public_consent": "y"},
    )
    assert response.status_code == 302
    (event,) = _events(entity="organisation", entity_id=org.id, action=AuditAction.UPDATE)
    assert event.user_id == coordinator.id
    assert event.changes == {"public_consent": [False, True]}


def test_audit_log_filters_by_user_entity_action_and_date(
    app, client, coordinator, make_user, make_place
):
    other = make_user(Role.SCOUT)
    place = make_place()
    audit.record(db.session, AuditAction.UPDATE, "place", place.id, {"name": ["a", "b"]}, other.id)
    audit.record(db.session, AuditAction.LOGIN, "user", other.id, user_id=other.id)
    audit.record(db.session, AuditAction.UPDATE, "offer", 99, {"title": ["x", "y"]}, coordinator.id)
    db.session.commit()

    html = client.get(f"/admin/audit?user={other.id}").get_data(as_text=True)
    assert _rows(html) == 2
    html = client.get(f"/admin/audit?user={other.id}&entity=place").get_data(as_text=True)
    assert _rows(html) == 1
    assert f"/admin/places/{place.id}" in html
    html = client.get(f"/admin/audit?user={other.id}&action=login").get_data(as_text=True)
    assert _rows(html) == 1
    html = client.get("/admin/audit?entity=offer&entity_id=99").get_data(as_text=True)
    assert _rows(html) == 1

    # The page's days are Rome's (the events' local time), which near midnight is not the
    # machine's UTC date.
    today = dt.datetime.now(ZoneInfo(app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    html = client.get(f"/admin/audit?user={other.id}&date_from={today}&date_to={today}")
    assert _rows(html.get_data(as_text=True)) == 2
    tomorrow = today + dt.timedelta(days=2)
    html = client.get(f"/admin/audit?user={other.id}&date_from={tomorrow}").get_data(as_text=True)
    assert _rows(html) == 0


def test_audit_log_refuses_bad_filters_naming_the_field(app, client, coordinator):
    response = client.get("/admin/audit?date_from=yesterday")
    assert response.status_code == 400
    assert 'id="date_from-error"' in response.get_data(as_text=True)
    response = client.get("/admin/audit?date_from=2026-05-02&date_to=2026-05-01")
    assert response.status_code == 400
    assert 'id="date_to-error"' in response.get_data(as_text=True)


def test_audit_log_is_paginated(app, client, coordinator):
    for n in range(PER_PAGE + 5):
        audit.record(db.session, AuditAction.UPDATE, "resource", 424242, {"n": [n, n + 1]})
    db.session.commit()
    first = client.get("/admin/audit?entity=resource&entity_id=424242").get_data(as_text=True)
    assert _rows(first) == PER_PAGE
    assert 'rel="next"' in first
    second = client.get("/admin/audit?entity=resource&entity_id=424242&page=2")
    assert _rows(second.get_data(as_text=True)) == 5


def test_place_page_shows_its_history(app, client, coordinator, make_place):
    place = make_place(name="Storia")
    db.session.commit()
    audit.record(
        db.session, AuditAction.UPDATE, "place", place.id, {"name": ["Vecchio nome", "Storia"]}
    )
    audit.record(db.session, AuditAction.UPDATE, "place", place.id + 100000, {"name": ["x", "y"]})
    db.session.commit()
    html = client.get(f"/admin/places/{place.id}").get_data(as_text=True)
    assert html.count('class="history-event') == 1
    assert "Vecchio nome" in html


def test_history_partial_is_reusable(app, make_place):
    place = make_place()
    audit.record(db.session, AuditAction.UPDATE, "place", place.id, {"notes": ["<b>x</b>", "y"]})
    db.session.flush()
    with app.test_request_context("/"):
        html = render_template_string(
            '{% with events = audit_history("place", pid) %}{% include "_history.html" %}'
            "{% endwith %}",
            pid=place.id,
        )
    assert html.count('class="history-event') == 1
    assert "<b>x</b>" not in html  # changes are escaped


def _public_urls(app) -> list[str]:
    """Every argument-free GET page and feed of the public site."""
    urls = []
    for rule in app.url_map.iter_rules():
        public = rule.endpoint.startswith(("public.", "ogc.")) and not rule.arguments
        if public and "GET" in (rule.methods or ()):
            urls.append(rule.rule)
    return urls


def test_removing_from_public_map_takes_effect_on_the_next_request(
    app, client, login, coordinator, make_place, make_user
):
    place = make_place(name="Associazione Zefiro Unica")
    org_id = place.organisation_id
    tutor = make_user(Role.TUTOR)
    token = issue_token(tutor, "t")
    db.session.commit()
    urls = _public_urls(app)
    assert "/" in urls
    shown = [u for u in urls if "Zefiro Unica" in client.get(u).get_data(as_text=True)]
    assert "/" in shown

    login(coordinator)
    response = client.post(f"/admin/organisations/{org_id}/unpublish")
    assert response.status_code == 302
    assert db.session.get(Organisation, org_id).public_consent is False
    (event,) = _events(entity="organisation", entity_id=org_id, action=AuditAction.UPDATE)
    assert event.changes == {"public_consent": [True, False]}
    assert event.user_id == coordinator.id

    client.post("/logout")
    for url in urls:
        body = client.get(url).get_data(as_text=True)
        assert "Zefiro Unica" not in body, url
    staff_feed = client.get("/api/v1/places", headers={"Authorization": f"Bearer {token}"})
    assert staff_feed.status_code == 200
    assert "Zefiro Unica" not in staff_feed.get_data(as_text=True)


def test_organisation_pages_list_partners_and_show_history(
    app, client, coordinator, make_org, make_place
):
    partner = make_org(name="Partner Alfa", is_partner=True)
    make_org(name="Non partner Beta", is_partner=False)
    make_place(name="Sede Alfa", organisation=partner)
    db.session.commit()
    listing = client.get("/admin/organisations").get_data(as_text=True)
    assert "Partner Alfa" in listing
    assert "Non partner Beta" not in listing
    found = client.get("/admin/organisations?all=1&q=partner+beta").get_data(as_text=True)
    assert "Non partner Beta" in found
    client.post(f"/admin/organisations/{partner.id}", data={"is_partner": "y"})
    page = client.get(f"/admin/organisations/{partner.id}").get_data(as_text=True)
    assert "Sede Alfa" in page
    assert page.count('class="history-event') == 1
    assert client.get("/admin/organisations/999999").status_code == 404
