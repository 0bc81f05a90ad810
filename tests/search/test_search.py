"""``POST /api/v1/search`` and the search service on seeded data: filters, ranking, the school
walk and fit, validation, audit and privacy. Every ranking test runs twice: in estimate mode and
on an imported pedestrian network (a generated grid around Via Padova)."""

from __future__ import annotations

import importlib
import json
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bench.netgen import generate_grid
from scout.auth import issue_token
from scout.extensions import db
from scout.geo import LonLat, metres_per_degree
from scout.models import (
    AuditAction,
    AuditEvent,
    ContractType,
    ItalianLevel,
    OfferStatus,
    OrgKind,
    PartTime,
    ResourceKind,
    ReviewStatus,
    School,
)
from scout.walking.osm_import import import_osm
from tests.compression import DECODERS
from tests.factories import milan_today

GRID_ORIGIN = (9.2271, 45.4970)  # Via Padova, Municipio 2
SPACING = 80


def grid_point(col: float, row: float) -> LonLat:
    m_lon, m_lat = metres_per_degree(GRID_ORIGIN[1])
    return LonLat(
        GRID_ORIGIN[0] + col * SPACING / float(m_lon),
        GRID_ORIGIN[1] + row * SPACING / float(m_lat),
    )


# Her home: a point with distinctive decimals, between grid junctions.
HOME = LonLat(round(grid_point(1.3, 1.2).lon, 7), round(grid_point(1.3, 1.2).lat, 7))


def weekdays(start: str, end: str, days=range(5)) -> list[dict]:
    return [{"day": d, "start": start, "end": end} for d in days]


@pytest.fixture(params=["estimate", "network"])
def mode(request, app, tmp_path):
    """Run in estimate mode, or with a 22 x 16 grid (80 m) imported as the walking network."""
    if request.param == "network":
        path = generate_grid(tmp_path / "grid.osm", 22, 16, spacing_m=SPACING, origin=GRID_ORIGIN)
        import_osm(db.session, path)
    return request.param


@pytest.fixture
def seeded(app, make_place, make_org, make_offer, make_resource):
    """Places around HOME with offers, courses and services; some must never show up."""
    today = milan_today()

    def at(col, row, name, **kw):
        p = grid_point(col, row)
        return make_place(
            name=name, lon=p.lon, lat=p.lat, street="Via Test", civic_number=name[-2:], **kw
        )

    near = at(3, 1, "Pulizie Vicine 01")
    make_offer(
        near,
        "Pulizie uffici",
        sector="pulizie",
        contract_type=ContractType.DETERMINATO,
        part_time=PartTime.ORIZZONTALE,
        italian_level=ItalianLevel.A2,
        schedule=weekdays("09:00", "13:00"),
        how_to_apply="Chiamare il lunedì",
    )
    make_offer(near, "Offerta scaduta", expires_on=today - timedelta(days=1))
    make_offer(near, "Offerta chiusa", offer_status=OfferStatus.FILLED)
    make_offer(near, "Offerta in bozza", status=ReviewStatus.DRAFT)

    mid = at(6, 3, "Trattoria Media 02")
    make_offer(
        mid,
        "Cameriera weekend",
        sector="ristorazione",
        contract_type=ContractType.VOUCHER,
        part_time=PartTime.VERTICALE,
        italian_level=ItalianLevel.B1,
        schedule=weekdays("18:30", "23:00", days=[5, 6]),
    )
    course_place = at(1, 6, "Parrocchia Corsi 03")
    make_resource(
        course_place,
        "Italiano A2",
        kind=ResourceKind.ITALIAN_COURSE,
        schedule=[{"day": 0, "start": "09:00", "end": "11:00"}],
        how_to_enrol="In segreteria",
    )
    service_place = at(8, 1, "Sportello Casa 04")
    make_resource(service_place, "Sportello casa", kind=ResourceKind.HOUSING_SUPPORT)
    partner = at(2, 3, "Associazione Amica 05", org_kind=OrgKind.ASSOCIATION)
    at(2, 4, "Negozio Non Partner 06", org_is_partner=False, org_public_consent=False)
    draft = at(2, 1, "Bozza Vicina 07", status=ReviewStatus.DRAFT)
    make_offer(draft, "Offerta di un posto in bozza")
    far = at(40, 30, "Lontano 08")
    make_offer(far, "Offerta lontana")
    school = School(
        code="MITEST001",
        name="Primaria di prova",
        school_type="Primaria",
        street="Via Russo",
        civic_number="27",
        location=grid_point(4, 2).wkt,
    )
    db.session.add(school)
    db.session.flush()
    return {
        "near": near,
        "mid": mid,
        "course": course_place,
        "service": service_place,
        "partner": partner,
        "school": school,
    }


