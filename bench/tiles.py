"""Basemap tile speed and size on the benchmark network (bench/netgen.py, ~32,000 junctions over
Municipio 2 + 3): tile generation p50/p95 per zoom through the app's tile route (first request
of each tile: computed; then the same tiles again: kept in the process's tile cache), bytes per
tile, and the bytes of every tile the scouts' tablets keep offline (the service area at
scout.basemap.tiles.OFFLINE_ZOOMS). Goals: p95 <= 50 ms per computed tile, offline set <= 30 MB.

Usage: python bench/tiles.py [--db URL] [--nodes 32000] [--sample 150] [--strict]

The database (default ``scout_bench_tiles`` on the test cluster) is created, migrated and given
the generated network on first use, then reused. ``--strict`` exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import netgen  # noqa: E402

GOAL_P95_MS = 50
GOAL_OFFLINE_MB = 30


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def bench_tiles_app(db_url: str, nodes: int = 32_000) -> Any:
    """The bench app on ``db_url``, given the generated network of ``nodes`` on first use."""
    from scout.basemap import tiles
    from scout.extensions import db

    app = netgen.bench_app(db_url)
    with app.app_context():
        network_id, _box = tiles.current_network(db.session)
    if network_id is None:
        path = ROOT / "instance" / "bench" / "tiles.osm"
        path.parent.mkdir(parents=True, exist_ok=True)
        netgen.generate(path, nodes=nodes)
        print(netgen.import_network(app, path).line())
    return app


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=netgen.test_cluster_url("scout_bench_tiles"))
    parser.add_argument("--nodes", type=int, default=32_000)
    parser.add_argument("--sample", type=int, default=150, help="timed tiles per zoom")
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args()

    from scout.basemap import tiles
    from scout.extensions import db

    app = bench_tiles_app(args.db, args.nodes)
    client = app.test_client()
    rnd = random.Random(5)
    with app.app_context():
        box = tiles.area_box(db.session)
        version = tiles.version(db.session)
    print(f"tiles version {version}; area {', '.join(f'{v:.4f}' for v in box)}")
    failed = False
    offline_bytes = 0
    offline_count = 0
    tiles.cache.clear()
    print("zoom  tiles  timed  p50 ms  p95 ms  max ms  mean KB  max KB  kept p50  kept p95")
    for z in range(12, tiles.MAX_ZOOM + 1):
        every = tiles.tiles_of(box, z)
        timed = every if len(every) <= args.sample else rnd.sample(every, args.sample)
        ms, sizes = [], []
        for x, y in timed:
            started = time.perf_counter()
            answer = client.get(f"/tiles/{z}/{x}/{y}.mvt?v={version}")
            ms.append((time.perf_counter() - started) * 1000)
            sizes.append(len(answer.data))
        kept = []
        for x, y in timed:
            started = time.perf_counter()
            client.get(f"/tiles/{z}/{x}/{y}.mvt?v={version}")
            kept.append((time.perf_counter() - started) * 1000)
        if z in tiles.OFFLINE_ZOOMS:
            offline_count += len(every)
            done = {xy: s for xy, s in zip(timed, sizes, strict=True)}
            for x, y in every:
                if (x, y) not in done:
                    done[(x, y)] = len(client.get(f"/tiles/{z}/{x}/{y}.mvt?v={version}").data)
            offline_bytes += sum(done.values())
        p95 = _p(ms, 0.95)
        failed |= p95 > GOAL_P95_MS
        print(
            f"{z:>4}  {len(every):>5}  {len(timed):>5}  {statistics.median(ms):>6.1f}  "
            f"{p95:>6.1f}  {max(ms):>6.1f}  {statistics.mean(sizes) / 1024:>7.1f}  "
            f"{max(sizes) / 1024:>6.1f}  {statistics.median(kept):>8.1f}  {_p(kept, 0.95):>8.1f}"
        )
    mb = offline_bytes / 1e6
    failed |= mb > GOAL_OFFLINE_MB
    print(
        f"offline set (zooms {tiles.OFFLINE_ZOOMS.start}-{tiles.OFFLINE_ZOOMS.stop - 1}): "
        f"{offline_count} tiles, {mb:.1f} MB (goal <= {GOAL_OFFLINE_MB} MB); "
        f"tile p95 goal <= {GOAL_P95_MS} ms"
    )
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
