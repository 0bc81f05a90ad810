"""Map-ready time in the browser: headless chromium opens the public map (the bench network of
bench/tiles.py imported) and times, from navigation start, the first basemap tiles drawn (the
tile canvases holding streets, not only their background) and the map's places shown
(``#map[data-ready=true]``); p50/p95 over ``--loads`` fresh browser contexts per size. The
same run's baseline is the page without the basemap (tile requests refused). Tiles "computed":
the app's tile cache emptied before each load; "kept": the app's cache warm, as most loads are.

Usage: python bench/map_ready.py [--db URL] [--loads 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import netgen  # noqa: E402
from public_map import CHROMIUM, serve  # noqa: E402
from tiles import bench_tiles_app  # noqa: E402

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1366, "height": 900}}

# Marks "scout:basemap-drawn" on the first frame whose tile canvases hold more than 50
# sampled painted pixels off the background (#eceae4), "scout:map-ready" when the places show.
WATCH = """(() => {
  const drawn = () => {
    let n = 0;
    for (const c of document.querySelectorAll('#map .leaflet-tile-container canvas')) {
      if (!c.width || !c.height) continue;
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      for (let i = 0; i < d.length; i += 256) {
        const off = Math.abs(d[i] - 0xec) + Math.abs(d[i + 1] - 0xea) + Math.abs(d[i + 2] - 0xe4);
        if (d[i + 3] === 255 && off > 30) n++;
      }
    }
    return n;
  };
  const has = (name) => performance.getEntriesByName(name).length > 0;
  const tick = () => {
    if (!has('scout:map-ready') && document.getElementById('map')?.dataset.ready === 'true')
      performance.mark('scout:map-ready');
    if (!has('scout:basemap-drawn') && drawn() > 50) performance.mark('scout:basemap-drawn');
    if (!has('scout:map-ready') || !has('scout:basemap-drawn')) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();"""

MARK = "(name) => performance.getEntriesByName(name)[0]?.startTime ?? null"


def _p(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def loads(app: Any, url: str, size: dict[str, int], n: int, mode: str) -> dict[str, list[float]]:
    """Milliseconds to the marks over ``n`` fresh contexts in ``mode``."""
    from playwright.sync_api import sync_playwright

    from scout.basemap import tiles

    times: dict[str, list[float]] = {"ready": [], "drawn": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        for _ in range(n):
            if mode == "computed":
                tiles.cache.clear()
            context = browser.new_context(viewport=size, locale="it-IT")

            def route(r: Any) -> None:
                own = r.request.url.startswith(url)
                refused = mode == "no basemap" and "/tiles/" in r.request.url
                r.continue_() if own and not refused else r.abort()

            context.route("**/*", route)
            context.add_init_script(WATCH)
            page = context.new_page()
            page.goto(f"{url}/")
            page.wait_for_selector("#map[data-ready=true]", state="attached", timeout=30_000)
            if mode != "no basemap":
                page.wait_for_function(
                    "() => performance.getEntriesByName('scout:basemap-drawn').length > 0",
                    timeout=30_000,
                )
                times["drawn"].append(page.evaluate(MARK, "scout:basemap-drawn"))
            page.wait_for_function(
                "() => performance.getEntriesByName('scout:map-ready').length > 0"
            )
            times["ready"].append(page.evaluate(MARK, "scout:map-ready"))
            context.close()
        browser.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=netgen.test_cluster_url("scout_bench_tiles"))
    parser.add_argument("--loads", type=int, default=5, help="page loads per size and mode")
    args = parser.parse_args()
    app = bench_tiles_app(args.db)
    server, url = serve(app)
    print(f"{args.loads} loads per size and mode; ms from navigation start, p50 / p95")
    print("size    mode          places shown    basemap drawn")
    try:
        for name, size in SIZES.items():
            for mode in ("no basemap", "computed", "kept"):
                t = loads(app, url, size, args.loads, mode)
                ready = f"{statistics.median(t['ready']):6.0f} / {_p(t['ready'], 0.95):5.0f}"
                drawn = (
                    f"{statistics.median(t['drawn']):6.0f} / {_p(t['drawn'], 0.95):5.0f}"
                    if t["drawn"]
                    else "     (refused)"
                )
                print(f"{name:<7} {mode:<12}  {ready}  {drawn}")
    finally:
        server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