@pytest.fixture
def api(app, client, make_user):
    """POST JSON to the API as a tutor with a bearer token (no CSRF needed)."""
    token = issue_token(make_user("tutor"), "tests")

    def post(path, body, **kw):
        return client.post(
            f"/api/v1{path}", json=body, headers={"Authorization": f"Bearer {token}"}, **kw
        )

    return post


def _open_offer(place):
    """The place's open offer (its offers come in no set order; some are expired or closed)."""
    return next(o for o in place.offers if o.title.startswith("Pulizie"))


def search(api, **body):
    body.setdefault("origin", {"lon": HOME.lon, "lat": HOME.lat, "source": "address"})
    response = api("/search", body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def titles(result):
    return [f["properties"]["title"] for f in result["features"]]


def test_results_are_ranked_by_walking_time_and_numbered_by_place(api, seeded, mode):
    result = search(api, max_minutes=15)
    assert result["estimate"] is (mode == "estimate")
    found = set(titles(result))
    assert {"Pulizie uffici", "Cameriera weekend", "Italiano A2", "Sportello casa"} <= found
    assert "Associazione Amica 05" in found  # a partner, as an organisation result
    never = {
        "Offerta scaduta",
        "Offerta chiusa",
        "Offerta in bozza",
        "Offerta di un posto in bozza",
    }
    assert not never & found
    assert "Offerta lontana" not in found
    assert "Negozio Non Partner 06" not in found
    minutes = [f["properties"]["walk_minutes"] for f in result["features"]]
    assert minutes == sorted(minutes)
    numbers = {}
    for f in result["features"]:
        numbers.setdefault(f["properties"]["place_id"], f["properties"]["number"])
        assert numbers[f["properties"]["place_id"]] == f["properties"]["number"]
    assert sorted(numbers.values()) == list(range(1, len(numbers) + 1))
    order = [seeded[k].id for k in ("near", "mid", "service")]
    ranks = [numbers[pid] for pid in order]
    assert ranks == sorted(ranks)
    first = result["features"][0]
    assert first["geometry"]["type"] == "Point"
    assert first["properties"]["place_id"] == seeded["near"].id
    assert result["count"] == len(result["features"])


def test_walking_minutes_cap_the_results(api, seeded, mode):
    wide = search(api, max_minutes=15)
    short = search(api, max_minutes=5)
    assert 0 < short["count"] < wide["count"]
    assert all(f["properties"]["walk_minutes"] <= 5 for f in short["features"])


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"sector": "pulizie"}, {"Pulizie uffici"}),
        ({"contract_types": ["voucher"]}, {"Cameriera weekend"}),
        ({"part_times": ["orizzontale"]}, {"Pulizie uffici"}),
        ({"max_italian_level": "A2"}, {"Pulizie uffici"}),
        ({"max_italian_level": "B2"}, {"Pulizie uffici", "Cameriera weekend"}),
        ({"contract_types": ["indeterminato"]}, set()),
    ],
)
def test_offer_filters(api, seeded, filters, expected):
    result = search(api, kinds=["offer"], max_minutes=20, **filters)
    assert set(titles(result)) == expected


def test_kinds_choose_what_comes_back(api, seeded, mode):
    courses = search(api, kinds=["course"], max_minutes=20)
    assert titles(courses) == ["Italiano A2"]
    services = search(api, kinds=["service"], max_minutes=20)
    assert titles(services) == ["Sportello casa"]
    partners = search(api, kinds=["organisation"], max_minutes=20)
    assert {f["properties"]["kind"] for f in partners["features"]} == {"organisation"}
    assert "Associazione Amica 05" in titles(partners)
    mixed = search(api, kinds=["course", "offer"], max_minutes=20)
    assert {f["properties"]["kind"] for f in mixed["features"]} == {"course", "offer"}


