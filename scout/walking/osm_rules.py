"""Which OpenStreetMap ways and barrier nodes a person can walk through: the tag rules of the
import (highway classes, ``foot`` and ``access``, gates, walls, raised kerbs for a stroller).
"""

from __future__ import annotations

from typing import Any

WALKABLE_HIGHWAYS = frozenset(
    {
        "footway",
        "pedestrian",
        "path",
        "steps",
        "crossing",
        "living_street",
        "residential",
        "service",
        "unclassified",
        "road",
        "track",
        "cycleway",
        "bridleway",
        "corridor",
        "platform",
        "tertiary",
        "tertiary_link",
        "secondary",
        "secondary_link",
        "primary",
        "primary_link",
        "trunk",
        "trunk_link",
    }
)


FOOT_ALLOWED = frozenset({"yes", "designated", "permissive", "official", "destination"})


FOOT_REFUSED = frozenset({"no", "use_sidepath", "private"})


ACCESS_REFUSED = frozenset({"private", "no"})


BLOCKING_BARRIERS = frozenset({"wall", "fence", "hedge", "retaining_wall"})


BARRIER_PASSES = 0


BARRIER_BLOCKS = 1


BARRIER_STEP = 2  # a raised kerb: like steps (not with a stroller)


def is_walkable(tags: Any) -> bool:
    """Whether a way with these tags can be walked (both ways: one-way is for vehicles)."""
    highway = tags.get("highway")
    if highway not in WALKABLE_HIGHWAYS:
        return False
    if tags.get("area") == "yes" and highway not in ("pedestrian", "footway"):
        return False
    foot = tags.get("foot")
    if foot in FOOT_REFUSED:
        return False
    if tags.get("access") in ACCESS_REFUSED and foot not in FOOT_ALLOWED:
        return False
    return not (tags.get("construction") or tags.get("proposed"))


def barrier_kind(tags: Any) -> int:
    """How a barrier node with these tags is walked: passes, blocks, or is a step."""
    barrier = tags.get("barrier")
    if not barrier:
        return BARRIER_PASSES
    foot = tags.get("foot")
    if foot in FOOT_ALLOWED:
        return BARRIER_STEP if _raised_kerb(tags) else BARRIER_PASSES
    if foot in FOOT_REFUSED or tags.get("access") in ACCESS_REFUSED:
        return BARRIER_BLOCKS
    if barrier in BLOCKING_BARRIERS:
        return BARRIER_BLOCKS
    return BARRIER_STEP if _raised_kerb(tags) else BARRIER_PASSES


def _raised_kerb(tags: Any) -> bool:
    return tags.get("barrier") == "kerb" and tags.get("kerb") == "raised"


# What an edge is, for directions and the basemap: named streets are told by their ``name``;
# these kinds say what an unnamed stretch is (a footway, a crossing, steps...).
KIND_STREET = "street"
KIND_FOOTWAY = "footway"
KIND_SIDEWALK = "sidewalk"
KIND_CROSSING = "crossing"
KIND_STEPS = "steps"
KIND_PATH = "path"
KIND_PEDESTRIAN = "pedestrian"
KIND_CYCLEWAY = "cycleway"
KIND_KERB = "kerb"  # the connector at a raised kerb (walked as steps)

EDGE_KINDS = (
    KIND_STREET,
    KIND_FOOTWAY,
    KIND_SIDEWALK,
    KIND_CROSSING,
    KIND_STEPS,
    KIND_PATH,
    KIND_PEDESTRIAN,
    KIND_CYCLEWAY,
    KIND_KERB,
)

_PATH_HIGHWAYS = frozenset({"path", "track", "bridleway"})


def edge_kind(tags: Any) -> str:
    """The kind of a walkable way (see :data:`EDGE_KINDS`)."""
    highway = tags.get("highway")
    if highway == "steps":
        return KIND_STEPS
    if (
        highway == "crossing"
        or tags.get("footway") == "crossing"
        or tags.get("path") == "crossing"
        or tags.get("cycleway") == "crossing"
    ):
        return KIND_CROSSING
    if highway == "footway":
        return KIND_SIDEWALK if tags.get("footway") == "sidewalk" else KIND_FOOTWAY
    if highway in _PATH_HIGHWAYS:
        return KIND_PATH
    if highway in ("pedestrian", "platform", "corridor"):
        return KIND_PEDESTRIAN
    if highway == "cycleway":
        return KIND_CYCLEWAY
    return KIND_STREET


def street_name(tags: Any) -> str | None:
    """The way's name as people say it (OSM ``name``, else ``official_name``), or None."""
    name = (tags.get("name") or tags.get("official_name") or "").strip()
    return name[:200] or None
