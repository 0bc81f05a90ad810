"""Walking directions street by street: legs that add up to the route, same-named streets
merged, turns the right way, crossings named, steps never with a stroller; in every language."""

from __future__ import annotations

import pytest
from flask_babel import force_locale

from bench.netgen import generate_grid
from scout.extensions import db
from scout.geo import LonLat
from scout.i18n import FSI, LRI, PDI
from scout.paths import ROOT
from scout.walking import Profile, route
from scout.walking.osm_import import import_osm

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"

# An L-shaped walk near Via Padova: east along Via Padova (two OSM ways, a side street between
# them), left (north) into Via Arquà, across Viale Monza on a crossing way that meets it in
# its middle, then up steps (or, with a stroller, round them on a footway) to Via Arrivo.
NODES = {
    1: (9.2271, 45.4970),
    2: (9.2291, 45.4970),
    3: (9.2311, 45.4970),
    4: (9.2291, 45.4960),
    5: (9.2311, 45.4988),
    6: (9.2311, 45.4989),
    7: (9.2311, 45.4990),
    8: (9.2301, 45.4989),
    9: (9.2321, 45.4989),
    10: (9.2311, 45.4993),
    11: (9.2316, 45.4990),
    12: (9.2316, 45.4993),
    13: (9.2311, 45.4998),
}
WAYS = [
    (100, [1, 2], {"highway": "residential", "name": "Via Padova"}),
    (101, [2, 3], {"highway": "residential", "name": "Via Padova"}),
    (102, [2, 4], {"highway": "residential", "name": "Via Laterale"}),
    (103, [3, 5], {"highway": "residential", "name": "Via Arquà"}),
    (104, [5, 6, 7], {"highway": "footway", "footway": "crossing"}),
    (105, [8, 6, 9], {"highway": "primary", "name": "Viale Monza"}),
    (106, [7, 10], {"highway": "steps"}),
    (107, [7, 11, 12, 10], {"highway": "footway"}),
    (108, [10, 13], {"highway": "residential", "name": "Via Arrivo"}),
]
START = LonLat(9.2272, 45.49698)  # on Via Padova, near its west end
END = LonLat(9.23112, 45.49975)  # on Via Arrivo


