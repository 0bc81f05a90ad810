"""Factory fixtures: callables that add rows to the test's transaction (like indico's
``create_user``)."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from scout import config
from scout.auth import create_user
from scout.extensions import db
from scout.models import (
    Address,
    ContractType,
    Offer,
    Organisation,
    OrgKind,
    PartTime,
    Place,
    Resource,
    ResourceKind,
    ReviewStatus,
    Role,
    User,
)
from scout.spatial import assign_admin_units
from scout.walking.gazetteer import street_key

_seq = itertools.count(1)
PASSWORD = "correct horse battery"

# A point in Via Padova (Municipio 2) and one in Città Studi (Municipio 3).
VIA_PADOVA = (9.2271, 45.4970)
CITTA_STUDI = (9.2259, 45.4777)
DUOMO = (9.1900, 45.4642)  # Municipio 1: outside the served area's core


def milan_today() -> date:
    """Today as the app counts it (:func:`scout.clock.today`: the programme's time zone),
    outside an app context (module constants, parametrize)."""
    return datetime.now(ZoneInfo(config.BABEL_DEFAULT_TIMEZONE)).date()


@pytest.fixture
def make_user(app: Any) -> Callable[..., User]:
    def _make(role: Role | str = Role.TUTOR, email: str | None = None, **kw: Any) -> User:
        role = Role(role)
        return create_user(email or f"{role.value}{next(_seq)}@example.org", PASSWORD, role, **kw)

    return _make


@pytest.fixture
def make_org(app: Any) -> Callable[..., Organisation]:
    def _make(
        name: str | None = None, kind: OrgKind = OrgKind.ASSOCIATION, **kw: Any
    ) -> Organisation:
        kw.setdefault("is_partner", True)
        kw.setdefault("public_consent", True)
        org = Organisation(name=name or f"Org {next(_seq)}", kind=kind, **kw)
        db.session.add(org)
        db.session.flush()
        return org

    return _make


@pytest.fixture
def make_place(app: Any, make_org: Callable[..., Organisation]) -> Callable[..., Place]:
    def _make(
        name: str | None = None,
        lon: float = VIA_PADOVA[0],
        lat: float = VIA_PADOVA[1],
        organisation: Organisation | None = None,
        status: ReviewStatus = ReviewStatus.PUBLISHED,
        **kw: Any,
    ) -> Place:
        name = name or f"Place {next(_seq)}"
        org_kw = {k[4:]: kw.pop(k) for k in list(kw) if k.startswith("org_")}
        place = Place(
            name=name,
            organisation=organisation or make_org(name=name, **org_kw),
            location=f"SRID=4326;POINT({lon} {lat})",
            status=status,
            **kw,
        )
        db.session.add(place)
        db.session.flush()
        assign_admin_units(db.session)
        db.session.refresh(place)
        return place

    return _make


@pytest.fixture
def make_offer(app: Any) -> Callable[..., Offer]:
    def _make(place: Place, title: str | None = None, **kw: Any) -> Offer:
        kw.setdefault("contract_type", ContractType.DETERMINATO)
        kw.setdefault("part_time", PartTime.ORIZZONTALE)
        kw.setdefault("status", ReviewStatus.PUBLISHED)
        offer = Offer(place=place, title=title or f"Offer {next(_seq)}", **kw)
        db.session.add(offer)
        db.session.flush()
        return offer

    return _make


@pytest.fixture
def make_resource(app: Any) -> Callable[..., Resource]:
    def _make(place: Place, title: str | None = None, **kw: Any) -> Resource:
        kw.setdefault("kind", ResourceKind.ITALIAN_COURSE)
        kw.setdefault("status", ReviewStatus.PUBLISHED)
        resource = Resource(place=place, title=title or f"Course {next(_seq)}", **kw)
        db.session.add(resource)
        db.session.flush()
        return resource

    return _make


def add_addresses(rows: Iterable[tuple[str, str, float, float]]) -> None:
    """Rows of the address gazetteer (as the OSM import writes them): street, number, lon, lat."""
    for street, number, lon, lat in rows:
        db.session.add(
            Address(
                street=street,
                street_key=street_key(street),
                housenumber=number,
                location=f"SRID=4326;POINT({lon} {lat})",
            )
        )
    db.session.flush()
