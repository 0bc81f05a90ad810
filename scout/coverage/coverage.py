"""The coverage map: per NIL, or per square of a ~250 m grid over the served municipi, what
the scouts have mapped and visited.

Each cell counts the places mapped (not archived, and entered by a scout or visited at least
once), the partners among them, the open offers and running courses there, the visits in
the period, the imported (OpenStreetMap) places nobody has visited yet, and the date of the
last visit. A scout filter narrows places mapped, visits and the last visit to hers; an
areas filter (a scout's own map) keeps only the cells of those NIL and only the records of
places in them.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select, true

from scout import clock, spatial
from scout.coverage.freshness import offer_open
from scout.extensions import db
from scout.models import (
    Offer,
    Organisation,
    Place,
    PlaceSource,
    Resource,
    ReviewStatus,
    Visit,
)

GRID_M = 250
KINDS = ("nil", "grid")
METRICS = ("places", "partners", "offers", "courses", "visits", "to_visit")
PERIOD_DAYS = 90


@dataclass(frozen=True, slots=True)
class Filters:
    """What the coordinator asked for: cells, a period of visits, maybe one scout; ``nil_ids``
    (not None) keeps only those NIL (a scout's areas; empty: nothing)."""

    kind: str = "nil"
    since: date | None = None
    until: date | None = None
    scout_id: int | None = None
    nil_ids: tuple[int, ...] | None = None

    def period(self, today: date) -> tuple[date, date]:
        until = self.until or today
        return self.since or until - timedelta(days=PERIOD_DAYS), until


@dataclass(slots=True)
class Cell:
    key: str
    name: str
    geometry: dict[str, Any]
    wkb: bytes
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    last_visit: date | None = None

    @property
    def coverage(self) -> float | None:
        """Share of the known places (mapped + still to visit) that are mapped; None: none."""
        known = self.counts["places"] + self.counts["to_visit"]
        return None if known == 0 else self.counts["places"] / known

    def record(self) -> dict[str, Any]:
        """The cell as flat data (the CSV row, the GeoJSON properties)."""
        share = self.coverage
        return {
            "key": self.key,
            "name": self.name,
            **self.counts,
            "last_visit": self.last_visit.isoformat() if self.last_visit else None,
            "coverage": None if share is None else round(share, 3),
        }


def _cells(f: Filters) -> Any:
    if f.kind == "grid":
        return spatial.grid_cells(GRID_M, f.nil_ids)
    return spatial.nil_cells(f.nil_ids)


def _in_areas(f: Filters) -> Any:
    """Where-clause on Place: in the filter's NIL (true without an areas filter)."""
    return true() if f.nil_ids is None else Place.nil_id.in_(list(f.nil_ids))


def _visit_conds(f: Filters, today: date) -> list[Any]:
    since, until = f.period(today)
    conds = [Visit.visited_on >= since, Visit.visited_on <= until]
    if f.scout_id is not None:
        conds.append(Visit.user_id == f.scout_id)
    return conds


def _mapped(f: Filters) -> Any:
    visited = exists().where(Visit.place_id == Place.id)
    if f.scout_id is not None:
        return and_(
            Place.status != ReviewStatus.ARCHIVED,
            or_(
                Place.created_by_id == f.scout_id,
                exists().where(Visit.place_id == Place.id, Visit.user_id == f.scout_id),
            ),
        )
    return and_(
        Place.status != ReviewStatus.ARCHIVED,
        or_(Place.source != PlaceSource.IMPORT, visited),
    )


def _count(key: Any, what: Any, *conds: Any, join: Any = None) -> dict[str, int]:
    stmt = select(key, func.count(func.distinct(what))).select_from(Place)
    if join is not None:
        stmt = stmt.join(*join)
    return {k: n for k, n in db.session.execute(stmt.where(*conds).group_by(key)).all()}


def cells(f: Filters, today: date | None = None) -> list[Cell]:
    """Every cell of ``f.kind`` with its counts, ordered by key (NIL id, or grid i_j)."""
    today = today or clock.today()
    c = _cells(f)
    rows = db.session.execute(
        select(c.c.key, c.c.name, spatial.cell_geojson(c), spatial.cell_wkb(c))
    ).all()
    out = {key: Cell(key, name, json.loads(gj), bytes(wkb)) for key, name, gj, wkb in rows}
    k = spatial.place_cell_key(f.kind, GRID_M)
    area = _in_areas(f)
    counts = {
        "places": _count(k, Place.id, area, _mapped(f)),
        "partners": _count(
            k,
            Place.id,
            area,
            _mapped(f),
            Organisation.is_partner.is_(True),
            join=(Place.organisation,),
        ),
        "offers": _count(
            k,
            Offer.id,
            area,
            Offer.status == ReviewStatus.PUBLISHED,
            offer_open(today),
            join=(Offer, Offer.place_id == Place.id),
        ),
        "courses": _count(
            k,
            Resource.id,
            area,
            Resource.status == ReviewStatus.PUBLISHED,
            or_(Resource.starts_on.is_(None), Resource.starts_on <= today),
            or_(Resource.ends_on.is_(None), Resource.ends_on >= today),
            join=(Resource, Resource.place_id == Place.id),
        ),
        "visits": _count(
            k, Visit.id, area, *_visit_conds(f, today), join=(Visit, Visit.place_id == Place.id)
        ),
        "to_visit": _count(
            k,
            Place.id,
            area,
            Place.source == PlaceSource.IMPORT,
            Place.status != ReviewStatus.ARCHIVED,
            ~exists().where(Visit.place_id == Place.id),
        ),
    }
    for metric, by_key in counts.items():
        for key, n in by_key.items():
            if key in out:  # places outside the served cells are not counted
                out[key].counts[metric] = n
    last = select(k, func.max(Visit.visited_on)).select_from(Place)
    last = last.join(Visit, Visit.place_id == Place.id).where(area)
    if f.scout_id is not None:
        last = last.where(Visit.user_id == f.scout_id)
    for key, day in db.session.execute(last.group_by(k)).all():
        if key in out:
            out[key].last_visit = day
    return sorted(out.values(), key=lambda cell: _sort_key(cell.key))


def _sort_key(key: str) -> tuple[int, ...]:
    return tuple(int(part) for part in key.split("_"))


def geojson(found: list[Cell]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": cell.key,
                "geometry": cell.geometry,
                "properties": cell.record(),
            }
            for cell in found
        ],
    }


def csv_text(found: list[Cell]) -> str:

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(Cell("", "", {}, b"").record()))
    writer.writeheader()
    for cell in found:
        writer.writerow(cell.record())
    return buf.getvalue()


def geopackage(found: list[Cell], path: str, layer: str) -> None:
    """Write the cells as a GeoPackage layer (EPSG:4326) at ``path`` (geopandas + pyogrio)."""
    import geopandas
    import shapely

    frame = geopandas.GeoDataFrame(
        [cell.record() for cell in found],
        geometry=[shapely.from_wkb(cell.wkb) for cell in found],
        crs="EPSG:4326",
    )
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")
