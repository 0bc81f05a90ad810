"""Barrier nodes: closed gates, walls and private barriers are not walked through, raised kerbs
are steps for a stroller. Checked on the real Milan sample against networkx on the raw OSM ways
with the blocking barrier nodes taken out (built here from the file, not from the importer's
edges)."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import osmium
import pytest

from scout import walking
from scout.extensions import db
from scout.geo import LonLat, metres_per_degree
from scout.paths import ROOT
from scout.walking import Profile
from scout.walking.osm_import import import_osm, segment_lengths
from scout.walking.osm_rules import (
    BARRIER_BLOCKS,
    BARRIER_PASSES,
    BARRIER_STEP,
    barrier_kind,
    is_walkable,
)

SAMPLE = ROOT / "tests" / "data" / "milan_municipio1_sample.osm"
VIA_PADOVA = (9.2271, 45.4970)


@pytest.fixture(autouse=True)
def _request(app):
    with app.test_request_context():
        yield


@pytest.mark.parametrize(
    ("tags", "kind"),
    [
        ({"barrier": "gate"}, BARRIER_PASSES),
        ({"barrier": "gate", "access": "no"}, BARRIER_BLOCKS),
        ({"barrier": "gate", "access": "private"}, BARRIER_BLOCKS),
        ({"barrier": "gate", "access": "no", "foot": "yes"}, BARRIER_PASSES),
        ({"barrier": "gate", "access": "private", "foot": "permissive"}, BARRIER_PASSES),
        ({"barrier": "lift_gate", "foot": "no"}, BARRIER_BLOCKS),
        ({"barrier": "lift_gate"}, BARRIER_PASSES),
        ({"barrier": "bollard"}, BARRIER_PASSES),
        ({"barrier": "entrance", "foot": "private"}, BARRIER_BLOCKS),
        ({"barrier": "entrance"}, BARRIER_PASSES),
        ({"barrier": "kerb"}, BARRIER_PASSES),
        ({"barrier": "kerb", "kerb": "lowered"}, BARRIER_PASSES),
        ({"barrier": "kerb", "kerb": "raised"}, BARRIER_STEP),
        ({"barrier": "kerb", "kerb": "raised", "access": "no"}, BARRIER_BLOCKS),
        ({"barrier": "wall"}, BARRIER_BLOCKS),
        ({"barrier": "fence"}, BARRIER_BLOCKS),
        ({"barrier": "hedge"}, BARRIER_BLOCKS),
        ({"barrier": "retaining_wall"}, BARRIER_BLOCKS),
        ({"barrier": "fence", "foot": "designated"}, BARRIER_PASSES),
        ({"highway": "crossing"}, BARRIER_PASSES),
    ],
)
def test_barrier_tags_follow_the_way_rules(tags, kind):
    assert barrier_kind(tags) == kind


def _ladder(path, barrier: dict[str, str]) -> tuple[LonLat, LonLat]:
    """Two points 100 m apart on a straight footway with ``barrier`` in its middle, and a way
    around it (200 m north, across, and back): returns the two ends of the straight way."""
    lon, lat = VIA_PADOVA
    m_lon, m_lat = (float(v) for v in metres_per_degree(lat))
    dx, dy = 50 / m_lon, 200 / m_lat
    tags = "".join(f'<tag k="{k}" v="{v}"/>' for k, v in barrier.items())
    path.write_text(
        f"""<?xml version="1.0" encoding="UTF-8"?><osm version="0.6">
        <node id="1" lat="{lat}" lon="{lon}"/>
        <node id="2" lat="{lat}" lon="{lon + dx}">{tags}</node>
        <node id="3" lat="{lat}" lon="{lon + 2 * dx}"/>
        <node id="4" lat="{lat + dy}" lon="{lon}"/>
        <node id="5" lat="{lat + dy}" lon="{lon + 2 * dx}"/>
        <way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
        <way id="8"><nd ref="1"/><nd ref="4"/><nd ref="5"/><nd ref="3"/>
          <tag k="highway" v="footway"/></way>
        </osm>"""
    )
    return LonLat(lon, lat), LonLat(lon + 2 * dx, lat)


def _metres(a: LonLat, b: LonLat, profile: Profile = Profile.STANDARD) -> float:
    answer = walking.route(a, b, profile)
    assert not answer.estimate
    return answer.walk.metres if answer.walk else math.inf


@pytest.mark.parametrize(
    ("barrier", "standard", "stroller"),
    [
        ({"barrier": "gate"}, 100, 100),
        ({"barrier": "gate", "access": "no"}, 500, 500),
        ({"barrier": "gate", "access": "no", "foot": "yes"}, 100, 100),
        ({"barrier": "wall"}, 500, 500),
        ({"barrier": "bollard"}, 100, 100),
        ({"barrier": "kerb", "kerb": "raised"}, 100, 500),
        ({"barrier": "kerb", "kerb": "lowered"}, 100, 100),
    ],
)
def test_walks_go_around_closed_barriers_and_strollers_around_raised_kerbs(
    app, tmp_path, barrier, standard, stroller
):
    path = tmp_path / "barrier.osm"
    a, b = _ladder(path, barrier)
    report = import_osm(db.session, path)
    assert report.barriers == (1 if barrier_kind(barrier) == BARRIER_BLOCKS else 0)
    assert report.raised_kerbs == (1 if barrier_kind(barrier) == BARRIER_STEP else 0)
    assert _metres(a, b) == pytest.approx(standard, abs=0.5)
    assert _metres(b, a) == pytest.approx(standard, abs=0.5)
    assert _metres(a, b, Profile.STROLLER) == pytest.approx(stroller, abs=0.5)
    # A place just past the barrier is reached the same way as by the route.
    walks = walking.walk_to(a, {"past": b}, Profile.STROLLER).walks
    assert walks["past"].metres == pytest.approx(stroller, abs=0.5)


class _RawOsm(osmium.SimpleHandler):
    """The sample's walkable ways as node chains, and its barrier nodes."""

    def __init__(self) -> None:
        super().__init__()
        self.ways: list[tuple[list[int], np.ndarray]] = []
        self.kinds: dict[int, int] = {}
        self.where: dict[int, tuple[float, float]] = {}

    def node(self, n) -> None:
        if "barrier" in n.tags:
            self.kinds[n.id] = barrier_kind(n.tags)

    def way(self, w) -> None:
        if not is_walkable(w.tags):
            return
        try:
            coords = np.array([(n.lon, n.lat) for n in w.nodes])
        except osmium.InvalidLocationError:
            return
        refs = [n.ref for n in w.nodes]
        if len(refs) < 2:
            return
        self.ways.append((refs, coords))
        self.where.update(zip(refs, map(tuple, coords), strict=True))


