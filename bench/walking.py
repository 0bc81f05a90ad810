"""Walking-engine benchmark on a Milan-sized synthetic network, or the whole city's.

Generates the network with ``bench/netgen.py`` (about 32,000 junctions and 65,000 edges over
Municipio 2 + 3 and the 1.5 km buffer, written as OSM XML; ``--city``: all nine municipi served
and about 135,000 junctions and 275,000 edges over them and the buffer, ~300 km²), imports it
through the code of ``flask geo import-osm`` (progress shown), adds 10,000 published places
(``--city``: 50,000 over the nine municipi' 182 km²), then for ``--origins`` random origins
(default 1,000) times, in this process:

- reach (15 minutes) through ``POST /api/v1/walk/reach`` (test client, bearer token: request
  to the answer's bytes; the answer is parsed after the clock stops, as the straight-line
  query's rows are not turned into JSON either), and the engine call alone (``walking.reach``);
- isochrones (5/10/15) through ``/api/v1/walk/isochrones``; route through ``/api/v1/walk/route``;
- the same reach as (a) a plain PostGIS ``ST_DWithin`` straight-line query (the estimate
  mode's radius) and (b) pgRouting's ``pgr_drivingDistance`` (edges read within the budget's
  bounding box; places joined through their nearest node);

- isochrones and route on the graph itself (``Graph.isochrones``, ``Graph.route``), today's
  and the engine's before the speed work (``bench/baseline.py``: ``scout/walking/graph.py`` at
  a fixed commit, loaded from git), back to back for each origin: the before/after ratios, the
  isochrone bands' area and overlap (IoU) against shapely's exact buffer of the streets reached
  (``bench/edgebuffer.py``, the first 300 origins) and against before's concave hulls, and the
  route metres' agreement;

and prints p50/p95, the import time, and the graph's memory in a fresh process (RSS and
private USS growth; ``bench/workers.py`` measures it per gunicorn worker). Goals (issue 18):
engine reach <= 1.0x and API reach <= 2x the straight-line query; isochrones >= 2.5x and route
>= 3x faster than before, the bands within 5 % of the streets' buffer's area and IoU >= 0.95;
reach p95 <= 25 ms; isochrones p95 <= 60 ms (``--city``: 40 ms); import <= 60 s (``--city``:
90 s); graph private memory per process <= 10 MB.

Run: ``.venv/bin/python bench/walking.py [--city]`` (database ``SCOUT_BENCH_DATABASE_URL``,
default ``scout_bench_walk`` or ``scout_bench_city`` on the private cluster, re-created on each
run).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import edgebuffer, netgen  # noqa: E402

# The bands of this many origins are compared with shapely's buffer of the streets reached.
SHAPE_ORIGINS = 300


def rss_mb() -> float:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def line(name: str, values: list[float]) -> str:
    return f"{name:<44} p50 {pct(values, 0.5):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms"


def uss_mb(skip: str = "") -> float:
    """Private memory (USS) in MB; without the pages of files under ``skip``."""
    import psutil

    maps = psutil.Process().memory_maps(grouped=True)
    private = sum(m.private_clean + m.private_dirty for m in maps if not skip or skip not in m.path)
    return private / 2**20


def measure_memory(db_url: str, config: dict[str, Any]) -> None:
    """(Run in a fresh process.) RSS and USS (private memory) growth of opening the current
    graph and answering 30 reaches and isochrones on it, as JSON."""
    app = netgen.bench_app(db_url, config)
    from scout import walking
    from scout.extensions import db
    from scout.walking.store import current_graph

    area = netgen.service_polygon(0, tuple(app.config["SERVICE_MUNICIPI"]))
    with app.app_context():
        db.session.execute(db.text("SELECT 1"))
        gc.collect()
        folder = app.config["WALK_GRAPH_FOLDER"]
        rss, uss, own = rss_mb(), uss_mb(), uss_mb(folder)
        graph = current_graph(db.session)
        for p in netgen.random_points(30, seed=17, area=area):
            with contextlib.suppress(walking.OutOfArea):
                walking.reach(p, 15)
                walking.isochrones(p, [5, 10, 15])
        gc.collect()
        grown = {"rss": rss_mb() - rss, "uss": uss_mb() - uss, "own": uss_mb(folder) - own}
        print(json.dumps({**grown, "edges": len(graph.src)}))


def main() -> None:
    parser = argparse.ArgumentParser(description="walking-engine benchmark")
    parser.add_argument("--origins", type=int, default=1000)
    parser.add_argument("--places", type=int, help="default 10,000; --city: 50,000")
    parser.add_argument("--nodes", type=int, help="default 32,000; --city: ~135,000")
    parser.add_argument(
        "--city",
        action="store_true",
        help="the whole Comune di Milano: all nine municipi served, a network over them and "
        "the buffer (netgen --city), 50,000 places",
    )
    parser.add_argument("--db", default=os.environ.get("SCOUT_BENCH_DATABASE_URL"))
    parser.add_argument("--memory-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    municipi = netgen.CITY if args.city else (2, 3)
    config = {"SERVICE_MUNICIPI": list(municipi)}
    args.db = args.db or netgen.test_cluster_url(
        "scout_bench_city" if args.city else "scout_bench_walk"
    )
    if args.memory_only:
        measure_memory(args.db, config)
        return
    places = args.places or (50_000 if args.city else 10_000)
    nodes = args.nodes or (netgen.city_nodes() if args.city else netgen.MILAN_NODES)
    net_area = netgen.service_polygon(1500, municipi)
    area = netgen.service_polygon(0, municipi)
    label = "all nine municipi" if args.city else "Municipio 2 + 3"

    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_db.py"), args.db, "--recreate"], check=True
    )
    work = ROOT / "instance" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    path = work / ("walking-city.osm" if args.city else "walking.osm")
    started = time.perf_counter()
    stats = netgen.generate(path, nodes=nodes, area=net_area)
    print(
        f"generated {path.name} in {time.perf_counter() - started:.1f} s: {stats.junctions} "
        f"junctions, {stats.segments} street segments, {stats.addresses} addresses over "
        f"{netgen.km2(net_area):.0f} km² ({label} and the 1.5 km buffer), "
        f"{path.stat().st_size / 1e6:.0f} MB"
    )
    app = netgen.bench_app(args.db, config)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"  import {time.perf_counter() - started:5.1f} s: {message.strip()}", flush=True)

    report = netgen.import_network(app, path, progress=progress)
    print(report.line())
    place_ids = netgen.create_places(app, places, area=area)
    print(f"{len(place_ids)} published places over {netgen.km2(area):.0f} km² ({label})")

    mem = subprocess.run(
        [sys.executable, __file__, "--memory-only", "--db", args.db]
        + (["--city"] if args.city else []),
        check=True,
        capture_output=True,
        text=True,
    )
    memory = json.loads(mem.stdout.strip().splitlines()[-1])

    import shapely
    from sqlalchemy import select, text

    from bench import baseline
    from scout import spatial, walking
    from scout.auth import create_user, issue_token
    from scout.extensions import db
    from scout.geo import LonLat
    from scout.models import Place, Role
    from scout.walking import bands

    origins = netgen.random_points(args.origins, seed=21, area=area)
    warm = netgen.random_points(50, seed=99, area=area)
    rnd = random.Random(5)
    with app.app_context():
        user = create_user("bench@example.org", "bench-password-1", Role.TUTOR)
        token = issue_token(user, "bench")
        db.session.commit()
        # pgRouting lives in the benchmark database only.
        db.session.execute(text("CREATE EXTENSION IF NOT EXISTS pgrouting"))
        db.session.execute(
            text("CREATE INDEX IF NOT EXISTS bench_walk_node_geom ON walk_node USING gist (geom)")
        )
        # Each place's nearest node and its distance, for the pgRouting comparison.
        db.session.execute(
            text(
                """
                CREATE TABLE bench_place_node AS
                SELECT p.id AS place_id, n.id AS node_id,
                       ST_Distance(p.location, n.geom::geography) AS snap_m
                FROM place p CROSS JOIN LATERAL (
                    SELECT id, geom FROM walk_node WHERE network_id = :n
                    ORDER BY geom <-> p.location::geometry LIMIT 1) n
                WHERE p.status = 'published'
                """
            ),
            {"n": report.network_id},
        )
        db.session.execute(text("CREATE INDEX ON bench_place_node (node_id)"))
        db.session.commit()
        # Planner statistics, as autovacuum keeps them on a live database: measured straight
        # after a bulk load, the queries would run on plans for empty tables.
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    client = app.test_client()
    minutes = 15
    budget = minutes * 60 * walking.Profile.STANDARD.speed_m_s
    radius = budget / app.config["DETOUR_FACTOR"]

    def api(path: str, **body: Any) -> bytes | None:
        """The answer's bytes, as a client receives them (parsed by the caller, untimed: the
        server's time is measured, not this process's JSON decoder)."""
        response = client.post(f"/api/v1/walk/{path}", json=body, headers=headers)
        if response.status_code != 200:
            return None
        return response.data

    for p in warm:  # loads the graph, warms caches and connections
        api("reach", lon=p.lon, lat=p.lat, minutes=minutes)

    times: dict[str, list[float]] = {
        k: []
        for k in (
            "api_reach",
            "engine",
            "iso",
            "route",
            "dwithin",
            "pgr",
            "iso_new",
            "iso_old",
            "route_new",
            "route_old",
        )
    }
    shape: dict[str, list[float]] = {"area": [], "iou": [], "ref_area": [], "ref_iou": []}
    route_gap: list[float] = []
    with app.app_context():
        graph = walking.network()
        before = baseline.old_graph(db.session)  # the engine before the speed work
    place_points = {}
    with app.app_context():
        lon_c, lat_c = spatial.place_lonlat()
        for pid, plon, plat in db.session.execute(select(Place.id, lon_c, lat_c)).all():
            place_points[pid] = LonLat(plon, plat)
    found: dict[str, list[int]] = {"api_reach": [], "dwithin": [], "pgr": []}
    refused = 0
    deg = budget / 75_000  # metres → a generous box in degrees at Milan's latitude
    dwithin_sql = text(
        """
        -- the straight-line reach: GiST-indexed ST_DWithin on geography
        SELECT id, ST_Distance(location, o) AS m
        FROM place, (SELECT ST_MakePoint(:lon, :lat)::geography AS o) q
        WHERE status = 'published' AND ST_DWithin(location, o, :r)
        ORDER BY m
        """
    )
    pgr_sql = text(
        """
        WITH start AS (
            SELECT id FROM walk_node WHERE network_id = :n
            ORDER BY geom <-> ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) LIMIT 1),
        dd AS (
            SELECT node, agg_cost FROM pgr_drivingDistance(
                format('SELECT id, source, target, length_m AS cost,
                        length_m AS reverse_cost FROM walk_edge
                        WHERE network_id = %s AND geom && ST_Expand(
                        ST_SetSRID(ST_MakePoint(%s, %s), 4326), %s)',
                       :n, :lon, :lat, :deg),
                (SELECT id FROM start), :budget, directed => true))
        SELECT pn.place_id, dd.agg_cost + pn.snap_m
        FROM dd JOIN bench_place_node pn ON pn.node_id = dd.node
        WHERE dd.agg_cost + pn.snap_m <= :budget
        """
    )
    # Every measure for one origin runs back to back, so a busy machine weighs on all alike.
    for p in origins:
        t = time.perf_counter()
        answer = api("reach", lon=p.lon, lat=p.lat, minutes=minutes)
        times["api_reach"].append(time.perf_counter() - t)
        if answer is None:
            refused += 1
            continue
        found["api_reach"].append(len(json.loads(answer)["features"]))
        t = time.perf_counter()
        api("isochrones", lon=p.lon, lat=p.lat, minutes=[5, 10, 15])
        times["iso"].append(time.perf_counter() - t)
        target = rnd.choice(place_ids)
        t = time.perf_counter()
        api("route", lon=p.lon, lat=p.lat, place_id=target)
        times["route"].append(time.perf_counter() - t)
        # The graph's own calls, today's and before the speed work's, back to back.
        start = graph.snap_origin(p, False, walking.MAX_SNAP_M)
        old_start = before.snap_origin(p, False, walking.MAX_SNAP_M)
        budgets = [m * 60 * walking.Profile.STANDARD.speed_m_s for m in (5, 10, 15)]
        t = time.perf_counter()
        new_shapes = graph.isochrones(start, budgets)
        times["iso_new"].append(time.perf_counter() - t)
        t = time.perf_counter()
        old_shapes = before.isochrones(old_start, budgets)
        times["iso_old"].append(time.perf_counter() - t)
        for new_band, old_band in zip(new_shapes, old_shapes, strict=True):
            # Bands as GeoJSON (7 decimals): rounding may leave a ring touching itself.
            a = shapely.make_valid(shapely.geometry.shape(new_band))
            b = shapely.make_valid(shapely.geometry.shape(old_band))
            shape["area"].append(a.area / b.area)
            shape["iou"].append(a.intersection(b).area / a.union(b).area)
        if len(shape["ref_iou"]) < 3 * SHAPE_ORIGINS:  # against shapely's buffer (slow)
            reference = edgebuffer.edge_buffer(graph, start, budgets, bands.MARGIN_M)
            for a, b in zip(graph.isochrone_shapes(start, budgets), reference, strict=True):
                shape["ref_area"].append(a.area / b.area)
                shape["ref_iou"].append(a.intersection(b).area / a.union(b).area)
        t = time.perf_counter()
        new_route = graph.route(start, place_points[target], walking.MAX_SNAP_M)
        times["route_new"].append(time.perf_counter() - t)
        t = time.perf_counter()
        old_route = before.route(old_start, place_points[target], walking.MAX_SNAP_M)
        times["route_old"].append(time.perf_counter() - t)
        if new_route and old_route:
            route_gap.append(abs(new_route[0] - old_route[0]))
        with app.test_request_context():
            t = time.perf_counter()
            with contextlib.suppress(walking.OutOfArea):
                walking.reach(p, minutes)
            times["engine"].append(time.perf_counter() - t)
            t = time.perf_counter()
            rows = db.session.execute(dwithin_sql, {"lon": p.lon, "lat": p.lat, "r": radius}).all()
            times["dwithin"].append(time.perf_counter() - t)
            found["dwithin"].append(len(rows))
            params = {"n": report.network_id, "lon": p.lon, "lat": p.lat}
            t = time.perf_counter()
            rows = db.session.execute(pgr_sql, {**params, "deg": deg, "budget": budget}).all()
            times["pgr"].append(time.perf_counter() - t)
            found["pgr"].append(len(rows))
            db.session.rollback()

    print()
    print(
        f"{len(origins)} random origins in {label}, {minutes}-minute reach "
        f"(standard profile), {refused} refused (>250 m from a path)"
    )
    print(line("reach, API in-process (POST /walk/reach)", times["api_reach"]))
    print(line("reach, engine only (walking.reach)", times["engine"]))
    print(line("isochrones 5/10/15 (POST /walk/isochrones)", times["iso"]))
    print(line("route (POST /walk/route)", times["route"]))
    print(line("(a) straight line ST_DWithin", times["dwithin"]))
    print(line("(b) pgRouting pgr_drivingDistance", times["pgr"]))
    print(line("isochrones 5/10/15, graph (Graph.isochrones)", times["iso_new"]))
    print(line("  the same before the speed work", times["iso_old"]))
    print(line("route, graph (Graph.route)", times["route_new"]))
    print(line("  the same before the speed work", times["route_old"]))
    p95 = {k: pct(v, 0.95) for k, v in times.items()}
    print(
        f"ratios at p95: engine reach / ST_DWithin = {p95['engine'] / p95['dwithin']:.1f}x, "
        f"API reach / ST_DWithin = {p95['api_reach'] / p95['dwithin']:.1f}x, "
        f"pgRouting / engine reach = {p95['pgr'] / p95['engine']:.1f}x"
    )
    p50 = {k: pct(v, 0.5) for k, v in times.items()}
    iso_speedup = p50["iso_old"] / p50["iso_new"]
    route_speedup = p50["route_old"] / p50["route_new"]
    worst_area = max(abs(a - 1) for a in shape["ref_area"])
    worst_iou = min(shape["ref_iou"])
    print(
        f"before/after at p50 (same run, same origins): isochrones {iso_speedup:.1f}x faster, "
        f"route {route_speedup:.1f}x faster; route metres differ by at most "
        f"{max(route_gap):.3f} m"
    )
    print(
        f"isochrone bands against shapely's buffer of the streets reached "
        f"({len(shape['ref_iou']) // 3} origins, 3 bands each): area within "
        f"{worst_area * 100:.1f} %, IoU >= {worst_iou:.3f} (median "
        f"{statistics.median(shape['ref_iou']):.3f}); against before's concave hulls: area "
        f"within {max(abs(a - 1) for a in shape['area']) * 100:.1f} %, IoU >= "
        f"{min(shape['iou']):.3f} (median {statistics.median(shape['iou']):.3f})"
    )
    print(
        f"places per answer (median): network {statistics.median(found['api_reach']):.0f}, "
        f"straight line {statistics.median(found['dwithin']):.0f}, "
        f"pgRouting {statistics.median(found['pgr']):.0f}"
    )
    print(
        f"import: {report.seconds:.1f} s for {report.edges} edges / {report.nodes} nodes; "
        f"graph memory of a fresh process (opened, then 30 reaches and isochrones): RSS growth "
        f"{memory['rss']:.0f} MB, USS {memory['uss']:.1f} MB, of which {memory['own']:.1f} MB "
        "its own (the rest: pages of the graph's files, shared as soon as another process maps "
        "them; bench/workers.py measures it per gunicorn worker)"
    )
    goals = [
        ("API reach p95 <= 25 ms", p95["api_reach"] <= 25),
        ("engine reach p95 <= 25 ms", p95["engine"] <= 25),
        ("engine reach <= 1.0x straight line", p95["engine"] <= p95["dwithin"]),
        ("API reach <= 2x straight line", p95["api_reach"] <= 2 * p95["dwithin"]),
        ("isochrones >= 2.5x faster", iso_speedup >= 2.5),
        (
            "isochrones the streets' buffer (area 5 %, IoU 0.95)",
            worst_area <= 0.05 and worst_iou >= 0.95,
        ),
        ("route >= 3x faster", route_speedup >= 3),
        (
            "isochrones p95 <= 40 ms" if args.city else "isochrones p95 <= 60 ms",
            p95["iso"] <= (40 if args.city else 60),
        ),
        (
            "import <= 90 s" if args.city else "import <= 60 s",
            report.seconds <= (90 if args.city else 60),
        ),
        ("graph memory of a process's own <= 10 MB", memory["own"] <= 10),
    ]
    print("goals: " + ", ".join(f"{name} {'ok' if ok else 'MISSED'}" for name, ok in goals))


if __name__ == "__main__":
    main()
