"""Every spatial (``ST_*``) query of the app. Functions take plain values and return a
``Select`` or plain rows; views and templates never spell ``ST_``."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta
from typing import Any

import shapely
from flask import current_app
from geoalchemy2 import Geography, Geometry
from sqlalchemy import Integer, Select, String, and_, cast, func, select, text, update
from sqlalchemy.orm import Session

from scout import clock
from scout.extensions import db
from scout.geo import LonLat
from scout.models import (
    Address,
    MainRoad,
    Municipio,
    Nil,
    Organisation,
    Place,
    ReviewStatus,
    WalkEdge,
    WalkNetwork,
)


def point(p: LonLat) -> Any:
    """``geography(Point, 4326)`` expression for a bound lon/lat pair."""
    return cast(func.ST_SetSRID(func.ST_MakePoint(p.lon, p.lat), 4326), Geography)


def point_geom(p: LonLat) -> Any:
    return func.ST_SetSRID(func.ST_MakePoint(p.lon, p.lat), 4326)


def place_lonlat() -> tuple[Any, Any]:
    """``(lon, lat)`` column expressions of a place."""
    g = cast(Place.location, Geometry)
    return func.ST_X(g).label("lon"), func.ST_Y(g).label("lat")


def admin_units(session: Session, p: LonLat) -> tuple[int | None, int | None]:
    """The municipio and NIL whose polygons cover ``p`` (point-in-polygon)."""
    pt = point_geom(p)
    mun = session.scalar(select(Municipio.id).where(func.ST_Covers(Municipio.geom, pt)).limit(1))
    nil = session.scalar(select(Nil.id).where(func.ST_Covers(Nil.geom, pt)).limit(1))
    return mun, nil


def service_area_geom(buffer_m: float | None = None) -> Any:
    """Geography of the served municipi, buffered by ``buffer_m`` (config default)."""
    cfg = current_app.config
    if buffer_m is None:
        buffer_m = cfg["SERVICE_BUFFER_M"]
    union = (
        select(func.ST_Union(Municipio.geom))
        .where(Municipio.id.in_(cfg["SERVICE_MUNICIPI"]))
        .scalar_subquery()
    )
    return func.ST_Buffer(cast(union, Geography), buffer_m)


def service_area(session: Session) -> Any:
    """The service area as a shapely geometry (lon/lat), or None when municipi are not loaded."""
    ids = current_app.config["SERVICE_MUNICIPI"]
    if not session.scalar(select(func.count()).select_from(Municipio).where(Municipio.id.in_(ids))):
        return None
    wkb = session.scalar(select(func.ST_AsBinary(cast(service_area_geom(), Geometry))))
    return shapely.from_wkb(bytes(wkb))


_areas: dict[tuple[Any, ...], Any] = {}


def _cached_service_area() -> Any:
    """:func:`service_area`, computed once per process and database and prepared for tests."""
    cfg = current_app.config
    key = (
        str(db.session.get_bind().engine.url),
        tuple(cfg["SERVICE_MUNICIPI"]),
        cfg["SERVICE_BUFFER_M"],
    )
    area = _areas.get(key)
    if area is None:
        area = service_area(db.session)
        if area is None:
            return None
        shapely.prepare(area)
        _areas[key] = area
    return area


def in_service_area(p: LonLat) -> bool:
    """Whether ``p`` lies in the served municipi plus the buffer.

    The buffered area is computed once per process by PostGIS (geography buffer) and then
    tested in memory; with no municipi loaded every point is accepted."""
    area = _cached_service_area()
    return area is None or bool(shapely.contains_xy(area, p.lon, p.lat))


def service_area_box() -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the buffered service area that
    :func:`in_service_area` tests, or None when no municipi are loaded."""
    area = _cached_service_area()
    return None if area is None else tuple(float(v) for v in area.bounds)  # type: ignore[return-value]