def test_stroller_walks_are_never_shorter(api, seeded, mode):
    standard = search(api, max_minutes=30)
    stroller = search(api, max_minutes=30, profile="stroller")
    by_key = {f["id"]: f["properties"]["walk_minutes"] for f in standard["features"]}
    for f in stroller["features"]:
        assert f["properties"]["walk_minutes"] >= by_key[f["id"]]
    assert stroller["profile"] == "stroller"


def test_school_walk_and_school_hours_fit(api, seeded, mode):
    result = search(
        api,
        max_minutes=20,
        school_id=seeded["school"].id,
        school_hours={"drop_off": "08:30", "pick_up": "16:30", "days": [0, 1, 2, 3, 4]},
    )
    assert result["school"]["id"] == seeded["school"].id
    props = {f["properties"]["title"]: f["properties"] for f in result["features"]}
    assert all(p["walk_minutes_from_school"] >= 1 for p in props.values())
    assert props["Pulizie uffici"]["school_hours_fit"] == "fits"
    weekend = props["Cameriera weekend"]
    assert weekend["school_hours_fit"] == "does_not_fit"
    assert weekend["school_hours_missing_minutes"] == 270
    assert weekend["school_hours_conflict_days"] == [5, 6]
    assert props["Sportello casa"]["school_hours_fit"] == "unknown"
    assert props["Associazione Amica 05"]["school_hours_fit"] == "unknown"

    hidden = search(
        api,
        max_minutes=20,
        school_id=seeded["school"].id,
        school_hours={"drop_off": "08:30", "pick_up": "16:30"},
        hide_not_fitting=True,
    )
    assert "Cameriera weekend" not in titles(hidden)
    assert "Sportello casa" in titles(hidden)


def test_without_school_hours_there_is_no_fit(api, seeded):
    result = search(api, max_minutes=20)
    assert {f["properties"]["school_hours_fit"] for f in result["features"]} == {None}
    assert {f["properties"]["walk_minutes_from_school"] for f in result["features"]} == {None}


def test_a_hub_can_be_the_origin(api, seeded, make_place):
    p = grid_point(1, 1)
    hub = make_place(name="Hub di prova", lon=p.lon, lat=p.lat, org_kind=OrgKind.HUB)
    result = search(api, origin={"hub_id": hub.id}, max_minutes=15)
    assert "Pulizie uffici" in titles(result)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "origin"),
        ({"origin": {"lon": "x", "lat": 45.49}}, "origin"),
        ({"origin": {"hub_id": 999999}}, "origin"),
        ({"max_minutes": 45}, "max_minutes"),
        ({"max_minutes": 2}, "max_minutes"),
        ({"kinds": ["jobs"]}, "kinds"),
        ({"kinds": []}, "kinds"),
        ({"contract_types": ["forever"]}, "contract_types"),
        ({"school_hours": {"drop_off": "17:00", "pick_up": "08:00"}}, "school_hours"),
        ({"school_id": "abc"}, "school_id"),
    ],
)
def test_bad_requests_name_the_field(api, body, field):
    if body and "origin" not in body:
        body["origin"] = {"lon": HOME.lon, "lat": HOME.lat}
    response = api("/search", body)
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_unknown_school_is_404(api, seeded):
    body = {"origin": {"lon": HOME.lon, "lat": HOME.lat}, "school_id": 999999}
    assert api("/search", body).status_code == 404


def test_origin_outside_the_area_is_refused(api, seeded):
    response = api("/search", {"origin": {"lon": 9.04, "lat": 45.53}})  # Rho
    assert response.status_code == 400


def test_search_is_post_only(client, api):
    assert client.get("/api/v1/search").status_code == 405


