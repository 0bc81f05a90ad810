"""Open data: every public response carries allow-listed fields only, and nothing staff-only or
unpublished ever leaks (staff contacts, notes, visits, review comments, drafts)."""

from __future__ import annotations

import csv
import gzip
import io
import json
from datetime import timedelta

import pytest

from scout import publishing
from scout.extensions import db
from scout.models import OrgKind, ResourceKind, ReviewStatus, Visit, VisitOutcome
from tests.factories import CITTA_STUDI, VIA_PADOVA, milan_today
from tests.web.test_permissions import routes

# Every value here is staff-only or unpublished: none may appear in any public response.
SECRETS = {
    "place_notes": "SECRET-PLACE-NOTE",
    "place_contact": "SECRET-PLACE-PERSON",
    "place_phone": "SECRET-PLACE-PHONE",
    "place_email": "secret-place@example.org",
    "place_review": "SECRET-PLACE-REVIEW",
    "org_email": "secret-org@example.org",
    "org_phone": "SECRET-ORG-PHONE",
    "org_website": "https://secret-org.example.org",
    "org_person": "SECRET-ORG-PERSON",
    "visit_notes": "SECRET-VISIT-NOTE",
    "resource_review": "SECRET-RESOURCE-REVIEW",
    "draft_resource": "SECRET-DRAFT-RESOURCE",
    "ended_resource": "SECRET-ENDED-RESOURCE",
    "draft_place": "SECRET-DRAFT-PLACE",
    "archived_place": "SECRET-ARCHIVED-PLACE",
    "non_partner": "SECRET-NON-PARTNER",
    "no_consent": "SECRET-NO-CONSENT",
    "offer": "SECRET-OFFER-NOTE",
}

# Keys of the response envelopes (GeoJSON, OGC API, the walking answer), not of records.
STRUCTURE = {
    "type", "features", "geometry", "coordinates", "properties", "links", "href", "rel",
    "title", "numberMatched", "numberReturned", "timeStamp", "conformsTo", "collections",
    "itemType", "crs", "extent", "spatial", "bbox", "estimate", "network_date", "max_minutes",
    "walks", "minutes", "metres", "isochrones", "error", "status", "message", "field", "code",
    "description",
}  # fmt: skip


@pytest.fixture
def network(make_place, make_org, make_resource, make_offer):
    secret_org = make_org(
        "Associazione Riservata",
        email=SECRETS["org_email"],
        phone=SECRETS["org_phone"],
        website=SECRETS["org_website"],
        contact_person=SECRETS["org_person"],
        contacts_public=False,
    )
    hidden = make_place(
        "Sede pubblica",
        lon=VIA_PADOVA[0],
        lat=VIA_PADOVA[1],
        organisation=secret_org,
        notes=SECRETS["place_notes"],
        contact_person=SECRETS["place_contact"],
        phone=SECRETS["place_phone"],
        email=SECRETS["place_email"],
        review_comment=SECRETS["place_review"],
        street="Via Padova",
        civic_number="10",
        postcode="20127",
        opening_hours="lun-ven 9-12",
        opening_schedule=[
            {"day": 0, "start": "09:00", "end": "12:00", "staff": SECRETS["visit_notes"]}
        ],
    )
    db.session.add(
        Visit(
            place=hidden,
            visited_on=milan_today(),
            outcome=VisitOutcome.JOINED,
            notes=SECRETS["visit_notes"],
        )
    )
    course = make_resource(
        hidden,
        "Italiano A1",
        languages=["it", "ar"],
        review_comment=SECRETS["resource_review"],
        schedule=[{"day": 0, "start": "09:00", "end": "11:00", "staff": SECRETS["place_notes"]}],
    )
    make_resource(hidden, SECRETS["draft_resource"], status=ReviewStatus.DRAFT)
    make_resource(hidden, SECRETS["ended_resource"], ends_on=milan_today() - timedelta(days=1))
    make_offer(hidden, "Aiuto cuoco", description=SECRETS["offer"])
    open_org = make_org(
        "Parrocchia Aperta",
        kind=OrgKind.PARISH,
        email="info@parrocchia.example.org",
        phone="+39 02 1234 5678",
        website="https://parrocchia.example.org",
        contacts_public=True,
    )
    open_place = make_place(
        "Parrocchia Aperta", lon=CITTA_STUDI[0], lat=CITTA_STUDI[1], organisation=open_org
    )
    make_resource(open_place, "Sportello casa", kind=ResourceKind.HOUSING_SUPPORT)
    make_place(SECRETS["draft_place"], lon=9.23, lat=45.49, status=ReviewStatus.TO_REVIEW)
    make_place(SECRETS["archived_place"], lon=9.231, lat=45.491, status=ReviewStatus.ARCHIVED)
    make_place(SECRETS["non_partner"], lon=9.232, lat=45.492, org_is_partner=False)
    make_place(SECRETS["no_consent"], lon=9.233, lat=45.493, org_public_consent=False)
    db.session.commit()
    return {"hidden": hidden, "open": open_place, "course": course}


def _public_urls(app, network) -> list[tuple[str, str]]:
    """(endpoint, url) of every GET route of the public and OGC blueprints, with variants."""
    values = {"collection_id": "partners", "item_id": str(network["hidden"].id)}
    base = [
        (r.endpoint, r.url)
        for r in routes(app, values)
        if r.method == "GET" and r.endpoint.split(".")[0] in ("public", "ogc")
    ]
    extra = []
    for endpoint, url in base:
        sep = "&" if "?" in url else "?"
        extra += [(endpoint, f"{url}{sep}f=html"), (endpoint, f"{url}{sep}download=1")]
        extra.append((endpoint, f"{url}{sep}resource=italian_course&q=sede"))
    res = network["course"].id
    extra += [
        ("ogc.items", "/ogc/collections/resources/items"),
        ("ogc.item", f"/ogc/collections/resources/items/{res}"),
        ("ogc.item", f"/ogc/collections/resources/items/{res}?f=html"),
        ("ogc.collection", "/ogc/collections/resources"),
    ]
    return base + extra


