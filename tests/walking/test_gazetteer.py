"""The address gazetteer: street keys, splitting what a tutor types, and tolerant lookup
(typos, missing accents, abbreviations, numbers missing from the data)."""

from __future__ import annotations

import pytest

from scout.extensions import db
from scout.walking.gazetteer import lookup, normalise_number, split_address, street_key
from tests.factories import add_addresses


@pytest.mark.parametrize(
    ("typed", "street", "number"),
    [
        ("via padova 36", "via padova", "36"),
        ("V. Padova, 36", "V. Padova", "36"),
        ("Via Padova 36/A", "Via Padova", "36a"),
        ("via padova 36 bis", "via padova", "36bis"),
        ("Via Pàdova 36, 20127 Milano", "Via Pàdova", "36"),
        ("viale monza", "viale monza", None),
        ("Via XXV Aprile 4", "Via XXV Aprile", "4"),
    ],
)
def test_split_address(typed, street, number):
    assert split_address(typed) == (street, number)


def test_street_key_meets_typed_variants():
    assert street_key("V. Padova") == street_key("via padova") == street_key("VIA PÀDOVA")
    assert street_key("P.za Loreto") == "piazza loreto"


def test_normalise_number():
    assert normalise_number("36 / A") == "36a"
    assert normalise_number(None) is None


@pytest.fixture
def padova(app):
    """Via Padova 30, 34, 38, 40 (even side) and 31 along a line; Via Russo 27."""
    rows = [
        ("Via Padova", "30", 9.2200, 45.4880),
        ("Via Padova", "34", 9.2204, 45.4884),
        ("Via Padova", "38", 9.2208, 45.4888),
        ("Via Padova", "40", 9.2210, 45.4890),
        ("Via Padova", "31", 9.2199, 45.4883),
        ("Via Russo", "27", 9.2267, 45.4975),
        ("Piazzale Loreto", "1", 9.2160, 45.4860),
    ]
    add_addresses(rows)


@pytest.mark.parametrize(
    "typed", ["via padova 34", "V. Padova, 34", "via padva 34", "VIA PÀDOVA 34"]
)
def test_typos_accents_and_abbreviations_find_the_address(padova, typed):
    best = lookup(db.session, typed)[0]
    assert (best.street, best.housenumber, best.exact) == ("Via Padova", "34", True)
    assert (best.lon, best.lat) == pytest.approx((9.2204, 45.4884))


def test_missing_number_is_placed_between_neighbours_on_the_same_side(padova):
    best = lookup(db.session, "via padova 36")[0]
    assert best.exact is False
    assert best.near == "Via Padova 34–38"
    assert (best.lon, best.lat) == pytest.approx((9.2206, 45.4886))


def test_number_beyond_the_known_ones_takes_the_nearest(padova):
    best = lookup(db.session, "via padova 90")[0]
    assert best.exact is False
    assert best.near == "Via Padova 40"


def test_street_without_number(padova):
    best = lookup(db.session, "via russo")[0]
    assert best.street == "Via Russo"
    assert best.housenumber is None


def test_nothing_close_gives_nothing(padova):
    assert lookup(db.session, "qqqq zzzz 3") == []
    assert lookup(db.session, "v") == []


def test_school_and_place_addresses_serve_before_any_import(app, make_place):
    make_place(name="Bar Esempio", street="Via Giacosa", civic_number="12", lon=9.225, lat=45.499)
    best = lookup(db.session, "via giacosa 12")[0]
    assert (best.street, best.housenumber, best.exact) == ("Via Giacosa", "12", True)
    assert (best.lon, best.lat) == pytest.approx((9.225, 45.499))


def test_each_match_says_how_sure_it_is(padova):
    exact = lookup(db.session, "via padova 34")[0]
    assert exact.confidence == "exact"
    between = lookup(db.session, "via padova 36")[0]
    assert (between.confidence, between.near) == ("approximate", "Via Padova 34–38")
    assert between.as_dict()["confidence"] == "approximate"


def test_a_street_nobody_typed_or_a_number_far_past_the_street_is_only_a_guess(padova):
    """ "via inesistente 9999" once came back as a sure "Via ... 9999 (approximate)"."""
    assert {m.confidence for m in lookup(db.session, "via inesistente 9999")} <= {"weak"}
    (far,) = lookup(db.session, "via padova 9999")
    assert (far.street, far.confidence) == ("Via Padova", "weak")
    near_end = lookup(db.session, "via padova 44")[0]
    assert near_end.confidence == "approximate"  # a few numbers past the last known one