def test_session_callers_need_the_csrf_token(client, login, make_user, seeded):
    login(make_user("tutor"))
    body = {"origin": {"lon": HOME.lon, "lat": HOME.lat}}
    assert client.post("/api/v1/search", json=body).status_code == 400
    page = client.get("/tutor/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post("/api/v1/search", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 200


def test_isochrones_and_route(api, seeded, mode):
    origin = {"lon": HOME.lon, "lat": HOME.lat}
    bands = api("/search/isochrones", {"origin": origin, "max_minutes": 20}).get_json()
    assert [f["properties"]["minutes"] for f in bands["features"]] == [5, 10, 15, 20]
    assert all(f["geometry"]["type"] in ("Polygon", "MultiPolygon") for f in bands["features"])
    route = api("/search/route", {"origin": origin, "place_id": seeded["near"].id}).get_json()
    assert route["geometry"]["type"] in ("LineString", "MultiLineString")
    listed = search(api, kinds=["offer"], sector="pulizie")["features"][0]["properties"]
    assert route["properties"]["walk_minutes"] == listed["walk_minutes"]
    assert api("/search/route", {"origin": origin, "place_id": 999999}).status_code == 404


@pytest.mark.parametrize("encoding", sorted(DECODERS))
def test_the_answer_travels_compressed(client, make_user, seeded, encoding):
    """A tablet on a weak signal downloads a tenth of the answer; one that accepts no
    compression gets it plain. Decoded by each format's own library, it is the same answer."""
    auth = {"Authorization": f"Bearer {issue_token(make_user('tutor'), 'tests')}"}
    body = {"origin": {"lon": HOME.lon, "lat": HOME.lat}, "max_minutes": 30}
    plain = client.post("/api/v1/search", json=body, headers=auth)
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain.headers
    packed = client.post("/api/v1/search", json=body, headers=auth | {"Accept-Encoding": encoding})
    assert packed.headers["Content-Encoding"] == encoding
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert len(packed.data) < len(plain.data) / 2
    assert json.loads(DECODERS[encoding](packed.data)) == plain.get_json()
    assert plain.get_json()["count"] >= 5


def test_address_lookup_answers_candidates(api, seeded):
    response = api("/search/address", {"q": "via test 01"})
    assert response.status_code == 200
    best = response.get_json()["candidates"][0]
    assert best["street"] == "Via Test"
    assert best["exact"] is True
    assert api("/search/address", {"q": ""}).status_code == 400


def test_search_is_audited_without_where_from(api, seeded):
    search(api, max_minutes=15, school_id=seeded["school"].id)
    event = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == AuditAction.SEARCH)
        .order_by(AuditEvent.id.desc())
    ).first()
    assert event is not None
    assert event.entity == "search"
    assert event.changes["origin"] == "address"
    assert event.changes["with_school"] is True
    assert event.changes["results"] > 0
    assert "lon" not in str(event.changes)
    assert "lat" not in str(event.changes)


def _tables_holding(fragment: str) -> list[str]:
    """Tables with any row whose text form contains ``fragment``."""
    tables = db.session.scalars(
        text("select tablename from pg_tables where schemaname = 'public'")
    ).all()
    hits = []
    for table in tables:
        found = db.session.execute(
            text(f'select 1 from "{table}" t where t::text like :f limit 1'),  # noqa: S608
            {"f": f"%{fragment}%"},
        ).first()
        if found:
            hits.append(table)
    return hits


def _rows_near(p: LonLat) -> dict[str, int]:
    """Rows within 1 m of ``p``, per ``table.column`` of every geometry/geography column."""
    columns = db.session.execute(
        text(
            "select f_table_name, f_geometry_column from geometry_columns "
            "where f_table_schema = 'public' union all "
            "select f_table_name, f_geography_column from geography_columns "
            "where f_table_schema = 'public'"
        )
    ).all()
    counts = {}
    for table, column in columns:
        counts[f"{table}.{column}"] = db.session.scalar(
            text(
                f'select count(*) from "{table}" where ST_DWithin("{column}"::geography, '  # noqa: S608
                "ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, 1)"
            ),
            {"lon": p.lon, "lat": p.lat},
        )
    return counts


