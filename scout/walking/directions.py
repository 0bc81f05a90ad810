"""Walking directions street by street: the pieces of a route (:meth:`Graph.route_pieces`)
become a short list of legs, "Via Padova, 350 m (4 min) → turn left into Via Arquà, 200 m →
cross Viale Monza → take the steps".

Consecutive pieces on the same street (the edges' OSM ``name``; an unnamed stretch by its kind:
footway, sidewalk, path...) make one leg; an unnamed stretch shorter than ``SHORT_M`` between
two others joins its neighbour (a few metres of footway at a corner is no instruction), and
two legs of one street around it join again. Crossings, steps and raised kerbs are always legs
of their own. Turns come from the bearings of the last and first ``BEARING_M`` metres of the
legs on either side of a junction. The legs' metres add up to the route's: the walks between
the points and the network count in the first and last legs.

The stroller profile walks a graph without steps or kerbs, so its legs never hold any.
Texts are in the current locale; street names are kept left to right (isolated), also in
Arabic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask_babel import lazy_pgettext, ngettext, pgettext
from markupsafe import escape

from scout.i18n import FSI, LRI, PDI, isolate, ltr
from scout.walking.graph import Graph, Piece
from scout.walking.osm_rules import (
    KIND_CROSSING,
    KIND_KERB,
    KIND_STEPS,
    KIND_STREET,
)

SHORT_M = 15.0  # an unnamed stretch shorter than this between two legs joins one of them
BEARING_M = 20.0  # a leg's direction at a junction: its last (or first) this many metres
# A change of direction up to STRAIGHT_DEG goes straight on, up to SLIGHT_DEG bears left or
# right, beyond SHARP_DEG turns sharply.
STRAIGHT_DEG = 25.0
SLIGHT_DEG = 60.0
SHARP_DEG = 140.0


# Legs never merged into another nor absorbed.
OWN_LEG_KINDS = frozenset({KIND_CROSSING, KIND_STEPS, KIND_KERB})


@dataclass
class Leg:
    kind: str
    name: str | None
    metres: float = 0.0
    parts: list[np.ndarray] = field(default_factory=list)  # projected coordinates, in order
    edges: list[int] = field(default_factory=list)
    turn: str | None = None  # straight, slight_left, left, sharp_left, slight_right, ...
    crossed: str | None = None  # the street a crossing crosses, when known

    @property
    def key(self) -> tuple[str, str]:
        return ("name", self.name) if self.name else ("kind", self.kind)

    def take(self, other: Leg) -> None:
        self.metres += other.metres
        self.parts.extend(other.parts)
        self.edges.extend(other.edges)

    def coords(self) -> np.ndarray:
        return np.concatenate(self.parts) if self.parts else np.zeros((0, 2))


def legs_of(graph: Graph, pieces: list[Piece]) -> list[Leg]:
    """The legs of a route's pieces (see the module's doc)."""
    legs: list[Leg] = []
    lead = 0.0  # the walk from the origin to the network, before the first edge
    for piece in pieces:
        if piece.edge < 0:
            if legs:
                legs[-1].metres += piece.metres
                legs[-1].parts.append(piece.xy)
            else:
                lead += piece.metres
            continue
        kind = graph.kinds[piece.edge]
        name = None if kind in (KIND_STEPS, KIND_KERB) else graph.names[piece.edge]
        legs.append(Leg(kind, name, piece.metres, [piece.xy], [piece.edge]))
    if not legs:
        return [Leg(KIND_STREET, None, lead)]
    legs[0].metres += lead
    legs = _merged(_absorbed(_merged(legs)))
    for i, leg in enumerate(legs):
        if leg.kind == KIND_CROSSING:
            leg.crossed = _crossed(graph, leg, legs[i - 1] if i else None, legs[i + 1 : i + 2])
    _set_turns(legs)
    return legs


def _merged(legs: list[Leg]) -> list[Leg]:
    out: list[Leg] = []
    for leg in legs:
        if out and out[-1].key == leg.key and leg.kind not in (KIND_STEPS, KIND_KERB):
            out[-1].take(leg)
        else:
            out.append(leg)
    return out


def _absorbed(legs: list[Leg]) -> list[Leg]:
    """Short unnamed stretches (not crossings, steps or kerbs) joined to a neighbour."""
    out: list[Leg] = []
    for i, leg in enumerate(legs):
        short = leg.metres < SHORT_M and leg.name is None and leg.kind not in OWN_LEG_KINDS
        if short and len(legs) > 1:
            if out and out[-1].kind not in OWN_LEG_KINDS:
                out[-1].take(leg)
                continue
            nxt = legs[i + 1] if i + 1 < len(legs) else None
            if nxt is not None and nxt.kind not in OWN_LEG_KINDS:
                # Joins the next leg, at its front.
                nxt.metres += leg.metres
                nxt.parts[:0] = leg.parts
                nxt.edges[:0] = leg.edges
                continue
        out.append(leg)
    return out


def _crossed(graph: Graph, leg: Leg, before: Leg | None, after: list[Leg]) -> str | None:
    """The named street a crossing crosses: one met at a node inside the crossing (where the
    crossing way meets the street's), else one whose line the crossing's cuts, else one at
    its ends (not the streets walked before or after)."""
    edges = np.array(leg.edges)
    ends = np.concatenate([graph.src[edges], graph.dst[edges]])
    values, counts = np.unique(ends, return_counts=True)
    walked = {x.name for x in [before, *after] if x is not None and x.name}
    coords = leg.coords()
    cut = graph.edges_crossing(coords) if len(coords) >= 2 else np.empty(0, dtype=np.int64)
    candidates = (
        (graph.edges_at(values[counts > 1]), set()),
        (cut, set()),
        (graph.edges_at(values), walked),
    )
    for near, skip in candidates:
        names = [
            graph.names[e]
            for e in near.tolist()
            if graph.kinds[e] == KIND_STREET and graph.names[e] and graph.names[e] not in skip
        ]
        if names:
            return max(sorted(set(names)), key=names.count)
    return None


def _bearing(xy: np.ndarray, from_end: bool) -> float | None:
    """Degrees clockwise from north of the first (or last) ``BEARING_M`` metres of a line."""
    pts = xy[::-1] if from_end else xy
    if len(pts) < 2:
        return None
    seg = np.hypot(*np.diff(pts, axis=0).T)
    cum = np.cumsum(seg)
    if cum[-1] < 0.5:
        return None
    i = int(np.searchsorted(cum, min(BEARING_M, float(cum[-1]))))
    far = pts[min(i + 1, len(pts) - 1)]
    dx, dy = (pts[0] - far) if from_end else (far - pts[0])
    return math.degrees(math.atan2(dx, dy)) % 360


def _turn(delta: float) -> str:
    side = "right" if delta > 0 else "left"
    size = abs(delta)
    if size < STRAIGHT_DEG:
        return "straight"
    if size < SLIGHT_DEG:
        return f"slight_{side}"
    if size < SHARP_DEG:
        return side
    return f"sharp_{side}"


def _set_turns(legs: list[Leg]) -> None:
    last: float | None = None  # the bearing at the end of the last leg with a direction
    for i, leg in enumerate(legs):
        xy = _network_coords(leg, first=i == 0, final=i == len(legs) - 1)
        start = _bearing(xy, from_end=False)
        if i and last is not None and start is not None:
            leg.turn = _turn((start - last + 540) % 360 - 180)
        end = _bearing(xy, from_end=True)
        if end is not None:
            last = end


def _network_coords(leg: Leg, first: bool, final: bool) -> np.ndarray:
    """A leg's coordinates without the walk from the origin (first leg) or to the target
    (last leg): the turns are those of the streets."""
    parts = leg.parts
    if final and len(parts) > 1 and leg.edges:
        parts = parts[:-1]
    return np.concatenate(parts) if parts else np.zeros((0, 2))


# -- texts ------------------------------------------------------------------------------------


def _street(name: str, html: bool) -> Any:
    return ltr(name) if html else f"{LRI}{name}{PDI}"


# Each table's texts are translated only when one is picked (a long route has a hundred legs).
_WAYS = {
    "footway": lazy_pgettext("directions", "along the footpath"),
    "sidewalk": lazy_pgettext("directions", "along the pavement"),
    "path": lazy_pgettext("directions", "along the path"),
    "pedestrian": lazy_pgettext("directions", "through the pedestrian area"),
    "cycleway": lazy_pgettext("directions", "along the cycle path"),
    None: lazy_pgettext("directions", "along an unnamed street"),
}

_NAMED_MOVES = {
    None: lazy_pgettext("directions", "Start along %(street)s"),
    "straight": lazy_pgettext("directions", "Continue straight onto %(street)s"),
    "slight_left": lazy_pgettext("directions", "Bear left onto %(street)s"),
    "slight_right": lazy_pgettext("directions", "Bear right onto %(street)s"),
    "left": lazy_pgettext("directions", "Turn left into %(street)s"),
    "right": lazy_pgettext("directions", "Turn right into %(street)s"),
    "sharp_left": lazy_pgettext("directions", "Turn sharp left into %(street)s"),
    "sharp_right": lazy_pgettext("directions", "Turn sharp right into %(street)s"),
}

_UNNAMED_MOVES = {
    None: lazy_pgettext("directions", "Start %(way)s"),
    "straight": lazy_pgettext("directions", "Continue straight %(way)s"),
    "slight_left": lazy_pgettext("directions", "Bear left %(way)s"),
    "slight_right": lazy_pgettext("directions", "Bear right %(way)s"),
    "left": lazy_pgettext("directions", "Turn left %(way)s"),
    "right": lazy_pgettext("directions", "Turn right %(way)s"),
    "sharp_left": lazy_pgettext("directions", "Turn sharp left %(way)s"),
    "sharp_right": lazy_pgettext("directions", "Turn sharp right %(way)s"),
}


def _way(kind: str) -> str:
    """How an unnamed stretch is said after a verb ("turn left along the sidewalk")."""
    return str(_WAYS.get(kind) or _WAYS[None])


def _named_move(turn: str | None) -> str:
    return str(_NAMED_MOVES.get(turn, _NAMED_MOVES[None]))


def _unnamed_move(turn: str | None) -> str:
    return str(_UNNAMED_MOVES.get(turn, _UNNAMED_MOVES[None]))


def leg_text(leg: Leg, first: bool, html: bool = False) -> Any:
    """The instruction of a leg in the current locale (Markup with ``html``, else plain text
    with Unicode isolates around street names)."""
    fmt = (lambda s, **kw: escape(s) % kw) if html else (lambda s, **kw: s % kw)
    if leg.kind == KIND_STEPS:
        return fmt(pgettext("directions", "Take the steps (avoided with a stroller)"))
    if leg.kind == KIND_KERB:
        return fmt(pgettext("directions", "Step over a raised kerb (avoided with a stroller)"))
    if leg.kind == KIND_CROSSING:
        if leg.crossed:
            return fmt(
                pgettext("directions", "Cross %(street)s"), street=_street(leg.crossed, html)
            )
        return fmt(pgettext("directions", "Cross the road"))
    turn = None if first else leg.turn or "straight"
    if leg.name:
        return fmt(_named_move(turn), street=_street(leg.name, html))
    return fmt(_unnamed_move(turn), way=_way(leg.kind))


def distance_text(metres: float, seconds: float, html: bool = False) -> Any:
    """ "350 m (4 min)": metres to the nearest 10 (5 under 100 m), minutes from one up."""
    step = 5 if metres < 100 else 10
    shown = max(step, int(round(metres / step)) * step)
    text = pgettext("directions", "%(metres)d m") % {"metres": shown}
    minutes = int(round(seconds / 60))
    if minutes >= 1:
        text = pgettext("directions", "%(distance)s (%(minutes)s)") % {
            "distance": text,
            "minutes": ngettext("%(num)d min", "%(num)d min", minutes),
        }
    # Isolated by its first strong letter: "m" keeps it left to right, Arabic "م" right to left.
    return isolate(text) if html else f"{FSI}{text}{PDI}"


def describe(legs: list[Leg], speed_m_s: float, html: bool = False) -> list[dict[str, Any]]:
    """Legs as ``{"text", "distance", "kind", "turn", "name", "metres"}`` (texts in the
    current locale; ``distance`` is None for a kerb or a short crossing)."""
    out = []
    for i, leg in enumerate(legs):
        brief = leg.kind == KIND_KERB or (leg.kind == KIND_CROSSING and leg.metres < 30)
        out.append(
            {
                "text": leg_text(leg, first=i == 0, html=html),
                "distance": None
                if brief
                else distance_text(leg.metres, leg.metres / speed_m_s, html),
                "kind": leg.kind,
                "turn": leg.turn if i else None,
                "name": leg.name or leg.crossed,
                "metres": leg.metres,
            }
        )
    return out
