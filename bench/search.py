"""Tutors' search benchmark on the Milan-sized synthetic network (``bench/netgen.py``).

Builds the network (about 32,000 junctions over Municipio 2 + 3 and the buffer), imports it
through the code of ``flask geo import-osm``, adds 10,000 published partner places, gives a
third of them a job offer (random sector, contract, schedule) and a fifth a course or service,
then for ``--origins`` random origins (default 300) times, in this process:

- the walking engine's reach (``walking.reach``, 15 minutes, every published place) and the
  same through ``POST /api/v1/walk/reach``: the reference figures;
- the whole search through ``POST /api/v1/search`` (test client, bearer token): every kind,
  15 minutes, a school (the nearest school site) and school hours: reach, the items, the walks
  from school, the fit rule, the JSON;
- the same search without a school;

and prints p50/p95 of each and the ratios search / reach. Goal (issue 18): the search with a
school within 1.5x the reach through the API. A search answers the nearest 100 results (``limit``).

Run: ``.venv/bin/python bench/search.py`` (database ``SCOUT_BENCH_SEARCH_DATABASE_URL``, default
``scout_bench_search`` on the private cluster, re-created on each run).
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import netgen  # noqa: E402

DEFAULT_DB = netgen.test_cluster_url("scout_bench_search")
SECTORS = ["pulizie", "ristorazione", "cura", "commercio", "logistica", "portineria"]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] * 1000


def line(name: str, values: list[float]) -> str:
    return f"{name:<46} p50 {pct(values, 0.5):7.1f} ms   p95 {pct(values, 0.95):7.1f} ms"


def add_items(app, place_ids: list[int], seed: int = 5) -> tuple[int, int]:
    """Offers on a third of the places, courses or services on a fifth."""
    from sqlalchemy import insert

    from scout.extensions import db
    from scout.models import (
        ContractType,
        ItalianLevel,
        Offer,
        PartTime,
        Resource,
        ResourceKind,
        ReviewStatus,
    )

    rnd = random.Random(seed)
    offers, resources = [], []
    for pid in place_ids:
        if rnd.random() < 1 / 3:
            start = rnd.choice(["07:00", "08:30", "09:00", "10:00", "14:00", "18:00"])
            end = {"07:00": "11:00", "08:30": "12:30", "09:00": "13:00"}.get(start, "16:00")
            days = rnd.choice([range(5), range(1, 6), (5, 6), ()])
            offers.append(
                {
                    "place_id": pid,
                    "title": f"Bench offer {pid}",
                    "sector": rnd.choice(SECTORS),
                    "contract_type": rnd.choice(list(ContractType)),
                    "part_time": rnd.choice(list(PartTime)),
                    "italian_level": rnd.choice(list(ItalianLevel)),
                    "schedule": [{"day": d, "start": start, "end": end} for d in days],
                    "status": ReviewStatus.PUBLISHED,
                    "positions": 1,
                    "version": 1,
                }
            )
        if rnd.random() < 1 / 5:
            resources.append(
                {
                    "place_id": pid,
                    "title": f"Bench course {pid}",
                    "kind": rnd.choice(list(ResourceKind)),
                    "schedule": [{"day": 1, "start": "09:00", "end": "11:00"}],
                    "languages": ["it"],
                    "target_groups": [],
                    "status": ReviewStatus.PUBLISHED,
                    "version": 1,
                }
            )
    with app.app_context():
        db.session.execute(insert(Offer), offers)
        db.session.execute(insert(Resource), resources)
        db.session.commit()
        # Planner statistics, as autovacuum keeps them on a live database: measured straight
        # after a bulk load, the queries would run on plans for empty tables.
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return len(offers), len(resources)


def main() -> None:
    parser = argparse.ArgumentParser(description="tutors' search benchmark")
    parser.add_argument("--origins", type=int, default=300)
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--nodes", type=int, default=32_000)
    parser.add_argument(
        "--profile", type=int, default=0, help="then profile N searches with a school (cProfile)"
    )
    parser.add_argument(
        "--db", default=os.environ.get("SCOUT_BENCH_SEARCH_DATABASE_URL", DEFAULT_DB)
    )
    args = parser.parse_args()

    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "ensure_db.py"), args.db, "--recreate"], check=True
    )
    work = ROOT / "instance" / "bench"
    work.mkdir(parents=True, exist_ok=True)
    path = work / "search.osm"
    started = time.perf_counter()
    stats = netgen.generate(path, nodes=args.nodes)
    print(
        f"generated {path.name} in {time.perf_counter() - started:.1f} s: {stats.junctions} "
        f"junctions, {stats.segments} street segments"
    )
    app = netgen.bench_app(args.db)
    print(netgen.import_network(app, path).line())
    place_ids = netgen.create_places(app, args.places)
    n_offers, n_resources = add_items(app, place_ids)
    print(f"{len(place_ids)} published places, {n_offers} offers, {n_resources} courses/services")

    from sqlalchemy import func, select

    from scout import walking
    from scout.auth import create_user, issue_token
    from scout.extensions import db
    from scout.geo import LonLat
    from scout.models import Role, School
    from scout.walking import Profile

    origins = netgen.random_points(args.origins, seed=21)
    warm = netgen.random_points(30, seed=99)
    with app.app_context():
        user = create_user("bench-search@example.org", "bench-password-1", Role.TUTOR)
        token = issue_token(user, "bench")
        db.session.commit()

        def nearest_school(p: LonLat) -> int:
            here = func.ST_SetSRID(func.ST_MakePoint(p.lon, p.lat), 4326)
            return db.session.scalar(
                select(School.id).order_by(School.location.op("<->")(here)).limit(1)
            )

        schools = [nearest_school(p) for p in origins]
        db.session.remove()

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    hours = {"drop_off": "08:30", "pick_up": "16:30", "days": [0, 1, 2, 3, 4]}

    def body(p: LonLat, school_id: int | None) -> dict:
        out = {"origin": {"lon": p.lon, "lat": p.lat}, "max_minutes": 15}
        if school_id is not None:
            out |= {"school_id": school_id, "school_hours": hours}
        return out

    def timed_reach(p: LonLat) -> float | None:
        """The engine's reach in its own app context (as a request would have)."""
        with app.app_context():
            t0 = time.perf_counter()
            try:
                walking.reach(p, 15, Profile.STANDARD)
            except walking.OutOfArea:  # too far from any path: the search refuses it too
                return None
            return time.perf_counter() - t0

    # Requests run outside any app context: each gets its own, like a real one.
    for p in warm:  # load the graph, warm the caches
        if timed_reach(p) is not None:
            client.post("/api/v1/search", json=body(p, None), headers=headers)
    reach_t, reach_api_t, search_t, plain_t, counts = [], [], [], [], []
    skipped = 0
    for p, school_id in zip(origins, schools, strict=True):
        took = timed_reach(p)
        if took is None:
            skipped += 1
            continue
        reach_t.append(took)
        t0 = time.perf_counter()
        client.post(
            "/api/v1/walk/reach", json={"lon": p.lon, "lat": p.lat, "minutes": 15}, headers=headers
        )
        reach_api_t.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        response = client.post("/api/v1/search", json=body(p, school_id), headers=headers)
        search_t.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.get_json()
        counts.append(response.get_json()["count"])
        t0 = time.perf_counter()
        client.post("/api/v1/search", json=body(p, None), headers=headers)
        plain_t.append(time.perf_counter() - t0)
    # What a tablet downloads: the answer as its browser asks for it (Chromium: zstd).
    sizes = []
    for p, school_id in list(zip(origins, schools, strict=True))[:30]:
        asked = headers | {"Accept-Encoding": "gzip, deflate, br, zstd"}
        packed = client.post("/api/v1/search", json=body(p, school_id), headers=asked)
        plain = client.post("/api/v1/search", json=body(p, school_id), headers=headers)
        sizes.append((len(plain.data), len(packed.data), packed.headers.get("Content-Encoding")))
    network = "network" if not routing_is_estimate(app) else "ESTIMATE MODE (no network)"
    print(f"{len(reach_t)} origins ({skipped} off the paths skipped), {network}")
    print(f"results per search: median {sorted(counts)[len(counts) // 2]}, max {max(counts)}")
    raw, packed, encoding = sorted(sizes)[len(sizes) // 2]
    print(
        f"answer with a school (median of 30): {raw / 1000:.1f} KB, "
        f"{packed / 1000:.1f} KB as {encoding}"
    )
    print(line("walking-engine reach, 15 min (engine call)", reach_t))
    print(line("POST /api/v1/walk/reach, 15 min", reach_api_t))
    print(line("POST /api/v1/search, school + hours", search_t))
    print(line("POST /api/v1/search, no school", plain_t))
    # Goal (issue 18): the search with a school within 1.5x the reach through the API.
    for label, reference, goal in (
        ("engine reach", reach_t, None),
        ("reach API", reach_api_t, 1.5),
    ):
        for q in (0.5, 0.95):
            ratio = pct(search_t, q) / pct(reference, q)
            name = "p50" if q == 0.5 else "p95"
            verdict = "" if goal is None else "  (ok)" if ratio <= goal else f"  (OVER {goal}x)"
            print(f"search / {label} {name}: {ratio:.2f}x{verdict}")
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        pairs = list(zip(origins, schools, strict=True))[: args.profile]
        profiler.enable()
        for p, school_id in pairs:
            client.post("/api/v1/search", json=body(p, school_id), headers=headers)
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(40)


def routing_is_estimate(app) -> bool:
    from scout import walking
    from scout.geo import LonLat

    with app.app_context():
        p = netgen.random_points(1, seed=1)[0]
        try:
            return walking.reach(LonLat(p.lon, p.lat), 5).estimate
        except walking.OutOfArea:
            return False


if __name__ == "__main__":
    main()
