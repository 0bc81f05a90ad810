"""Streets drawn as inline SVG for the maps that are printed: the tutor's sheet and the weekly
bulletin. No tiles, no JavaScript: WeasyPrint and every browser draw the same picture, in greys
that stay readable in black and white, with each street's name along its longest stretch.

:func:`layout` places the lines and names in the caller's projection ``xy`` (lon, lat → SVG
x, y) as plain JSON (the bulletin freezes it at publication); :func:`draw` makes the SVG of it
at each rendering, its classes prefixed by ``css`` (``<css>-street``, ``<css>-street-name``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

import shapely
import shapely.ops
from markupsafe import Markup, escape

XY = Callable[[float, float], tuple[float, float]]

STREET_STYLE = {  # stroke colour and width by kind
    "street": ("#8a8a8a", 3.0),
    "pedestrian": ("#a6a6a6", 2.5),
    "steps": ("#5a5a5a", 1.5),
}
FOOTWAY_STYLE = ("#b5b5b5", 1.2)
CHAR_EM = 0.56  # about the width of one character, in font sizes


def halo_text(x: float, y: float, text: Any, attrs: str, css_class: str = "") -> str:
    """Dark text over a white copy of itself (a halo that WeasyPrint draws: it has no
    ``paint-order``), readable over lines. ``text`` must already be escaped."""
    klass = f'class="{css_class}" ' if css_class else ""
    return (
        f'<text x="{x}" y="{y}" {attrs} fill="#ffffff" stroke="#ffffff" stroke-width="3"'
        f' aria-hidden="true">{text}</text><text {klass}x="{x}" y="{y}" {attrs}'
        f' fill="#111111">{text}</text>'
    )


def layout(
    rows: Iterable[tuple[str | None, str, list[list[float]]]],
    xy: XY,
    *,
    font_px: float = 10,
    max_labels: int = 30,
) -> dict[str, Any]:
    """Where ``rows`` (``(name, kind, [[lon, lat], ...])``, as
    :func:`scout.spatial.streets_in_box` gives them) go on the map, as plain JSON (the
    bulletin freezes it): ``lines`` (kind and SVG path) and ``names`` (the longest named
    streets where their name fits without overlapping another: text, x, y, angle)."""
    lines: list[dict[str, str]] = []
    by_name: dict[str, list[Any]] = {}
    for name, kind, coords in rows:
        pts = [xy(x, y) for x, y in coords]
        if len(pts) < 2:
            continue
        lines.append({"kind": kind, "d": "M" + "L".join(f"{x},{y}" for x, y in pts)})
        if name and kind in ("street", "pedestrian"):
            by_name.setdefault(name, []).append(shapely.LineString(pts))
    return {"font_px": font_px, "lines": lines, "names": _names(by_name, font_px, max_labels)}


def draw(layout: dict[str, Any], css: str, width_scale: float = 1.0) -> tuple[Markup, Markup]:
    """The SVG of a :func:`layout`: the street lines (to draw first) and their names (to draw
    over everything else), each escaped here."""
    lines = []
    for line in layout.get("lines", []):
        kind = line["kind"]
        colour, width = STREET_STYLE.get(kind, FOOTWAY_STYLE)
        dash = ' stroke-dasharray="2 2"' if kind == "steps" else ""
        lines.append(
            f'<path class="{css}-street" data-kind="{escape(kind)}" d="{escape(line["d"])}"'
            f' fill="none" stroke="{colour}" stroke-width="{width * width_scale:g}"'
            f' stroke-linecap="round"{dash}/>'
        )
    size = float(layout.get("font_px", 10))
    names = [
        halo_text(
            n["x"],
            round(n["y"] + size * 0.35, 1),
            escape(n["text"]),
            f'font-size="{size:g}" transform="rotate({n["angle"]:.1f} {n["x"]} {n["y"]})"'
            ' text-anchor="middle"',
            css_class=f"{css}-street-name",
        )
        for n in layout.get("names", [])
    ]
    # Every name and path went through escape(); the numbers are ours.
    return Markup("".join(lines)), Markup("".join(names))  # noqa: S704


def _names(by_name: dict[str, list[Any]], font_px: float, most: int) -> list[dict[str, Any]]:
    labels: list[dict[str, Any]] = []
    placed: list[Any] = []
    spans = sorted(
        ((_span(parts), name) for name, parts in by_name.items()), key=lambda item: -item[0][0]
    )
    for (_length, place), name in spans[: most * 2]:
        need = len(name) * font_px * CHAR_EM + 8
        found = place(need)
        if found is None:
            continue
        mid, (dx, dy) = found
        if dx < 0 or (dx == 0 and dy < 0):  # text reads left to right, never upside down
            dx, dy = -dx, -dy
        a = (mid.x - dx * need / 2, mid.y - dy * need / 2)
        b = (mid.x + dx * need / 2, mid.y + dy * need / 2)
        box = shapely.LineString([a, b]).buffer(font_px * 0.7)
        if any(box.intersects(other) for other in placed):
            continue
        placed.append(box)
        angle = math.degrees(math.atan2(dy, dx))
        x, y = round(mid.x, 1), round(mid.y, 1)
        labels.append({"text": name, "x": x, "y": y, "angle": round(angle, 1)})
        if len(labels) >= most:
            break
    return labels


STRAIGHT = 0.2  # a street's pieces lie in a box at most this much wider than long


def _span(parts: list[Any]) -> tuple[float, Any]:
    """How long a stretch of one street a name could run along, and a function giving, for a
    name ``need`` pixels long, its middle and direction (a unit vector), or None.

    The longest run of joined pieces first; at small scales (the bulletin's whole area) a
    street comes as many short pieces (carriageways, crossings), so a street whose pieces
    lie along a straight band takes its name along that band instead."""
    merged = shapely.line_merge(shapely.multilinestrings(parts))
    line = max(getattr(merged, "geoms", [merged]), key=lambda g: g.length)
    rect = shapely.minimum_rotated_rectangle(merged)
    corners = list(getattr(rect, "exterior", rect).coords)  # a line when the pieces are
    sides = [(corners[i], corners[i + 1]) for i in range(min(2, len(corners) - 1))]
    p, q = max(sides, key=lambda s: math.dist(*s)) if sides else ((0, 0), (0, 0))
    short = min(math.dist(*s) for s in sides) if len(sides) == 2 else 0.0
    band = math.dist(p, q) if short <= STRAIGHT * math.dist(p, q) else 0.0

    def place(need: float) -> tuple[Any, tuple[float, float]] | None:
        if line.length >= need:
            mid = line.interpolate(0.5, normalized=True)
            a = line.interpolate(max(0.0, line.project(mid) - need / 2))
            b = line.interpolate(min(line.length, line.project(mid) + need / 2))
            return mid, _unit(b.x - a.x, b.y - a.y)
        if band >= need:
            mid = shapely.ops.nearest_points(merged, merged.centroid)[0]
            return mid, _unit(q[0] - p[0], q[1] - p[1])
        return None

    return max(line.length, band), place


def _unit(dx: float, dy: float) -> tuple[float, float]:
    n = math.hypot(dx, dy) or 1.0
    return dx / n, dy / n
