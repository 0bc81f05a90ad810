"""A scout's coverage map shows her areas only; a coordinator's shows every NIL, or one
scout's areas when asked."""

from __future__ import annotations

from scout import coverage
from scout.models import Role
from tests.capture.test_scout import scout_client
from tests.factories import CITTA_STUDI


def cells_in(html: str) -> set[str]:
    table = html.split('id="coverage-table"')[1].split("</table>")[0]
    return {part.split('"')[0] for part in table.split('<tr data-cell="')[1:]}


def test_a_scout_sees_the_coverage_of_her_areas_only(
    app, login, make_user, make_place, monkeypatch
):
    mine = make_place("Nel mio quartiere")
    other = make_place("Altro quartiere", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1])
    assert mine.nil_id != other.nil_id
    scout = make_user(Role.SCOUT)
    coverage.assign(scout, [mine.nil_id])
    client = scout_client(app, login, scout, monkeypatch)
    html = client.get("/scout/coverage").get_data(as_text=True)
    assert cells_in(html) == {str(mine.nil_id)}
    # Asking for another scout or every area changes nothing.
    wider = client.get("/scout/coverage?scout=&areas=").get_data(as_text=True)
    assert cells_in(wider) == {str(mine.nil_id)}
    grid = client.get("/scout/coverage?kind=grid").get_data(as_text=True)
    hers = coverage.cells(coverage.Filters(kind="grid", nil_ids=(mine.nil_id,)))
    everyone = coverage.cells(coverage.Filters(kind="grid"))
    assert 0 < len(hers) < len(everyone)
    shown = cells_in(grid)
    assert shown == {c.key for c in hers if c.coverage is not None}
    # A square at the edge of her NIL counts only the places inside it.
    assert (
        sum(c.counts["places"] for c in hers)
        == coverage.cells(coverage.Filters(nil_ids=(mine.nil_id,)))[0].counts["places"]
    )
    assert client.get("/scout/coverage?since=2026-05-02&until=2026-05-01").status_code == 400


def test_a_scout_without_areas_sees_no_map(app, login, make_user, monkeypatch):
    client = scout_client(app, login, make_user(Role.SCOUT), monkeypatch)
    html = client.get("/scout/coverage").get_data(as_text=True)
    assert 'id="no-areas"' in html
    assert 'id="coverage-map"' not in html


def test_a_coordinator_sees_every_nil_or_one_scouts_areas(login, make_user, make_place):
    mine = make_place()
    scout = make_user(Role.SCOUT)
    coverage.assign(scout, [mine.nil_id])
    coordinator = login(make_user(Role.COORDINATOR))
    every = cells_in(coordinator.get("/admin/coverage").get_data(as_text=True))
    assert every == {n_id for n_id in (str(n.id) for n in coverage.served_nil())}
    hers = coordinator.get(f"/admin/coverage?scout={scout.id}&areas=y").get_data(as_text=True)
    assert cells_in(hers) == {str(mine.nil_id)}
    refused = coordinator.get("/admin/coverage?areas=y")
    assert refused.status_code == 400