def _dict_keys(value, path="") -> set[tuple[str, str]]:
    """Every (key, where) of every dict nested in ``value``."""
    out = set()
    if isinstance(value, dict):
        for k, v in value.items():
            out.add((k, path))
            out |= _dict_keys(v, f"{path}/{k}")
    elif isinstance(value, list):
        for v in value:
            out |= _dict_keys(v, path)
    return out


def _check_body(url: str, response) -> list[str]:
    problems = []
    text = response.get_data(as_text=True)
    for name, secret in SECRETS.items():
        if secret.lower() in text.lower():
            problems.append(f"{url}: shows {name}")
    if url.startswith("/ogc/api"):
        return problems  # the API definition: a schema, not records
    if response.mimetype in ("application/json", "application/geo+json"):
        for key, where in _dict_keys(json.loads(text)):
            if key not in publishing.PUBLIC_KEYS and key not in STRUCTURE:
                problems.append(f"{url}: field {key!r} at {where or '/'} is not allow-listed")
    elif response.mimetype == "text/csv":
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
        extra = set(header) - publishing.PUBLIC_KEYS - {"lon", "lat"}
        if extra:
            problems.append(f"{url}: CSV columns {sorted(extra)} are not allow-listed")
    return problems


def test_every_public_response_shows_only_allow_listed_fields(app, client, network):
    urls = _public_urls(app, network)
    problems, seen = [], set()
    for endpoint, url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        if response.status_code == 200:
            seen.add(endpoint)
        problems += _check_body(url, response)
    walk = client.post("/walk", json={"lon": VIA_PADOVA[0], "lat": VIA_PADOVA[1]})
    assert walk.status_code == 200
    problems += _check_body("/walk", walk)
    assert not problems, "\n".join(problems)
    every_get = {e for e, _u in urls}
    assert seen == every_get, f"not checked with a 200 answer: {sorted(every_get - seen)}"


def test_public_places_are_published_partners_that_agreed(client, network):
    ids = {f["id"] for f in client.get("/data/places.geojson").get_json()["features"]}
    assert ids == {network["hidden"].id, network["open"].id}


def test_contacts_appear_only_when_the_organisation_agreed(client, network):
    props = {
        f["id"]: f["properties"] for f in client.get("/data/places.geojson").get_json()["features"]
    }
    assert props[network["open"].id]["email"] == "info@parrocchia.example.org"
    assert props[network["open"].id]["phone"] == "+39 02 1234 5678"
    assert not {"email", "phone", "website"} & set(props[network["hidden"].id])


def test_place_record_lists_public_resources_and_their_languages(client, network):
    props = next(
        f["properties"]
        for f in client.get("/data/places.geojson").get_json()["features"]
        if f["id"] == network["hidden"].id
    )
    assert [r["title"] for r in props["resources"]] == ["Italiano A1"]
    assert props["languages"] == ["ar", "it"]
    assert props["resource_kinds"] == ["italian_course"]
    assert props["address"] == "Via Padova 10, 20127 Milano"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("resource=italian_course", {"hidden"}),
        ("resource=housing_support", {"open"}),
        ("resource=italian_course&resource=housing_support", {"hidden", "open"}),
        ("kind=parish", {"open"}),
        ("kind=parish&resource=italian_course", set()),
        ("q=PUBBLICA", {"hidden"}),
        ("q=riservata", {"hidden"}),  # the organisation's name counts too
        ("q=%25", set()),  # LIKE wildcards are literal
        ("kind=nonsense", {"hidden", "open"}),  # unknown values are ignored
    ],
)
def test_place_filters(client, network, query, expected):
    ids = {f["id"] for f in client.get(f"/data/places.geojson?{query}").get_json()["features"]}
    assert ids == {network[k].id for k in expected}


def test_resources_geojson_gives_one_point_per_public_resource(client, network):
    body = client.get("/data/resources.geojson").get_json()
    titles = {f["properties"]["title"] for f in body["features"]}
    assert titles == {"Italiano A1", "Sportello casa"}
    course = next(f for f in body["features"] if f["properties"]["title"] == "Italiano A1")
    assert course["geometry"]["coordinates"] == [VIA_PADOVA[0], VIA_PADOVA[1]]
    assert course["properties"]["schedule"] == [{"day": 0, "start": "09:00", "end": "11:00"}]


def test_csv_downloads_are_attachments_with_allow_listed_columns(client, network):
    response = client.get("/data/places.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["name"] for r in rows} == {"Sede pubblica", "Parrocchia Aperta"}
    resources = client.get("/data/resources.csv").get_data(as_text=True)
    assert "MO 09:00-11:00" in resources


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, make_place):
    make_place('=HYPERLINK("http://evil.example")', opening_hours="@SUM(A1)")
    db.session.commit()
    rows = list(
        csv.DictReader(
            io.StringIO(client.get("/data/places.csv").get_data(as_text=True).lstrip("\ufeff"))
        )
    )
    assert rows[0]["name"].startswith("'=")
    assert rows[0]["opening_hours"] == "'@SUM(A1)"


def test_map_feed_is_gzipped_when_the_browser_accepts_it(client, make_place):
    for i in range(20):
        make_place(f"Luogo {i}", lon=9.22 + i / 1000, lat=45.49)
    db.session.commit()
    response = client.get("/data/places.geojson", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert len(json.loads(gzip.decompress(response.data))["features"]) == 20