def assign_admin_units(session: Session, only_missing: bool = True) -> None:
    """Fill place.municipio and place.nil_id by point-in-polygon, in one UPDATE."""
    g = cast(Place.location, Geometry)
    mun = select(Municipio.id).where(func.ST_Covers(Municipio.geom, g)).limit(1).scalar_subquery()
    nil = select(Nil.id).where(func.ST_Covers(Nil.geom, g)).limit(1).scalar_subquery()
    stmt = update(Place).values(municipio=mun, nil_id=nil)
    if only_missing:
        stmt = stmt.where(Place.municipio.is_(None))
    else:  # only rows whose units change: a reload rewrites nothing that is already right
        stmt = stmt.where(
            Place.municipio.is_distinct_from(mun) | Place.nil_id.is_distinct_from(nil)
        )
    session.execute(stmt.execution_options(synchronize_session=False))


def public_places() -> Select:
    """Published places of partner organisations that agreed to appear publicly."""
    lon, lat = place_lonlat()
    return (
        select(Place, lon, lat)
        .join(Place.organisation)
        .where(*_public_conditions())
        .order_by(Place.name)
    )


def public_place_ids() -> Select:
    """``select(Place.id)`` of the public places (for the walking engine's ``places=``)."""
    return select(Place.id).join(Place.organisation).where(*_public_conditions())


def unverified_cutoff() -> datetime | None:
    """Places nobody verified since this instant leave the public map (``PLACE_UNPUBLISH_DAYS``
    after their last verification; None: the setting is off)."""
    days = current_app.config.get("PLACE_UNPUBLISH_DAYS")
    if not days:
        return None
    return datetime.combine(clock.today() - timedelta(days=days), time.min, tzinfo=UTC)


def _public_conditions() -> list[Any]:
    conds = [
        Place.status == ReviewStatus.PUBLISHED,
        Organisation.is_partner.is_(True),
        Organisation.public_consent.is_(True),
    ]
    cutoff = unverified_cutoff()
    if cutoff is not None:
        conds.append(func.coalesce(Place.verified_at, Place.created_at) >= cutoff)
    return conds


def place_in_bbox(bbox: tuple[float, float, float, float]) -> Any:
    """Where-clause: the place's point lies in the lon/lat box ``(min_lon, min_lat, max_lon,
    max_lat)`` (CRS84), as in pygeoapi's ``ST_MakeEnvelope`` + ``ST_Intersects``.

    The box is a planar lon/lat rectangle, so the test is on geometry, not geography (whose
    edges would be great circles)."""
    envelope = func.ST_MakeEnvelope(*bbox, 4326)
    return func.ST_Intersects(cast(Place.location, Geometry), envelope)


def similar_places_near(p: LonLat, name: str, metres: float = 75, threshold: float = 0.3) -> Select:
    """Possible duplicates: places within ``metres`` whose name is trigram-similar."""
    sim = func.similarity(func.lower(Place.name), name.lower()).label("similarity")
    distance = func.ST_Distance(Place.location, point(p)).label("distance_m")
    return (
        select(Place, distance, sim)
        .where(
            and_(
                func.ST_DWithin(Place.location, point(p), metres),
                sim >= threshold,
                Place.status != ReviewStatus.ARCHIVED,
            )
        )
        .order_by(sim.desc(), distance)
    )


def municipi_geojson(session: Session, ids: list[int]) -> dict[str, Any]:
    """A FeatureCollection of the given municipi outlines (simplified to ~5 m)."""
    rows = session.execute(
        select(
            Municipio.id,
            Municipio.name,
            func.ST_AsGeoJSON(func.ST_Simplify(Municipio.geom, 5e-5), 6),
        )
        .where(Municipio.id.in_(ids))
        .order_by(Municipio.id)
    ).all()
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": mid,
                "properties": {"municipio": mid, "name": name},
                "geometry": json.loads(geom),
            }
            for mid, name, geom in rows
        ],
    }


