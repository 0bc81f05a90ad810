"""/data/hsds.json against the official Open Referral HSDS 3.0 schemas (tests/data/hsds-3.0),
checked by ``jsonschema``: the whole export as an organization package, and every record
against its own schema with the ``$ref``s resolved locally. Both checks also refuse fields
HSDS does not define. Ids are stable UUIDs; categories are taxonomy terms."""

from __future__ import annotations

import copy
import gzip
import json
import uuid
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from scout.extensions import db
from scout.models import OrgKind, ResourceKind, ReviewStatus
from tests.factories import CITTA_STUDI, VIA_PADOVA, milan_today

SCHEMAS = Path(__file__).parent.parent / "data" / "hsds-3.0" / "schema"
BASE = "https://hsds.test/schema/"  # where the local files are registered, for their $refs


def closed(schema: Any) -> Any:
    """``schema`` with ``additionalProperties: false`` on every object it describes: HSDS's
    files leave objects open, and an export must not add fields of its own."""
    schema = copy.deepcopy(schema)
    stack = [schema]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "properties" in node:
                node.setdefault("additionalProperties", False)
            stack += node.values()
        elif isinstance(node, list):
            stack += node
    return schema


@cache
def package_validator() -> Draft202012Validator:
    with gzip.open(SCHEMAS / "compiled" / "organization_package.json.gz") as f:
        schema = closed(json.load(f))
    return Draft202012Validator(schema, format_checker=FormatChecker())


@cache
def registry() -> Registry:
    resources = [
        (BASE + path.name, Resource(closed(json.loads(path.read_text())), DRAFT202012))
        for path in SCHEMAS.glob("*.json")
    ]
    return Registry().with_resources(resources)


def record_validator(name: str) -> Draft202012Validator:
    return Draft202012Validator(
        {"$ref": BASE + f"{name}.json"}, registry=registry(), format_checker=FormatChecker()
    )


def violations(export: list[dict[str, Any]]) -> list[str]:
    """Every way ``export`` breaks HSDS 3.0, as 'where: what'."""

    def errors(validator: Draft202012Validator, instance: Any, where: str) -> list[str]:
        return [
            f"{where}/{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(instance)
        ]

    found = errors(package_validator(), export, "package")
    organization, service = record_validator("organization"), record_validator("service")
    for i, org in enumerate(export):
        alone = {k: v for k, v in org.items() if k != "services"}  # nested only in packages
        found += errors(organization, alone, f"organization {i}")
        for j, s in enumerate(org.get("services", [])):
            found += errors(service, s, f"organization {i} service {j}")
    return found


def every_id(value: Any) -> list[str]:
    """The ``id`` of every record nested in ``value`` (taxonomy records appear once per use)."""
    if isinstance(value, list):
        return [i for v in value for i in every_id(v)]
    if not isinstance(value, dict):
        return []
    own = [value["id"]] if "id" in value else []
    return own + [i for k, v in value.items() if k != "taxonomy_term" for i in every_id(v)]


def empty_values(value: Any, where: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in empty_values(v, f"{where}/{k}")]
    if isinstance(value, list):
        return [where] if not value else [p for v in value for p in empty_values(v, where)]
    return [where] if value is None or value == "" else []


