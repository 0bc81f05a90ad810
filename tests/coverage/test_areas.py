"""Areas per scout: a coordinator assigns NIL; the scout's home shows their coverage, what is
due there and what is new."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from scout import coverage
from scout.extensions import db
from scout.models import Role
from tests.capture.test_scout import scout_client
from tests.factories import VIA_PADOVA

LON, LAT = VIA_PADOVA


def test_assigning_areas_replaces_them(make_user, make_place):
    scout = make_user(Role.SCOUT)
    nil = make_place().nil_id
    others = [n.id for n in coverage.served_nil() if n.id != nil][:2]
    coverage.assign(scout, [nil, *others])
    assert coverage.nil_ids_of(scout) == sorted([nil, *others])
    coverage.assign(scout, [nil])
    assert coverage.nil_ids_of(scout) == [nil]


def test_coordinator_assigns_and_refuses_a_nil_outside_the_area(
    app, login, make_user, make_place, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    scout = make_user(Role.SCOUT, name="Samira")
    nil = make_place().nil_id
    coordinator = login(make_user(Role.COORDINATOR))
    db.session.commit()
    page = coordinator.get("/admin/coverage/areas").get_data(as_text=True)
    assert f'id="areas-{scout.id}"' in page
    response = coordinator.post(f"/admin/coverage/areas/{scout.id}", data={"nil": [nil]})
    assert response.status_code == 302
    assert coverage.nil_ids_of(scout) == [nil]
    outside = coordinator.post(f"/admin/coverage/areas/{scout.id}", data={"nil": ["99999"]})
    assert outside.status_code == 400
    assert "Scegli quartieri dei municipi serviti." in outside.get_data(as_text=True)
    assert coverage.nil_ids_of(scout) == [nil]  # nothing changed


def test_the_scout_home_shows_her_areas_due_and_new(app, login, make_user, make_place, monkeypatch):
    scout = make_user(Role.SCOUT)
    stale = make_place("Bar da riverificare", verified_at=datetime.now(UTC) - timedelta(days=200))
    new = make_place("Negozio nuovo", verified_at=datetime.now(UTC))
    coverage.assign(scout, [stale.nil_id])
    client = scout_client(app, login, scout, monkeypatch)
    html = client.get("/scout/").get_data(as_text=True)
    assert f'data-area="{stale.nil_id}"' in html
    due = html.split('class="small mb-2 area-due"')[1].split("</ul>")[0]
    assert "Bar da riverificare" in due
    assert "Negozio nuovo" not in due
    fresh = html.split('class="small mb-0 area-new"')[1].split("</ul>")[0]
    assert "Negozio nuovo" in fresh
    assert new.nil_id == stale.nil_id