def _reference(raw: _RawOsm, blocked: set[int]) -> nx.Graph:
    """The walkable ways node by node, minus the ``blocked`` nodes: the largest part."""
    graph = nx.Graph()
    for refs, coords in raw.ways:
        seg = segment_lengths(coords[:, 0], coords[:, 1])
        for u, v, w in zip(refs[:-1], refs[1:], seg.tolist(), strict=True):
            if u == v or u in blocked or v in blocked:
                continue
            if not graph.has_edge(u, v) or graph[u][v]["weight"] > w:
                graph.add_edge(u, v, weight=w)
    return graph.subgraph(max(nx.connected_components(graph), key=len)).copy()


def test_no_walk_on_the_sample_crosses_a_closed_barrier(app, with_municipio_1):
    report = import_osm(db.session, SAMPLE)
    raw = _RawOsm()
    raw.apply_file(str(SAMPLE), locations=True)
    blocked = {
        ref for ref, kind in raw.kinds.items() if kind == BARRIER_BLOCKS and ref in raw.where
    }
    assert report.barriers == len(blocked) == 2  # the sample's locked and private gates
    around = _reference(raw, blocked)
    through = _reference(raw, set())

    # The walks that a closed barrier changes: between its neighbours along the way...
    pairs: set[tuple[int, int]] = set()
    for refs, _coords in raw.ways:
        for i, ref in enumerate(refs):
            if ref in blocked and 0 < i < len(refs) - 1:
                a, b = refs[i - 1], refs[i + 1]
                if a in around and b in around:
                    pairs.add((a, b))
    assert pairs
    # ... and a hundred walks between random junctions of the sample.
    rng = random.Random(18)
    nodes = sorted(n for n in around if n not in blocked and around.degree(n) != 2)
    pairs.update((a, b) for a, b in (rng.sample(nodes, 2) for _ in range(100)))

    barrier_points = np.array([raw.where[r] for r in blocked])
    m_lon, m_lat = (float(v) for v in metres_per_degree(45.46))
    longer = 0
    for a, b in sorted(pairs):
        expected = nx.dijkstra_path_length(around, a, b)
        straight_through = nx.dijkstra_path_length(through, a, b)
        longer += expected > 1.1 * straight_through
        origin, target = LonLat(*raw.where[a]), LonLat(*raw.where[b])
        answer = walking.route(origin, target)
        assert answer.walk is not None, (a, b)
        assert answer.walk.metres == pytest.approx(expected, abs=0.5, rel=1e-3), (a, b)
        line = np.array(answer.line["coordinates"])
        gaps = np.hypot(
            (line[:, None, 0] - barrier_points[None, :, 0]) * m_lon,
            (line[:, None, 1] - barrier_points[None, :, 1]) * m_lat,
        )
        assert gaps.min() > 0.05, (a, b)  # the line never passes a closed barrier's node
        walks = walking.walk_to(origin, {b: target}).walks
        assert walks[b].metres == pytest.approx(expected, abs=0.5, rel=1e-3), (a, b)
    # The barriers matter: some of these walks are more than 10 % longer than through them.
    assert longer >= 3
