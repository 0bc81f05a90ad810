"""Walking: minutes on foot from one origin to places, isochrones and routes, on the imported
OpenStreetMap pedestrian network (or, before any import, a straight-line estimate that says so).

The face other domains and views use. :mod:`.engine` answers, :mod:`.graph` holds the network in
memory, :mod:`.osm_import` and :mod:`.overpass` build it, :mod:`.gazetteer` finds addresses.
"""

from __future__ import annotations

from scout.errors import OutOfArea
from scout.walking.engine import (
    MAX_MINUTES,
    MAX_SNAP_M,
    Answer,
    IsochroneAnswer,
    Profile,
    ReachAnswer,
    RouteAnswer,
    TooFarFromPaths,
    Walk,
    WalkAnswer,
    check_origin,
    ids_and_seconds,
    isochrones,
    network,
    reach,
    route,
    walk_to,
)
from scout.walking.fields import Lat, Lon, Minutes, WalkingProfile, check_served, minutes_message
from scout.walking.osm_import import ImportReport, current_network, import_osm, network_summary

__all__ = [
    "MAX_MINUTES",
    "MAX_SNAP_M",
    "Answer",
    "ImportReport",
    "Lat",
    "Lon",
    "IsochroneAnswer",
    "Minutes",
    "OutOfArea",
    "Profile",
    "ReachAnswer",
    "RouteAnswer",
    "TooFarFromPaths",
    "Walk",
    "WalkAnswer",
    "WalkingProfile",
    "check_origin",
    "ids_and_seconds",
    "check_served",
    "current_network",
    "import_osm",
    "isochrones",
    "minutes_message",
    "network",
    "network_summary",
    "reach",
    "route",
    "walk_to",
]