@pytest.fixture
def network(make_org, make_place, make_resource):
    """A partner with every optional part filled, one with almost nothing, and what is never
    public."""
    full_org = make_org(
        "Parrocchia San Luca",
        kind=OrgKind.PARISH,
        description="Parrocchia con sportelli e corsi per le famiglie.",
        email="info@sanluca.example.org",
        phone="+39 02 1234 5678",
        website="www.sanluca.example.org",
        contact_person="Don Riservato",
        contacts_public=True,
    )
    full = make_place(
        "Oratorio San Luca",
        lon=VIA_PADOVA[0],
        lat=VIA_PADOVA[1],
        organisation=full_org,
        street="Via Padova",
        civic_number="21",
        postcode="20127",
        opening_hours="lun-ven 9-12, mer 15-18",
        accessibility_notes="Ingresso senza gradini da via Arquà",
        phone="SECRET-PLACE-PHONE",
    )
    course = make_resource(
        full,
        "Italiano per mamme",
        kind=ResourceKind.ITALIAN_COURSE,
        description="Corso di italiano A1 con baby-sitting.",
        schedule=[
            {"day": 0, "start": "09:00", "end": "11:00"},
            {"day": 2, "start": "09:00", "end": "11:00"},
            {"day": 3, "start": "14:30", "end": "16:00"},
        ],
        languages=["it", "ar"],
        target_groups=["mamme", "donne"],
        is_free=False,
        cost="10 euro per il materiale",
        childcare=True,
        starts_on=milan_today() - timedelta(days=10),
        ends_on=milan_today() + timedelta(days=60),
        how_to_enrol="In segreteria il lunedì mattina",
    )
    desk = make_resource(
        full,
        "Sportello casa",
        kind=ResourceKind.HOUSING_SUPPORT,
        starts_on=milan_today() - timedelta(days=3),
    )
    bare = make_place(
        "Associazione Essenziale",
        lon=CITTA_STUDI[0],
        lat=CITTA_STUDI[1],
        org_email="riservata@example.org",
        org_contacts_public=False,
        street="Via Pascoli",  # no postcode: not a complete HSDS address
        opening_schedule=[
            {"day": 0, "start": "10:00", "end": "12:00"},
            {"day": 1, "start": "10:00", "end": "12:00"},
        ],
    )
    bare_service = make_resource(bare, "Aiuto compiti", kind=ResourceKind.OTHER)
    make_resource(full, "Corso in bozza", status=ReviewStatus.DRAFT)
    make_place("Luogo da rivedere", lon=9.23, lat=45.49, status=ReviewStatus.TO_REVIEW)
    db.session.commit()
    return {
        "full": full,
        "course": course,
        "desk": desk,
        "bare": bare,
        "bare_service": bare_service,
    }


