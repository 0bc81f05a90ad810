"""Open-market offers in the tutors' search (issue 17): only when asked for, after every
walkable result, marked outside walking range with the straight-line distance."""

from __future__ import annotations

from datetime import timedelta

import pytest

from scout.extensions import db
from scout.geo import LonLat, haversine_m
from scout.models import ContractType, MarketOffer
from tests.factories import milan_today
from tests.search.test_search import HOME, api, search, seeded  # noqa: F401 (fixtures)

SESTO = LonLat(9.2333, 45.5333)  # Sesto San Giovanni: outside the served area
RHO = LonLat(9.0393, 45.5316)


@pytest.fixture
def market(app):
    today = milan_today()

    def add(title, where=None, **kw):
        kw.setdefault("source", "InformaLavoro")
        kw.setdefault("link", "https://example.org/offerta")
        offer = MarketOffer(title=title, location=where.wkt if where else None, **kw)
        db.session.add(offer)
        return offer

    add("Magazziniere Rho", RHO, contract_type=ContractType.DETERMINATO)
    add("Assistenza domiciliare in città", None, area="Tutta Milano")
    add("Commessa Sesto", SESTO, contract_type=ContractType.INDETERMINATO)
    add("Scaduta", SESTO, expires_on=today - timedelta(days=1))
    add("Ritirata", SESTO, active=False)
    db.session.flush()


def _split(result):
    kinds = [f["properties"]["kind"] for f in result["features"]]
    first_market = kinds.index("market_offer") if "market_offer" in kinds else len(kinds)
    assert "market_offer" not in kinds[:first_market]
    assert set(kinds[first_market:]) <= {"market_offer"}  # after every walkable result
    return result["features"][:first_market], result["features"][first_market:]


def test_market_offers_come_after_every_walkable_result(api, seeded, market):  # noqa: F811
    walkable, outside = _split(search(api, max_minutes=15, include_market=True))
    assert walkable  # the walkable results are all still there, first
    assert [f["properties"]["title"] for f in outside] == [
        "Commessa Sesto",
        "Magazziniere Rho",
        "Assistenza domiciliare in città",
    ]
    sesto = outside[0]["properties"]
    assert sesto["outside_walking_range"] is True
    assert sesto["walk_minutes"] is None
    assert sesto["straight_line_metres"] == round(haversine_m(HOME, SESTO))
    assert sesto["link"] == "https://example.org/offerta"
    assert outside[2]["geometry"] is None
    assert outside[2]["properties"]["straight_line_metres"] is None
    assert outside[2]["properties"]["area"] == "Tutta Milano"


def test_market_offers_only_when_asked_for_and_for_offers(api, seeded, market):  # noqa: F811
    assert _split(search(api, max_minutes=15))[1] == []
    assert _split(search(api, kinds=["course"], include_market=True))[1] == []
    only = _split(search(api, include_market=True, contract_types=["indeterminato"]))[1]
    assert [f["properties"]["title"] for f in only] == ["Commessa Sesto"]
