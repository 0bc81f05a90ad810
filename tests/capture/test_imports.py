"""CSV/GeoJSON place imports: all rows or none, a report of every bad row, re-import updates."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from scout.capture.imports import import_places
from scout.extensions import db
from scout.models import AuditEvent, Organisation, OrgKind, Place, PlaceSource, ReviewStatus, Role
from tests.factories import CITTA_STUDI, DUOMO, VIA_PADOVA

HEADER = "name,kind,lon,lat,street,civic_number,postcode,ref"
GOOD_CSV = f"""{HEADER}
Forno Padova,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},Via Padova,10,20127,f1
Parrocchia Città Studi,parish,{CITTA_STUDI[0]},{CITTA_STUDI[1]},Via Pascal,3,20133,p1
"""


def _count(dataset: str) -> int:
    return db.session.scalar(
        select(func.count()).select_from(Place).where(Place.source_dataset == dataset)
    )


def _places(dataset: str) -> dict[str, Place]:
    rows = db.session.scalars(select(Place).where(Place.source_dataset == dataset))
    return {p.source_ref: p for p in rows}


def test_good_csv_creates_draft_places_with_organisations(app, runner, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path), "--dataset", "t-good"])
    assert result.exit_code == 0, result.output
    assert "2 places created" in result.output
    places = _places("t-good")
    assert set(places) == {"f1", "p1"}
    forno = places["f1"]
    assert forno.status == ReviewStatus.DRAFT
    assert forno.source == PlaceSource.IMPORT
    assert forno.organisation.kind == OrgKind.EMPLOYER
    assert (forno.street, forno.civic_number, forno.postcode) == ("Via Padova", "10", "20127")
    assert forno.municipio == 2
    assert places["p1"].municipio == 3


def test_bad_rows_are_all_reported_and_nothing_is_written(app, runner, tmp_path):
    csv_text = f"""{HEADER}
