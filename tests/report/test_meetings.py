"""Coordinators record meetings with institutions and network events, and the day an
organisation joined the network; the report counts them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from scout.extensions import db
from scout.models import AuditEvent, Meeting, MeetingKind, Organisation


def test_coordinator_adds_and_edits_a_meeting(app, client, login, make_user, make_org, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    coordinator = make_user("coordinator", name="Cora")
    tutor = make_user("tutor", name="Tina")
    office = make_org(name="Comune di Milano", kind="institution")
    db.session.commit()
    login(coordinator)
    form = client.get("/admin/meetings/new").get_data(as_text=True)
    assert "Comune di Milano" in form
    assert "Tina" in form
    response = client.post(
        "/admin/meetings/new",
        data={
            "held_on": "2022-03-02",
            "kind": "institution_meeting",
            "organisation_id": str(office.id),
            "topic": "Tavolo lavoro",
            "attendees": [str(tutor.id), str(coordinator.id)],
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalars(select(Meeting)).one()
    assert meeting.kind == MeetingKind.INSTITUTION
    assert meeting.held_on == date(2022, 3, 2)
    assert {u.name for u in meeting.attendees} == {"Cora", "Tina"}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "meeting"))
    listing = client.get("/admin/meetings", query_string={"kind": "institution_meeting"})
    assert "Tavolo lavoro" in listing.get_data(as_text=True)
    response = client.post(
        f"/admin/meetings/{meeting.id}",
        data={
            "held_on": "2022-03-03",
            "kind": "training",
            "organisation_id": "",
            "counterpart": "ATS Milano",
            "topic": "SPID",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert (meeting.kind, meeting.counterpart, meeting.attendees) == (
        MeetingKind.TRAINING,
        "ATS Milano",
        [],
    )


def test_a_meeting_with_nobody_or_without_a_date_is_refused(
    app, client, login, make_user, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    login(make_user("coordinator"))
    response = client.post(
        "/admin/meetings/new",
        data={
            "held_on": "",
            "kind": "network_meeting",
            "organisation_id": "",
            "topic": "Rete",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="held_on-error"' in html
    assert 'id="counterpart-error"' in html
    assert db.session.scalar(select(db.func.count()).select_from(Meeting)) == 0


def test_the_day_an_organisation_joined_the_network(
    app, client, login, make_user, make_org, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    org = make_org(name="Parrocchia San Gerolamo", kind="parish")
    login(make_user("coordinator"))
    response = client.post(
        f"/admin/organisations/{org.id}",
        data={
            "is_partner": "y",
            "public_consent": "y",
            "joined_network_on": "2022-04-10",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, org.id).joined_network_on == date(2022, 4, 10)
    listing = client.get(
        "/admin/organisations",
        query_string={"joined_from": "2022-01-01", "joined_to": "2022-12-31"},
    )
    assert "Parrocchia San Gerolamo" in listing.get_data(as_text=True)
    listing = client.get(
        "/admin/organisations",
        query_string={"joined_from": "2023-01-01", "joined_to": "2023-12-31"},
    )
    assert "Parrocchia San Gerolamo" not in listing.get_data(as_text=True)
