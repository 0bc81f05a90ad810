"""The one-page sheet a tutor prints for a person: her shortlist grouped by place with the
walk to each street by street, and a small static map (inline SVG) that needs no tiles, no
JavaScript and no network, so it prints the same from the browser and in the PDF.

The map shows the streets around the places with their names (the imported walking
network's edges; before an import, Milan's main roads of the reference layer), the walking
routes, the shortlisted places numbered as in the list and, unless the tutor leaves it out, a
marker where she starts, over the neighbourhood (NIL) outlines; all in black and greys,
readable when printed in black and white. It never shows her children's school; without the
start marker her start is only where the routes meet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from shapely.geometry import shape
from sqlalchemy.orm import Session

from scout import spatial
from scout.basemap import svg
from scout.geo import LonLat, metres_per_degree
from scout.search import Hit

WIDTH, HEIGHT = 640, 300
MIN_SPAN_M = 800  # the map shows at least this much ground across
PAD = 0.15


@dataclass(slots=True)
class SheetPlace:
    number: int
    name: str
    address: str
    lon: float
    lat: float
    walk_minutes: int
    walk_minutes_from_school: int | None
    opening_hours: str | None = None
    items: list[Hit] = field(default_factory=list)
    route: Any = None  # the walking RouteAnswer from where she starts, when asked
    directions: list[dict[str, Any]] = field(default_factory=list)  # in the sheet's language


def group_by_place(hits: list[Hit]) -> list[SheetPlace]:
    """Hits (already ranked) grouped under their place, numbered 1, 2, ... again."""
    out: dict[int, SheetPlace] = {}
    for h in hits:
        if h.place_id not in out:
            out[h.place_id] = SheetPlace(
                number=len(out) + 1,
                name=h.place_name,
                address=h.address,
                lon=h.lon,
                lat=h.lat,
                walk_minutes=h.walk.whole_minutes,
                walk_minutes_from_school=(
                    h.walk_from_school.whole_minutes if h.walk_from_school else None
                ),
                opening_hours=h.details.get("opening_hours"),
            )
        out[h.place_id].items.append(h)
    return list(out.values())


def _routed(places: list[SheetPlace]) -> list[SheetPlace]:
    return [p for p in places if p.route is not None and p.route.line and p.route.legs]


def shows_start(places: list[SheetPlace], show_start: bool) -> bool:
    """Whether the map marks the start: asked for, and at least one route drawn from it."""
    return show_start and bool(_routed(places))


def _bbox(
    places: list[SheetPlace], start: LonLat | None = None
) -> tuple[float, float, float, float]:
    lons = [p.lon for p in places] + ([start.lon] if start else [])
    lats = [p.lat for p in places] + ([start.lat] if start else [])
    lat0 = sum(lats) / len(lats)
    m_lon, m_lat = (float(m) for m in metres_per_degree(lat0))
    # Grow the box to the map's aspect ratio and to at least MIN_SPAN_M across.
    span_x = max((max(lons) - min(lons)) * m_lon * (1 + 2 * PAD), MIN_SPAN_M)
    span_y = max((max(lats) - min(lats)) * m_lat * (1 + 2 * PAD), MIN_SPAN_M * HEIGHT / WIDTH)
    if span_x / span_y < WIDTH / HEIGHT:
        span_x = span_y * WIDTH / HEIGHT
    else:
        span_y = span_x * HEIGHT / WIDTH
    cx, cy = (max(lons) + min(lons)) / 2, (max(lats) + min(lats)) / 2
    dx, dy = span_x / 2 / m_lon, span_y / 2 / m_lat
    return cx - dx, cy - dy, cx + dx, cy + dy


def map_svg(
    session: Session,
    places: list[SheetPlace],
    title: str,
    origin: LonLat | None = None,
    show_start: bool = True,
) -> Markup:
    """An SVG map of ``places`` (numbered circles), their routes from ``origin`` (its square,
    when :func:`shows_start`) and the streets with their names, over the NIL outlines and
    names. No words of the sheet's language go in it: WeasyPrint draws SVG text without
    Arabic shaping or right-to-left order, so the legend under the map names the start."""
    if not places:
        return Markup("")
    routed = _routed(places)
    min_lon, min_lat, max_lon, max_lat = _bbox(places, origin if routed else None)

    def xy(lon: float, lat: float) -> tuple[float, float]:
        return (
            round((lon - min_lon) / (max_lon - min_lon) * WIDTH, 1),
            round((max_lat - lat) / (max_lat - min_lat) * HEIGHT, 1),
        )

    def ring(coords: list[list[float]]) -> str:
        return "M" + "L".join("{},{}".format(*xy(x, y)) for x, y in coords) + "Z"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sheet-map" viewBox="0 0 {WIDTH} {HEIGHT}"'
        f' role="img" direction="ltr" aria-label="{escape(title)}">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#f4f4f4"/>',
    ]
    bbox = (min_lon, min_lat, max_lon, max_lat)
    labels = []
    for name, geom in spatial.nil_outlines_in_box(session, bbox):
        if geom["type"] not in ("Polygon", "MultiPolygon"):
            continue
        polys = [geom["coordinates"]] if geom["type"] == "Polygon" else geom["coordinates"]
        d = "".join(ring(r) for poly in polys for r in poly)
        parts.append(
            f'<path class="sheet-map-nil" d="{d}" fill="#ffffff" fill-rule="evenodd"'
            ' stroke="#aaaaaa" stroke-width="1"/>'
        )
        rp = shape(geom).representative_point()
        lx, ly = xy(rp.x, rp.y)
        labels.append(
            f'<text class="sheet-map-nil-name" x="{lx}" y="{ly}" font-size="10" fill="#666666"'
            f' text-anchor="middle">{escape(name)}</text>'
        )
    streets = svg.layout(spatial.streets_in_box(session, bbox), xy)
    street_lines, street_names = svg.draw(streets, css="sheet-map")
    parts.append(street_lines)
    parts += labels
    for p in routed:
        d = "M" + "L".join("{},{}".format(*xy(x, y)) for x, y in p.route.line["coordinates"])
        parts.append(
            f'<path class="sheet-map-route" data-number="{p.number}" d="{d}" fill="none"'
            ' stroke="#ffffff" stroke-width="7" stroke-linejoin="round"/>'
            f'<path d="{d}" fill="none" stroke="#111111" stroke-width="3.5"'
            ' stroke-dasharray="9 4" stroke-linejoin="round"/>'
        )
    parts.append(street_names)
    if origin is not None and shows_start(places, show_start):
        x, y = xy(origin.lon, origin.lat)
        parts.append(
            f'<g class="sheet-map-start"><rect x="{x - 8}" y="{y - 8}" width="16" height="16"'
            ' fill="#ffffff" stroke="#111111" stroke-width="3"/></g>'
        )
    for p in places:
        x, y = xy(p.lon, p.lat)
        parts.append(
            f'<g class="sheet-map-place" data-number="{p.number}">'
            f'<circle cx="{x}" cy="{y}" r="11" fill="#111111" stroke="#ffffff" stroke-width="2"/>'
            f'<text x="{x}" y="{y + 4.5}" fill="#ffffff" font-size="13" font-weight="700"'
            f' text-anchor="middle">{p.number}</text></g>'
        )
    # A 200 m scale bar, bottom left.
    m_per_px = (max_lon - min_lon) * float(metres_per_degree(min_lat)[0]) / WIDTH
    bar = round(200 / m_per_px, 1)
    parts.append(
        f'<g class="sheet-map-scale"><path d="M10,{HEIGHT - 12}h{bar}" stroke="#111111"'
        f' stroke-width="2"/><text x="{10 + bar / 2}" y="{HEIGHT - 17}" font-size="10"'
        f' text-anchor="middle">200 m</text></g>'
    )
    parts.append("</svg>")
    # Every piece of text in it went through escape(); numbers are ours.
    return Markup("".join(parts))  # noqa: S704
