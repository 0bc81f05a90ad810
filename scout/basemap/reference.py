"""Load the basemap's reference layers from geodata/: Milan's main roads (OSM primary and
secondary, ODbL) and the metro stations (Comune di Milano ds535). Each load replaces the
table's rows in the caller's transaction, so a reload is idempotent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from shapely.geometry import LineString, Point, shape
from sqlalchemy import delete, insert
from sqlalchemy.orm import Session

from scout.errors import ImportFailed
from scout.models import MainRoad, MetroStation

ROAD_FILES = ("milan_roads_primary.geojson", "milan_roads_secondary.geojson")
METRO_FILE = "ds535_metro_stations.geojson"


def _features(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return list(data["features"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ImportFailed(f"{path}: not a GeoJSON FeatureCollection ({exc})") from None


def _first(value: Any) -> str | None:
    """OSMnx writes a merged edge's tags as lists: the first one names it."""
    if isinstance(value, list):
        value = value[0] if value else None
    text = str(value).strip() if value is not None else ""
    return text or None


def road_rows(paths: list[Path]) -> list[dict[str, Any]]:
    """Checked rows of the road files (read fully before anything is written)."""
    rows = []
    for path in paths:
        for f in _features(path):
            geom = shape(f["geometry"]) if f.get("geometry") else None
            if not isinstance(geom, LineString) or geom.is_empty:
                continue
            props = f.get("properties") or {}
            highway = (_first(props.get("highway")) or "secondary").removesuffix("_link")
            rows.append(
                {
                    "highway": highway[:40],
                    "name": (_first(props.get("name")) or "")[:200] or None,
                    "geom": f"SRID=4326;{geom.wkt}",
                }
            )
    if not rows:
        raise ImportFailed(f"{', '.join(str(p) for p in paths)}: no road")
    return rows


def station_rows(path: Path) -> list[dict[str, Any]]:
    rows: dict[int, dict[str, Any]] = {}
    for f in _features(path):
        props = f.get("properties") or {}
        geom = shape(f["geometry"]) if f.get("geometry") else None
        if not isinstance(geom, Point) or props.get("id_amat") is None or not props.get("nome"):
            continue
        rows[int(props["id_amat"])] = {
            "id": int(props["id_amat"]),
            # "P.TA VENEZIA" → "P.ta Venezia"
            "name": " ".join(w.capitalize() for w in str(props["nome"]).split())[:120],
            "lines": (_first(props.get("linee")) or "")[:40] or None,
            "geom": f"SRID=4326;{geom.wkt}",
        }
    if not rows:
        raise ImportFailed(f"{path}: no metro station")
    return list(rows.values())


def load_roads(session: Session, folder: Path) -> int:
    rows = road_rows([folder / name for name in ROAD_FILES])
    session.execute(delete(MainRoad))
    session.execute(insert(MainRoad), rows)
    return len(rows)


def load_stations(session: Session, folder: Path) -> int:
    rows = station_rows(folder / METRO_FILE)
    session.execute(delete(MetroStation))
    session.execute(insert(MetroStation), rows)
    return len(rows)