def service_area_bounds(session: Session) -> tuple[float, float, float, float] | None:
    """``(min_lon, min_lat, max_lon, max_lat)`` of the served municipi, or None if not loaded."""
    ids = current_app.config["SERVICE_MUNICIPI"]
    box = session.execute(
        select(
            func.ST_XMin(func.ST_Extent(Municipio.geom)),
            func.ST_YMin(func.ST_Extent(Municipio.geom)),
            func.ST_XMax(func.ST_Extent(Municipio.geom)),
            func.ST_YMax(func.ST_Extent(Municipio.geom)),
        ).where(Municipio.id.in_(ids))
    ).one()
    return None if box[0] is None else tuple(box)  # type: ignore[return-value]


def lonlat_of(column: Any) -> tuple[Any, Any]:
    """``(lon, lat)`` expressions of any geography point column (schools, addresses)."""
    g = cast(column, Geometry)
    return func.ST_X(g).label("lon"), func.ST_Y(g).label("lat")


def nil_outlines_in_box(
    session: Session, bbox: tuple[float, float, float, float]
) -> list[tuple[str, dict[str, Any]]]:
    """``(name, GeoJSON geometry)`` of the NIL clipped to ``bbox`` (min_lon, min_lat,
    max_lon, max_lat), simplified to ~5 m: the backdrop of the printed sheet's map."""
    box = func.ST_MakeEnvelope(*bbox, 4326)
    rows = session.execute(
        select(
            Nil.name,
            func.ST_AsGeoJSON(func.ST_Intersection(func.ST_Simplify(Nil.geom, 5e-5), box), 6),
        )
        .where(func.ST_Intersects(Nil.geom, box))
        .order_by(Nil.id)
    ).all()
    return [(name, json.loads(geom)) for name, geom in rows]


def streets_in_box(
    session: Session, bbox: tuple[float, float, float, float]
) -> list[tuple[str | None, str, list[list[float]]]]:
    """``(name, kind, [[lon, lat], ...])`` of the current walking network's edges crossing
    ``bbox`` (min_lon, min_lat, max_lon, max_lat), simplified to ~2 m: the streets of the
    printed sheet's map. Before a network is imported: Milan's main roads (the reference
    layer), as kind ``street``."""
    if session.scalar(select(WalkNetwork.id).where(WalkNetwork.is_current)) is None:
        return main_roads_in_box(session, bbox)
    box = func.ST_MakeEnvelope(*bbox, 4326)
    rows = session.execute(
        select(
            WalkEdge.name,
            WalkEdge.kind,
            func.ST_AsGeoJSON(func.ST_Simplify(WalkEdge.geom, 2e-5), 6),
        )
        .join(WalkNetwork, WalkNetwork.id == WalkEdge.network_id)
        .where(WalkNetwork.is_current, func.ST_Intersects(WalkEdge.geom, box))
        .order_by(WalkEdge.id)
    ).all()
    return [(name, kind, json.loads(geom)["coordinates"]) for name, kind, geom in rows]


def main_roads_in_box(
    session: Session, bbox: tuple[float, float, float, float], tolerance: float = 2e-5
) -> list[tuple[str | None, str, list[list[float]]]]:
    """``(name, "street", [[lon, lat], ...])`` of Milan's main roads (the reference layer)
    crossing ``bbox``, simplified by ``tolerance`` degrees (the bulletin's map of the whole
    area draws these whatever network is imported)."""
    box = func.ST_MakeEnvelope(*bbox, 4326)
    geom = func.ST_AsGeoJSON(func.ST_Simplify(MainRoad.geom, tolerance), 6)
    roads = session.execute(
        select(MainRoad.name, geom)
        .where(func.ST_Intersects(MainRoad.geom, box))
        .order_by(MainRoad.id)
    ).all()
    return [(name, "street", json.loads(g)["coordinates"]) for name, g in roads]


