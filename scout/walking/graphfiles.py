"""The walking graph as arrays in files, held once per machine.

An import (or the first process to load a network whose files are missing) computes every
array the graph needs (projected coordinates, the CSR matrices of both profiles, the snapping
grid, names and kinds as numbers) and writes them as ``.npy`` files in a folder of their own,
``WALK_GRAPH_FOLDER/<database>/network/<network id>-<import time>``; every app process then
opens them with ``mmap_mode="r"``: the pages are the kernel's page cache, shared by every
worker, so an additional gunicorn worker adds only the few pages it writes. A network's rows
never change after its import, so a folder is valid for as long as the network exists; another
import removes the folders of the networks before it (a process still using one keeps its
mapping).

The two entries of the searched point's own node (see :meth:`scout.walking.graph._View.search`)
are written by each thread in a copy-on-write mapping of its own (:meth:`Arrays.private`): the
kernel copies that one page, not the matrix.
"""

from __future__ import annotations

import json
import logging
import mmap
import os
import shutil
import tempfile
import threading
import weakref
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from scout.geo import metres_per_degree
from scout.walking.snapping import grid_arrays

logger = logging.getLogger(__name__)

FORMAT = 1  # bump when the arrays written change: older folders are then rebuilt


class Arrays:
    """Named arrays memory-mapped from a folder (or, when none could be written, in memory),
    with the network's ``meta`` (ids, projection, name tables)."""

    def __init__(self, arrays: dict[str, np.ndarray], meta: dict[str, Any], folder: Path | None):
        self.arrays = arrays
        self.meta = meta
        self.folder = folder
        self._files: dict[str, tuple[Any, int]] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]

    def private(self, name: str) -> np.ndarray:
        """A writable copy of array ``name`` for one thread: a copy-on-write mapping of its file
        (pages are copied only when written), or a plain copy of an in-memory array."""
        if self.folder is None:
            return self.arrays[name].copy()
        with self._lock:
            if name not in self._files:
                # Opened once and kept: the folder may be removed by a later import.
                path = self.folder / f"{name}.npy"
                with open(path, "rb") as fh:
                    np.lib.format.read_magic(fh)
                    np.lib.format.read_array_header_1_0(fh)
                    offset = fh.tell()
                fd = os.open(path, os.O_RDONLY)
                weakref.finalize(self, os.close, fd)
                self._files[name] = (fd, offset)
            fd, offset = self._files[name]
        array = self.arrays[name]
        buffer = mmap.mmap(fd, 0, access=mmap.ACCESS_COPY)
        return np.frombuffer(buffer, dtype=array.dtype, count=array.size, offset=offset)


def build(
    network_id: int,
    osm_date: datetime | None,
    src: np.ndarray,
    dst: np.ndarray,
    length: np.ndarray,
    steps: np.ndarray,
    coords: np.ndarray,
    offsets: np.ndarray,
    names: Sequence[str | None],
    kinds: Sequence[str],
) -> Arrays:
    """Every array of a network's graph, from its edges (in id order): ends, metres, steps,
    lon/lat vertices ``coords`` with edge ``e``'s at ``offsets[e]:offsets[e + 1]``, names and
    kinds."""
    src = np.asarray(src, dtype=np.int32)
    dst = np.asarray(dst, dtype=np.int32)
    length = np.asarray(length, dtype=np.float64)
    steps = np.asarray(steps, dtype=bool)
    offsets = np.asarray(offsets, dtype=np.int64)
    coords = np.asarray(coords, dtype=np.float64).reshape(-1, 2)
    lon0, lat0 = (float(v) for v in coords.mean(axis=0))
    kx, ky = (float(v) for v in metres_per_degree(lat0))
    xy = (coords - (lon0, lat0)) * (kx, ky)
    n_edges = len(src)
    n_nodes = int(max(src.max(), dst.max())) + 1
    # Metres along its edge of every vertex (the projected line's own length).
    step = np.hypot(*np.diff(xy, axis=0).T) if len(xy) > 1 else np.zeros(0)
    last = offsets[1:] - 1  # each edge's last vertex
    step[last[:-1]] = 0.0  # no step from one edge's last vertex to the next edge's first
    cum = np.concatenate([[0.0], np.cumsum(step)])
    line_m = cum[last] - cum[offsets[:-1]]
    node_xy = np.zeros((n_nodes, 2))
    node_xy[src] = xy[offsets[:-1]]
    node_xy[dst] = xy[last]
    is_seg = np.ones(max(len(xy) - 1, 0), dtype=bool)
    is_seg[last[:-1]] = False
    seg_v = np.flatnonzero(is_seg).astype(np.int32)  # the first vertex of each segment
    seg_edge = (np.searchsorted(offsets, seg_v, side="right") - 1).astype(np.int32)
    grid, cell_ptr, cell_seg = grid_arrays(xy, seg_v)
    name_table = sorted({n for n in names if n})
    name_index = {n: i for i, n in enumerate(name_table)}
    kind_table = sorted(set(kinds))
    kind_index = {k: i for i, k in enumerate(kind_table)}
    arrays: dict[str, np.ndarray] = {
        "src": src,
        "dst": dst,
        "length": length,
        "steps": steps,
        "xy": xy,
        "offsets": offsets,
        "cum": cum,
        "line_m": line_m,
        "node_xy": node_xy,
        "seg_v": seg_v,
        "seg_edge": seg_edge,
        "cell_ptr": cell_ptr,
        "cell_seg": cell_seg,
        "name_id": np.array([name_index[n] if n else -1 for n in names], dtype=np.int32),
        "kind_id": np.array([kind_index[k] for k in kinds], dtype=np.int16),
    }
    for v, allowed in enumerate((np.ones(n_edges, dtype=bool), ~steps)):
        for key, value in _view_arrays(src, dst, length, allowed, n_nodes).items():
            arrays[f"v{v}_{key}"] = value
        arrays[f"v{v}_snap_ok"] = allowed & (line_m > 0)
    meta = {
        "format": FORMAT,
        "network_id": int(network_id),
        "osm_date": osm_date.isoformat() if osm_date else None,
        "lon0": lon0,
        "lat0": lat0,
        "kx": kx,
        "ky": ky,
        "n_nodes": n_nodes,
        "grid": grid,
        "names": name_table,
        "kinds": kind_table,
    }
    return Arrays(arrays, meta, None)