def test_search_leaves_no_coordinates_in_the_database_or_the_logs(
    api, client, login, make_user, seeded, caplog
):
    caplog.set_level(logging.DEBUG)
    origin = {"lon": HOME.lon, "lat": HOME.lat, "source": "map"}
    address = "Via Test 01"
    before = _rows_near(HOME)
    search(
        api,
        origin=origin,
        school_id=seeded["school"].id,
        school_hours={"drop_off": "08:30", "pick_up": "16:30"},
    )
    api("/search/address", {"q": address})
    api("/search/isochrones", {"origin": origin})
    api("/search/route", {"origin": origin, "place_id": seeded["near"].id})
    # The sheet too (a form POST from the page).
    tutor = make_user("tutor")
    login(tutor)
    page = client.get("/tutor/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    sheet = client.post(
        "/tutor/sheet.pdf",
        data={
            "csrf_token": token,
            "search": json.dumps({"origin": origin}),
            "items": [f"offer-{_open_offer(seeded['near']).id}"],
            "lang": "fr",
        },
    )
    assert sheet.status_code == 200
    db.session.flush()

    for fragment in (f"{HOME.lon:.5f}", f"{HOME.lat:.5f}"):
        assert _tables_holding(fragment) == [], fragment
        assert fragment not in caplog.text
        for record in caplog.records:
            assert fragment not in str(record.args)
            assert fragment not in str(getattr(record, "__dict__", {}))
    assert "via test 01" not in caplog.text.lower()
    # The logs were captured: the access lines of these requests are there.
    endpoints = {getattr(r, "endpoint", None) for r in caplog.records}
    assert {"api.search_run", "api.search_address", "tutor.sheet_pdf"} <= endpoints
    assert _rows_near(HOME) == before
    assert (
        db.session.scalar(
            select(db.func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.SEARCH)
        )
        >= 2
    )


def test_every_limit_shows_the_start_of_the_whole_list(
    api, seeded, mode, make_place, make_offer, monkeypatch
):
    """A limited search reads the places a chunk at a time and the database stops at the
    limit: whatever the limit, she sees the first results of the unlimited list, cut after a
    whole place. Two places share a doorway (the same walk): the one first by name comes
    first, with the same limit as without."""
    here = grid_point(2, 2)
    for name in ("Zeta Stesso Portone 09", "Alfa Stesso Portone 10"):
        place = make_place(name=name, lon=here.lon, lat=here.lat)
        make_offer(place, f"Offerta {name[:4]}")
    # Chunks of the limit's size, so that a small limit needs several reads.
    monkeypatch.setattr(importlib.import_module("scout.search.run"), "CHUNK_EXTRA", 0)
    everything = search(api, max_minutes=20)
    ids = [f["id"] for f in everything["features"]]
    places = [f["properties"]["place_id"] for f in everything["features"]]
    doorway = [
        f["properties"]["title"]
        for f in everything["features"]
        if "Portone" in f["properties"]["place_name"]
    ]
    assert doorway == [
        "Offerta Alfa",
        "Alfa Stesso Portone 10",
        "Offerta Zeta",
        "Zeta Stesso Portone 09",
    ]
    for limit in range(1, len(ids) + 1):
        end = limit
        while end < len(ids) and places[end] == places[limit - 1]:
            end += 1
        few = search(api, max_minutes=20, limit=limit)
        assert [f["id"] for f in few["features"]] == ids[:end], limit
        assert few["truncated"] is (end < len(ids)), limit


def test_the_answer_reads_as_geojson_in_gdal(api, seeded, mode, tmp_path):
    """GDAL (through pyogrio) reads a search's answer as GeoJSON: one point per result, in
    the answer's order, with its title and walking minutes."""
    import pyogrio

    body = {"origin": {"lon": HOME.lon, "lat": HOME.lat}, "max_minutes": 15}
    response = api("/search", body)
    path = tmp_path / "search.geojson"
    path.write_bytes(response.data)
    frame = pyogrio.read_dataframe(path)
    features = response.get_json()["features"]
    assert len(frame) == len(features) > 3
    assert set(frame.geometry.geom_type) == {"Point"}
    assert list(frame["title"]) == [f["properties"]["title"] for f in features]
    assert list(frame["walk_minutes"]) == sorted(frame["walk_minutes"])
    first = features[0]["geometry"]["coordinates"]
    assert (frame.geometry.iloc[0].x, frame.geometry.iloc[0].y) == pytest.approx(first)


def test_limit_keeps_the_nearest_whole_places(api, seeded, mode):
    everything = search(api, max_minutes=20)
    assert everything["truncated"] is False
    assert everything["total"] == everything["count"]
    few = search(api, max_minutes=20, limit=2)
    assert few["truncated"] is True
    # The nearest place's items all come back, in the same order as without the limit.
    first_place = everything["features"][0]["properties"]["place_id"]
    expected = [
        f["id"] for f in everything["features"] if f["properties"]["place_id"] == first_place
    ]
    assert [f["id"] for f in few["features"]][: len(expected)] == expected
    assert few["count"] >= 2
    assert (
        api("/search", {"origin": {"lon": HOME.lon, "lat": HOME.lat}, "limit": 0}).status_code
        == 400
    )