Good one,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,,g1
Bad kind,bakery,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,,g2
Far away,employer,{DUOMO[0] - 0.05},{DUOMO[1]},,,,g3
,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,,g4
Not numbers,employer,east,{VIA_PADOVA[1]},,,,g5
Bad postcode,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,2012,g6
Twice,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,,g1
"""
    path = tmp_path / "bad.csv"
    path.write_text(csv_text, encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path), "--dataset", "t-bad"])
    assert result.exit_code != 0
    out = result.output
    # line numbers count the header as line 1
    for expected in (
        "line 3: kind:",
        "line 4: lon:",
        "line 5: name:",
        "line 6: lon:",
        "line 7: postcode:",
        "line 8: ref:",
    ):
        assert expected in out, out
    assert "line 2:" not in out
    assert "nothing imported" in out
    assert _count("t-bad") == 0


def test_reimporting_a_dataset_updates_instead_of_duplicating(app, runner, tmp_path):
    path = tmp_path / "partners.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path), "--dataset", "t-re"])
    assert result.exit_code == 0
    first = _places("t-re")
    first["f1"].status = ReviewStatus.PUBLISHED  # a coordinator's decision survives re-import
    db.session.commit()

    moved = GOOD_CSV.replace("Forno Padova", "Forno Padova 2").replace(
        f"{VIA_PADOVA[0]},{VIA_PADOVA[1]}", f"{CITTA_STUDI[0]},{CITTA_STUDI[1]}"
    )
    path.write_text(moved, encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path), "--dataset", "t-re"])
    assert result.exit_code == 0, result.output
    assert "0 places created, 2 updated" in result.output
    db.session.expire_all()
    again = _places("t-re")
    assert _count("t-re") == 2
    assert again["f1"].id == first["f1"].id
    assert again["f1"].name == "Forno Padova 2"
    assert again["f1"].municipio == 3  # moved, admin units recomputed
    assert again["f1"].status == ReviewStatus.PUBLISHED


def test_rows_without_ref_are_matched_by_name_and_address(app):
    lon, lat = VIA_PADOVA
    csv_text = f"name;kind;lon;lat;street;civic_number\nBar;employer;{lon};{lat};Via Padova;1\n"
    for _ in range(2):
        report = import_places(db.session, csv_text.encode(), "csv", "t-noref")
        assert report.ok, [str(e) for e in report.errors]
    assert _count("t-noref") == 1


def _feature(props, coords=VIA_PADOVA, fid=None, geometry_type="Point"):
    feature = {
        "type": "Feature",
        "properties": props,
        "geometry": {"type": geometry_type, "coordinates": list(coords)},
    }
    if fid is not None:
        feature["id"] = fid
    return feature


def test_geojson_import_and_feature_numbers_in_report(app, runner, tmp_path):
    good = {
        "type": "FeatureCollection",
        "features": [
            _feature({"name": "Associazione", "kind": "association"}, fid="a1"),
            _feature({"name": "Coop", "kind": "cooperative", "ref": "c1"}, CITTA_STUDI),
        ],
    }
    path = tmp_path / "network.geojson"
    path.write_text(json.dumps(good), encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path)])
    assert result.exit_code == 0, result.output
    assert set(_places("network")) == {"a1", "c1"}

    bad = {
        "type": "FeatureCollection",
        "features": [
            _feature({"name": "Ok", "kind": "association", "ref": "x1"}),
            _feature({"name": "Line", "kind": "association", "ref": "x2"}, geometry_type="Line"),
            _feature({"name": "Far", "kind": "association", "ref": "x3"}, (12.49, 41.89)),
            _feature({"kind": "association", "ref": "x4"}),
        ],
    }
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path)])
    assert result.exit_code != 0
    for expected in ("feature 2: geometry:", "feature 3: lon:", "feature 4: name:"):
        assert expected in result.output, result.output
    assert "feature 1:" not in result.output
    assert _count("bad") == 0


def test_unreadable_file_is_refused(app, runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("title,where\nfoo,bar\n", encoding="utf-8")
    result = runner.invoke(args=["geo", "import-places", str(path)])
    assert result.exit_code != 0
    assert "name" in result.output
    assert "kind" in result.output


def _upload(client, text: str, filename: str, dataset: str = ""):
    return client.post(
        "/admin/import",
        data={"file": (io.BytesIO(text.encode()), filename), "dataset": dataset},
        content_type="multipart/form-data",
    )


@pytest.fixture
def coordinator_client(app, login, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    user = make_user(Role.COORDINATOR)
    db.session.commit()
    return login(user), user


def test_upload_page_imports_and_audits(app, coordinator_client):
    client, user = coordinator_client
    response = _upload(client, GOOD_CSV, "partners.csv", "t-upload")
    assert response.status_code == 200
    assert b"import-done" in response.data
    places = _places("t-upload")
    assert len(places) == 2
    events = db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.entity == "place", AuditEvent.entity_id.in_([p.id for p in places.values()])
        )
    ).all()
    assert {e.user_id for e in events} == {user.id}


def test_upload_page_lists_bad_rows_and_writes_nothing(app, coordinator_client):
    client, _user = coordinator_client
    orgs_before = db.session.scalar(select(func.count()).select_from(Organisation))
    bad = GOOD_CSV + f"Bad,unknown,{VIA_PADOVA[0]},{VIA_PADOVA[1]},,,,b1\n"
    response = _upload(client, bad, "partners.csv", "t-upload-bad")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'data-line="4" data-field="kind"' in html
    assert html.count('class="import-error"') == 1
    assert _count("t-upload-bad") == 0
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == orgs_before


def test_upload_page_refuses_other_file_types(app, coordinator_client):
    client, _user = coordinator_client
    response = _upload(client, "hello", "notes.txt")
    assert response.status_code == 400


def test_a_file_over_the_row_limit_is_refused_saying_the_limit_and_what_to_do(
    app, coordinator_client
):
    client, _user = coordinator_client
    row = f"Forno,employer,{VIA_PADOVA[0]},{VIA_PADOVA[1]},Via Padova,10,20127"
    rows = "\n".join(f"{row},r{n}" for n in range(20_001))
    response = _upload(client, f"{HEADER}\n{rows}\n", "grande.csv", "t-too-big")
    assert response.status_code in (400, 422)
    html = response.get_data(as_text=True)
    assert "Il file ha più di 20000 righe" in html  # the limit, in her language
    assert "Dividilo in file di al massimo 20000 righe" in html  # and what to do
    assert _count("t-too-big") == 0
