"""The OSM importer and its commands: what is kept, atomic replacement, one-line failures."""

from __future__ import annotations

import bz2
import io

import osmium
import pytest
from sqlalchemy import func, select

from scout.errors import ImportFailed
from scout.extensions import db
from scout.models import Address, WalkEdge, WalkNetwork, WalkNode
from scout.paths import ROOT
from scout.walking.gazetteer import street_key
from scout.walking.osm_import import import_osm

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"
VIA_PADOVA = (9.2271, 45.4970)


def _current() -> WalkNetwork | None:
    return db.session.scalar(select(WalkNetwork).where(WalkNetwork.is_current))


def _count(model, network_id: int | None = None) -> int:
    query = select(func.count()).select_from(model)
    if network_id is not None:
        query = query.where(model.network_id == network_id)
    return db.session.scalar(query)


def _ways_file(path, ways: list[tuple[int, dict[str, str]]], origin=VIA_PADOVA) -> None:
    """An OSM file of short parallel ways (each its own two nodes), 30 m apart."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6">']
    refs = []
    for i, _ in enumerate(ways):
        lat = origin[1] + i * 0.0003
        a, b = 2 * i + 1, 2 * i + 2
        lines.append(f'<node id="{a}" lat="{lat}" lon="{origin[0]}"/>')
        lines.append(f'<node id="{b}" lat="{lat}" lon="{origin[0] + 0.001}"/>')
        refs.append((a, b))
    # A spine joining every way's first node, so the network is one piece.
    spine = [a for a, _b in refs]
    for (way_id, tags), (a, b) in zip(ways, refs, strict=True):
        tag_xml = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in tags.items())
        lines.append(f'<way id="{way_id}"><nd ref="{a}"/><nd ref="{b}"/>{tag_xml}</way>')
    spine_xml = "".join(f'<nd ref="{r}"/>' for r in spine)
    lines.append(f'<way id="1"><tag k="highway" v="footway"/>{spine_xml}</way>')
    lines.append("</osm>")
    path.write_text("\n".join(lines))


def test_sample_import_stores_network_and_addresses(app, with_municipio_1):
    report = import_osm(db.session, SAMPLE)
    net = _current()
    assert net.id == report.network_id
    assert report.nodes == _count(WalkNode, net.id) > 100
    assert report.edges == _count(WalkEdge, net.id) > 100
    assert report.steps > 0
    assert net.osm_date.isoformat().startswith("2019-02-26")
    # Edges end at junctions: every edge's ends are nodes of the network.
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(WalkEdge)
            .where(WalkEdge.network_id == net.id)
            .where((WalkEdge.length_m <= 0) | (WalkEdge.source == WalkEdge.target))
        )
        == 0
    )
    addresses = db.session.scalars(select(Address)).all()
    assert len(addresses) == report.addresses > 50
    assert all(a.street_key == street_key(a.street) for a in addresses)
    assert {a.osm_ref[0] for a in addresses} <= {"n", "w"}


def test_walkable_ways_are_chosen_by_their_tags(app, tmp_path):
    ways = [
        (10, {"highway": "residential", "oneway": "yes"}),
        (11, {"highway": "steps"}),
        (12, {"highway": "motorway"}),
        (13, {"highway": "primary", "foot": "no"}),
        (14, {"highway": "service", "access": "private"}),
        (15, {"highway": "service", "access": "private", "foot": "yes"}),
        (16, {"highway": "construction"}),
        (17, {"highway": "proposed"}),
        (18, {"highway": "tertiary", "construction": "minor"}),
        (19, {"highway": "pedestrian"}),
        (20, {"building": "yes"}),
    ]
    path = tmp_path / "ways.osm"
    _ways_file(path, ways)
    import_osm(db.session, path)
    kept = set(db.session.scalars(select(WalkEdge.osm_way_id).distinct()))
    assert kept == {1, 10, 11, 15, 19}
    steps = set(db.session.scalars(select(WalkEdge.osm_way_id).where(WalkEdge.steps)))
    assert steps == {11}


def test_edges_keep_their_street_name_and_kind(app, tmp_path):
    ways = [
        (10, {"highway": "residential", "name": "Via Padova"}),
        (11, {"highway": "steps"}),
        (12, {"highway": "footway", "footway": "crossing"}),
        (13, {"highway": "footway", "footway": "sidewalk", "name": "Via Arquà"}),
        (14, {"highway": "path"}),
        (15, {"highway": "pedestrian", "name": "Piazza Esempio"}),
        (16, {"highway": "cycleway"}),
        (17, {"highway": "crossing"}),
    ]
    path = tmp_path / "named.osm"
    _ways_file(path, ways)
    import_osm(db.session, path)
    rows = dict(
        (way, (name, kind))
        for way, name, kind in db.session.execute(
            select(WalkEdge.osm_way_id, WalkEdge.name, WalkEdge.kind)
        )
    )
    assert rows == {
        1: (None, "footway"),
        10: ("Via Padova", "street"),
        11: (None, "steps"),
        12: (None, "crossing"),
        13: ("Via Arquà", "sidewalk"),
        14: (None, "path"),
        15: ("Piazza Esempio", "pedestrian"),
        16: (None, "cycleway"),
        17: (None, "crossing"),
    }


def test_sample_edges_carry_milan_street_names(app, with_municipio_1):
    import_osm(db.session, SAMPLE)
    names = set(db.session.scalars(select(WalkEdge.name).where(WalkEdge.name.is_not(None))))
    assert {"Via Larga", "Via Francesco Sforza", "Corso di Porta Romana"} <= names
    kinds = dict(
        db.session.execute(select(WalkEdge.kind, func.count()).group_by(WalkEdge.kind)).all()
    )
    assert kinds["street"] > 50
    assert kinds["crossing"] > 5
    assert kinds["steps"] > 0
    # Every steps edge (and kerb connector) is of a stepped kind, and no other edge is.
    stepped = db.session.execute(
        select(WalkEdge.kind, func.count()).where(WalkEdge.steps).group_by(WalkEdge.kind)
    ).all()
    assert {kind for kind, _n in stepped} <= {"steps", "kerb"}
    not_stepped = select(func.count()).where(~WalkEdge.steps, WalkEdge.kind.in_(["steps", "kerb"]))
    assert db.session.scalar(not_stepped) == 0


def test_ways_are_split_at_junctions(app, tmp_path):
    # One way crossed in its middle by another: both split there, four edges in all.
    lon, lat = VIA_PADOVA
    path = tmp_path / "cross.osm"
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">
        <node id="1" lat="{lat}" lon="{lon}"/><node id="2" lat="{lat}" lon="{lon + 0.001}"/>
        <node id="3" lat="{lat}" lon="{lon + 0.002}"/>
        <node id="4" lat="{lat - 0.001}" lon="{lon + 0.001}"/>
        <node id="5" lat="{lat + 0.001}" lon="{lon + 0.001}"/>
        <way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="residential"/></way>
        <way id="8"><nd ref="4"/><nd ref="2"/><nd ref="5"/><tag k="highway" v="footway"/></way>
        </osm>"""
    )
    report = import_osm(db.session, path)
    assert (report.nodes, report.edges) == (5, 4)
    lengths = db.session.scalars(select(WalkEdge.length_m).where(WalkEdge.osm_way_id == 7))
    assert sorted(round(v, 1) for v in lengths) == [78.2, 78.2]  # 0.001° of longitude at 45.497°