def _export(client) -> list[dict[str, Any]]:
    response = client.get("/data/hsds.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    return response.get_json()


def test_the_whole_export_is_valid_hsds(client, network):
    export = _export(client)
    assert [o["name"] for o in export] == ["Associazione Essenziale", "Parrocchia San Luca"]
    problems = violations(export)
    assert not problems, "\n".join(problems)
    assert not empty_values(export), "HSDS leaves out what is unknown"


def test_the_validation_catches_what_hsds_refuses(client, network):
    """The checks above can fail: the kinds of mistake an export could make are found."""
    export = _export(client)
    broken = copy.deepcopy(export)
    broken[1]["id"] = "organization-1"  # not a UUID
    broken[1]["services"][0]["category"] = "italian_course"  # not an HSDS field
    broken[1]["services"][0]["schedules"][0].pop("id")  # required
    broken[1]["locations"][0]["addresses"][0]["postal_code"] = None  # null, not left out
    broken[0]["website"] = "not a uri"
    problems = "\n".join(violations(broken))
    assert "'organization-1' is not a 'uuid'" in problems
    assert "'category' was unexpected" in problems
    assert "'id' is a required property" in problems
    assert "None is not of type 'string'" in problems
    assert "'not a uri' is not a 'uri'" in problems


def test_every_record_has_a_stable_unique_uuid(client, network):
    first = _export(client)
    ids = every_id(first)
    assert len(ids) == len(set(ids)), "an id is used by two records"
    assert all(uuid.UUID(i).version == 5 for i in ids)
    network["full"].name = "Oratorio San Luca (nuovo nome)"
    db.session.commit()
    again = _export(client)
    assert every_id(again) == ids  # a renamed place keeps its id, and so does everything else


def test_services_carry_schedules_languages_fees_and_their_category(client, network):
    org = next(o for o in _export(client) if o["name"] == "Parrocchia San Luca")
    services = {s["name"]: s for s in org["services"]}
    assert set(services) == {"Italiano per mamme", "Sportello casa"}
    course = services["Italiano per mamme"]
    assert course["organization_id"] == org["id"]
    assert course["status"] == "active"
    assert course["application_process"] == "In segreteria il lunedì mattina"
    assert course["eligibility_description"] == "mamme, donne"
    assert course["fees_description"] == "10 euro per il materiale"
    starts, ends = network["course"].starts_on.isoformat(), network["course"].ends_on.isoformat()
    assert [
        (s["byday"], s["opens_at"], s["closes_at"], s["valid_from"], s["valid_to"])
        for s in course["schedules"]
    ] == [("MO,WE", "09:00", "11:00", starts, ends), ("TH", "14:30", "16:00", starts, ends)]
    assert {s["service_id"] for s in course["schedules"]} == {course["id"]}
    assert all(s["freq"] == "WEEKLY" for s in course["schedules"])
    assert [(lang["code"], lang["name"]) for lang in course["languages"]] == [
        ("it", "italiano"),
        ("ar", "arabo"),
    ]
    (category,) = course["attributes"]
    assert category["link_id"] == course["id"]
    assert category["taxonomy_term"]["code"] == "italian_course"
    assert category["taxonomy_term"]["name"] == "Corso di italiano"
    assert category["taxonomy_term_id"] == category["taxonomy_term"]["id"]
    desk = services["Sportello casa"]
    desk_term = desk["attributes"][0]["taxonomy_term"]
    assert desk_term["taxonomy_id"] == category["taxonomy_term"]["taxonomy_id"]  # one taxonomy
    assert desk["fees_description"] == "Gratuito"
    assert desk["cost_options"][0]["amount"] == 0
    assert [set(s) - {"id", "service_id"} for s in desk["schedules"]] == [{"valid_from"}]
    (at,) = course["service_at_locations"]
    assert at["location_id"] == org["locations"][0]["id"]


def test_locations_and_contacts_are_the_public_ones(client, network):
    export = {o["name"]: o for o in _export(client)}
    full = export["Parrocchia San Luca"]
    assert full["description"] == "Parrocchia con sportelli e corsi per le famiglie."
    assert full["website"] == "https://www.sanluca.example.org"
    assert full["email"] == "info@sanluca.example.org"
    assert [p["number"] for p in full["phones"]] == ["+39 02 1234 5678"]
    (location,) = full["locations"]
    assert location["organization_id"] == full["id"]
    assert (location["longitude"], location["latitude"]) == VIA_PADOVA
    (address,) = location["addresses"]
    assert address["address_1"] == "Via Padova 21"
    assert (address["postal_code"], address["city"], address["country"]) == (
        "20127",
        "Milano",
        "IT",
    )
    assert location["accessibility"][0]["description"] == "Ingresso senza gradini da via Arquà"
    assert location["schedules"][0]["description"] == "lun-ven 9-12, mer 15-18"
    text = json.dumps(export)
    for secret in ("Don Riservato", "SECRET-PLACE-PHONE", "riservata@example.org", "in bozza"):
        assert secret not in text
    bare = export["Associazione Essenziale"]
    assert not {"email", "website", "phones"} & set(bare)
    assert bare["description"] == "Associazione"  # HSDS requires one: the kind stands in
    assert "addresses" not in bare["locations"][0]


def test_structured_opening_hours_are_the_locations_weekly_schedule(client, network):
    bare = next(o for o in _export(client) if o["name"] == "Associazione Essenziale")
    (schedule,) = bare["locations"][0]["schedules"]
    assert (schedule["freq"], schedule["byday"]) == ("WEEKLY", "MO,TU")
    assert (schedule["opens_at"], schedule["closes_at"]) == ("10:00", "12:00")
