"""A Milan-sized synthetic pedestrian network, for benchmarks (and the tests' small grids).

Functions (import them from other benches: ``from bench.netgen import ...`` with the repo root
on ``sys.path``, or ``sys.path.insert(0, "bench")`` and ``import netgen``):

- ``service_polygon(buffer_m=1500, municipi=(2, 3)) -> shapely Polygon``: the municipi (from
  geodata/; ``CITY``: all nine) plus the buffer, lon/lat; ``km2(area)`` its km².
- ``city_nodes() -> int``: junctions of a whole-city network (all nine municipi and the buffer,
  ~300 km²) at the Milan-sized network's density: about 135,000.
- ``generate(path, nodes=32_000, seed=7, area=None, steps_share=0.03) -> NetStats``: writes an
  OSM XML file (``.osm``) holding a jittered street grid over ``area`` (default: the service
  polygon) with about ``nodes`` junctions and twice as many edges: residential streets and a few
  primary roads as long ways (split at junctions by the importer), diagonal footways, some of
  them ``highway=steps`` (streets are named ``Via Sintetica R…`` by row and ``Viale Sintetica
  C…`` by column, some footways ``Passaggio Sintetico …``), a few ``foot=no`` and motorway
  ways the importer must drop, and
  ``addr:street``/``addr:housenumber`` nodes. Deterministic for a given seed.
- ``generate_grid(path, cols, rows, spacing_m=80, origin=(9.2271, 45.4970), steps=(), seed=1)``:
  a small regular grid for tests; ``steps`` lists ``(col, row, "h"|"v")`` segments tagged as steps;
  each row is a street named ``Via Riga {row}``, each column ``Via Colonna {col}``; ``crossings``
  lists ``(col, row, "h"|"v")`` segments tagged as unnamed crossings (``footway=crossing``).
- ``bench_app(db_url, config=None) -> Flask``: an app on ``db_url`` (created if missing),
  migrated to heads, with the reference geodata loaded (needed for the service area).
- ``import_network(app, path) -> scout.osm.ImportReport``: imports the file through the same
  function and commit as ``flask geo import-osm``.
- ``create_places(app, n, seed=11, area=None) -> list[int]``: adds ``n`` published places (each
  with its partner organisation, kinds mixed) at random points of the area; returns their ids.
- ``random_points(n, seed=3, area=None) -> list[LonLat]``: random origins inside the area.

Command line: ``python bench/netgen.py [OUT.osm] [--nodes N] [--city]`` writes a network file
(default ``instance/bench/netgen.osm``; ``--city``: the whole Comune di Milano).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

import numpy as np
import shapely
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from scout.geo import LonLat, metres_per_degree  # noqa: E402

DATA_DATE = "2026-11-01T00:00:00Z"


@dataclass
class NetStats:
    path: Path
    junctions: int
    ways: int
    segments: int
    steps: int
    addresses: int


CITY = tuple(range(1, 10))  # the nine municipi of the Comune di Milano
MILAN_NODES = 32_000  # junctions of the Milan-sized network (Municipio 2 + 3 and the buffer)


def city_nodes(buffer_m: float = 1500) -> int:
    """Junctions of a network over the whole city (:data:`CITY` and ``buffer_m``) at the
    density of the Milan-sized one (about 135,000)."""
    ratio = service_polygon(buffer_m, CITY).area / service_polygon(buffer_m).area
    return int(round(MILAN_NODES * ratio, -3))


def service_polygon(buffer_m: float = 1500, municipi: tuple[int, ...] = (2, 3)) -> Any:
    """Municipi (default 2 and 3) from geodata/ buffered by ``buffer_m``, in lon/lat."""
    data = json.loads((ROOT / "geodata" / "municipi_wgs84.geojson").read_text())
    features = data["features"]
    parts = [shape(f["geometry"]) for f in features if f["properties"]["MUNICIPIO"] in municipi]
    union = shapely.union_all(parts)
    lat0 = union.centroid.y
    m_lon, m_lat = metres_per_degree(lat0)
    # Buffer in metres through a local scaling, then back to degrees.
    scaled = shapely.affinity.scale(union, float(m_lon), float(m_lat), origin=(0, 0))
    buffered = scaled.buffer(buffer_m, quad_segs=8)
    return shapely.affinity.scale(buffered, 1 / float(m_lon), 1 / float(m_lat), origin=(0, 0))


class _Writer:
    def __init__(self, path: Path) -> None:
        self.fh = open(path, "w", encoding="utf-8")  # noqa: SIM115 (closed in close())
        self.fh.write('<?xml version="1.0" encoding="UTF-8"?>\n')
        self.fh.write('<osm version="0.6" generator="scout bench/netgen.py">\n')
        self.fh.write(f'  <meta osm_base="{DATA_DATE}"/>\n')
        self.next_id = 1

    def node(self, lon: float, lat: float, tags: dict[str, str] | None = None) -> int:
        nid = self.next_id
        self.next_id += 1
        head = f'  <node id="{nid}" version="1" lat="{lat:.7f}" lon="{lon:.7f}"'
        if not tags:
            self.fh.write(head + "/>\n")
        else:
            self.fh.write(head + ">\n" + self._tags(tags) + "  </node>\n")
        return nid

    def way(self, wid: int, refs: list[int], tags: dict[str, str]) -> None:
        nds = "".join(f'    <nd ref="{r}"/>\n' for r in refs)
        self.fh.write(
            f'  <way id="{wid}" version="1" timestamp="{DATA_DATE}">\n{nds}{self._tags(tags)}'
            "  </way>\n"
        )

    @staticmethod
    def _tags(tags: dict[str, str]) -> str:
        return "".join(f"    <tag k={quoteattr(k)} v={quoteattr(v)}/>\n" for k, v in tags.items())

    def close(self) -> None:
        self.fh.write("</osm>\n")
        self.fh.close()


def generate(
    path: Path | str,
    nodes: int = 32_000,
    seed: int = 7,
    area: Any = None,
    steps_share: float = 0.03,
) -> NetStats:
    """Write a jittered street grid with about ``nodes`` junctions inside ``area``."""
    path = Path(path)
    rng = np.random.default_rng(seed)
    area = area if area is not None else service_polygon()
    shapely.prepare(area)
    minx, miny, maxx, maxy = area.bounds
    lat0 = (miny + maxy) / 2
    m_lon, m_lat = (float(v) for v in metres_per_degree(lat0))
    # Spacing so that about ``nodes`` grid points fall inside the area.
    spacing = (area.area * m_lon * m_lat / nodes) ** 0.5
    dlon, dlat = spacing / m_lon, spacing / m_lat
    cols = int((maxx - minx) / dlon) + 1
    rows = int((maxy - miny) / dlat) + 1
    gx = minx + np.arange(cols) * dlon
    gy = miny + np.arange(rows) * dlat
    lon = gx[None, :] + rng.uniform(-0.18, 0.18, (rows, cols)) * dlon
    lat = gy[:, None] + rng.uniform(-0.18, 0.18, (rows, cols)) * dlat
    inside = shapely.contains_xy(area, lon, lat)

    w = _Writer(path)
    ids = np.zeros((rows, cols), dtype=np.int64)
    for r in range(rows):
        for c in range(cols):
            if inside[r, c]:
                ids[r, c] = w.node(float(lon[r, c]), float(lat[r, c]))
    junctions = int(inside.sum())
    way_id = 1
    ways = segments = steps = 0

    def mid(r1: int, c1: int, r2: int, c2: int) -> int:
        # A bend between two junctions (not a junction itself).
        mlon = (lon[r1, c1] + lon[r2, c2]) / 2 + rng.uniform(-0.05, 0.05) * dlon
        mlat = (lat[r1, c1] + lat[r2, c2]) / 2 + rng.uniform(-0.05, 0.05) * dlat
        return w.node(float(mlon), float(mlat))

    def street_way(run: list[int], major: bool, name: str) -> None:
        nonlocal way_id, ways
        if len(run) >= 2:
            tags = {"highway": "primary" if major else "residential", "name": name}
            if rng.random() < 0.1:
                tags["oneway"] = "yes"  # still two-way on foot
            w.way(way_id, run, tags)
            way_id += 1
            ways += 1

    def streets(horizontal: bool) -> None:
        nonlocal segments
        outer, inner = (rows, cols) if horizontal else (cols, rows)
        for i in range(outer):
            major = i % 12 == 0
            name = f"{'Via' if horizontal else 'Viale'} Sintetica {'R' if horizontal else 'C'}{i}"
            run: list[int] = []
            for j in range(inner):
                r, c = (i, j) if horizontal else (j, i)
                # Outside the area, or a missing block: the street ends here.
                if not inside[r, c] or (run and rng.random() < 0.04):
                    street_way(run, major, name)
                    run = []
                    if not inside[r, c]:
                        continue
                if run:
                    pr, pc = (i, j - 1) if horizontal else (j - 1, i)
                    if rng.random() < 0.3:
                        run.append(mid(pr, pc, r, c))
                    segments += 1
                run.append(int(ids[r, c]))
            street_way(run, major, name)

    streets(True)
    streets(False)
    # Diagonal footways across some blocks; some are steps.
    for r in range(rows - 1):
        for c in range(cols - 1):
            if inside[r, c] and inside[r + 1, c + 1] and rng.random() < 0.12:
                is_steps = rng.random() < steps_share / 0.12
                tags = {"highway": "steps" if is_steps else "footway"}
                if not is_steps and rng.random() < 0.3:
                    tags["name"] = f"Passaggio Sintetico {r}-{c}"
                w.way(way_id, [int(ids[r, c]), int(ids[r + 1, c + 1])], tags)
                way_id += 1
                ways += 1
                segments += 1
                steps += int(is_steps)
    # Ways the importer must drop: a motorway and foot=no roads (own nodes, not junctions).
    for k in range(20):
        r = int(rng.integers(0, rows))
        pts = [(float(gx[c]) + dlon / 3, float(gy[r]) + dlat / 3) for c in range(0, cols, 5)]
        refs = [w.node(x, y) for x, y in pts]
        tags = {"highway": "motorway"} if k % 2 else {"highway": "trunk", "foot": "no"}
        w.way(way_id, refs, tags)
        way_id += 1
    # Addresses: numbered houses beside the streets.
    addresses = 0
    for r in range(0, rows):
        for c in range(0, cols - 1, 2):
            if inside[r, c] and inside[r, c + 1]:
                alon = (lon[r, c] * 2 + lon[r, c + 1]) / 3
                alat = (lat[r, c] * 2 + lat[r, c + 1]) / 3 + 0.15 * dlat
                w.node(
                    float(alon),
                    float(alat),
                    {
                        "addr:street": f"Via Sintetica R{r}",
                        "addr:housenumber": str(c + 1),
                        "addr:postcode": "20127",
                    },
                )
                addresses += 1
    w.close()
    return NetStats(path, junctions, ways, segments, steps, addresses)


def generate_grid(
    path: Path | str,
    cols: int,
    rows: int,
    spacing_m: float = 80,
    origin: tuple[float, float] = (9.2271, 45.4970),
    steps: tuple[tuple[int, int, str], ...] = (),
    seed: int = 1,
    jitter: float = 0.2,
    crossings: tuple[tuple[int, int, str], ...] = (),
) -> Path:
    """A small jittered grid (for tests): ``steps`` lists ``(col, row, "h"|"v")`` segments
    (from that junction to the right or up) to tag ``highway=steps``."""
    path = Path(path)
    rng = random.Random(seed)
    m_lon, m_lat = (float(v) for v in metres_per_degree(origin[1]))
    w = _Writer(path)
    ids = {}
    for r in range(rows):
        for c in range(cols):
            x = origin[0] + (c + rng.uniform(-jitter, jitter)) * spacing_m / m_lon
            y = origin[1] + (r + rng.uniform(-jitter, jitter)) * spacing_m / m_lat
            ids[c, r] = w.node(x, y)
    wid = 1
    step_set = set(steps)
    crossing_set = set(crossings)
    for r in range(rows):
        for c in range(cols):
            for kind, (c2, r2) in (("h", (c + 1, r)), ("v", (c, r + 1))):
                if (c2, r2) in ids:
                    if (c, r, kind) in step_set:
                        tags = {"highway": "steps"}
                    elif (c, r, kind) in crossing_set:
                        tags = {"highway": "footway", "footway": "crossing"}
                    else:
                        name = f"Via Riga {r}" if kind == "h" else f"Via Colonna {c}"
                        tags = {"highway": "residential", "name": name}
                    w.way(wid, [ids[c, r], ids[c2, r2]], tags)
                    wid += 1
    w.close()
    return path


def test_cluster_url(name: str) -> str:
    """URL of database ``name`` on the private test cluster (``make bench`` starts it):
    bench data is thrown away, like test data."""
    env = {**os.environ, "SCOUT_PG_CLUSTER": "test"}
    script = str(Path(__file__).resolve().parent.parent / "scripts" / "pg.sh")
    return subprocess.check_output(["sh", script, "url", name], env=env, text=True).strip()  # noqa: S603, S607


def bench_app(db_url: str, config: dict[str, Any] | None = None) -> Any:
    """An app on ``db_url`` (created if missing), migrated, reference geodata loaded; ``config``
    overrides settings (e.g. ``SERVICE_MUNICIPI``)."""
    import subprocess

    import flask_migrate

    from scout import create_app
    from scout.extensions import db
    from scout.geodata import load_all
    from scout.models import Municipio

    subprocess.run([sys.executable, str(ROOT / "scripts" / "ensure_db.py"), db_url], check=True)
    app = create_app(
        {
            "DATABASE_URL": db_url,
            "SECRET_KEY": "bench",
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
            **(config or {}),
        }
    )
    with app.app_context():
        flask_migrate.upgrade(directory=str(ROOT / "migrations"), revision="heads")
        if not db.session.scalar(db.select(db.func.count()).select_from(Municipio)):
            load_all(db.session, ROOT / "geodata", app.config["SERVICE_MUNICIPI"])
            db.session.commit()
    return app


def import_network(app: Any, path: Path | str, progress: Any = None) -> Any:
    """Import ``path`` exactly as ``flask geo import-osm`` does (same function, one commit)."""
    from scout.extensions import db
    from scout.walking.osm_import import import_osm

    with app.app_context():
        report = import_osm(db.session, path, progress=progress)
        db.session.commit()
    return report


def km2(area: Any) -> float:
    """The area of a lon/lat polygon in km² (local scaling)."""
    m_lon, m_lat = metres_per_degree(area.centroid.y)
    return float(area.area * m_lon * m_lat / 1e6)


def random_points(n: int, seed: int = 3, area: Any = None) -> list[LonLat]:
    """``n`` random points inside ``area`` (default: Municipio 2 + 3 without buffer)."""
    area = area if area is not None else service_polygon(0)
    shapely.prepare(area)
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = area.bounds
    out: list[LonLat] = []
    while len(out) < n:
        xs = rng.uniform(minx, maxx, n)
        ys = rng.uniform(miny, maxy, n)
        ok = shapely.contains_xy(area, xs, ys)
        out.extend(LonLat(float(x), float(y)) for x, y in zip(xs[ok], ys[ok], strict=True))
    return out[:n]


def create_places(app: Any, n: int, seed: int = 11, area: Any = None) -> list[int]:
    """Add ``n`` published partner places at random points; returns their ids."""
    from sqlalchemy import insert

    from scout.extensions import db
    from scout.models import Organisation, OrgKind, Place, ReviewStatus

    kinds = list(OrgKind)
    points = random_points(n, seed=seed, area=area)
    with app.app_context():
        org_ids = db.session.scalars(
            insert(Organisation).returning(Organisation.id),
            [
                {
                    "name": f"Bench organisation {i}",
                    "kind": kinds[i % len(kinds)],
                    "is_partner": True,
                    "public_consent": True,
                    "is_example": True,
                    "sectors": [],
                }
                for i in range(n)
            ],
        ).all()
        place_ids = db.session.scalars(
            insert(Place).returning(Place.id),
            [
                {
                    "name": f"Bench place {i}",
                    "organisation_id": oid,
                    "location": f"SRID=4326;POINT({p.lon} {p.lat})",
                    "status": ReviewStatus.PUBLISHED,
                    "source_dataset": "bench",
                    "source_ref": f"bench-{seed}-{i}",
                }
                for i, (oid, p) in enumerate(zip(org_ids, points, strict=True))
            ],
        ).all()
        db.session.commit()
    return list(place_ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", type=Path, nargs="?", default=ROOT / "instance" / "bench" / "netgen.osm"
    )
    parser.add_argument("--nodes", type=int, help="junctions (default 32,000; --city: ~135,000)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--city",
        action="store_true",
        help="the whole Comune di Milano (all nine municipi and the 1.5 km buffer) at the "
        "Milan-sized network's density",
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    area = service_polygon(1500, CITY) if args.city else service_polygon()
    nodes = args.nodes or (city_nodes() if args.city else MILAN_NODES)
    stats = generate(args.out, nodes=nodes, seed=args.seed, area=area)
    print(
        f"{stats.path}: {stats.junctions} junctions, {stats.segments} street segments, "
        f"{stats.ways} ways ({stats.steps} steps), {stats.addresses} addresses over "
        f"{km2(area):.0f} km²"
    )


if __name__ == "__main__":
    main()