def test_reimport_replaces_the_network_in_one_step(app, with_municipio_1):
    first = import_osm(db.session, SAMPLE)
    second = import_osm(db.session, SAMPLE)
    assert second.network_id != first.network_id
    assert db.session.scalars(select(WalkNetwork.id)).all() == [second.network_id]
    assert _count(WalkEdge, first.network_id) == 0
    assert _count(WalkEdge) == second.edges
    assert _count(Address) == second.addresses


def test_compressed_and_pbf_extracts_are_read(app, with_municipio_1, tmp_path):
    plain = import_osm(db.session, SAMPLE)
    packed = tmp_path / "sample.osm.bz2"
    packed.write_bytes(bz2.compress(SAMPLE.read_bytes()))
    pbf = tmp_path / "sample.osm.pbf"
    with osmium.SimpleWriter(str(pbf)) as writer:
        for obj in osmium.FileProcessor(str(SAMPLE)):
            writer.add(obj)
    for path in (packed, pbf):
        report = import_osm(db.session, path)
        assert (report.nodes, report.edges, report.addresses) == (
            plain.nodes,
            plain.edges,
            plain.addresses,
        )


def test_a_file_that_is_not_osm_fails_in_one_line_and_keeps_the_network(
    app, runner, with_municipio_1, tmp_path
):
    kept = import_osm(db.session, SAMPLE).network_id
    db.session.commit()
    bad = tmp_path / "notes.osm"
    bad.write_text("this is not OpenStreetMap\n")
    result = runner.invoke(args=["geo", "import-osm", str(bad)])
    assert result.exit_code != 0
    error_lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1
    assert "notes.osm" in error_lines[0]
    assert _current().id == kept


