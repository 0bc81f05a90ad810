"""Load reference layers and the OSM starter list from geodata/ (idempotent, all-or-nothing).

Every loader reads its file fully and checks it before anything is written; the command runs
them in one transaction, so a bad or missing file leaves the database as it was.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from scout.errors import ImportFailed
from scout.models import (
    Municipio,
    Nil,
    Organisation,
    OrgKind,
    Place,
    PlaceSource,
    ReviewStatus,
    School,
)
from scout.spatial import assign_admin_units

logger = logging.getLogger(__name__)

MUNICIPI_FILE = "municipi_wgs84.geojson"
NIL_FILE = "nil_wgs84.geojson"
SCHOOLS_FILE = "scuole_milano_wgs84.geojson"
OSM_POI_FILE = "osm_wheelchair_poi_milano.geojson"
OSM_DATASET = "osm_wheelchair_poi_milano"

# OSM tags of businesses and organisations worth a scout's visit, and the kind they get.
EMPLOYER_AMENITIES = {
    "restaurant",
    "cafe",
    "fast_food",
    "bar",
    "pub",
    "ice_cream",
    "pharmacy",
    "bank",
    "fuel",
    "car_wash",
    "cinema",
    "theatre",
    "clinic",
    "dentist",
    "doctors",
    "veterinary",
    "driving_school",
    "marketplace",
    "nightclub",
}
KIND_BY_AMENITY = {
    "community_centre": OrgKind.ASSOCIATION,
    "social_facility": OrgKind.ASSOCIATION,
    "library": OrgKind.PUBLIC_SERVICE,
    "post_office": OrgKind.PUBLIC_SERVICE,
    "kindergarten": OrgKind.SCHOOL,
}


@dataclass
class LoadReport:
    municipi: int = 0
    nil: int = 0
    schools: int = 0
    places_to_visit: int = 0

    def line(self) -> str:
        return (
            f"geodata loaded: {self.municipi} municipi, {self.nil} NIL, {self.schools} schools, "
            f"{self.places_to_visit} places to visit"
        )


def _read(path: Path, required: set[str]) -> gpd.GeoDataFrame:
    if not path.is_file():
        raise ImportFailed(f"{path}: file not found")
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable input
        raise ImportFailed(f"{path}: not a readable GeoJSON file ({type(exc).__name__})") from exc
    missing = required - set(frame.columns)
    if missing:
        raise ImportFailed(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    if frame.crs is None or frame.crs.to_epsg() != 4326:
        raise ImportFailed(f"{path}: expected WGS84 (EPSG:4326) coordinates, got {frame.crs}")
    if frame.empty:
        raise ImportFailed(f"{path}: no features")
    return frame


def _multipolygon(geom: BaseGeometry, path: Path) -> MultiPolygon:
    if isinstance(geom, Polygon):
        return MultiPolygon([geom])
    if isinstance(geom, MultiPolygon):
        return geom
    raise ImportFailed(f"{path}: expected polygons, found {geom.geom_type}")


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and value != value):
        return None
    text = str(value).strip()
    return text or None


def load_municipi(session: Session, path: Path) -> int:
    frame = _read(path, {"MUNICIPIO", "geometry"})
    rows = [
        {
            "id": int(r.MUNICIPIO),
            "name": f"Municipio {int(r.MUNICIPIO)}",
            "geom": from_shape(_multipolygon(r.geometry, path), srid=4326),
        }
        for r in frame.itertuples()
    ]
    stmt = insert(Municipio).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Municipio.id],
            set_={"name": stmt.excluded.name, "geom": stmt.excluded.geom},
        )
    )
    return len(rows)


def load_nil(session: Session, path: Path) -> int:
    frame = _read(path, {"ID_NIL", "NIL", "MUNICIPIO", "geometry"})
    rows = [
        {
            "id": int(r.ID_NIL),
            "name": str(r.NIL).strip(),
            "municipio": int(r.MUNICIPIO),
            "geom": from_shape(_multipolygon(r.geometry, path), srid=4326),
        }
        for r in frame.itertuples()
    ]
    stmt = insert(Nil).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Nil.id],
            set_={k: stmt.excluded[k] for k in ("name", "municipio", "geom")},
        )
    )
    return len(rows)


def load_schools(session: Session, path: Path) -> int:
    frame = _read(
        path,
        {
            "Codice",
            "Denominazione",
            "Tipologia",
            "Indirizzo",
            "Civico",
            "CAP",
            "MUNICIPIO",
            "COORD_OK",
            "geometry",
        },
    )
    frame = frame[frame["COORD_OK"].astype(bool)]
    rows = []
    for r in frame.itertuples():
        if not isinstance(r.geometry, Point):
            raise ImportFailed(f"{path}: school {r.Codice} is not a point")
        rows.append(
            {
                "code": str(r.Codice),
                "name": str(r.Denominazione).strip(),
                "school_type": str(r.Tipologia).strip(),
                "street": _text(r.Indirizzo),
                "civic_number": _text(r.Civico),
                "postcode": _text(r.CAP),
                "municipio": int(r.MUNICIPIO) if r.MUNICIPIO == r.MUNICIPIO else None,
                "location": f"SRID=4326;POINT({r.geometry.x} {r.geometry.y})",
            }
        )
    stmt = insert(School).values(rows)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[School.code],
            set_={k: stmt.excluded[k] for k in rows[0] if k != "code"},
        )
    )
    return len(rows)


def _osm_kind(props: dict[str, Any]) -> OrgKind | None:
    amenity = _text(props.get("amenity"))
    if amenity == "place_of_worship":
        return (
            OrgKind.PARISH if _text(props.get("religion")) == "christian" else OrgKind.ASSOCIATION
        )
    if amenity in KIND_BY_AMENITY:
        return KIND_BY_AMENITY[amenity]
    if amenity in EMPLOYER_AMENITIES:
        return OrgKind.EMPLOYER
    if amenity is None and (
        _text(props.get("shop"))
        or _text(props.get("office"))
        or _text(props.get("healthcare"))
        or _text(props.get("tourism")) in {"hotel", "guest_house", "hostel"}
    ):
        return OrgKind.EMPLOYER
    return None


def load_osm_places(session: Session, path: Path, municipi: list[int]) -> int:
    """The OSM businesses inside the served municipi, as draft *places to visit*.

    Re-running updates name, address and position of the same OSM objects; it never touches
    what scouts added to them (visits, status, notes).
    """
    frame = _read(path, {"osm_type", "osm_id", "name", "amenity", "shop", "MUNICIPIO", "geometry"})
    frame = frame[frame["MUNICIPIO"].isin(municipi)]
    count = 0
    for r in frame.to_dict("records"):
        name = _text(r.get("name"))
        kind = _osm_kind(r)
        if not name or kind is None or not isinstance(r["geometry"], Point):
            continue
        ref = f"{r['osm_type']}/{int(r['osm_id'])}"
        fields = {
            "name": name[:200],
            "location": f"SRID=4326;POINT({r['geometry'].x} {r['geometry'].y})",
            "street": _text(r.get("addr_street")),
            "civic_number": _text(r.get("addr_housenumber")),
            "postcode": (_text(r.get("addr_postcode")) or "")[:5] or None,
            "opening_hours": _text(r.get("opening_hours")),
            "accessibility_notes": f"wheelchair={_text(r.get('wheelchair'))} (OpenStreetMap)"
            if _text(r.get("wheelchair"))
            else None,
        }
        place = session.scalar(
            select(Place).where(Place.source_dataset == OSM_DATASET, Place.source_ref == ref)
        )
        if place is None:
            org = Organisation(
                name=name[:200],
                kind=kind,
                website=_text(r.get("website")),
                phone=_text(r.get("phone")),
            )
            place = Place(
                organisation=org,
                status=ReviewStatus.DRAFT,
                source=PlaceSource.IMPORT,
                source_dataset=OSM_DATASET,
                source_ref=ref,
                **fields,
            )
            session.add(place)
        else:
            for key, value in fields.items():
                if key == "location":
                    continue
                setattr(place, key, value)
            place.location = fields["location"]
        count += 1
    session.flush()
    return count


def load_all(session: Session, folder: Path, municipi: list[int]) -> LoadReport:
    """Load every layer in the caller's transaction. Raises :class:`ImportFailed`."""
    report = LoadReport()
    # Check every file before writing anything.
    for name in (MUNICIPI_FILE, NIL_FILE, SCHOOLS_FILE, OSM_POI_FILE):
        if not (folder / name).is_file():
            raise ImportFailed(f"{folder / name}: file not found")
    report.municipi = load_municipi(session, folder / MUNICIPI_FILE)
    report.nil = load_nil(session, folder / NIL_FILE)
    report.schools = load_schools(session, folder / SCHOOLS_FILE)
    report.places_to_visit = load_osm_places(session, folder / OSM_POI_FILE, municipi)
    assign_admin_units(session, only_missing=False)
    return report
