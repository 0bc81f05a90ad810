"""Memory per gunicorn worker with the whole city's walking graph: one copy per machine?

    .venv/bin/python bench/workers.py [--workers 1 4] [--requests 40]

Uses the database of ``bench/walking.py --city`` (``scout_bench_city`` on the private test
cluster; built first, as that bench builds it, when it holds no network: ~135,000 junctions,
50,000 places, all nine municipi served). For each worker count it starts
``gunicorn --workers N --config python:bench.load 'scout:create_app()'`` on a free loopback
port, reads each worker's memory once the app is loaded (before any walking call), then sends
``--requests`` walking calls per worker (reach, isochrones and route in turn, from random
origins in the nine municipi, N at a time so every worker answers some) and reads it again.

Memory is read from ``/proc/PID/smaps_rollup`` through psutil: USS (pages only this process
holds) and PSS (each shared page divided among the processes sharing it). The graph's files
are memory-mapped (``scout/walking/graphfiles.py``): their pages count in a lone worker's USS
but are shared as soon as a second worker maps them. Printed per worker, then the machine's
total PSS of the workers' growth, and what each additional worker adds: (total growth with N
workers - total growth with 1) / (N - 1). Goal (issue 18): <= 10 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import netgen  # noqa: E402

GOAL_MB = 10.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def prepare(db_url: str) -> dict[str, Any]:
    """The city database (built when it holds no network), a tutor's token and origins."""
    from scout.auth import create_user, issue_token
    from scout.extensions import db
    from scout.models import Role, WalkNetwork
    from scout.walking import MAX_SNAP_M
    from scout.walking.placeindex import published_index
    from scout.walking.store import current_graph, versions

    config = {"SERVICE_MUNICIPI": list(netgen.CITY)}
    app = netgen.bench_app(db_url, config)
    with app.app_context():
        has_network = db.session.scalar(db.select(WalkNetwork.id).where(WalkNetwork.is_current))
    if has_network is None:
        print("no network in the city database: building it (bench/walking.py --city's data)")
        path = ROOT / "instance" / "bench" / "walking-city.osm"
        path.parent.mkdir(parents=True, exist_ok=True)
        netgen.generate(
            path, nodes=netgen.city_nodes(), area=netgen.service_polygon(1500, netgen.CITY)
        )
        print(netgen.import_network(app, path, progress=print).line())
        netgen.create_places(app, 50_000, area=netgen.service_polygon(0, netgen.CITY))
    with app.app_context():
        # The graph's and the places' files, as an import and the first reach write them.
        graph = current_graph(db.session)
        published_index(db.session, versions(db.session)[1], graph, MAX_SNAP_M)
        print(f"graph files: {graph.arrays.folder}")
        user = create_user(f"workers-{time.time_ns()}@example.org", "bench-password-1", Role.TUTOR)
        token = issue_token(user, "workers bench")
        db.session.commit()
        place_ids = db.session.scalars(db.text("SELECT id FROM place LIMIT 5000")).all()
    origins = netgen.random_points(2000, seed=31, area=netgen.service_polygon(0, netgen.CITY))
    return {"token": token, "places": list(place_ids), "origins": [(p.lon, p.lat) for p in origins]}


def memory(pid: int) -> tuple[float, float]:
    """(USS, PSS) of process ``pid`` in MB."""
    import psutil

    info = psutil.Process(pid).memory_full_info()
    return info.uss / 2**20, info.pss / 2**20


def workers_of(master: int) -> list[int]:
    import psutil

    return sorted(p.pid for p in psutil.Process(master).children())


