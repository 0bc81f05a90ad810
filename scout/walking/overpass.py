"""Fetch an OpenStreetMap extract of the service area from an Overpass server (when online)."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy.orm import Session

from scout import spatial
from scout.errors import ImportFailed
from scout.geo import metres_per_degree

OVERPASS_URL = "https://overpass-api.de/api/interpreter"


def overpass_query(session: Session) -> str:
    """An Overpass QL query for the walkable ways and addresses of the service area's bbox."""
    box = spatial.service_area_bounds(session)
    if box is None:
        raise ImportFailed("load the municipi first (flask geo load): the area is not known")
    buffer_m = current_app.config["SERVICE_BUFFER_M"]
    lat_mid = (box[1] + box[3]) / 2
    m_lon, m_lat = metres_per_degree(lat_mid)
    dlon, dlat = buffer_m / float(m_lon), buffer_m / float(m_lat)
    s, w, n, e = box[1] - dlat, box[0] - dlon, box[3] + dlat, box[2] + dlon
    bbox = f"{s:.5f},{w:.5f},{n:.5f},{e:.5f}"
    return (
        "[out:xml][timeout:300];("
        f'way["highway"]({bbox});'
        f'node["addr:housenumber"]({bbox});'
        f'way["addr:housenumber"]({bbox});'
        ");(._;>;);out body;"
    )


def fetch_overpass(
    session: Session, dest: Path, *, url: str = OVERPASS_URL, timeout: float = 360
) -> Path:
    """Download the service area from Overpass into ``dest``. Raises :class:`ImportFailed`
    with a one-line message when offline or when the server refuses."""
    query = overpass_query(session)
    try:
        with requests.post(url, data={"data": query}, timeout=(10, timeout), stream=True) as resp:
            if resp.status_code != 200:
                raise ImportFailed(f"Overpass API answered HTTP {resp.status_code}; try later")
            with open(dest, "wb") as fh:
                for chunk in resp.iter_content(1 << 16):
                    fh.write(chunk)
    except (requests.ConnectionError, requests.Timeout) as exc:
        raise ImportFailed(
            f"offline: cannot reach {url} ({type(exc).__name__}); "
            "import an extract with `flask geo import-osm FILE` instead"
        ) from None
    return dest


def is_online(url: str = OVERPASS_URL, timeout: float = 3) -> bool:
    """A quick check that the Overpass server can be reached (name lookup included, which a
    socket timeout alone does not bound)."""
    host = urlsplit(url).hostname or ""
    reached: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            reached.append(True)
        except OSError:
            pass

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout + 1)
    return bool(reached)