def addresses_like(key: str, housenumber: str | None = None, near: LonLat | None = None) -> Select:
    """Gazetteer rows ``(Address, lon, lat)`` whose street key starts with or resembles
    ``key`` (pg_trgm ``%``), best match first, then nearest to ``near``."""
    g = cast(Address.location, Geometry)
    starts = Address.street_key.startswith(key, autoescape=True)
    stmt = select(Address, func.ST_X(g).label("lon"), func.ST_Y(g).label("lat")).where(
        starts | Address.street_key.op("%")(key)
    )
    if housenumber:
        stmt = stmt.where(
            func.lower(Address.housenumber).startswith(housenumber.lower(), autoescape=True)
        )
    order = [starts.desc(), func.similarity(Address.street_key, key).desc()]
    if near is not None:
        order.append(func.ST_Distance(Address.location, point(near)))
    return stmt.order_by(*order, func.length(Address.housenumber), Address.housenumber)


def places_in_box(p: LonLat, metres: float) -> Any:
    """A where-clause: the place's point is in the lon/lat box reaching ``metres`` around ``p``.

    Index-only (GiST ``&&``), with no per-row distance: the walking engine filters the
    candidates by network distance itself, so an exact straight-line test would be paid twice.
    """
    dlat = metres / 111_000 + 1e-5
    dlon = metres / (111_320 * max(math.cos(math.radians(p.lat)), 0.01)) + 1e-5
    box = func.ST_MakeEnvelope(p.lon - dlon, p.lat - dlat, p.lon + dlon, p.lat + dlat, 4326)
    return Place.location.op("&&")(cast(box, Geography))


def wkb(column: Any) -> Any:
    """A geometry column as well-known binary (for shapely.from_wkb)."""
    return func.ST_AsBinary(column)


def bounds(column: Any) -> tuple[Any, Any, Any, Any]:
    """``(xmin, ymin, xmax, ymax)`` expressions of a geometry column."""
    return func.ST_XMin(column), func.ST_YMin(column), func.ST_XMax(column), func.ST_YMax(column)


# ---- coverage cells: NIL and a square grid over the service area ---------------------------

METRIC_SRID = 32632  # UTM 32N (WGS 84): metres in Milan, for the square grid


def nil_cells(nil_ids: Sequence[int] | None = None) -> Any:
    """Subquery ``(key, name, geom)`` of the NIL of the served municipi (geometry, 4326),
    only those of ``nil_ids`` when given (a scout's areas)."""
    served = current_app.config["SERVICE_MUNICIPI"]
    stmt = select(
        cast(Nil.id, String).label("key"),
        Nil.name.label("name"),
        Nil.geom.label("geom"),
    ).where(Nil.municipio.in_(served))
    if nil_ids is not None:
        stmt = stmt.where(Nil.id.in_(list(nil_ids)))
    return stmt.subquery("cells")


# text(): the area is computed once in a CTE and fed to the set-returning ST_SquareGrid
# laterally; as an ORM expression it was recomputed for every square (seconds, not ms).
_GRID_SQL = """
WITH area AS ({area})
SELECT concat(s.i, '_', s.j) AS key, concat(s.i, '_', s.j) AS name,
       ST_Transform(s.geom, 4326) AS geom
FROM area, ST_SquareGrid(:size, area.g) AS s
WHERE ST_Intersects(s.geom, area.g)
"""
_SERVED_AREA = "SELECT ST_Transform(ST_Union(geom), :srid) AS g FROM municipio WHERE id = ANY(:ids)"
_NIL_AREA = (
    "SELECT ST_Transform(ST_Union(geom), :srid) AS g FROM nil"
    " WHERE id = ANY(:nils) AND municipio = ANY(:ids)"
)