def run(workers: int, db_url: str, data: dict[str, Any], requests: int) -> dict[str, Any]:
    port = free_port()
    env = {
        **os.environ,
        "SCOUT_DATABASE_URL": db_url,
        "SCOUT_SECRET_KEY": "bench-only-secret",
        "SCOUT_RATELIMIT_ENABLED": "false",
        "SCOUT_SERVICE_MUNICIPI": json.dumps(list(netgen.CITY)),
    }
    log = ROOT / "instance" / "bench" / f"workers-{workers}.log"
    cmd = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers",
        str(workers),
        "--bind",
        f"127.0.0.1:{port}",
        "--config",
        "python:bench.load",  # post_worker_init: gc.freeze() once the app is loaded
        "scout:create_app()",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    pass
                if len(workers_of(proc.pid)) == workers:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not start in 90 s; see {log}")
            time.sleep(0.5)
        time.sleep(2)  # every worker has loaded the app
        pids = workers_of(proc.pid)
        before = {pid: memory(pid) for pid in pids}
        headers = {"Authorization": f"Bearer {data['token']}", "Content-Type": "application/json"}
        errors = []

        def client(seed: int) -> None:
            rnd = random.Random(seed)
            for i in range(requests):
                lon, lat = rnd.choice(data["origins"])
                call, body = [
                    ("reach", {"lon": lon, "lat": lat, "minutes": 15}),
                    ("isochrones", {"lon": lon, "lat": lat, "minutes": [5, 10, 15]}),
                    ("route", {"lon": lon, "lat": lat, "place_id": rnd.choice(data["places"])}),
                ][i % 3]
                req = urllib.request.Request(  # noqa: S310
                    f"{base}/api/v1/walk/{call}", json.dumps(body).encode(), headers
                )
                try:
                    with urllib.request.urlopen(req, timeout=60) as r:  # noqa: S310
                        r.read()
                except OSError as exc:
                    errors.append(str(exc))

        threads = [threading.Thread(target=client, args=(k,)) for k in range(workers)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        after = {pid: memory(pid) for pid in pids}
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    rows = [(pid, *before[pid], *after[pid]) for pid in pids]
    return {"workers": workers, "rows": rows, "errors": len(errors)}


def main() -> None:
    parser = argparse.ArgumentParser(description="memory per gunicorn worker")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--requests", type=int, default=40, help="walking calls per worker")
    parser.add_argument("--db", default=os.environ.get("SCOUT_BENCH_DATABASE_URL"))
    args = parser.parse_args()
    db_url = args.db or netgen.test_cluster_url("scout_bench_city")
    data = prepare(db_url)
    results = []
    for n in args.workers:
        res = run(n, db_url, data, args.requests)
        results.append(res)
        print(f"\n{n} worker(s), {args.requests} walking calls each, {res['errors']} errors")
        print(
            f"{'pid':>8} {'USS app':>8} {'PSS app':>8} {'USS after':>9} {'PSS after':>9}"
            f" {'USS +':>7} {'PSS +':>7}  (MB)"
        )
        for pid, u0, p0, u1, p1 in res["rows"]:
            print(f"{pid:>8} {u0:8.1f} {p0:8.1f} {u1:9.1f} {p1:9.1f} {u1 - u0:7.1f} {p1 - p0:7.1f}")
        res["pss_growth"] = sum(p1 - p0 for _pid, _u0, p0, _u1, p1 in res["rows"])
        res["pss_total"] = sum(p1 for *_rest, p1 in res["rows"])
        print(
            f"machine: workers' PSS {res['pss_total']:.1f} MB in all, of which "
            f"{res['pss_growth']:.1f} MB grown by the walking calls"
        )
    one = next((r for r in results if r["workers"] == 1), None)
    for res in results:
        if one is None or res["workers"] == 1:
            continue
        extra = (res["pss_growth"] - one["pss_growth"]) / (res["workers"] - 1)
        ok = "ok" if extra <= GOAL_MB else "MISSED"
        print(
            f"each additional worker adds {extra:.1f} MB with the graph loaded and in use "
            f"({res['workers']} workers against 1; goal <= {GOAL_MB:.0f} MB: {ok})"
        )


if __name__ == "__main__":
    main()