def l_osm(path):
    """Write the L-shaped network to ``path`` (an ``.osm`` file)."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    lines += [f'<node id="{i}" lat="{lat}" lon="{lon}"/>' for i, (lon, lat) in NODES.items()]
    for way_id, refs, tags in WAYS:
        nds = "".join(f'<nd ref="{r}"/>' for r in refs)
        tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{way_id}">{nds}{tag_xml}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines))
    return path


@pytest.fixture
def l_network(app, tmp_path):
    import_osm(db.session, l_osm(tmp_path / "l.osm"))
    db.session.commit()


def _summary(answer) -> list[tuple]:
    return [(leg.kind, leg.name or leg.crossed, leg.turn) for leg in answer.legs]


def _adds_up(answer) -> None:
    assert answer.walk is not None
    assert sum(leg.metres for leg in answer.legs) == pytest.approx(answer.walk.metres, abs=0.01)


def test_l_route_merges_via_padova_turns_left_crosses_viale_monza_and_takes_the_steps(
    app, l_network
):
    answer = route(START, END)
    _adds_up(answer)
    assert _summary(answer) == [
        ("street", "Via Padova", None),
        ("street", "Via Arquà", "left"),
        ("crossing", "Viale Monza", "straight"),
        ("steps", None, "straight"),
        ("street", "Via Arrivo", "straight"),
    ]
    padova = answer.legs[0]
    assert padova.metres == pytest.approx(310, abs=10)  # both ways of Via Padova: one leg
    assert answer.legs[1].metres == pytest.approx(200, abs=5)


def test_the_way_back_turns_right_into_via_padova(app, l_network):
    answer = route(END, START)
    _adds_up(answer)
    assert _summary(answer)[-2:] == [
        ("street", "Via Arquà", "straight"),
        ("street", "Via Padova", "right"),
    ]


def test_with_a_stroller_the_directions_go_round_the_steps(app, l_network):
    answer = route(START, END, Profile.STROLLER)
    _adds_up(answer)
    kinds = [leg.kind for leg in answer.legs]
    assert "steps" not in kinds
    assert "kerb" not in kinds
    assert _summary(answer)[2:] == [
        ("crossing", "Viale Monza", "straight"),
        ("footway", None, "right"),
        ("street", "Via Arrivo", "right"),
    ]


def test_directions_texts_in_every_language(app, l_network):
    answer = route(START, END)
    expected = {
        "it": ("Gira a sinistra", "Attraversa", "scale"),
        "en": ("Turn left", "Cross", "steps"),
        "es": ("Gira a la izquierda", "Cruza", "escaleras"),
        "fr": ("Tournez à gauche", "Traversez", "escalier"),
        "ar": ("انعطف يسارًا", "اعبر", "الدرج"),
    }
    for code, words in expected.items():
        with app.test_request_context(), force_locale(code):
            legs = answer.directions()
            html = answer.directions(html=True)
        texts = " | ".join(leg["text"] for leg in legs)
        for word in words:
            assert word in texts, (code, word, texts)
        # Street names stay in Latin script, isolated left to right.
        assert f"{LRI}Via Arquà{PDI}" in legs[1]["text"]
        assert f"{LRI}Viale Monza{PDI}" in legs[2]["text"]
        assert 'dir="ltr"' in str(html[1]["text"])
        assert "Via Arquà" in str(html[1]["text"])
        assert legs[0]["distance"].startswith(FSI)
        assert any(ch.isdigit() for ch in legs[0]["distance"])


def test_grid_network_rows_merge_and_steps_are_avoided_with_a_stroller(app, tmp_path):
    # Row 0 of a 6 x 3 grid is "Via Riga 0" in five ways; its third block is steps, the fourth
    # an unnamed crossing.
    origin = (9.2271, 45.4970)
    path = generate_grid(
        tmp_path / "g.osm",
        6,
        3,
        origin=origin,
        jitter=0,
        steps=((2, 0, "h"),),
        crossings=((3, 0, "h"),),
    )
    import_osm(db.session, path)
    db.session.commit()
    m_lon = 80 / 78_154.0  # 80 m of longitude at 45.497°
    start = LonLat(origin[0] + 0.1 * m_lon, origin[1])
    end = LonLat(origin[0] + 4.9 * m_lon, origin[1])
    on_foot = route(start, end)
    _adds_up(on_foot)
    assert [(leg.kind, leg.name) for leg in on_foot.legs] == [
        ("street", "Via Riga 0"),
        ("steps", None),
        ("crossing", None),
        ("street", "Via Riga 0"),
    ]
    stroller = route(start, end, Profile.STROLLER)
    _adds_up(stroller)
    assert "steps" not in [leg.kind for leg in stroller.legs]
    names = [leg.name for leg in stroller.legs]
    assert "Via Riga 1" in names  # round the steps by the next row
    with app.test_request_context(), force_locale("it"):
        texts = [leg["text"] for leg in stroller.directions()]
    assert not any("scale" in t.lower() for t in texts)


def test_milan_sample_directions_name_its_streets(app, with_municipio_1):
    import_osm(db.session, SAMPLE)
    db.session.commit()
    start = LonLat(9.19390, 45.46030)  # Via Larga
    end = LonLat(9.19790, 45.45830)  # towards Corso di Porta Romana
    for profile in Profile:
        answer = route(start, end, profile)
        _adds_up(answer)
        names = {leg.name for leg in answer.legs if leg.name}
        assert names, profile
        assert len(answer.legs) < 25
        if profile is Profile.STROLLER:
            assert not {"steps", "kerb"} & {leg.kind for leg in answer.legs}
        # No two legs in a row on the same named street.
        pairs = zip(answer.legs, answer.legs[1:], strict=False)
        assert all(not (a.name and a.name == b.name) for a, b in pairs)


@pytest.fixture
def arrivo(l_network, make_place):
    place = make_place("Centro Arrivo", lon=END.lon, lat=END.lat)
    hidden = make_place("Riservato", lon=END.lon, lat=END.lat, org_public_consent=False)
    db.session.commit()
    return place, hidden


def test_public_how_to_get_there_gives_directions_in_the_page_language(client, arrivo):
    place, hidden = arrivo
    body = {"lon": START.lon, "lat": START.lat, "place_id": place.id}
    response = client.post("/walk/route", json=body, headers={"Accept-Language": "fr"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    answer = response.get_json()
    texts = [leg["text"] for leg in answer["directions"]]
    assert texts[1] == f"Tournez à gauche dans {LRI}Via Arquà{PDI}"
    assert any("escalier" in t for t in texts)
    assert sum(leg["metres"] for leg in answer["directions"]) == pytest.approx(
        answer["metres"], abs=0.6
    )
    stroller = client.post("/walk/route", json={**body, "profile": "stroller"}).get_json()
    assert "steps" not in [leg["kind"] for leg in stroller["directions"]]
    # Only public places; the point only in a JSON body.
    assert client.post("/walk/route", json={**body, "place_id": hidden.id}).status_code == 404
    assert client.post("/walk/route", data={**body}).status_code == 400


def test_tutor_route_carries_the_directions(client, login, make_user, arrivo):
    place, _hidden = arrivo
    login(make_user("tutor"))
    page = client.get("/tutor/").get_data(as_text=True)
    token = page.split('name="csrf-token" content="')[1].split('"')[0]
    response = client.post(
        "/api/v1/search/route",
        json={"origin": {"lon": START.lon, "lat": START.lat}, "place_id": place.id},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 200
    legs = response.get_json()["properties"]["directions"]
    assert [leg["name"] for leg in legs] == [
        "Via Padova",
        "Via Arquà",
        "Viale Monza",
        None,
        "Via Arrivo",
    ]
    assert legs[1]["text"] == f"Gira a sinistra in {LRI}Via Arquà{PDI}"