def grid_cells(size_m: float, nil_ids: Sequence[int] | None = None) -> Any:
    """Subquery ``(key, name, geom)`` of the ``size_m`` squares (ST_SquareGrid in UTM 32N)
    that touch the served municipi (no buffer), or only the NIL of ``nil_ids`` among them,
    back in lon/lat; ``key`` is "i_j"."""
    served = list(current_app.config["SERVICE_MUNICIPI"])
    if nil_ids is None:
        stmt = text(_GRID_SQL.format(area=_SERVED_AREA))
        stmt = stmt.bindparams(srid=METRIC_SRID, ids=served, size=size_m)
    else:
        # Only the constants above are formatted in; every value is a bound parameter.
        stmt = text(_GRID_SQL.format(area=_NIL_AREA))
        stmt = stmt.bindparams(srid=METRIC_SRID, ids=served, nils=list(nil_ids), size=size_m)
    return stmt.columns(key=String, name=String, geom=Geometry).subquery("cells")


def place_cell_key(kind: str, size_m: float) -> Any:
    """The key of the cell holding the place: its NIL id, or the "i_j" of its ``size_m``
    square, computed from the point as ST_SquareGrid numbers them (floor of x / size, y / size
    in UTM 32N), so counting needs no join of points to polygons."""
    if kind != "grid":
        return cast(Place.nil_id, String)
    xy = func.ST_Transform(cast(Place.location, Geometry), METRIC_SRID)
    i = cast(func.floor(func.ST_X(xy) / size_m), Integer)
    j = cast(func.floor(func.ST_Y(xy) / size_m), Integer)
    return func.concat(i, "_", j)


def cell_geojson(cells: Any) -> Any:
    """The cell's outline as GeoJSON text (6 decimals, ~0.1 m)."""
    return func.ST_AsGeoJSON(cells.c.geom, 6)


def cell_wkb(cells: Any) -> Any:
    return func.ST_AsBinary(cells.c.geom)


# One vector tile (Mapbox Vector Tile) of the basemap: every layer's ST_AsMVT concatenated.
# Raw SQL (bound parameters only) because ST_AsMVT aggregates whole rows of a subquery, which
# SQLAlchemy's expressions cannot name. Layers and the zooms they start at:
#   streets (z>=14): the current network's edges; class main/street/pedestrian/footway/steps
#   roads (z>=11): Milan's main roads from geodata/ (all there is before a network import)
#   admin (z>=10): municipi (z>=10) and NIL (z>=13) polygons; admin_labels: a point in each
#   landmarks (z>=12): public programme hubs, metro stations, schools (z>=14)
# The edge's kind (scout.walking.osm_rules.EDGE_KINDS) drawn as one of five classes.
_STREET_CLASS = """CASE
  WHEN e.steps OR e.kind = 'steps' THEN 'steps'
  WHEN e.kind = 'crossing' THEN 'crossing'
  WHEN e.kind IN ('footway', 'sidewalk', 'path', 'cycleway', 'kerb') THEN 'footway'
  WHEN e.kind = 'pedestrian' OR e.highway = 'living_street' THEN 'pedestrian'
  WHEN e.highway ~ '^(trunk|primary|secondary)' THEN 'main'
  ELSE 'street' END"""
