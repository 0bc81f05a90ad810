"""Public map speed with 2,000 published partner places: the size of the map's GeoJSON feed (raw
and gzip) and, in headless chromium, the time from navigation until every marker is drawn
(all places added to the cluster layer and painted). Goals: <= 250 KB gzip, <= 1.5 s.

Usage: python bench/public_map.py [--db URL] [--places 2000] [--runs 5] [--strict]

The database (default ``scout_bench_public`` on the private cluster of ``scripts/pg.sh``) is
created, migrated and filled on first use, then reused while it holds the same number of bench
places. Places get realistic public fields (address, opening hours, one or two courses or
services with languages), so the feed weighs what a real one would. Map tiles are refused (no
network), as in the tests. ``--strict`` exits 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from netgen import bench_app, create_places, test_cluster_url  # noqa: E402

DEFAULT_DB = test_cluster_url("scout_bench_public")
GOAL_GZIP_KB = 250
GOAL_SECONDS = 1.5
CHROMIUM = "/usr/bin/chromium"
STREETS = ["Via Padova", "Viale Monza", "Via Porpora", "Via Palmanova", "Via Leoncavallo"]
HOURS = ["lun-ven 9:00-13:00, 14:00-17:00", "mar e gio 14:30-17:30", "lun-sab 8:30-19:30"]
LANGUAGES = ["it", "ar", "en", "es", "fr", "ta", "si", "bn", "zh"]


def populate(app: Any, n: int, seed: int = 23) -> None:
    """Make the database hold exactly ``n`` bench places (netgen's partners and places), with
    the public fields a real place has: address, opening hours, courses or services."""
    from sqlalchemy import bindparam, delete, func, insert, select, update

    from scout.extensions import db
    from scout.models import Organisation, Place, Resource, ResourceKind, ReviewStatus

    with app.app_context():
        have = db.session.scalar(
            select(func.count()).select_from(Place).where(Place.source_dataset == "bench")
        )
        if have == n:
            return
        org_ids = select(Place.organisation_id).where(Place.source_dataset == "bench")
        db.session.execute(delete(Organisation).where(Organisation.id.in_(org_ids)))
        db.session.execute(delete(Place).where(Place.source_dataset == "bench"))
        db.session.commit()
    place_ids = create_places(app, n, seed=seed)
    rnd = random.Random(seed)
    table = Place.__table__
    with app.app_context():
        db.session.execute(
            update(table).where(table.c.id == bindparam("pid")),
            [
                {
                    "pid": pid,
                    "street": rnd.choice(STREETS),
                    "civic_number": str(rnd.randint(1, 180)),
                    "postcode": rnd.choice(["20127", "20131", "20132", "20133"]),
                    "opening_hours": rnd.choice(HOURS),
                }
                for pid in place_ids
            ],
        )
        db.session.execute(
            insert(Resource),
            [
                {
                    "place_id": pid,
                    "title": f"Corso {k} della sede {i}",
                    "kind": rnd.choice(list(ResourceKind)),
                    "languages": rnd.sample(LANGUAGES, rnd.randint(1, 3)),
                    "target_groups": [],
                    "schedule": [{"day": rnd.randint(0, 4), "start": "09:00", "end": "11:00"}],
                    "status": ReviewStatus.PUBLISHED,
                }
                for i, pid in enumerate(place_ids)
                for k in range(1 + i % 2)
            ],
        )
        db.session.commit()


def serve(app: Any) -> tuple[Any, str]:
    from werkzeug.serving import make_server

    app.config["SESSION_COOKIE_SECURE"] = False
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


def feed_size(url: str) -> tuple[int, int, int]:
    """(features, raw bytes, gzip bytes as the app sends them)."""
    import requests

    feed = f"{url}/data/places.geojson"
    plain = requests.get(feed, headers={"Accept-Encoding": "identity"}, timeout=60)
    sent = requests.get(feed, headers={"Accept-Encoding": "gzip"}, stream=True, timeout=60)
    packed = sent.raw.read()
    assert sent.headers.get("Content-Encoding") == "gzip"
    assert gzip.decompress(packed) == plain.content
    return len(plain.json()["features"]), len(plain.content), len(packed)


BREAKDOWN = """(() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const feed = performance.getEntriesByType("resource").find((r) => r.name.includes(".geojson"));
  const ms = (x) => Math.round(x);
  return {page_ttfb: ms(nav.responseStart), page_done: ms(nav.responseEnd),
    dom_ready: ms(nav.domContentLoadedEventEnd), feed_start: ms(feed.startTime),
    feed_ttfb: ms(feed.responseStart), feed_done: ms(feed.responseEnd),
    drawn: ms(performance.getEntriesByName("scout:markers-drawn")[0].startTime)};
})()"""


def browser_times(
    url: str, runs: int, viewport: dict[str, int], verbose: bool = False
) -> tuple[list[float], int]:
    """Seconds from navigation start to the "markers drawn" mark, one fresh context a run."""
    from playwright.sync_api import sync_playwright

    times, markers = [], 0
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for _ in range(runs):
            context = browser.new_context(viewport=viewport, locale="it-IT")
            context.route(
                "**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort()
            )
            page = context.new_page()
            page.goto(f"{url}/")
            page.wait_for_selector("#map[data-drawn]", state="attached", timeout=30_000)
            start = page.evaluate(
                "performance.getEntriesByName('scout:markers-drawn')[0].startTime"
            )
            times.append(start / 1000)
            if verbose:
                print("  ", page.evaluate(BREAKDOWN))
            markers = int(page.get_attribute("#map", "data-markers") or 0)
            context.close()
        browser.close()
    return times, markers


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=DEFAULT_DB)
    parser.add_argument("--places", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--verbose", action="store_true", help="print a timing breakdown")
    args = parser.parse_args()

    started = time.perf_counter()
    app = bench_app(args.db)
    populate(app, args.places)
    server, url = serve(app)
    print(f"setup: {time.perf_counter() - started:.1f} s, serving {url}")
    try:
        count, raw, sent = feed_size(url)
        print(f"GeoJSON feed: {count} places, {raw / 1024:.0f} KB raw, {sent / 1024:.0f} KB gzip")
        ok = sent / 1024 <= GOAL_GZIP_KB
        for name, viewport in (
            ("desktop 1280x900", {"width": 1280, "height": 900}),
            ("phone 390x844", {"width": 390, "height": 844}),
        ):
            times, markers = browser_times(url, args.runs, viewport, args.verbose)
            median = statistics.median(times)
            ok = ok and median <= GOAL_SECONDS
            print(
                f"chromium {name}: {markers} markers drawn in median {median:.2f} s "
                f"(min {min(times):.2f}, max {max(times):.2f}, {len(times)} cold loads)"
            )
    finally:
        server.shutdown()
    print(f"goals (<= {GOAL_GZIP_KB} KB gzip, <= {GOAL_SECONDS} s): {'met' if ok else 'MISSED'}")
    return 1 if args.strict and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
