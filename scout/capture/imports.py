"""Import places from a CSV or GeoJSON file, all or nothing.

Every row is read and checked before anything is written: the kind must be in the
vocabulary, the coordinates numbers inside the service area, the required fields present and
within their column sizes. If any row is bad, the report lists each one (line or feature
number, field, reason) and nothing is written. A good file creates an organisation and a
draft place per row; importing the same dataset again updates the places it created before
(matched on ``source_dataset`` + ``source_ref``) instead of adding them twice. What coordinators
and scouts added to those places since (status, notes, visits) is left alone.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from scout import spatial
from scout.capture.drafts import OrganisationDraft, PlaceDraft
from scout.capture.places import create_place, update_place
from scout.geo import LonLat
from scout.models import OrgKind, Place, PlaceSource
from scout.schedule import opening_hours_fields
from scout.spatial import assign_admin_units

logger = logging.getLogger(__name__)

REQUIRED = ("name", "kind", "lon", "lat")
# field → maximum length (the column sizes of Place / Organisation).
TEXT_FIELDS = {
    "ref": 100,
    "name": 200,
    "street": 200,
    "civic_number": 20,
    "postcode": 5,
    "opening_hours": 2000,
    "accessibility_notes": 2000,
    "description": 5000,
    "website": 300,
    "email": 200,
    "phone": 50,
}
PLACE_FIELDS = ("street", "civic_number", "postcode", "opening_hours", "accessibility_notes")
ORG_FIELDS = ("description", "website", "email", "phone")
# A place's fields that no file carries (what scouts and coordinators added).
STAFF_FIELDS = ("notes", "contact_person", "phone", "email")
KNOWN_COLUMNS = set(REQUIRED) | set(TEXT_FIELDS)
MAX_ROWS = 20_000
DATASET_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class ImportFormatError(ValueError):
    """The file as a whole is unreadable (not a CSV/GeoJSON, no header, wrong columns)."""


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem of one row: ``line`` is the CSV line (header = 1) or the GeoJSON feature
    number (first = 1)."""

    line: int
    field: str
    reason: Any  # a lazy translatable string

    def __str__(self) -> str:
        return f"{self.line}: {self.field}: {self.reason}"


@dataclass(slots=True)
class ImportRow:
    line: int
    ref: str
    kind: OrgKind
    lon: float
    lat: float
    values: dict[str, str | None]


@dataclass(slots=True)
class ImportReport:
    dataset: str
    unit: str = "line"  # "line" for CSV, "feature" for GeoJSON
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def line(self) -> str:
        if self.errors:
            return (
                f"{self.dataset}: {len(self.errors)} problem(s) in {self.rows} {self.unit}s; "
                "nothing imported"
            )
        return f"{self.dataset}: {self.created} places created, {self.updated} updated"


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    text = str(value).strip()
    return text or None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = _clean(value)
        if text is None:
            return None
        try:
            number = float(text.replace(",", ".")) if text.count(",") == 1 else float(text)
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def _auto_ref(values: dict[str, str | None]) -> str:
    """A stable key for rows without ``ref``: name and address, normalised."""
    key = "|".join(
        (values.get(k) or "").casefold().strip() for k in ("name", "street", "civic_number")
    )
    return "auto:" + hashlib.sha256(key.encode()).hexdigest()[:24]