def _view_arrays(
    src: np.ndarray, dst: np.ndarray, length: np.ndarray, allowed: np.ndarray, n: int
) -> dict[str, np.ndarray]:
    """One profile's symmetric CSR matrix (parallel edges: the shortest), its entries' edges,
    source nodes and (source, target) keys, and each node's allowed edges."""
    e = np.flatnonzero(allowed)
    s = np.concatenate([src[e], dst[e]])
    t = np.concatenate([dst[e], src[e]])
    w = np.concatenate([length[e], length[e]])
    ids = np.concatenate([e, e])
    loop = s == t
    s, t, w, ids = s[~loop], t[~loop], w[~loop], ids[~loop]
    order = np.lexsort((w, t, s))
    s, t, w, ids = s[order], t[order], w[order], ids[order]
    first = np.ones(len(s), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (t[1:] != t[:-1])  # parallel edges: keep the shortest
    s, t, w, ids = s[first], t[first], w[first], ids[first]
    # Two more nodes, each with two entries to be set per search: a snapped point as a node of
    # its own, joined to both ends of its edge.
    s = np.concatenate([s, [n, n, n + 1, n + 1]])
    t = np.concatenate([t, [0, 0, 0, 0]])
    w = np.concatenate([w, [1.0, 1.0, 1.0, 1.0]])
    ids = np.concatenate([ids, [-1, -1, -1, -1]])
    indptr = np.concatenate([[0], np.cumsum(np.bincount(s, minlength=n + 2))])
    ends = np.concatenate([src[e], dst[e]])
    by_node = np.argsort(ends, kind="stable")
    return {
        "data": w.astype(np.float64),
        "indices": t.astype(np.int32),
        "indptr": indptr.astype(np.int32),
        "edge_of": ids.astype(np.int32),
        "rows": s.astype(np.int32),
        "keys": s.astype(np.int64) * (n + 2) + t,
        "edges": e.astype(np.int64),
        "inc_ptr": np.concatenate([[0], np.cumsum(np.bincount(ends, minlength=n))]).astype(
            np.int64
        ),
        "inc_edge": np.concatenate([e, e])[by_node].astype(np.int32),
    }


def from_rows(
    network_id: int,
    osm_date: datetime | None,
    src: Any,
    dst: Any,
    length: Any,
    steps: Any,
    lines: np.ndarray,
    names: Sequence[str | None],
    kinds: Sequence[str],
) -> Arrays:
    """:func:`build` from shapely LineStrings (lon/lat) instead of vertex arrays."""
    import shapely

    coords, index = shapely.get_coordinates(lines, return_index=True)
    offsets = np.concatenate([[0], np.cumsum(np.bincount(index, minlength=len(lines)))])
    return build(network_id, osm_date, src, dst, length, steps, coords, offsets, names, kinds)


def folder_of(root: Path | str, database: str | None, network_id: int, imported_at: Any) -> Path:
    """Where network ``network_id`` of ``database``, imported at ``imported_at``, is kept."""
    stamp = int(round(imported_at.timestamp() * 1e6)) if imported_at else 0
    return Path(root) / (database or "default") / "network" / f"{network_id}-{stamp}-v{FORMAT}"


def save(arrays: Arrays, folder: Path) -> bool:
    """Write ``arrays`` into ``folder`` (atomically: a whole folder or none), then remove the
    other networks' folders beside it. False when the folder could not be written."""
    parent = folder.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=parent))
        for name, array in arrays.arrays.items():
            np.save(tmp / f"{name}.npy", np.ascontiguousarray(array))
        (tmp / "meta.json").write_text(json.dumps(arrays.meta))
        try:
            os.rename(tmp, folder)
        except OSError:  # another process wrote it first: the same arrays
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as exc:
        logger.warning("walking graph not written to %s: %s", folder, exc)
        return False
    for other in parent.iterdir():
        if other != folder and not other.name.startswith("."):
            shutil.rmtree(other, ignore_errors=True)
    return True


def open_folder(folder: Path) -> Arrays | None:
    """The arrays of ``folder``, memory-mapped read-only, or None when it is missing or of
    another format."""
    try:
        meta = json.loads((folder / "meta.json").read_text())
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT:
        return None
    arrays = {p.stem: _mapped(p) for p in folder.glob("*.npy")}
    return Arrays(arrays, meta, folder)


def _mapped(path: Path) -> np.ndarray:
    try:
        return np.asarray(np.load(path, mmap_mode="r"))
    except ValueError:  # an empty array: nothing to map
        return np.load(path)
