"""Load reference layers and the OSM starter list from geodata/ (idempotent, all-or-nothing).

Every loader reads its file fully and checks it before anything is written; the command runs
them in one transaction, so a bad or missing file leaves the database as it was.

A reload never overwrites what people edited: each starter place keeps a hash of the values
the import last wrote (``Place.import_hash``); a place whose values no longer hash to it was
edited since (by a scout, a coordinator) and is kept as it is, and reported. Places still as
imported are updated when the file changed, with an audit event; unchanged ones are not
written at all (their version stays, so tablets see no spurious conflict).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
from geoalchemy2.shape import from_shape
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from scout import audit
from scout.basemap.reference import METRO_FILE, ROAD_FILES, load_roads, load_stations
from scout.errors import ImportFailed
from scout.models import (
    AuditAction,
    Municipio,
    Nil,
    Organisation,
    OrgKind,
    Place,
    PlaceSource,
    ReviewStatus,
    School,
)
from scout.schedule import italian_hours, opening_hours_fields
from scout.spatial import assign_admin_units, place_lonlat

logger = logging.getLogger(__name__)

MUNICIPI_FILE = "municipi_wgs84.geojson"
NIL_FILE = "nil_wgs84.geojson"
SCHOOLS_FILE = "scuole_milano_wgs84.geojson"
OSM_POI_FILE = "osm_wheelchair_poi_milano.geojson"
OSM_DATASET = "osm_wheelchair_poi_milano"
LIBRARIES_FILE = "ds1306_biblioteche_milano.geojson"
LIBRARIES_DATASET = "ds1306_biblioteche_milano"

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


# Fields of a starter place that the import writes (and compares, to know if people edited).
IMPORTED_FIELDS = (
    "name",
    "street",
    "civic_number",
    "postcode",
    "opening_hours",
    "opening_schedule",
    "accessibility_notes",
    "position",
)
KEPT_LISTED = 20


@dataclass
class PlacesReport:
    total: int = 0
    added: int = 0
    updated: int = 0
    # (place id, OSM ref, name) of places edited since the import: kept as people left them.
    kept: list[tuple[int, str, str]] = field(default_factory=list)


@dataclass
class LoadReport:
    municipi: int = 0
    nil: int = 0
    schools: int = 0
    places_to_visit: int = 0
    places: PlacesReport = field(default_factory=PlacesReport)
    libraries: PlacesReport = field(default_factory=PlacesReport)
    roads: int = 0
    stations: int = 0

    def line(self) -> str:
        p, lib = self.places, self.libraries
        kept = p.kept + lib.kept
        out = (
            f"geodata loaded: {self.municipi} municipi, {self.nil} NIL, {self.schools} schools, "
            f"{self.places_to_visit} places to visit ({p.added + lib.added} new, "
            f"{p.updated + lib.updated} updated, "
            f"{len(kept)} edited since the import and kept as edited; {lib.total} libraries), "
            f"{self.roads} main roads, {self.stations} metro stations"
        )
        for place_id, ref, name in kept[:KEPT_LISTED]:
            out += f"\n  kept: place {place_id} ({ref}) {name}"
        if len(kept) > KEPT_LISTED:
            out += f"\n  ... and {len(kept) - KEPT_LISTED} more"
        return out


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


def _import_hash(values: dict[str, Any]) -> str:
    # Empty weekly hours leave the hash as it was before places had them.
    names = [n for n in IMPORTED_FIELDS if n != "opening_schedule" or values.get(n)]
    data = json.dumps([values[name] for name in names], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


def _position(lon: float, lat: float) -> list[float]:
    return [round(lon, 7), round(lat, 7)]


def _stored_values(session: Session, dataset: str) -> dict[str, tuple[Place, dict[str, Any]]]:
    """The dataset's places by ``source_ref``, with their current imported-field values."""
    lon, lat = place_lonlat()
    out = {}
    for place, x, y in session.execute(
        select(Place, lon, lat).where(Place.source_dataset == dataset)
    ).all():
        values = {name: getattr(place, name) for name in IMPORTED_FIELDS if name != "position"}
        values["position"] = _position(x, y)
        out[place.source_ref] = (place, values)
    return out


def load_osm_places(session: Session, path: Path, municipi: list[int]) -> PlacesReport:
    """The OSM businesses inside the served municipi, as draft *places to visit*.

    Re-running updates name, address, hours and position of the same OSM objects only where
    nobody edited them since the last import; it never touches what scouts added to them
    (visits, status, notes) nor what they corrected.
    """
    frame = _read(path, {"osm_type", "osm_id", "name", "amenity", "shop", "MUNICIPIO", "geometry"})
    frame = frame[frame["MUNICIPIO"].isin(municipi)]
    items = []
    for r in frame.to_dict("records"):
        name = _text(r.get("name"))
        kind = _osm_kind(r)
        if not name or kind is None or not isinstance(r["geometry"], Point):
            continue
        wheelchair = _text(r.get("wheelchair"))
        values = {
            "name": name[:200],
            "street": _text(r.get("addr_street")),
            "civic_number": _text(r.get("addr_housenumber")),
            "postcode": (_text(r.get("addr_postcode")) or "")[:5] or None,
            **opening_hours_fields(_text(r.get("opening_hours"))),
            "accessibility_notes": f"wheelchair={wheelchair} (OpenStreetMap)"
            if wheelchair
            else None,
            "position": _position(r["geometry"].x, r["geometry"].y),
        }
        org = {"kind": kind, "website": _text(r.get("website")), "phone": _text(r.get("phone"))}
        items.append((f"{r['osm_type']}/{int(r['osm_id'])}", org, values))
    return _upsert_places(session, OSM_DATASET, items)