def _check_row(
    session: Session, line: int, raw: dict[str, Any], errors: list[RowError]
) -> ImportRow | None:
    before = len(errors)
    values: dict[str, str | None] = {}
    for name in REQUIRED:
        if _clean(raw.get(name)) is None:
            errors.append(RowError(line, name, _l("This field is required.")))
    for name, size in TEXT_FIELDS.items():
        text = _clean(raw.get(name))
        if text is not None and len(text) > size:
            errors.append(RowError(line, name, _l("Longer than %(n)d characters.", n=size)))
        values[name] = text
    postcode = values.get("postcode")
    if postcode is not None and not re.fullmatch(r"\d{5}", postcode):
        errors.append(RowError(line, "postcode", _l("A postcode has five digits.")))

    kind: OrgKind | None = None
    kind_text = _clean(raw.get("kind"))
    if kind_text is not None:
        try:
            kind = OrgKind(kind_text.lower())
        except ValueError:
            errors.append(
                RowError(
                    line,
                    "kind",
                    _l(
                        "Unknown kind; use one of: %(kinds)s.",
                        kinds=", ".join(k.value for k in OrgKind),
                    ),
                )
            )

    lon, lat = _number(raw.get("lon")), _number(raw.get("lat"))
    for name, number in (("lon", lon), ("lat", lat)):
        if number is None and _clean(raw.get(name)) is not None:
            errors.append(RowError(line, name, _l("Not a number.")))
    if lon is not None and lat is not None:
        try:
            point = LonLat(lon, lat)
        except ValueError:
            errors.append(RowError(line, "lon", _l("Coordinates out of range.")))
        else:
            if not spatial.in_service_area(point):
                errors.append(RowError(line, "lon", _l("Outside the area served.")))

    if len(errors) > before or kind is None or lon is None or lat is None:
        return None
    ref = values.pop("ref") or _auto_ref(values)
    return ImportRow(line=line, ref=ref, kind=kind, lon=lon, lat=lat, values=values)


def _too_many_rows() -> ImportFormatError:
    return ImportFormatError(
        _l(
            "The file has more than %(n)d rows, the most one import takes. "
            "Split it into files of at most %(n)d rows.",
            n=MAX_ROWS,
        )
    )


def _csv_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(_l("The file is not UTF-8 text.")) from exc
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ImportFormatError(_l("Missing column(s): %(columns)s.", columns=", ".join(missing)))
    reader.fieldnames = header
    rows = []
    try:
        for record in reader:
            if not any(_clean(v) for k, v in record.items() if k is not None):
                continue  # blank line
            rows.append((reader.line_num, {k: v for k, v in record.items() if k is not None}))
            if len(rows) > MAX_ROWS:
                raise _too_many_rows()
    except csv.Error as exc:
        raise ImportFormatError(
            _l("Unreadable CSV at line %(line)d.", line=reader.line_num)
        ) from exc
    return rows


def _geojson_rows(data: bytes) -> list[tuple[int, dict[str, Any]]]:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise ImportFormatError(_l("The file is not valid GeoJSON.")) from exc
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise ImportFormatError(_l("Expected a GeoJSON FeatureCollection."))
    features = doc.get("features")
    if not isinstance(features, list):
        raise ImportFormatError(_l("Expected a GeoJSON FeatureCollection."))
    if len(features) > MAX_ROWS:
        raise _too_many_rows()
    rows = []
    for number, feature in enumerate(features, start=1):
        feature = feature if isinstance(feature, dict) else {}
        props = feature.get("properties")
        raw: dict[str, Any] = (
            {k.lower(): v for k, v in props.items()} if isinstance(props, dict) else {}
        )
        if raw.get("ref") is None and isinstance(feature.get("id"), str | int):
            raw["ref"] = feature["id"]
        geometry = feature.get("geometry")
        coords = geometry.get("coordinates") if isinstance(geometry, dict) else None
        if (
            isinstance(geometry, dict)
            and geometry.get("type") == "Point"
            and isinstance(coords, list)
            and len(coords) >= 2
        ):
            raw["lon"], raw["lat"] = coords[0], coords[1]
        else:
            # Reported as a missing/invalid coordinate below; mark the geometry itself.
            raw["lon"] = raw["lat"] = None
            raw["_geometry_error"] = True
        rows.append((number, raw))
    return rows


def read_rows(data: bytes, fmt: str) -> list[tuple[int, dict[str, Any]]]:
    """Parse ``data`` as ``"csv"`` or ``"geojson"`` into ``(line, fields)`` pairs."""
    if fmt == "csv":
        return _csv_rows(data)
    if fmt == "geojson":
        return _geojson_rows(data)
    raise ImportFormatError(_l("Use a .csv or .geojson file."))