# Only the constant above is formatted in (S608 is about user input).
_TILE_SQL = f"""
WITH env AS (
  SELECT ST_TileEnvelope(:z, :x, :y) AS e,
         ST_Transform(ST_TileEnvelope(:z, :x, :y, margin => 0.02), 4326) AS e4326,
         -- half a pixel of the tile (256 px) in web-mercator metres
         40075016.686 / 2 ^ :z / 512 AS tol
), streets AS (
  -- One feature per street (its edges merged, nearly straight runs simplified to one segment
  -- at half a pixel): the renderer writes a name only along a straight run longer than the
  -- name, which a single junction-to-junction edge (~40 m) never is at walking zooms.
  SELECT ST_AsMVTGeom(ST_Simplify(s.geom, env.tol), env.e, 4096, 64) AS geom, s.class, s.name
  FROM env, (
    SELECT ST_LineMerge(ST_Collect(ST_Transform(e.geom, 3857))) AS geom,
           {_STREET_CLASS} AS class, e.name
    FROM walk_edge e, env
    WHERE :z >= 14 AND e.network_id = :network AND e.geom && env.e4326
    GROUP BY 2, 3
  ) s
), roads AS (
  SELECT ST_AsMVTGeom(ST_Simplify(r.geom, env.tol), env.e, 4096, 64) AS geom, r.class, r.name
  FROM env, (
    SELECT ST_LineMerge(ST_Collect(ST_Transform(r.geom, 3857))) AS geom,
           r.highway AS class, r.name
    FROM main_road r, env WHERE :z >= 11 AND r.geom && env.e4326
    GROUP BY 2, 3
  ) r
), admin AS (
  SELECT ST_AsMVTGeom(ST_Transform(ST_ClipByBox2D(m.geom, env.e4326), 3857), env.e, 4096, 64)
         AS geom, 'municipio' AS kind, m.name
  FROM municipio m, env WHERE m.geom && env.e4326
  UNION ALL
  SELECT ST_AsMVTGeom(ST_Transform(ST_ClipByBox2D(n.geom, env.e4326), 3857), env.e, 4096, 64),
         'nil', n.name
  FROM nil n, env WHERE :z >= 13 AND n.geom && env.e4326
), labels AS (
  SELECT ST_AsMVTGeom(ST_Transform(p.pt, 3857), env.e, 4096, 0) AS geom, p.kind, p.name
  FROM env, (
    SELECT ST_PointOnSurface(m.geom) AS pt, 'municipio' AS kind, m.name FROM municipio m
    WHERE :z <= 14
    UNION ALL
    SELECT ST_PointOnSurface(n.geom), 'nil', n.name FROM nil n WHERE :z >= 13
  ) p WHERE p.pt && env.e4326
), landmarks AS (
  SELECT ST_AsMVTGeom(ST_Transform(s.geom, 3857), env.e, 4096, 0) AS geom,
         'metro' AS kind, s.name, s.lines
  FROM metro_station s, env WHERE :z >= 12 AND s.geom && env.e4326
  UNION ALL
  SELECT ST_AsMVTGeom(ST_Transform(sc.location::geometry, 3857), env.e, 4096, 0),
         'school', sc.name, NULL
  FROM school sc, env WHERE :z >= 14 AND sc.location::geometry && env.e4326
  UNION ALL
  SELECT ST_AsMVTGeom(ST_Transform(p.location::geometry, 3857), env.e, 4096, 0),
         'hub', p.name, NULL
  FROM place p JOIN organisation o ON o.id = p.organisation_id, env
  WHERE :z >= 12 AND o.kind = 'hub' AND o.is_partner AND o.public_consent
    AND p.status = 'published' AND p.location::geometry && env.e4326
)
SELECT coalesce((SELECT ST_AsMVT(t, 'streets', 4096, 'geom') FROM streets t
                 WHERE t.geom IS NOT NULL), '')
    || coalesce((SELECT ST_AsMVT(t, 'roads', 4096, 'geom') FROM roads t
                 WHERE t.geom IS NOT NULL), '')
    || coalesce((SELECT ST_AsMVT(t, 'admin', 4096, 'geom') FROM admin t
                 WHERE t.geom IS NOT NULL), '')
    || coalesce((SELECT ST_AsMVT(t, 'admin_labels', 4096, 'geom') FROM labels t
                 WHERE t.geom IS NOT NULL), '')
    || coalesce((SELECT ST_AsMVT(t, 'landmarks', 4096, 'geom') FROM landmarks t
                 WHERE t.geom IS NOT NULL), '')
"""  # noqa: S608


def basemap_tile(session: Session, z: int, x: int, y: int, network_id: int | None) -> bytes:
    """The basemap's vector tile ``z/x/y`` (bytes; empty when nothing is in it)."""
    row = session.execute(text(_TILE_SQL), {"z": z, "x": x, "y": y, "network": network_id or 0})
    return bytes(row.scalar() or b"")