def load_libraries(session: Session, path: Path, municipi: list[int]) -> PlacesReport:
    """The civic libraries (Comune di Milano ds1306) in the served municipi, as places to
    visit like the OSM businesses, with their opening hours (Italian text turned into
    weekly windows where it reads as such)."""
    required = {"Biblioteche - Sede", "Indirizzo", "CAP", "Orari", "MUNICIPIO", "geometry"}
    frame = _read(path, required)
    frame = frame[frame["MUNICIPIO"].astype(int).isin(municipi)]
    items = []
    for r in frame.to_dict("records"):
        name = _text(r.get("Biblioteche - Sede"))
        hours = _text(r.get("Orari"))
        if not name or not isinstance(r["geometry"], Point) or (hours or "").lower() == "chiusa":
            continue  # a library the Comune lists as closed is not a place to visit
        address = re.sub(r"^sede provv\.\s*", "", _text(r.get("Indirizzo")) or "")
        found = re.fullmatch(r"(.*?)[\s,]+(\d+[\w/]*)", address)
        street, number = (found[1], found[2]) if found else (address or None, None)
        values = {
            "name": (name if name.startswith("Biblioteca") else f"Biblioteca {name}")[:200],
            "street": street or None,
            "civic_number": number,
            "postcode": (_text(r.get("CAP")) or "")[:5] or None,
            **opening_hours_fields(italian_hours(hours)),
            "accessibility_notes": None,
            "position": _position(r["geometry"].x, r["geometry"].y),
        }
        org = {
            "kind": OrgKind.PUBLIC_SERVICE,
            "website": None,
            "phone": _text(r.get("telefono")),
        }
        items.append((name, org, values))
    return _upsert_places(session, LIBRARIES_DATASET, items)


def _upsert_places(
    session: Session, dataset: str, items: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> PlacesReport:
    """Add or update a dataset's starter places: ``(source ref, organisation fields, values)``."""
    report = PlacesReport()
    stored = _stored_values(session, dataset)
    for ref, org_fields, values in items:
        report.total += 1
        new_hash = _import_hash(values)
        if ref not in stored:
            org = Organisation(name=values["name"], **org_fields)
            session.add(
                Place(
                    organisation=org,
                    status=ReviewStatus.DRAFT,
                    source=PlaceSource.IMPORT,
                    source_dataset=dataset,
                    source_ref=ref,
                    import_hash=new_hash,
                    **_columns(values),
                )
            )
            stored[ref] = (None, values)  # a ref twice in the file: the first one wins
            report.added += 1
            continue
        place, current = stored[ref]
        if place is None:
            continue
        current_hash = _import_hash(current)
        if current_hash == new_hash:
            if place.import_hash != new_hash:  # as imported (before hashes were kept)
                _set_hash(session, place, new_hash)
            continue
        if place.import_hash != current_hash:
            report.kept.append((place.id, ref, place.name))
            continue
        changes = {k: [current[k], values[k]] for k in IMPORTED_FIELDS if current[k] != values[k]}
        for key, value in _columns(values).items():
            setattr(place, key, value)
        place.import_hash = new_hash
        audit.record(session, AuditAction.UPDATE, "place", place.id, changes)
        report.updated += 1
    session.flush()
    return report


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in values.items() if k != "position"}
    lon, lat = values["position"]
    out["location"] = f"SRID=4326;POINT({lon} {lat})"
    return out


def _set_hash(session: Session, place: Place, value: str) -> None:
    """Record the hash without an ORM update: bookkeeping, not an edit (no version bump)."""
    session.execute(
        update(Place)
        .where(Place.id == place.id)
        .values(import_hash=value)
        .execution_options(synchronize_session=False)
    )


def load_all(session: Session, folder: Path, municipi: list[int]) -> LoadReport:
    """Load every layer in the caller's transaction. Raises :class:`ImportFailed`."""
    report = LoadReport()
    # Check every file before writing anything.
    names = (MUNICIPI_FILE, NIL_FILE, SCHOOLS_FILE, OSM_POI_FILE, LIBRARIES_FILE, METRO_FILE)
    for name in (*names, *ROAD_FILES):
        if not (folder / name).is_file():
            raise ImportFailed(f"{folder / name}: file not found")
    report.municipi = load_municipi(session, folder / MUNICIPI_FILE)
    report.nil = load_nil(session, folder / NIL_FILE)
    report.schools = load_schools(session, folder / SCHOOLS_FILE)
    report.places = load_osm_places(session, folder / OSM_POI_FILE, municipi)
    report.libraries = load_libraries(session, folder / LIBRARIES_FILE, municipi)
    report.places_to_visit = report.places.total + report.libraries.total
    report.roads = load_roads(session, folder)
    report.stations = load_stations(session, folder)
    assign_admin_units(session, only_missing=False)
    return report