def format_of(filename: str) -> str:
    suffix = Path(filename).suffix.lower()
    return {".csv": "csv", ".geojson": "geojson", ".json": "geojson"}.get(suffix, "")


def validate(
    session: Session, dataset: str, rows: list[tuple[int, dict[str, Any]]], unit: str
) -> tuple[ImportReport, list[ImportRow]]:
    """Check every row; nothing is written."""
    report = ImportReport(dataset=dataset, unit=unit, rows=len(rows))
    if not DATASET_RE.match(dataset):
        report.errors.append(
            RowError(0, "dataset", _l("Use letters, digits, '.', '_' or '-' (at most 100)."))
        )
    good: list[ImportRow] = []
    seen: dict[str, int] = {}
    for line, raw in rows:
        if raw.pop("_geometry_error", False):
            report.errors.append(RowError(line, "geometry", _l("Expected a Point geometry.")))
            continue
        row = _check_row(session, line, raw, report.errors)
        if row is None:
            continue
        if row.ref in seen:
            report.errors.append(
                RowError(line, "ref", _l("Same place as line %(line)d.", line=seen[row.ref]))
            )
            continue
        seen[row.ref] = line
        good.append(row)
    if not rows:
        report.errors.append(RowError(0, "file", _l("No rows to import.")))
    return report, good


def _place_values(row: ImportRow) -> dict[str, Any]:
    """The row's place columns; its ``opening_hours`` as weekly windows where it parses."""
    values = {k: row.values.get(k) for k in PLACE_FIELDS}
    hours = opening_hours_fields(values["opening_hours"])
    values["opening_hours"] = hours["opening_hours"]
    values["opening_schedule"] = tuple(hours["opening_schedule"])
    return values


def _draft(dataset: str, row: ImportRow, place: Place | None) -> PlaceDraft:
    """The row as a place draft; for a place imported before, what the file does not carry
    (staff notes and contacts, the sectors, empty organisation fields) stays as it is."""
    org = place.organisation if place is not None else None
    org_values = {k: row.values.get(k) for k in ORG_FIELDS}
    if org is not None and org_values["website"] is None:
        org_values["website"] = org.website
    kept = {k: getattr(place, k) for k in STAFF_FIELDS} if place is not None else {}
    return PlaceDraft(
        name=row.values["name"],
        point=LonLat(row.lon, row.lat),
        organisation=OrganisationDraft(
            id=org.id if org is not None else None,
            kind=row.kind,
            sectors=tuple(org.sectors or ()) if org is not None else (),
            **org_values,
        ),
        **_place_values(row),
        **kept,
        duplicates_confirmed=True,
        source=PlaceSource.IMPORT,
        source_dataset=dataset,
        source_ref=row.ref,
    )


def _apply(session: Session, dataset: str, rows: list[ImportRow], report: ImportReport) -> None:
    existing = {
        place.source_ref: place
        for place in session.scalars(
            select(Place).where(
                Place.source_dataset == dataset,
                Place.source_ref.in_([r.ref for r in rows]),
            )
        )
    }
    for row in rows:
        place = existing.get(row.ref)
        if place is None:
            create_place(_draft(dataset, row, None), None, locate=False)
            report.created += 1
        else:
            update_place(place, _draft(dataset, row, place), None, locate=False)
            report.updated += 1
    session.flush()
    assign_admin_units(session)


def import_places(session: Session, data: bytes, fmt: str, dataset: str) -> ImportReport:
    """Validate every row of ``data``, then write all of them or none.

    Flushes, never commits: the caller commits when ``report.ok`` (and the session holds no
    change when it is not). Raises :class:`ImportFormatError` when the file as a whole is
    unreadable.
    """
    rows = read_rows(data, fmt)
    report, good = validate(session, dataset, rows, "line" if fmt == "csv" else "feature")
    if report.ok:
        _apply(session, dataset, good, report)
        logger.info("import %s: %d created, %d updated", dataset, report.created, report.updated)
    return report