def test_no_walkable_way_inside_the_area_fails(app, tmp_path):
    path = tmp_path / "rome.osm"
    _ways_file(path, [(10, {"highway": "residential"})], origin=(12.4964, 41.9028))
    with pytest.raises(ImportFailed, match="nell.area servita"):
        import_osm(db.session, path)
    assert _current() is None


def test_import_command_reports_progress_and_a_summary(app, runner, with_municipio_1):
    result = runner.invoke(args=["geo", "import-osm", str(SAMPLE)])
    assert result.exit_code == 0, result.output
    assert "reading" in result.output
    assert result.output.strip().splitlines()[-1].startswith("walking network ")
    info = runner.invoke(args=["geo", "network-info"])
    net = _current()
    assert f"{net.node_count} nodes" in info.output
    assert f"{net.edge_count} edges" in info.output
    assert "2019-02-26" in info.output


def test_network_info_without_a_network_says_estimate(app, runner):
    result = runner.invoke(args=["geo", "network-info"])
    assert result.exit_code == 0
    assert "estimate" in result.output


def test_fetch_offline_says_so_in_one_line(app, runner, monkeypatch):
    import requests

    def refuse(*_args, **_kwargs):
        raise requests.ConnectionError("no route to host")

    monkeypatch.setattr(requests, "post", refuse)
    result = runner.invoke(args=["geo", "fetch-osm"])
    assert result.exit_code != 0
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1
    assert "offline" in errors[0]
    assert _current() is None


def test_fetch_imports_what_overpass_returns(app, runner, monkeypatch, with_municipio_1):
    import requests

    class Answer:
        status_code = 200

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def iter_content(self, size):
            data = SAMPLE.read_bytes()
            for i in range(0, len(data), size):
                yield data[i : i + size]

    seen = {}

    def post(url, data, timeout, stream):
        seen["query"] = data["data"]
        return Answer()

    monkeypatch.setattr(requests, "post", post)
    result = runner.invoke(args=["geo", "fetch-osm"])
    assert result.exit_code == 0, result.output
    assert 'way["highway"]' in seen["query"]
    assert _current().source == "Overpass API"


def test_ensure_network_offline_starts_in_estimate_mode(app, runner, monkeypatch):
    monkeypatch.setattr("scout.walking.overpass.is_online", lambda *a, **k: False)
    result = runner.invoke(args=["geo", "ensure-network"])
    assert result.exit_code == 0
    assert "estimate" in result.output
    assert "import-osm" in result.output


def test_coordinator_uploads_an_extract(
    app, client, login, make_user, with_municipio_1, monkeypatch
):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    login(make_user("coordinator"))
    # Compressed (under 500 kB), so the test client keeps the body in memory.
    packed = io.BytesIO(bz2.compress(SAMPLE.read_bytes()))
    response = client.post(
        "/admin/network",
        data={"file": (packed, "milano.osm.bz2")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert b"network-imported" in response.data
    assert _current().source == "milano.osm.bz2"
    kept = _current().id
    response = client.post(
        "/admin/network",
        data={"file": (io.BytesIO(b"garbage"), "bad.osm")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert b"network-failed" in response.data
    assert _current().id == kept
